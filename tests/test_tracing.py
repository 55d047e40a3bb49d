"""Tracing (GOALPOST_TRACING, docs/tracing.md): a bounded number of spans per request, all in
the caller's trace, one per guard question, batch phase and SQL statement; the trace id in
the request's log line; nothing at all when tracing is off.

The app gets the SDK's in-memory exporter through the app factory's `tracer_provider`."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from goalpost.app import create_app
from goalpost.config import Settings
from goalpost.testing import (
    LiveServer,
    StatementCounter,
    demo_token,
    fresh_sqlite_database,
    mixed_batch_items,
    reset_database,
)
from tests.batch.helpers import BATCH, batch_input, competency_id, goal_id, results
from tests.conftest import ACME_ACTIVE, GraphQL
from tests.review.helpers import REVIEW, review_input, reviewed

# A caller's W3C trace context: its trace id, and the id of its span that sent the request.
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = {"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"}
BATCH_PHASES = ["batch.keys", "batch.load", "batch.plan", "batch.policy", "batch.write"]
MAX_SPANS = 20


@pytest.fixture
def tracing() -> bool:
    """On; a test takes it off with @pytest.mark.parametrize("tracing", [False])."""
    return True


@pytest.fixture
def settings(database_url: str, tracing: bool) -> Settings:
    return Settings(env="dev", database_url=database_url, log_format="json", tracing=tracing)


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def app(settings: Settings, exporter: InMemorySpanExporter) -> AsyncIterator[FastAPI]:
    """The conftest's app, with the in-memory exporter as its tracer provider's."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    application = create_app(settings, tracer_provider=provider)
    await reset_database(application.state.engine)
    exporter.clear()  # the reset's own statements
    yield application
    await application.state.engine.dispose()
    provider.shutdown()


def is_sql(span: ReadableSpan) -> bool:
    return span.kind is SpanKind.CLIENT


def request_log(out: str) -> dict[str, Any]:
    lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    return next(x for x in lines if x["event"] == "http_request")


