"""Command line: serve, migrate, seed-demo, token."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from pydantic import ValidationError
from sqlalchemy import select

from goalpost.config import Pooler, Settings, get_settings

app = typer.Typer(help="goalpost: evaluation-period goals over GraphQL.", no_args_is_help=True)

# Inside the package, so an installed wheel can migrate without a checkout.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def configuration_error(exc: ValidationError) -> str:
    """Pydantic's report as one line: the operator needs the variable and the rule, not a
    traceback through the settings loader."""
    problems = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        names = [str(part) for part in error["loc"]]
        problems.append(f"GOALPOST_{'_'.join(names).upper()}: {message}" if names else message)
    return "goalpost: configuration error: " + "; ".join(problems)


def load_settings() -> Settings:
    """The settings, or one clear line on stderr and exit status 2."""
    try:
        return get_settings()
    except ValidationError as exc:
        typer.echo(configuration_error(exc), err=True)
        raise typer.Exit(2) from None


def migrate_database(url: str, pooler: Pooler = "none") -> None:
    """Apply every Alembic migration to `url` (the same migrations for SQLite and PostgreSQL);
    `pooler`: what is between us and the database (GOALPOST_DATABASE_POOLER)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("goalpost.pooler", pooler)
    command.upgrade(config, "head")


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = load_settings()
    migrate_database(settings.database_url, settings.database_pooler)
    typer.echo("database migrated")


@app.command("seed-demo")
def seed_demo(
    reset: bool = typer.Option(
        False,
        "--reset",
        help="Put the demo orgs back as seeded: delete every goal of acme and globex and "
        "restore the demo rows. Other orgs are left alone.",
    ),
) -> None:
    """Insert the demo organizations, users, periods and goals (idempotent)."""
    from goalpost.db import create_engine, create_session_factory
    from goalpost.services.demo import demo_rows, restore_demo
    from goalpost.services.demo import seed_demo as seed

    settings = load_settings()

    async def run() -> str:
        engine = create_engine(settings.database_url, pooler=settings.database_pooler)
        try:
            async with create_session_factory(engine)() as session:
                if reset:
                    removed = await restore_demo(session)
                    restored = len(demo_rows())
                    return f"demo data reset ({removed} goals removed, {restored} rows restored)"
                return f"demo data seeded ({await seed(session)} rows added)"
        finally:
            await engine.dispose()

    typer.echo(asyncio.run(run()))


@app.command()
def token(email: str, ttl: int = typer.Option(0, help="Lifetime in seconds (0: default).")) -> None:
    """Print a development token (HS256, with exp) for the user with this email."""
    from goalpost.db import create_engine, create_session_factory
    from goalpost.models import User
    from goalpost.services.auth import issue_dev_token

    settings = load_settings()

    async def subject() -> str | None:
        engine = create_engine(settings.database_url, pooler=settings.database_pooler)
        try:
            async with create_session_factory(engine)() as session:
                found = await session.execute(select(User.subject).where(User.email == email))
                return found.scalar_one_or_none()
        finally:
            await engine.dispose()

    sub = asyncio.run(subject())
    if sub is None:
        typer.echo(f"no user with email {email!r}; run `goalpost seed-demo` first?", err=True)
        raise typer.Exit(1)
    typer.echo(issue_dev_token(settings, sub, ttl or None))


@contextmanager
def metrics_directory(*, enabled: bool) -> Iterator[None]:
    """prometheus-client's multiprocess mode for the workers of this instance: a directory of
    its own, empty at start (files left by an earlier run would add to the counts) and removed
    at the end. An operator's PROMETHEUS_MULTIPROC_DIR is used, emptied and kept. Set before
    prometheus-client is imported, which reads it once; `enabled`: /metrics is served."""
    if not enabled:
        yield
        return
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix="goalpost-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    try:
        yield
    finally:
        if not given:
            shutil.rmtree(directory, ignore_errors=True)


# Each worker would see only its own commits: a subscriber on one misses the saves of the
# others (docs/live.md), and SQLite takes one writer at a time anyway.
SQLITE_ONE_WORKER = (
    "goalpost: {workers} workers need PostgreSQL: on the embedded SQLite each worker process "
    "hears only its own commits, so live notices of writes made in another worker would be "
    "lost. Serve SQLite with --workers 1 (GOALPOST_WORKERS=1), or set GOALPOST_DATABASE_URL "
    "to PostgreSQL."
)


@app.command()
def serve(
    host: str = typer.Option(None, help="Default: GOALPOST_HOST (127.0.0.1)."),
    port: int = typer.Option(None, help="Default: GOALPOST_PORT (8000)."),
    workers: int | None = typer.Option(
        None,
        min=1,
        help="uvicorn worker processes. Default: GOALPOST_WORKERS, else one per CPU core on "
        "PostgreSQL and 1 on SQLite.",
    ),
) -> None:
    """Serve GraphQL (GraphiQL at /graphql), the REST twin and the goal sheet at /."""
    import uvicorn

    from goalpost.logging import uvicorn_json_log_config, wants_json

    settings = load_settings()
    workers = workers or settings.serve_workers
    if workers > 1 and settings.database_url.startswith("sqlite"):
        typer.echo(SQLITE_ONE_WORKER.format(workers=workers), err=True)
        raise typer.Exit(2)
    with metrics_directory(enabled=bool(settings.metrics)):
        uvicorn.run(
            "goalpost.app:create_served_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            # A WebSocket message is held to the HTTP body limit (docs/live.md): uvicorn
            # closes with 1009 before buffering more, rather than its 16 MiB default.
            ws_max_size=settings.max_body_bytes,
            log_config=(
                uvicorn_json_log_config()
                if wants_json(settings.log_format, settings.env)
                else uvicorn.config.LOGGING_CONFIG
            ),
        )


@app.command()
def schema(
    write: Path = typer.Option(None, help="Write the SDL to this file instead of printing it."),
    allow_breaking: bool = typer.Option(
        False, help="Overwrite a snapshot even when the change breaks its clients."
    ),
) -> None:
    """Print the GraphQL schema (SDL), or refresh a committed snapshot of it.

    Refreshing refuses a breaking change (graphql-core's find_breaking_changes) unless
    --allow-breaking is given: breaking clients has to be a decision, not a side effect."""
    from graphql import build_schema as parse_sdl
    from graphql import find_breaking_changes

    from goalpost.config import Settings
    from goalpost.schema.schema import build_schema

    sdl = build_schema(Settings(env="dev")).as_str() + "\n"
    if write is None:
        typer.echo(sdl, nl=False)
        return
    if write.exists() and not allow_breaking:
        breaking = find_breaking_changes(parse_sdl(write.read_text()), parse_sdl(sdl))
        if breaking:
            for change in breaking:
                typer.echo(f"breaking: {change.type.name}: {change.description}", err=True)
            typer.echo("not written; pass --allow-breaking if this is deliberate", err=True)
            raise typer.Exit(1)
    write.write_text(sdl)
    typer.echo(f"schema written to {write}")


if __name__ == "__main__":
    app()
