"""Assembles Query and Mutation with the protective extensions."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from goalpost.config import Settings
from goalpost.resolvers import mutations, queries
from goalpost.resolvers.context import Info
from goalpost.schema.inputs import (
    BatchSaveGoalsInput,
    ReviewGoalsInput,
    SaveGoalInput,
    review_item_from_input,
)
from goalpost.schema.limits import BatchItemBudget, operation_limits_rule
from goalpost.schema.live import Subscription
from goalpost.schema.results import (
    BatchSaveGoalsPayload,
    GoalSaveResult,
    ReviewGoalsPayload,
    SubmitGoalsPayload,
    payload_from,
    result_from,
    review_payload_from,
    submit_payload_from,
)
from goalpost.schema.types import GOAL_TYPES, Me, Organization


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


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Save many goal edits in one transaction; one result per item, in order."
    )
    async def batch_save_goals(
        self, info: Info, input: BatchSaveGoalsInput
    ) -> BatchSaveGoalsPayload:
        outcome = await mutations.batch_save_goals(
            info,
            input.org_slug,
            input.period_id,
            list(input.items),  # GoalBatchItems already (inputs.item_from_input)
            input.error_policy,
        )
        return payload_from(outcome)

    @strawberry.mutation(description="Save one goal edit: a batch of one, same rules.")
    async def save_goal(self, info: Info, input: SaveGoalInput) -> GoalSaveResult:
        outcome = await mutations.batch_save_goals(
            info, input.org_slug, input.period_id, [input.item]
        )
        return result_from(outcome.results[0])

    @strawberry.mutation(
        description="Submit all of the caller's goals of the period, or say why not."
    )
    async def submit_goals(
        self, info: Info, org_slug: str, period_id: strawberry.ID
    ) -> SubmitGoalsPayload:
        return submit_payload_from(await mutations.submit_goals(info, org_slug, period_id))

    @strawberry.mutation(
        description="A supervisor's decisions on many submitted goals of their direct reports: "
        "one transaction, one result per item, in order (docs/review.md)."
    )
    async def review_goals(self, info: Info, input: ReviewGoalsInput) -> ReviewGoalsPayload:
        outcome = await mutations.review_goals(
            info,
            input.org_slug,
            input.period_id,
            [review_item_from_input(item) for item in input.items],
            input.error_policy,
        )
        return review_payload_from(outcome)


class GoalpostSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """coded_error logs what matters (at the HTTP view); no tracebacks in the log stream."""


def build_schema(settings: Settings) -> strawberry.Schema:
    # The limit rule is made once: a rule class built per request (what QueryDepthLimiter
    # and MaxAliasesLimiter do) is a new cache key each time, so ValidationCache never hit.
    rules: list[type[ASTValidationRule]] = [
        operation_limits_rule(settings.max_query_depth, settings.max_aliases)
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories, so each request gets fresh extension instances (the caches are shared).
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        BatchItemBudget,
    ]
    return GoalpostSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(GOAL_TYPES.values()),
        extensions=extensions,
        config=StrawberryConfig(
            batching_config={"max_operations": settings.graphql_batching}
            if settings.graphql_batching > 0
            else None
        ),
    )
