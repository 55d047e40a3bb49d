"""Subscription resolvers: the GraphQL side of the core's live-changes use case."""

from __future__ import annotations

from collections.abc import AsyncIterator

from goalpost.resolvers.context import Info
from goalpost.services import requests
from goalpost.services.live import GoalChangeNotice


def goal_changed(info: Info, org_slug: str, period_id: str) -> AsyncIterator[GoalChangeNotice]:
    return requests.watch_goal_changes(info.context.scope, org_slug=org_slug, period_id=period_id)