def by_name(spans: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def parent_name(span: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> str | None:
    assert span.parent is not None
    return next((s.name for s in spans if s.context.span_id == span.parent.span_id), None)


async def test_a_200_item_batch_is_a_bounded_tree_of_spans_in_the_callers_trace(
    graphql: GraphQL,
    exporter: InMemorySpanExporter,
    count_statements: Callable[[], StatementCounter],
    capsys: pytest.CaptureFixture[str],
    dialect: str,
) -> None:
    seeded = results(
        await graphql(
            BATCH,
            batch_input(
                [{"clientId": f"t{i}", "performance": {"title": "t"}} for i in range(200)],
                period=ACME_ACTIVE,
            ),
        )
    )
    items = mixed_batch_items(
        200, [r["goal"] for r in seeded], "t", competency_id("acme", "Ownership")
    )
    exporter.clear()
    capsys.readouterr()

    with count_statements() as counter:
        body = await graphql(BATCH, batch_input(items, period=ACME_ACTIVE), headers=TRACEPARENT)

    out = results(body)
    assert [r["__typename"] for r in out].count("GoalDeleted") == 66
    assert all(r["__typename"] in ("GoalSaved", "GoalDeleted") for r in out)
    spans = exporter.get_finished_spans()
    names = [s.name for s in spans]
    assert len(spans) <= MAX_SPANS, names
    # One trace: the caller's; the request's span is a child of the caller's span.
    assert {s.context.trace_id for s in spans} == {int(TRACE_ID, 16)}
    (server,) = [s for s in spans if s.kind is SpanKind.SERVER]
    assert server.name == "POST /graphql"
    assert server.parent is not None and server.parent.is_remote
    assert server.parent.span_id == int(CALLER_SPAN, 16)
    # Every other span hangs in the request's tree (none lost its parent in a task or greenlet).
    span_ids = {s.context.span_id for s in spans}
    assert all(s.parent is not None and s.parent.span_id in span_ids for s in spans if s != server)
    # One guard question, each phase once, one span per SQL statement, nothing per field.
    assert names.count("guard") == 1
    assert all(names.count(phase) == 1 for phase in [*BATCH_PHASES, "batch.record"]), names
    sql = [s for s in spans if is_sql(s)]
    assert len(sql) == counter.count
    # SQLite's include its BEGIN IMMEDIATE; PostgreSQL's owner's lock is in the guard's SELECT.
    assert len(sql) == {"sqlite": 9, "postgresql": 5}[dialect]
    assert len(spans) == 1 + 1 + 6 + len(sql)  # 17 on SQLite, 13 on PostgreSQL (docs/tracing.md)
    # The statements sit under the phase that sent them.
    statements = {s: str((s.attributes or {}).get("db.statement", "")) for s in sql}
    assert all(parent_name(s, spans) for s in sql)
    written = [text for s, text in statements.items() if parent_name(s, spans) == "batch.write"]
    if dialect == "postgresql":  # the writes and their events: one statement
        assert len(written) == 1 and written[0].startswith("WITH")
        assert all(f"{kind} " in written[0] for kind in ("INSERT INTO goals", "UPDATE goals"))
        assert "DELETE FROM goals" in written[0] and "INSERT INTO goal_events" in written[0]
    else:  # one statement per kind of write, then the events
        assert [text.split()[:3] for text in written] == [
            ["INSERT", "INTO", "goals"],
            ["UPDATE", "goals", "SET"],
            ["DELETE", "FROM", "goals"],
            ["INSERT", "INTO", "goal_events"],
        ]
    guard_sql = [s for s in sql if parent_name(s, spans) == "guard"]
    assert len(guard_sql) == 1  # caller, org and period in one
    # The request's log line leads to its trace.
    line = request_log(capsys.readouterr().out)
    assert line["trace_id"] == TRACE_ID
    assert line["span_id"] == format(server.context.span_id, "016x")


async def test_a_review_batch_has_its_phases_in_one_trace(
    graphql: GraphQL, exporter: InMemorySpanExporter
) -> None:
    submitted = goal_id("alice", "alice-perf-submitted")
    body = await graphql(
        REVIEW,
        review_input([{"clientId": "r1", "goalId": submitted, "decision": "APPROVE"}]),
        user="carol",
        headers=TRACEPARENT,
    )

    assert [r["__typename"] for r in reviewed(body)] == ["GoalReviewed"]
    spans = exporter.get_finished_spans()
    names = [s.name for s in spans]
    assert {s.context.trace_id for s in spans} == {int(TRACE_ID, 16)}
    phases = ["review.keys", "review.load", "review.plan", "review.policy", "review.write"]
    assert all(names.count(phase) == 1 for phase in phases), names
    assert names.count("guard") == 1
    assert len(spans) == 1 + 1 + 5 + sum(1 for s in spans if is_sql(s)) <= MAX_SPANS


async def test_without_a_traceparent_a_request_starts_its_own_trace(
    graphql: GraphQL, exporter: InMemorySpanExporter
) -> None:
    body = await graphql(
        BATCH, batch_input([{"clientId": "a", "performance": {"title": "x"}}], period=ACME_ACTIVE)
    )

    assert results(body)[0]["__typename"] == "GoalSaved"
    spans = exporter.get_finished_spans()
    (server,) = [s for s in spans if s.kind is SpanKind.SERVER]
    assert server.parent is None
    assert {s.context.trace_id for s in spans} == {server.context.trace_id}


@pytest.mark.parametrize("tracing", [False])
async def test_with_tracing_off_there_are_no_spans_and_no_trace_ids_in_the_logs(
    graphql: GraphQL, exporter: InMemorySpanExporter, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    body = await graphql(
        BATCH,
        batch_input([{"clientId": "a", "performance": {"title": "x"}}], period=ACME_ACTIVE),
        headers=TRACEPARENT,
    )

    assert results(body)[0]["__typename"] == "GoalSaved"
    assert exporter.get_finished_spans() == ()
    line = request_log(capsys.readouterr().out)
    assert "trace_id" not in line and "span_id" not in line


class Collector(ThreadingHTTPServer):
    """An OTLP/HTTP receiver on loopback: keeps what is POSTed to /v1/traces."""

    def __init__(self) -> None:
        self.exports: list[bytes] = []
        super().__init__(("127.0.0.1", 0), CollectorHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def span_names(self, trace_id: str) -> list[str]:
        names = []
        for body in self.exports:
            request = ExportTraceServiceRequest.FromString(body)
            for resource_spans in request.resource_spans:
                service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}[
                    "service.name"
                ]
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        if span.trace_id.hex() == trace_id:
                            names.append(f"{service}:{span.name}")
        return names


class CollectorHandler(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        if self.path == "/v1/traces":
            self.server.exports.append(body)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        """Quiet: pytest shows what the test asserts."""


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_setting_alone_sends_spans_to_the_otlp_endpoint_of_the_environment(
    tmp_path: Path, collector: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No provider passed: GOALPOST_TRACING and the standard OTEL_* variables are all it
    takes; the server's last spans are sent when it stops."""
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "goalpost-test")
    with fresh_sqlite_database(str(tmp_path / "otlp.db")) as url:
        settings = Settings(env="dev", database_url=url, tracing=True)
        with LiveServer(settings) as server:
            server.reset()
            response = httpx.post(
                server.graphql_url,
                json={
                    "query": BATCH,
                    "variables": batch_input(
                        [{"clientId": "a", "performance": {"title": "x"}}], period=ACME_ACTIVE
                    ),
                },
                headers={"authorization": f"Bearer {demo_token(settings, 'alice')}", **TRACEPARENT},
            )
            assert results(response.json())[0]["__typename"] == "GoalSaved"

    names = collector.span_names(TRACE_ID)
    assert "goalpost-test:POST /graphql" in names
    assert {"goalpost-test:guard", "goalpost-test:batch.write"} <= set(names)
