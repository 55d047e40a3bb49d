"""Phase 3, plan: what each item will do, decided in memory with no I/O.

Given the items, the loaded goals and competencies and the owner's room for new goals, every
target item becomes a Write (insert, update, delete or noop) or a failure result. Pure: the
same input gives the same plan (the clock and the id factory are passed in), so the rules
are tested directly (tests/batch/test_plan.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from goalpost.domain.goal_fields import category_key
from goalpost.models import GoalStatus
from goalpost.services.batch.items import GoalBatchItem
from goalpost.services.batch.load import Loaded
from goalpost.services.batch.patches import parse_patch, patched_fields
from goalpost.services.batch.results import (
    GoalNotEditable,
    GoalNotFound,
    GoalValidationFailed,
    GoalVersionConflict,
    ItemResult,
    duplicate,
    invalid,
)
from goalpost.services.goals import GoalRecord
from goalpost.services.guard import parse_uuid


class WriteKind(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    NOOP = "noop"  # a patch that changes nothing: saved, no write, version unchanged


@dataclass(frozen=True)
class Write:
    """What one item will do to the database: the goal before and after."""

    kind: WriteKind
    before: GoalRecord | None
    after: GoalRecord | None

    @property
    def created(self) -> bool:
        return self.kind is WriteKind.INSERT


@dataclass(frozen=True)
class Owner:
    """Whose goals, where, and how many more the owner may create (the goal cap)."""

    org_id: uuid.UUID
    owner_id: uuid.UUID
    period_id: uuid.UUID
    room: int
    max_goals: int


@dataclass
class Plan:
    writes: dict[int, Write] = field(default_factory=dict)
    results: dict[int, ItemResult] = field(default_factory=dict)


def plan_batch(
    items: Sequence[GoalBatchItem],
    targets: Sequence[int],
    loaded: Loaded,
    owner: Owner,
    *,
    now: datetime,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> Plan:
    plan = Plan()
    claimed: set[uuid.UUID] = set()
    for index in targets:
        item = items[index]
        existing = _existing(item, loaded)
        if existing is not None and existing.id in claimed:
            plan.results[index] = duplicate(item.client_id)
            continue
        outcome = plan_item(item, existing, loaded, owner, now=now, new_id=new_id)
        if isinstance(outcome, Write):
            plan.writes[index] = outcome
            if existing is not None:
                claimed.add(existing.id)
        else:
            plan.results[index] = outcome
    _cap_creates(items, plan, owner)
    return plan


def _existing(item: GoalBatchItem, loaded: Loaded) -> GoalRecord | None:
    """The goal the item names: by id (a malformed one names none), else by client id."""
    if item.id is None:
        return loaded.by_client_id.get(item.client_id)
    goal_id = parse_uuid(item.id)  # cached: the keys phase parsed the same text
    return loaded.by_id.get(goal_id) if goal_id is not None else None


def plan_item(
    item: GoalBatchItem,
    existing: GoalRecord | None,
    loaded: Loaded,
    owner: Owner,
    *,
    now: datetime,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> Write | ItemResult:
    if item.id is not None and existing is None:
        return GoalNotFound(item.client_id)
    if existing is not None:
        if item.expected_version is not None and item.expected_version != existing.version:
            return GoalVersionConflict(item.client_id, existing, item.expected_version)
        if not existing.editable:
            return GoalNotEditable(item.client_id, existing.status)
    if item.delete:
        if existing is None or item.id is None:
            return invalid(item.client_id, ("delete",), "only an existing goal (id) can be deleted")
        if item.patches:
            return invalid(item.client_id, ("delete",), "cannot be combined with a patch")
        return Write(WriteKind.DELETE, existing, None)
    if len(item.patches) > 1:
        return invalid(
            item.client_id,
            (category_key(item.patches[0].category),),
            "send the patch of one category only",
        )
    if existing is None:
        if not item.patches:
            return invalid(
                item.client_id,
                ("performance",),
                "a new goal needs the patch of one category",
            )
        return _plan_create(item, loaded, owner, now, new_id)
    return _plan_update(item, existing, loaded, now)


def _changes(
    item: GoalBatchItem, existing: GoalRecord | None, loaded: Loaded
) -> dict[str, Any] | GoalValidationFailed:
    """The column values the item's patch sets, or why it cannot."""
    if not item.patches:
        return {}
    patch = item.patches[0]
    if existing is not None and patch.category is not existing.category:
        return invalid(
            item.client_id,
            (category_key(patch.category),),
            f"this goal is a {existing.category.value} goal",
        )
    parsed = parse_patch(patch)
    base = existing.values() if existing is not None else {}
    changes = (
        parsed if isinstance(parsed, list) else patched_fields(parsed, loaded.competencies, base)
    )
    if isinstance(changes, list):
        return GoalValidationFailed(item.client_id, tuple(changes))
    return changes


def _plan_create(
    item: GoalBatchItem,
    loaded: Loaded,
    owner: Owner,
    now: datetime,
    new_id: Callable[[], uuid.UUID],
) -> Write | ItemResult:
    changes = _changes(item, None, loaded)
    if isinstance(changes, GoalValidationFailed):
        return changes
    goal = GoalRecord.new(
        id=new_id(),
        organization_id=owner.org_id,
        owner_id=owner.owner_id,
        period_id=owner.period_id,
        category=item.patches[0].category,
        client_id=item.client_id,
        weight=changes.pop("weight", Decimal(0)),
        status=GoalStatus.DRAFT,
        version=1,
        created_at=now,
        updated_at=now,
        **changes,
    )
    return Write(WriteKind.INSERT, None, goal)


def _plan_update(
    item: GoalBatchItem, existing: GoalRecord, loaded: Loaded, now: datetime
) -> Write | ItemResult:
    changes = _changes(item, existing, loaded)
    if isinstance(changes, GoalValidationFailed):
        return changes
    changed = {k: v for k, v in changes.items() if getattr(existing, k) != v}
    if not changed:
        return Write(WriteKind.NOOP, existing, existing)
    after = existing.with_changes(
        **changed,
        status=GoalStatus.DRAFT,  # editing a REJECTED goal makes it a draft again
        version=existing.version + 1,
        updated_at=now,
    )
    return Write(WriteKind.UPDATE, existing, after)


def _cap_creates(items: Sequence[GoalBatchItem], plan: Plan, owner: Owner) -> None:
    """Creates past the owner's goal cap fail, in input order. A delete in the same batch
    does not make room: it frees its place once saved, for the next batch."""
    room = owner.room
    for index in sorted(plan.writes):
        if plan.writes[index].kind is not WriteKind.INSERT:
            continue
        if room > 0:
            room -= 1
            continue
        del plan.writes[index]
        item = items[index]
        plan.results[index] = invalid(
            item.client_id,
            (category_key(item.patches[0].category),),
            f"you already have {owner.max_goals} goals in this period, the most allowed; "
            "delete one to add another",
        )
