"""Phase 4, the error policy, in one place for saves and reviews."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

from goalpost.services.batch.items import ErrorPolicy
from goalpost.services.batch.results import ItemResult, Problem, ReviewResult, rejected


@overload
def apply_error_policy(  # type: ignore[overload-overlap]  # (only if every item is None)
    policy: ErrorPolicy, client_ids: Sequence[str], results: Sequence[ItemResult | None]
) -> list[ItemResult] | None: ...
@overload
def apply_error_policy(
    policy: ErrorPolicy, client_ids: Sequence[str], results: Sequence[ReviewResult | None]
) -> list[ReviewResult] | None: ...
def apply_error_policy(
    policy: ErrorPolicy, client_ids: Sequence[str], results: Sequence[Any]
) -> list[Any] | None:
    """None when the batch stands as it is. Under ALL_OR_NOTHING with any failed item, the
    results to report instead: every other item (saved, or planned and not yet written,
    None) becomes BATCH_REJECTED, and the caller writes nothing or rolls back."""
    failed = any(isinstance(r, Problem) for r in results)
    if policy is ErrorPolicy.SAVE_VALID or not failed:
        return None
    return [
        r if isinstance(r, Problem) else rejected(client_id)
        for client_id, r in zip(client_ids, results, strict=True)
    ]
