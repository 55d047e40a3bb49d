"""What the benchmarks send: the Python client's own documents and SPEC-shaped goal edits.

The timed requests are sent with plain httpx (one keep-alive connection), so that the time
measured is the server's and the wire's, not gql's: the documents are the client's, verbatim.
"""

from __future__ import annotations

from typing import Any

import httpx

from bench.server import BENCH_ORG, bench_token
from goalpost.client import documents
from goalpost.services.demo import demo_id, period_id
from goalpost.testing import mixed_batch_items

PERIOD = str(period_id(BENCH_ORG, "fy2026"))
COMPETENCY = str(demo_id("competency", BENCH_ORG, "Ownership"))

SAVE_GOAL: str = documents.SAVE_GOAL.payload["query"]
BATCH_SAVE: str = documents.BATCH_SAVE.payload["query"]
# The least a client can ask for: enough to reconcile ids and versions. It shows how much of a
# batch's time is the response (GraphQL resolving and JSON encoding of every goal's fields).
LEAN_BATCH_SAVE = """
mutation BatchSaveGoalsLean($input: BatchSaveGoalsInput!) {
  batchSaveGoals(input: $input) {
    results {
      __typename
      ... on GoalSaved { clientId goal { id version } }
      ... on GoalDeleted { clientId }
      ... on GoalSaveProblem { clientId code }
    }
    savedCount failedCount
  }
}
"""

SAVED = ("GoalSaved", "GoalDeleted")


class BenchmarkError(RuntimeError):
    """A request did not do what the benchmark needs; its figure would be meaningless."""


def mixed_items(size: int, existing: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """A third creates, a third updates, a third deletes (as tests/batch/test_statement_count)."""
    return mixed_batch_items(size, existing, prefix, COMPETENCY)


def batch_variables(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"input": {"orgSlug": BENCH_ORG, "periodId": PERIOD, "items": items}}


def save_goal_body(item: dict[str, Any]) -> dict[str, Any]:
    variables = {"input": {"orgSlug": BENCH_ORG, "periodId": PERIOD, "item": item}}
    return {"query": SAVE_GOAL, "operationName": "SaveGoal", "variables": variables}


def batch_body(items: list[dict[str, Any]], query: str = BATCH_SAVE) -> dict[str, Any]:
    return {"query": query, "variables": batch_variables(items)}


def check_results(results: list[dict[str, Any]], expected: int) -> None:
    kinds = [r["__typename"] for r in results]
    if len(kinds) != expected or any(k not in SAVED for k in kinds):
        raise BenchmarkError(f"expected {expected} saved items, got {kinds[:5]}...")


def data_of(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or body.get("errors") or not body.get("data"):
        raise BenchmarkError(f"GraphQL request failed: {str(body)[:300]}")
    data: dict[str, Any] = body["data"]
    return data


class Api:
    """One bench user over one keep-alive HTTP connection."""

    def __init__(self, graphql_url: str, user: int = 0) -> None:
        self.http = httpx.AsyncClient(
            headers={"authorization": f"Bearer {bench_token(user)}"},
            timeout=120,
            limits=httpx.Limits(max_connections=1),
        )
        self.url = graphql_url

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def post(self, body: Any, headers: dict[str, str] | None = None) -> Any:
        response = await self.http.post(self.url, json=body, headers=headers)
        if response.status_code != 200:
            raise BenchmarkError(f"HTTP {response.status_code}: {response.text[:300]}")
        return response.json()

    async def batch(
        self,
        items: list[dict[str, Any]],
        query: str = BATCH_SAVE,
        headers: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = data_of(await self.post(batch_body(items, query), headers))[
            "batchSaveGoals"
        ]["results"]
        check_results(results, len(items))
        return results

    async def seed(self, prefix: str, count: int) -> list[dict[str, Any]]:
        """Existing goals for updates and deletes to work on (not timed)."""
        items = [
            {"clientId": f"{prefix}-{i}", "performance": {"title": f"goal {i}", "weight": 1}}
            for i in range(count)
        ]
        goals: list[dict[str, Any]] = []
        for start in range(0, count, 200):
            results = await self.batch(items[start : start + 200])
            goals += [{"clientId": r["clientId"], **r["goal"]} for r in results]
        return goals
