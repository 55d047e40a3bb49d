"""Tracing on for one app (GOALPOST_TRACING, docs/tracing.md): the tracer provider, a span
per HTTP request (an incoming W3C `traceparent` continues its trace), a span per SQL
statement, and the app's tracer for the core's own spans (goalpost.tracing).

No span per GraphQL field: Strawberry's OpenTelemetry extension makes one per resolver,
which slows large results and buries the few spans that matter; it is not used.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import Tracer
from sqlalchemy.ext.asyncio import AsyncEngine

from goalpost.tracing import tracing_with

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Any], Awaitable[None]]

INSTRUMENTATION_NAME = "goalpost"
# OTLP is used when either of these names a collector (the SDK's standard variables).
OTLP_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")


def provider_from_env() -> TracerProvider:
    """The provider `GOALPOST_TRACING=true` alone gives: spans batched to OTLP when an
    endpoint is configured, else printed to stdout; `service.name` is goalpost unless
    OTEL_SERVICE_NAME says otherwise."""
    name = os.environ.get("OTEL_SERVICE_NAME") or "goalpost"
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    provider.add_span_processor(BatchSpanProcessor(exporter_from_env()))
    return provider


def exporter_from_env() -> SpanExporter:
    if not any(os.environ.get(name) for name in OTLP_ENDPOINT_VARIABLES):
        return ConsoleSpanExporter()
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        raise RuntimeError(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but the OTLP exporter is not installed: "
            "pip install 'goalpost[otlp]'"
        ) from None
    return OTLPSpanExporter()  # reads the endpoint, headers and timeout from OTEL_* itself


def instrument(app: FastAPI, engine: AsyncEngine, provider: TracerProvider) -> None:
    """Spans for `app`'s requests and `engine`'s statements, all sent to `provider`.

    Per app and per engine, never process-wide (no global provider, no patched
    create_engine): tests build many apps in one process, each with its own provider or none.
    """
    # The request's span, from the incoming `traceparent` if any. One span per request: the
    # ASGI receive/send spans would add two or more per request for nothing.
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, exclude_spans=["receive", "send"]
    )
    # One span per statement, the statement's text with its placeholders (never its values).
    # The instrumentor's EngineTracer alone: SQLAlchemyInstrumentor().instrument() would also
    # patch create_engine and Engine.connect for the whole process, once.
    tracer = provider.get_tracer("opentelemetry.instrumentation.sqlalchemy")
    connections = NoOpMeterProvider().get_meter(INSTRUMENTATION_NAME)
    EngineTracer(  # type: ignore[no-untyped-call]  # the package has no annotations here
        tracer,
        engine.sync_engine,
        connections.create_up_down_counter("db.client.connections.usage"),
    )
    app.add_middleware(UseTracer, tracer=provider.get_tracer(INSTRUMENTATION_NAME))


class UseTracer:
    """ASGI middleware: the core's spans (goalpost.tracing.span) of a request go to this
    app's tracer."""

    def __init__(self, app: ASGIApp, tracer: Tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        with tracing_with(self.tracer):
            await self.app(scope, receive, send)
