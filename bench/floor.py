"""Measure 6: goalpost's cost as a multiple of the floor, the least any Strawberry server pays.

The floor is measured in-process, in the benchmark's own process: goalpost's GraphQL schema
types (the same inputs, results and goal types, so the same document validates and the
same response comes back), but a `batchSaveGoals` resolver that does no work: it returns a
payload built before the clock starts. What is timed is what goalpost's server has to do
around its own work for that request: decode the JSON body, coerce and convert the
variables, execute the document (parsing and validation are cached, as in goalpost), and
encode the response. No HTTP, no database, no auth.

goalpost is timed at the server (the bench server's own clock, HTTP stack included) and at
the client, for the same batches, alternating with the floor within each run. Reported per
selection: both per size, goalpost's multiple of the floor, the marginal cost of one more
item (slope from N=1 to the largest N) and batch(max)/batch(1).
"""

from __future__ import annotations

import gc
import json
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.extensions import ParserCache, ValidationCache

from bench.scaling import SELECTIONS, run_batch
from bench.server import BenchServer
from bench.stats import ms
from bench.workload import batch_body
from goalpost.models import GoalCategory, GoalStatus
from goalpost.schema.inputs import BatchSaveGoalsInput
from goalpost.schema.results import BatchSaveGoalsPayload, payload_from
from goalpost.schema.types import GOAL_TYPES
from goalpost.services import batch
from goalpost.services.goals import GoalRecord, WeightTotals

SIZES = (1, 10, 100)


@strawberry.type
class FloorQuery:
    ok: bool = True


@strawberry.type
class FloorMutation:
    @strawberry.mutation
    def batch_save_goals(
        self, info: strawberry.Info, input: BatchSaveGoalsInput
    ) -> BatchSaveGoalsPayload:
        payload: BatchSaveGoalsPayload = info.root_value
        return payload


def floor_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=FloorQuery,
        mutation=FloorMutation,
        types=list(GOAL_TYPES.values()),
        extensions=[lambda: ParserCache(maxsize=16), lambda: ValidationCache(maxsize=16)],
    )


def _record(item: dict[str, Any], category: GoalCategory) -> GoalRecord:
    now = datetime.now(UTC)
    fields: dict[str, Any] = (
        {"title": item.get("performance", {}).get("title", "goal")}
        if category is GoalCategory.PERFORMANCE
        else {"action_plan": "plan", "competency_ids": [str(uuid.uuid4())]}
    )
    return GoalRecord(
        id=uuid.UUID(item["id"]) if item.get("id") else uuid.uuid4(),
        organization_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        period_id=uuid.uuid4(),
        category=category,
        client_id=item["clientId"],
        weight=Decimal(2),
        status=GoalStatus.DRAFT,
        version=2,
        created_at=now,
        updated_at=now,
        **fields,
    )


def floor_payload(items: list[dict[str, Any]]) -> BatchSaveGoalsPayload:
    """What goalpost answers for these items (creates of competency goals, updates of
    performance goals, deletes), built once, outside the timing."""
    results: list[batch.ItemResult] = []
    for item in items:
        if item.get("delete"):
            results.append(batch.GoalDeleted(item["clientId"], uuid.UUID(item["id"])))
        elif item.get("id"):
            record = _record(item, GoalCategory.PERFORMANCE)
            results.append(batch.GoalSaved(item["clientId"], False, record))
        else:
            record = _record(item, GoalCategory.COMPETENCY)
            results.append(batch.GoalSaved(item["clientId"], True, record))
    return payload_from(batch.BatchOutcome(results, WeightTotals()))


async def floor_once(schema: strawberry.Schema, body: bytes, payload: Any) -> float:
    started = time.perf_counter()
    request = json.loads(body)
    result = await schema.execute(
        request["query"], variable_values=request["variables"], root_value=payload
    )
    json.dumps({"data": result.data})
    seconds = time.perf_counter() - started
    if result.errors:
        raise RuntimeError(f"floor request failed: {result.errors}")
    return seconds


async def goalpost_once(
    server: BenchServer, size: int, query: str, prefix: str
) -> tuple[float, float, bytes, list[dict[str, Any]]]:
    """One batch of `size` (as bench/scaling): client seconds, server seconds, the body sent."""
    run = await run_batch(server, size, query, prefix)
    body = json.dumps(batch_body(run.items, query)).encode()
    return run.seconds, run.at_server, body, run.items


def slope(samples: dict[int, list[float]], sizes: tuple[int, ...]) -> float:
    """ms per additional item, from the medians at the smallest and largest size."""
    low, high = ms(samples[sizes[0]])["median"], ms(samples[sizes[-1]])["median"]
    return round((high - low) / (sizes[-1] - sizes[0]), 4)


async def measure(
    server: BenchServer, runs: int, warmup: int, sizes: tuple[int, ...] = SIZES
) -> dict[str, Any]:
    schema = floor_schema()
    kinds = ("client", "server", "floor")
    samples = {s: {k: {n: [] for n in sizes} for k in kinds} for s in SELECTIONS}
    for run in range(warmup + runs):
        for size in sizes:
            for selection, query in SELECTIONS.items():
                prefix = f"f{selection[0]}{run}n{size}"
                client, at_server, body, items = await goalpost_once(server, size, query, prefix)
                payload = floor_payload(items)
                # The benchmark's own garbage (responses, results) is collected first, so the
                # floor's time is Strawberry's work and not a collection of this process's
                # heap: without it, one size's runs met a full collection every time (a
                # 10-item floor of 5 ms against 0.8 ms alone).
                gc.collect()
                floor = await floor_once(schema, body, payload)
                if run >= warmup:
                    got = samples[selection]
                    got["client"][size].append(client)
                    got["server"][size].append(at_server)
                    got["floor"][size].append(floor)
    out: dict[str, Any] = {"what": __doc__.split("\n\n")[1].replace("\n", " ")}
    for selection in SELECTIONS:
        got = samples[selection]
        rows = []
        for size in sizes:
            server_ms, floor_ms = ms(got["server"][size]), ms(got["floor"][size])
            rows.append(
                {
                    "n": size,
                    "client_ms": ms(got["client"][size]),
                    "server_ms": server_ms,
                    "floor_ms": floor_ms,
                    "server_over_floor": round(server_ms["median"] / floor_ms["median"], 2),
                }
            )
        first, last = sizes[0], sizes[-1]
        marginal = {kind: slope(got[kind], sizes) for kind in kinds}
        out[selection] = {
            "sizes": rows,
            "per_item_ms": marginal,
            "per_item_server_over_floor": round(marginal["server"] / marginal["floor"], 2)
            if marginal["floor"] > 0
            else None,
            f"batch{last}_over_batch{first}": round(
                ms(got["client"][last])["median"] / ms(got["client"][first])["median"], 2
            ),
        }
    return out
