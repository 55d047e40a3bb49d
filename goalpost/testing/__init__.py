"""Helpers for test suites: throwaway databases, demo data, tokens for demo users, a live
server that counts requests, `goalpost serve` processes, a real PgBouncer, virtual time and
network faults.

One module per idea; every name is re-exported here, so `from goalpost.testing import X` is
the import to use."""

from goalpost.db import create_engine
from goalpost.testing.clock import VirtualClock
from goalpost.testing.databases import (
    StatementCounter,
    empty_postgres_database,
    fresh_postgres_database,
    fresh_sqlite_database,
    reset_database,
)
from goalpost.testing.demo import demo_token, mixed_batch_items
from goalpost.testing.pgbouncer import PgBouncer
from goalpost.testing.process import ServerProcess
from goalpost.testing.proxy import TcpProxy
from goalpost.testing.recorder import RecordedRequest, RequestRecorder
from goalpost.testing.server import LiveServer

__all__ = [
    "LiveServer",
    "PgBouncer",
    "RecordedRequest",
    "RequestRecorder",
    "ServerProcess",
    "StatementCounter",
    "TcpProxy",
    "VirtualClock",
    "create_engine",
    "demo_token",
    "empty_postgres_database",
    "fresh_postgres_database",
    "fresh_sqlite_database",
    "mixed_batch_items",
    "reset_database",
]
