"""What every resolver gets: the request's scope (session, guard, settings; built by
goalpost.deps, shared with REST) and the DataLoaders."""

from __future__ import annotations

import uuid
from dataclasses import replace

from strawberry import Info as StrawberryInfo
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from goalpost.models import Competency, User
from goalpost.services.goals import competencies_by_ids, users_by_ids
from goalpost.services.history import GoalEventRecord, events_of_goals
from goalpost.services.requests import RequestScope

CompetencyKey = tuple[uuid.UUID, uuid.UUID]  # (org id, competency id)


class Context(BaseContext):
    def __init__(self, scope: RequestScope) -> None:
        super().__init__()
        self.scope = scope
        self.db = scope.db
        self.guard = scope.guard
        self.settings = scope.settings
        # Goal items of the whole request, counted before execution (limits.BatchItemBudget).
        self.batch_items_requested = 0
        self.competency_loader: DataLoader[CompetencyKey, Competency | None] = DataLoader(
            load_fn=self._load_competencies
        )
        self.history_loader: DataLoader[uuid.UUID, list[GoalEventRecord]] = DataLoader(
            load_fn=self._load_history
        )
        self.user_loader: DataLoader[uuid.UUID, User | None] = DataLoader(load_fn=self._load_users)
        # A WebSocket's: when its token expires (Unix seconds), and whose socket it counts as
        # in the per-user cap once acknowledged (goalpost.schema.websocket).
        self.expires_at: float | None = None
        self.live_user: uuid.UUID | None = None

    def for_operation(self, *, admission_only: bool = False) -> Context:
        """A WebSocket's context is built once per socket; each of its operations runs on its
        own copy (its own session, an uncached guard, fresh DataLoaders and item budget), so
        nothing one operation asked or counted is seen by another (docs/live.md).
        `admission_only`: the subscription is only let in (RequestScope.admission_only)."""
        scope = replace(
            self.scope,
            db=self.db.sibling(),
            guard=self.guard.fresh(),
            admission_only=admission_only,
        )
        return Context(scope)

    def use_authorization(self, authorization: str | None) -> None:
        """A WebSocket's token arrives in connection_init, after the context was built."""
        self.scope = replace(self.scope, guard=self.scope.guard.with_authorization(authorization))
        self.guard = self.scope.guard

    async def _load_competencies(self, keys: list[CompetencyKey]) -> list[Competency | None]:
        """All competencies that a page of goals references, in one SELECT per org."""
        found: dict[CompetencyKey, Competency] = {}
        async with self.db.use() as session:
            for org_id in {org for org, _ in keys}:
                ids = [cid for org, cid in keys if org == org_id]
                for cid, comp in (await competencies_by_ids(session, org_id, ids)).items():
                    found[(org_id, cid)] = comp
        return [found.get(key) for key in keys]

    async def _load_users(self, keys: list[uuid.UUID]) -> list[User | None]:
        """Goal owners and reviewers of a page of goals, in one SELECT."""
        async with self.db.use() as session:
            found = await users_by_ids(session, keys)
        return [found.get(key) for key in keys]

    async def _load_history(self, goal_ids: list[uuid.UUID]) -> list[list[GoalEventRecord]]:
        """The history of every goal of a page, in one SELECT. Only goals the caller was
        shown get here (their own, their direct reports'), so the goal id is all the key needs."""
        async with self.db.use() as session:
            found = await events_of_goals(session, goal_ids)
        return [found[g] for g in goal_ids]


Info = StrawberryInfo[Context, None]
