"""The live-changes subscription (docs/live.md): a poke per committed change, not the data."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from goalpost.models import GoalEventKind
from goalpost.resolvers import subscriptions
from goalpost.resolvers.context import Info
from goalpost.services.live import GoalChangeNotice as Notice


@strawberry.type(
    description="A goal the caller may see changed (committed). Refetch it, or catch up with "
    "`goalChanges(after: cursor)`: a missed notice loses nothing."
)
class GoalChangeNotice:
    goal_id: strawberry.ID
    kind: GoalEventKind
    version: int = strawberry.field(description="The goal's version after the change.")
    actor_id: strawberry.ID = strawberry.field(description="Who made the change.")
    cursor: str = strawberry.field(
        description="This event's goalChanges cursor: `goalChanges(after: cursor)` returns "
        "exactly the events after it."
    )


def notice_from(n: Notice) -> GoalChangeNotice:
    return GoalChangeNotice(
        goal_id=strawberry.ID(str(n.goal_id)),
        kind=n.kind,
        version=n.version,
        actor_id=strawberry.ID(str(n.actor_id)),
        cursor=n.cursor,
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Changes of the period's goals that the caller may see (their own, and "
        "their direct reports' for a supervisor), sent after each commit. Over "
        "graphql-transport-ws at /graphql, the token in connection_init's payload."
    )
    async def goal_changed(
        self, info: Info, org_slug: str, period_id: strawberry.ID
    ) -> AsyncGenerator[GoalChangeNotice, None]:
        async for notice in subscriptions.goal_changed(info, org_slug, period_id):
            yield notice_from(notice)
