"""The goal history as the client returns it: events and pages of the change feed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class FieldChange:
    """One field before and after (API field names; JSON values, None for unset)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class GoalEvent:
    """One change of a goal: CREATED UPDATED DELETED SUBMITTED APPROVED RETURNED."""

    id: str
    goal_id: str
    kind: str
    version: int
    at: datetime
    actor_id: str
    actor_name: str
    request_id: str | None
    changes: tuple[FieldChange, ...]
    comment: str | None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> GoalEvent:
        return cls(
            id=str(data["id"]),
            goal_id=str(data["goalId"]),
            kind=str(data["kind"]),
            version=int(data["version"]),
            at=datetime.fromisoformat(str(data["at"])),
            actor_id=str(data["actor"]["id"]),
            actor_name=str(data["actor"]["name"]),
            request_id=data.get("requestId"),
            changes=tuple(
                FieldChange(str(c["field"]), c["before"], c["after"]) for c in data["changes"]
            ),
            comment=data.get("comment"),
        )


@dataclass(frozen=True)
class GoalChangeNotice:
    """A live notice (`goalChanged`): which goal changed, its version now, who, and where in
    the change feed (`cursor`, for `goal_changes(after=cursor)`). A poke, not the data."""

    goal_id: str
    kind: str
    version: int
    actor_id: str
    cursor: str

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> GoalChangeNotice:
        return cls(
            goal_id=str(data["goalId"]),
            kind=str(data["kind"]),
            version=int(data["version"]),
            actor_id=str(data["actorId"]),
            cursor=str(data["cursor"]),
        )


@dataclass(frozen=True)
class GoalChanges:
    """A page of `goalChanges`: pass `cursor` back as `after`; `has_more` False: poll later."""

    events: tuple[GoalEvent, ...]
    cursor: str
    has_more: bool

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> GoalChanges:
        return cls(
            events=tuple(GoalEvent.from_data(e) for e in data["events"]),
            cursor=str(data["cursor"]),
            has_more=bool(data["hasMore"]),
        )
