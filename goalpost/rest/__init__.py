"""The REST adapter: FastAPI routes and Pydantic models over the same core as GraphQL.
Importing it loads no Strawberry (tests/test_architecture.py)."""

from goalpost.rest.goals import router

__all__ = ["router"]
