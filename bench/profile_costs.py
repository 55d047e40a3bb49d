"""Where a profiled request's time goes, in named buckets (the report's "largest costs").

Each sample's time goes to the *innermost* frame on its stack that a rule recognizes, so SQL
compilation called from the batch service counts as compilation, not as the service (except
below a "sticky" bucket, which keeps everything it calls). Time a
coroutine spent awaiting (pyinstrument's `[await]`) goes to the database when the awaiting
code is SQLAlchemy's, else to "other awaits".
"""

from __future__ import annotations

from typing import Any

# (bucket, substrings of a frame's file path or function): the first rule that matches a frame
# names its bucket; deeper frames override shallower ones.
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("SQL compilation (SQLAlchemy compiler)", ("sqlalchemy/sql/compiler.py", "_compile_w_cache")),
    ("SQLAlchemy statement building", ("sqlalchemy/sql/",)),
    (
        "SQLAlchemy execution, drivers and result rows",
        ("sqlalchemy/", "aiosqlite/", "asyncpg/", "greenlet"),
    ),
    ("GraphQL argument conversion (Strawberry inputs)", ("strawberry/types/arguments.py",)),
    ("GraphQL validation", ("graphql/validation/",)),
    ("GraphQL parsing", ("graphql/language/",)),
    ("batch service (planning, patches, pydantic)", ("goalpost/services/goal", "pydantic")),
    ("auth and org guard (JWT, lookups)", ("goalpost/services/auth", "goalpost/services/guard")),
    ("JSON encoding and decoding", ("json/", "encode_json", "decode_json", "parse_http_body")),
    ("logging and metrics", ("structlog", "logging/", "prometheus_client", "goalpost/metrics")),
    (
        "GraphQL execution and result resolution",
        ("graphql/", "strawberry/", "goalpost/schema/", "goalpost/resolvers/"),
    ),
    (
        "HTTP server and framework (uvicorn, h11, Starlette, FastAPI, middleware)",
        ("uvicorn/", "h11/", "starlette/", "fastapi/", "goalpost/middleware", "anyio/"),
    ),
)
# Once inside one of these, everything deeper belongs to it (compiling a statement walks
# SQLAlchemy's element classes; validating walks graphql-core's AST visitor).
STICKY = frozenset(
    {
        "SQL compilation (SQLAlchemy compiler)",
        "GraphQL argument conversion (Strawberry inputs)",
        "GraphQL validation",
        "GraphQL parsing",
        "JSON encoding and decoding",
        "logging and metrics",
    }
)
DATABASE_WAIT = "awaiting the database (driver I/O, SQLite thread, PostgreSQL server)"
OTHER = "other (event loop, asyncio, profiler, bench wrapper)"


def _bucket(frame: Any, inherited: str) -> str:
    if inherited in STICKY:
        return inherited
    where = f"{frame.file_path or ''} {frame.function}"
    for name, needles in RULES:
        if any(needle in where for needle in needles):
            return name
    return inherited


def _short(frame: Any) -> str:
    path = (frame.file_path or "").split("site-packages/")[-1].split("/work/main/")[-1]
    return f"{frame.function} ({path}:{frame.line_no})" if path else frame.function


def top_costs(session: Any) -> dict[str, Any]:
    root = session.root_frame(trim_stem=False)
    if root is None:
        return {"total_s": 0.0, "buckets": [], "functions_self": []}
    total = root.time
    buckets: dict[str, float] = {}
    own: dict[str, float] = {}

    def add(counter: dict[str, float], key: str, seconds: float) -> None:
        counter[key] = counter.get(key, 0.0) + seconds

    def walk(frame: Any, bucket: str, parent: Any) -> None:
        if frame.identifier.startswith("[await]"):
            waiting_on_db = bucket.startswith(("SQL", "SQLAlchemy"))
            add(buckets, DATABASE_WAIT if waiting_on_db else "other awaits", frame.time)
            add(own, f"[await] in {_short(parent)}", frame.time)
            return
        if frame.identifier.startswith("[self]"):
            add(buckets, bucket, frame.time)
            add(own, _short(parent), frame.time)
            return
        bucket = _bucket(frame, bucket)
        rest = frame.time - sum(child.time for child in frame.children)
        if rest > 0:
            add(buckets, bucket, rest)
            add(own, _short(frame), rest)
        for child in frame.children:
            walk(child, bucket, frame)

    walk(root, OTHER, root)

    def share(items: list[tuple[str, float]]) -> list[dict[str, Any]]:
        return [
            {"cost": name, "seconds": round(t, 4), "share": round(t / total, 3)}
            for name, t in items
        ]

    return {
        "total_s": round(total, 4),
        "buckets": share(sorted(buckets.items(), key=lambda kv: -kv[1])),
        "functions_self": share(sorted(own.items(), key=lambda kv: -kv[1])[:15]),
    }
