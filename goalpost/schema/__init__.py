"""Strawberry types, inputs, unions and enums; schema.py assembles Query and Mutation."""
