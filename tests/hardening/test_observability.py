"""Observability: Prometheus metrics at /metrics, JSON log lines that carry a request id."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from goalpost.app import create_app
from goalpost.config import Settings
from tests.batch.helpers import BATCH, batch_input
from tests.conftest import ACME_ACTIVE, GraphQL


def sample(metrics: str, name: str) -> float:
    """The value of one exposition line, e.g. 'goalpost_batch_items_count'."""
    for line in metrics.splitlines():
        if line.rsplit(" ", 1)[0] == name:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_requests_batches_and_item_outcomes(
    graphql: GraphQL, http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    await graphql(
        BATCH,
        batch_input(
            [
                {"clientId": "a", "performance": {"title": "new"}},
                {"clientId": "b", "performance": {"title": "x" * 201}},
                {"clientId": "c", "id": "not-a-goal", "delete": True},
            ],
            period=ACME_ACTIVE,
        ),
    )
    await http.post(
        "/org/acme/goals/batch-save",
        json={"period_id": ACME_ACTIVE, "goals": [{"client_id": "d", "core_value": {}}]},
        headers={"authorization": f"Bearer {token('alice')}"},
    )

    text = (await http.get("/metrics")).text

    assert sample(text, "goalpost_batch_items_count") == 2
    assert sample(text, "goalpost_batch_items_sum") == 4
    assert sample(text, 'goalpost_batch_item_results_total{outcome="created"}') == 2
    assert sample(text, 'goalpost_batch_item_results_total{outcome="VALIDATION_FAILED"}') == 1
    assert sample(text, 'goalpost_batch_item_results_total{outcome="NOT_FOUND"}') == 1
    graphql_posts = 'goalpost_http_requests_total{method="POST",route="/graphql",status="200"}'
    assert sample(text, graphql_posts) == 1
    rest = (
        'goalpost_http_requests_total{method="POST",'
        'route="/org/{org_slug}/goals/batch-save",status="200"}'
    )
    assert sample(text, rest) == 1
    assert sample(text, 'goalpost_http_request_duration_seconds_count{route="/graphql"}') == 1


@pytest.fixture
async def prod(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    settings = Settings(env="prod", database_url=database_url, jwt_secret="p" * 40)
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://goalpost.test"
    ) as client:
        yield client, settings
    await app.state.engine.dispose()


async def test_prod_logs_are_json_lines_with_the_request_id(
    prod: tuple[httpx.AsyncClient, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    client, _ = prod
    capsys.readouterr()
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"x-request-id": "trace-42"}
    )
    assert response.headers["x-request-id"] == "trace-42"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert lines, "no log line written"
    assert all(line["request_id"] == "trace-42" for line in lines)
    request_line = next(line for line in lines if line["event"] == "http_request")
    assert request_line["route"] == "/graphql" and request_line["status"] == 200
    assert "Bearer" not in json.dumps(lines)
