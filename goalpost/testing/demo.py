"""What a demo user sends: a dev token for alice, bob, carol or dave, and a mixed batch of
creates, updates and deletes as tests and benchmarks save it."""

from __future__ import annotations

from typing import Any

from goalpost.config import Settings
from goalpost.services.auth import issue_dev_token
from goalpost.services.demo import subject_of


def demo_token(settings: Settings, name: str, ttl_seconds: int | None = None) -> str:
    """A token for a demo user (alice, bob, carol, dave)."""
    return issue_dev_token(settings, subject_of(name), ttl_seconds)


def mixed_batch_items(
    size: int, existing: list[dict[str, Any]], prefix: str, competency_id: str
) -> list[dict[str, Any]]:
    """A batch of a third creates, a third updates and a third deletes (a batch of 1 is one
    create), as tests and benchmarks send it. `existing` are goals as the API returns them
    (clientId, id, version), at least `size` of them."""
    items: list[dict[str, Any]] = []
    for i in range(size):
        if i % 3 == 0:
            items.append(
                {
                    "clientId": f"{prefix}-new-{i}",
                    "competency": {"actionPlan": "plan", "competencyIds": [competency_id]},
                }
            )
            continue
        goal = existing[i]
        key = {"clientId": goal["clientId"], "id": goal["id"], "expectedVersion": goal["version"]}
        if i % 3 == 1:
            items.append({**key, "performance": {"title": f"edited {i}", "weight": 2}})
        else:
            items.append({**key, "delete": True})
    return items
