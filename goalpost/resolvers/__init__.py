"""Thin glue between GraphQL and the services: take the request context, call guard + service."""
