"""FastAPI app factory: /graphql, the REST twin, health probes and the goal sheet."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from goalpost import rest
from goalpost.config import Settings, get_settings
from goalpost.cors import HEADERS, METHODS, ListedOriginsCORS
from goalpost.db import create_engine, create_session_factory
from goalpost.deps import ScopeDep
from goalpost.ide import serve_static_and_docs
from goalpost.logging import configure_logging, wants_json
from goalpost.metrics import Metrics, forget_dead_workers, sample_live_subscribers
from goalpost.middleware import BodySizeLimit, RequestContext
from goalpost.resolvers.context import Context
from goalpost.rest import dev
from goalpost.schema.http import GoalpostGraphQLRouter
from goalpost.schema.outbound import KeepServerSend
from goalpost.schema.schema import build_schema
from goalpost.services.auth import TokenVerifier
from goalpost.services.changes import cursor_seal
from goalpost.services.errors import GoalpostError
from goalpost.services.live import LiveChanges
from goalpost.services.live.feed import cancel_and_wait
from goalpost.services.live.transport import LiveTransport, live_transport
from goalpost.sheet import documents_module

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

WEB_DIR = Path(__file__).parent / "web"


def live_listen_url(settings: Settings) -> str | None:
    """Where the LISTEN connection goes: never through a transaction-pooling PgBouncer,
    which would hand the session's notifications to whoever runs the next transaction."""
    if settings.live_database_url:
        return settings.live_database_url
    return settings.database_url if settings.database_pooler == "none" else None


