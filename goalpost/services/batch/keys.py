"""Phase 1, keys: malformed and repeated keys fail before anything is loaded (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from goalpost.services.batch.items import GoalBatchItem
from goalpost.services.batch.patches import text_problem
from goalpost.services.batch.results import GoalNotFound, ItemResult, duplicate, invalid
from goalpost.services.guard import parse_uuid

CLIENT_ID_MAX = 64


def check_keys(items: Sequence[GoalBatchItem]) -> tuple[dict[int, ItemResult], list[int]]:
    """The results of items whose keys are unusable, and the indexes of the others (the
    targets), in input order. A malformed goal id is "not found", never a crash."""
    results: dict[int, ItemResult] = {}
    targets: list[int] = []
    seen_client_ids: set[str] = set()
    seen_ids: set[uuid.UUID] = set()
    for index, item in enumerate(items):
        goal_id = parse_uuid(item.id) if item.id is not None else None
        if not 1 <= len(item.client_id) <= CLIENT_ID_MAX:
            results[index] = invalid(
                item.client_id, ("client_id",), f"must be 1 to {CLIENT_ID_MAX} characters"
            )
        elif (unstorable := text_problem(item.client_id)) is not None:
            results[index] = invalid(item.client_id, ("client_id",), unstorable)
        elif item.client_id in seen_client_ids or (goal_id is not None and goal_id in seen_ids):
            results[index] = duplicate(item.client_id)
        elif item.id is not None and goal_id is None:
            results[index] = GoalNotFound(item.client_id)
        else:
            targets.append(index)
        seen_client_ids.add(item.client_id)
        if goal_id is not None:
            seen_ids.add(goal_id)
    return results, targets
