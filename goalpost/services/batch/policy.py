"""Phase 4, the error policy, in one place."""

from __future__ import annotations

from collections.abc import Sequence

from goalpost.services.batch.items import ErrorPolicy, GoalBatchItem
from goalpost.services.batch.results import ItemResult, is_problem, rejected


def apply_error_policy(
    policy: ErrorPolicy, items: Sequence[GoalBatchItem], results: Sequence[ItemResult | None]
) -> list[ItemResult] | None:
    """None when the batch stands as it is. Under ALL_OR_NOTHING with any failed item, the
    results to report instead: every other item (saved, or planned and not yet written,
    None) becomes BATCH_REJECTED, and the caller writes nothing or rolls back."""
    failed = any(r is not None and is_problem(r) for r in results)
    if policy is ErrorPolicy.SAVE_VALID or not failed:
        return None
    return [
        r if r is not None and is_problem(r) else rejected(item.client_id)
        for item, r in zip(items, results, strict=True)
    ]