def create_app(
    settings: Settings | None = None, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    """The app from its named parts. `tracer_provider`: where spans go when
    `settings.tracing` is on (tests pass one with an in-memory exporter); None builds one
    from the OTEL_* environment (docs/tracing.md)."""
    settings = settings or get_settings()
    configure_logging(json=wants_json(settings.log_format, settings.env))
    engine = engine_for(settings)
    sessions = create_session_factory(engine)
    live = LiveChanges(sessions, queue_size=settings.live_queue_size, cursors=cursor_seal(settings))
    transport = live_transport(
        dialect=engine.dialect.name,
        listen_url=live_listen_url(settings),
        sessions=sessions,
        live=live,
        poll_seconds=settings.live_poll_seconds,
    )
    metrics = Metrics()
    metrics.track_live_subscribers(lambda: live.subscriber_count)
    tracing = Tracing(settings, tracer_provider)
    # /docs comes from serve_static_and_docs (no CDN); ReDoc, which needs one, is off.
    app = FastAPI(
        title="goalpost",
        version="0.1.0",
        lifespan=lifespan(engine, live, transport, metrics, tracing),
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings, app.state.metrics, app.state.engine = settings, metrics, engine
    app.state.sessions, app.state.verifier = sessions, TokenVerifier(settings)
    app.state.live, app.state.live_listener = live, transport
    add_middleware(app, settings, metrics)
    serve_static_and_docs(app)
    add_graphql(app, settings)
    app.include_router(rest.router)
    add_goal_sheet(app, settings)
    add_probes(app, settings, engine, metrics)
    add_error_handler(app)
    tracing.instrument(app, engine)
    return app


def engine_for(settings: Settings) -> AsyncEngine:
    return create_engine(
        settings.database_url,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        pooler=settings.database_pooler,
        pool_size=settings.pool_size,
        max_overflow=settings.database_max_overflow,
        ping_after_idle_s=settings.database_ping_after_idle_s,
    )


class Tracing:
    """OpenTelemetry spans when `settings.tracing` is on; nothing (and no SDK import) when off."""

    def __init__(self, settings: Settings, provider: TracerProvider | None) -> None:
        self.owned: TracerProvider | None = None
        if settings.tracing and provider is None:
            from goalpost.telemetry import provider_from_env

            provider = self.owned = provider_from_env()
        self.provider = provider if settings.tracing else None

    def instrument(self, app: FastAPI, engine: AsyncEngine) -> None:
        if self.provider is not None:
            from goalpost.telemetry import instrument

            instrument(app, engine, self.provider)

    def shutdown(self) -> None:
        if self.owned is not None:
            self.owned.shutdown()  # the last spans go out before the process ends


def lifespan(
    engine: AsyncEngine,
    live: LiveChanges,
    transport: LiveTransport,
    metrics: Metrics,
    tracing: Tracing,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """What runs while the app serves: the live feed and its transport, the live-subscriber
    sampler (several workers); and what closes when it stops."""

    @asynccontextmanager
    async def running(_: FastAPI) -> AsyncIterator[None]:
        await live.start()
        await transport.start()
        sampler = (
            asyncio.create_task(sample_live_subscribers(metrics)) if metrics.multiprocess else None
        )
        yield
        await cancel_and_wait(sampler)
        await transport.stop()
        await live.stop()
        await engine.dispose()
        tracing.shutdown()

    return running


def add_middleware(app: FastAPI, settings: Settings, metrics: Metrics) -> None:
    """Outermost last: the request context, then CORS, then the body cap, so that a 413 too
    carries the request id and, for a listed origin, the CORS headers."""
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            ListedOriginsCORS,
            allow_origins=settings.cors_origins,
            allow_methods=METHODS,
            allow_headers=HEADERS,
        )
    app.add_middleware(RequestContext, metrics=metrics)
    app.add_middleware(KeepServerSend)  # a live socket that never reads can be cut (outbound.py)


def add_graphql(app: FastAPI, settings: Settings) -> None:
    async def graphql_context(scope: ScopeDep) -> Context:
        return Context(scope)

    app.include_router(
        GoalpostGraphQLRouter(
            build_schema(settings),
            context_getter=graphql_context,
            graphql_ide="graphiql" if settings.graphiql else None,
            ping_seconds=settings.live_ping_seconds or None,
            max_sockets_per_user=settings.live_max_sockets_per_user,
            max_subscriptions=settings.live_max_subscriptions_per_socket,
            max_message_bytes=settings.max_body_bytes,
        ),
        prefix="/graphql",
    )


def add_goal_sheet(app: FastAPI, settings: Settings) -> None:
    """The goal sheet: static files and its generated documents; dev mode adds its
    demo-token picker."""
    if settings.env == "dev":
        app.include_router(dev.router)
    documents_js = documents_module()

    @app.get("/web/documents.js", include_in_schema=False)
    async def sheet_documents() -> Response:
        return Response(documents_js, media_type="text/javascript")

    app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")

    @app.get("/", include_in_schema=False)
    async def goal_sheet() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html")


def add_probes(app: FastAPI, settings: Settings, engine: AsyncEngine, metrics: Metrics) -> None:
    """/healthz (the process is up), /readyz (the database answers), /metrics when on
    (off in production unless GOALPOST_METRICS=true: docs/operating.md)."""

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    if settings.metrics:

        @app.get("/metrics", include_in_schema=False)
        async def prometheus_metrics() -> Response:
            return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def add_error_handler(app: FastAPI) -> None:
    """A request-level error of the core, as the REST twin answers it: code, message,
    retryable, and the status the error names."""

    @app.exception_handler(GoalpostError)
    async def goalpost_error(_: Request, exc: GoalpostError) -> JSONResponse:
        body = {"code": exc.code, "message": exc.message, "retryable": exc.retryable}
        return JSONResponse(body, status_code=exc.http_status)


def create_served_app() -> FastAPI:
    """The app as `goalpost serve` runs it, once in each worker process."""
    app = create_app()
    if app.state.metrics.directory is not None:
        forget_dead_workers(app.state.metrics.directory)
    tune_garbage_collector()
    return app


# Collect the youngest generation after this many new container objects, not Python's 700.
GC_YOUNG_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    """For a process that serves until it stops. What startup built (the schema, the app,
    SQLAlchemy's metadata and caches) lives as long as the process, yet every full collection
    walks all of it again; and a request makes tens of thousands of short-lived objects, so
    with Python's defaults the collector ran ~150 times a second at saturation and took ~10%
    of the worker's CPU. So: freeze what startup made (gc.freeze, as servers that fork do)
    and collect the young less often. Measured at saturation on PostgreSQL: GC time 2.3 s
    down to 0.7 s per 25 s, throughput 6 to 10% higher, p95 25% lower (bench/, issue 15).
    Not for tests and tools, which build and drop many apps in one process: a frozen object
    is never collected."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)
