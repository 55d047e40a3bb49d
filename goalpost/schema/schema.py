"""Assembles Query and Mutation with the protective extensions."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.types import ExecutionContext

from goalpost.config import Settings
from goalpost.resolvers import queries
from goalpost.schema.context import Info
from goalpost.schema.errors import ErrorCodes
from goalpost.schema.types import CompetencyGoal, CoreValueGoal, Me, Organization, PerformanceGoal


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user and their organizations.")
    async def me(self, info: Info) -> Me:
        caller = await queries.me(info)
        return Me(
            id=strawberry.ID(str(caller.id)), email=caller.email, name=caller.name, caller=caller
        )

    @strawberry.field(description="An organization the caller is a member of.")
    async def organization(self, info: Info, slug: str) -> Organization:
        org = await queries.organization(info, slug)
        return Organization(slug=org.slug, name=org.name)


class GoalpostSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """ErrorCodes already logged what matters; no tracebacks in the log stream."""


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories, so each request gets fresh extension instances (the caches are shared).
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        ErrorCodes,
    ]
    if not settings.introspection:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return GoalpostSchema(
        query=Query,
        types=[PerformanceGoal, CompetencyGoal, CoreValueGoal],
        extensions=extensions,
    )
