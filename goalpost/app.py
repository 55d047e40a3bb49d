"""FastAPI app factory: /graphql, the REST twin, health probes and the goal sheet."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from goalpost import rest
from goalpost.config import Settings, get_settings
from goalpost.db import create_engine, create_session_factory
from goalpost.deps import ScopeDep
from goalpost.ide import serve_static_and_docs
from goalpost.logging import configure_logging
from goalpost.metrics import Metrics
from goalpost.middleware import BodySizeLimit, RequestContext
from goalpost.resolvers.context import Context
from goalpost.rest import dev
from goalpost.schema.http import GoalpostGraphQLRouter
from goalpost.schema.outbound import KeepServerSend
from goalpost.schema.schema import build_schema
from goalpost.services.auth import TokenVerifier
from goalpost.services.errors import GoalpostError
from goalpost.services.live import LiveChanges, NotifyListener, wake_after_commits
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
    """`tracer_provider`: where spans go when `settings.tracing` is on (tests pass one with
    an in-memory exporter); None builds one from the OTEL_* environment (docs/tracing.md)."""
    settings = settings or get_settings()
    configure_logging(
        json=settings.log_format == "json"
        or (settings.log_format == "auto" and settings.env == "production")
    )
    engine = create_engine(
        settings.database_url,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        pooler=settings.database_pooler,
        pool_size=settings.pool_size,
        max_overflow=settings.database_max_overflow,
        ping_after_idle_s=settings.database_ping_after_idle_s,
    )
    sessions = create_session_factory(engine)
    verifier = TokenVerifier(settings)
    owned_provider: TracerProvider | None = None
    if settings.tracing and tracer_provider is None:
        from goalpost.telemetry import provider_from_env

        tracer_provider = owned_provider = provider_from_env()
    # Live changes: PostgreSQL tells every process of each commit (LISTEN/NOTIFY); SQLite
    # serves one process, whose own commits are all there are.
    live = LiveChanges(sessions, queue_size=settings.live_queue_size)
    listener = None
    if engine.dialect.name != "postgresql":
        wake_after_commits(sessions, live)
    elif listen_url := live_listen_url(settings):
        listener = NotifyListener(listen_url, live, poll_seconds=settings.live_poll_seconds)
    else:
        live.poll_seconds = settings.live_poll_seconds

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await live.start()
        if listener is not None:
            await listener.start()
        yield
        if listener is not None:
            await listener.stop()
        await live.stop()
        await engine.dispose()
        if owned_provider is not None:
            owned_provider.shutdown()  # the last spans go out before the process ends

    # /docs comes from serve_static_and_docs (no CDN); ReDoc, which needs one, is off.
    app = FastAPI(
        title="goalpost", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    serve_static_and_docs(app)
    metrics = Metrics()
    app.state.settings = settings
    app.state.metrics = metrics
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContext, metrics=metrics)
    app.add_middleware(KeepServerSend)  # a live socket that never reads can be cut (outbound.py)
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.verifier = verifier
    app.state.live = live
    app.state.live_listener = listener
    metrics.live_subscribers.set_function(lambda: live.subscriber_count)

    async def graphql_context(scope: ScopeDep) -> Context:
        return Context(scope)

    app.include_router(
        GoalpostGraphQLRouter(
            build_schema(settings),
            context_getter=graphql_context,
            graphql_ide="graphiql" if settings.graphiql else None,
            ping_seconds=settings.live_ping_seconds or None,
        ),
        prefix="/graphql",
    )

    app.include_router(rest.router)

    # The goal sheet: static files, no build step; dev mode adds its demo-token picker.
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

    @app.exception_handler(GoalpostError)
    async def goalpost_error(_: Request, exc: GoalpostError) -> JSONResponse:
        body = {"code": exc.code, "message": exc.message, "retryable": exc.retryable}
        return JSONResponse(body, status_code=exc.http_status)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if settings.metrics:  # off in production unless GOALPOST_METRICS=true (README: Operating)

        @app.get("/metrics", include_in_schema=False)
        async def prometheus_metrics() -> Response:
            return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    if settings.tracing and tracer_provider is not None:
        # Imported only when on: with tracing off no SDK or instrumentation is loaded.
        from goalpost.telemetry import instrument

        instrument(app, engine, tracer_provider)
    return app


def create_served_app() -> FastAPI:
    """The app as `goalpost serve` runs it, once in each worker process."""
    app = create_app()
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
