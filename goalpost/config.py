"""All settings in one place, read from GOALPOST_* environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# What sits between the app and PostgreSQL (GOALPOST_DATABASE_POOLER).
Pooler = Literal["none", "pgbouncer"]
# A pooled connection used less than this long ago is handed out without a ping, as
# HikariCP's aliveBypassWindowMs (500 ms) does: under load every request would otherwise pay
# one more round trip (~1 in 7 of a batch's on PostgreSQL). A connection that died within
# the window fails its request's first statement; the pool is then replaced, and a write is
# run again on a fresh connection (services/requests.py run_write).
PING_AFTER_IDLE_S = 0.5

DEV_JWT_SECRET = "goalpost-dev-secret-do-not-use-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOALPOST_", extra="ignore")

    # "production" is the documented spelling; "prod" is read as the same thing.
    env: Literal["dev", "production"] = "dev"
    database_url: str = "sqlite+aiosqlite:///./goalpost.db"
    # "pgbouncer": the URL points at PgBouncer in pool_mode=transaction (docs/scaling.md):
    # no named prepared statement outlives its transaction, the statement timeout is set per
    # transaction instead of as a startup parameter. "none": straight to PostgreSQL.
    database_pooler: Pooler = "none"

    # HS256 for development; JWKS (RS256/ES256) + issuer + audience for production.
    jwt_secret: SecretStr | None = None
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    dev_token_ttl_seconds: int = 12 * 3600

    max_batch_items: int = 200
    max_goals_per_period: int = 500
    db_statement_timeout_ms: int = 15_000
    # Each process's SQLAlchemy pool: connections kept (None: what suits the database, see
    # pool_size), and how many more it may open at a peak.
    database_pool_size: int | None = Field(default=None, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    # A pooled connection idle longer than this is pinged before use (see PING_AFTER_IDLE_S).
    database_ping_after_idle_s: float = Field(default=PING_AFTER_IDLE_S, ge=0)
    # A write that hits a transient conflict (serialization failure, deadlock, a connection
    # lost before commit) is run again whole, on a fresh transaction, this many times at most,
    # after a jittered backoff (first wait up to db_write_retry_backoff_ms, then doubling).
    db_write_retries: int = Field(default=3, ge=0, le=10)
    db_write_retry_backoff_ms: int = Field(default=20, ge=0, le=5000)
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 5000
    max_body_bytes: int = 1_000_000
    # None: on in dev, off in production. Set true or false to decide for yourself.
    introspection: bool | None = None
    graphiql: bool | None = None
    metrics: bool | None = None
    # Operations per HTTP request in Strawberry's query batching (a JSON list); 0 = off.
    # Off by default: batchSaveGoals is the way to save many goals in one request.
    graphql_batching: int = 0

    # Live changes (docs/live.md): graphql-transport-ws pings from the server every so many
    # seconds (0: none), and how many notices may wait for one slow subscriber.
    live_ping_seconds: float = 15.0
    live_queue_size: int = 1000
    # Where each process LISTENs for committed changes (PostgreSQL). LISTEN needs a session of
    # its own, which PgBouncer's transaction pooling cannot give: behind it, point this at
    # PostgreSQL directly (or at a session-mode pool). Unset: the database URL when there is
    # no pooler; with a pooler, no LISTEN at all: each process polls every live_poll_seconds.
    live_database_url: str | None = None
    live_poll_seconds: float = 1.0
    # What may wait to be written to one live socket (docs/live.md, "The outbound bound"):
    # past either bound the socket is closed with LIVE_OVERFLOW and the client catches up
    # from its cursor. A socket whose writes do not drain fills it like one that never reads.
    # Small on purpose: whatever a socket may hold is rendered before it is found out, and a
    # catch-up costs one goalChanges read (1000 let a flood cost the other users 47x, bench/).
    live_socket_queue_notices: int = Field(default=100, ge=1)
    live_socket_queue_bytes: int = Field(default=256_000, ge=1024)

    # The socket's rules (docs/live.md "Rules of the socket"): acknowledged sockets one user
    # may hold open on one server process, subscriptions one socket may run at once, and
    # how often each subscription asks the org/period guard again (a membership removed or a
    # period closed meanwhile ends it). A message over max_body_bytes closes its socket (1009).
    live_max_sockets_per_user: int = Field(default=10, ge=1)
    live_max_subscriptions_per_socket: int = Field(default=20, ge=1)
    live_recheck_seconds: float = Field(default=30.0, gt=0)

    # "auto": JSON lines in production, readable lines in dev.
    log_format: Literal["auto", "json", "console"] = "auto"
    # OpenTelemetry spans for each request, the guard, the batch phases and every SQL
    # statement; exported as the standard OTEL_* variables say (docs/tracing.md). Off: no
    # span is made and the SDK is not even loaded.
    tracing: bool = False

    host: str = "127.0.0.1"
    port: int = 8000
    # uvicorn worker processes of `goalpost serve`; None: what suits the machine (serve_workers).
    workers: int | None = Field(default=None, ge=1)

    # Origins whose pages may call the API from a browser (CORS, docs/http.md), comma-separated,
    # e.g. `http://localhost:5173,https://goals.example.com`; empty: same origin only.
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        """A browser sends `Origin: scheme://host[:port]`, lowercase and with no path: an entry
        with a trailing slash or a path would never match, so it is refused, saying why."""
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list | tuple):
            return value
        origins = []
        for entry in (str(item).strip().lower() for item in value):
            parts = urlsplit(entry)
            if entry and entry != f"{parts.scheme}://{parts.netloc}":
                raise ValueError(f"{entry!r} is not an origin (scheme://host[:port], no path)")
            if entry and (parts.scheme not in ("http", "https") or not parts.hostname):
                raise ValueError(f"{entry!r} is not an http(s) origin")
            if entry:
                origins.append(entry)
        return tuple(origins)

    @property
    def pool_size(self) -> int:
        """PostgreSQL: 20, as many as the requests one worker has in flight at a peak; a
        smaller pool closes and reopens connections all the time, each new one preparing
        every statement again (5 kept cost ~10% of the throughput at saturation, bench/,
        issue 15). SQLite: 5, since it takes one writer at a time; requests beyond the pool
        wait in SQLAlchemy's queue, first come first served, not in SQLite's busy handler,
        which sleeps and polls and let some wait past its 10 s timeout when 20 contended."""
        if self.database_pool_size is not None:
            return self.database_pool_size
        return 5 if self.database_url.startswith("sqlite") else 20

    @property
    def serve_workers(self) -> int:
        """One Python process uses one core, so on PostgreSQL one worker per core the process
        may run on; SQLite has one writer at a time, so one worker (more would only queue on
        its lock)."""
        if self.workers is not None:
            return self.workers
        if self.database_url.startswith("sqlite"):
            return 1
        return (
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1
        )

    @field_validator("env", mode="before")
    @classmethod
    def _production_alias(cls, value: object) -> object:
        """One value to compare against: `prod` (and any case) becomes `production`."""
        if isinstance(value, str):
            value = value.strip().lower()
            return "production" if value == "prod" else value
        return value

    @model_validator(mode="after")
    def _developer_tools_follow_env(self) -> Settings:
        """GraphiQL, introspection and /metrics help a developer and map a target for an
        attacker: on in dev, off in production, unless set explicitly."""
        in_dev = self.env == "dev"
        for name in ("introspection", "graphiql", "metrics"):
            if getattr(self, name) is None:
                setattr(self, name, in_dev)
        return self

    @model_validator(mode="after")
    def _require_real_keys_in_prod(self) -> Settings:
        """A dev secret is a convenience; in production it would let anyone mint tokens."""
        if self.env == "dev":
            if self.jwt_secret is None and self.jwks_url is None:
                self.jwt_secret = SecretStr(DEV_JWT_SECRET)
            return self
        if self.jwks_url:
            if not (self.jwt_issuer and self.jwt_audience):
                raise ValueError(
                    "GOALPOST_JWKS_URL needs GOALPOST_JWT_ISSUER and GOALPOST_JWT_AUDIENCE"
                )
            return self
        secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
        if len(secret) < 32 or secret == DEV_JWT_SECRET:
            raise ValueError(
                "GOALPOST_ENV=production needs GOALPOST_JWKS_URL (+ GOALPOST_JWT_ISSUER, "
                "GOALPOST_JWT_AUDIENCE) or a GOALPOST_JWT_SECRET of at least 32 characters "
                "that is not the dev secret"
            )
        return self

    # Feed cursors are sealed with a key derived from this secret (docs/history.md); every
    # process and instance must have the same one, or a cursor from one is BAD_CURSOR on
    # another. Unset: derived from GOALPOST_JWT_SECRET (in dev, the dev secret); production
    # without a JWT secret (JWKS) must set it.
    cursor_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _require_a_cursor_secret_in_prod(self) -> Settings:
        """A cursor secret anyone could know would let them forge cursors for any org."""
        if self.env == "dev" or (self.cursor_secret is None and self.jwt_secret is not None):
            return self  # the JWT secret: checked above (dev: the dev secret)
        secret = self.cursor_secret.get_secret_value() if self.cursor_secret else ""
        if len(secret) < 32 or secret == DEV_JWT_SECRET:
            raise ValueError(
                "GOALPOST_ENV=production needs a GOALPOST_CURSOR_SECRET of at least 32 "
                "characters (or a GOALPOST_JWT_SECRET to derive it from)"
            )
        return self

    @property
    def cursor_secret_value(self) -> bytes:
        """What the cursor key is derived from (services/changes.py); its own label there
        keeps it apart from the JWT key, also when derived from the JWT secret."""
        secret = self.cursor_secret or self.jwt_secret
        if secret is None:  # dev with JWKS only
            return DEV_JWT_SECRET.encode()
        return secret.get_secret_value().encode()


@lru_cache
def get_settings() -> Settings:
    return Settings()
