"""A real PgBouncer (pool_mode=transaction) in front of a PostgreSQL, for tests and benchmarks."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

PGBOUNCER = os.environ.get("GOALPOST_PGBOUNCER_BIN", "/usr/sbin/pgbouncer")


def pgbouncer_available() -> bool:
    return shutil.which(PGBOUNCER) is not None


class PgBouncer:
    """`with PgBouncer("postgresql+asyncpg://postgres@127.0.0.1:5432/test") as bouncer:`
    starts /usr/sbin/pgbouncer on a free port with its config in a temp dir, every database
    forwarded to that server in transaction pooling (what production runs), trust auth for
    the URL's role. `bouncer.url(database_url)` is the same database through PgBouncer."""

    def __init__(self, postgres_url: str, *, pool_size: int = 20) -> None:
        target = make_url(postgres_url)
        self.host = target.host or "127.0.0.1"
        self.server_port = target.port or 5432
        self.user = target.username or "postgres"
        self.pool_size = pool_size
        self.port = 0
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, database_url: str) -> str:
        """`database_url` (a database on the same server) through PgBouncer."""
        return (
            make_url(database_url)
            .set(host="127.0.0.1", port=self.port)
            .render_as_string(hide_password=False)
        )

    def start(self) -> PgBouncer:
        self._dir = tempfile.TemporaryDirectory(prefix="goalpost-pgbouncer-")
        work = Path(self._dir.name)
        self.port = _free_port()
        (work / "userlist.txt").write_text(f'"{self.user}" ""\n')
        (work / "pgbouncer.ini").write_text(
            "\n".join(
                [
                    "[databases]",
                    f"* = host={self.host} port={self.server_port}",
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    f"listen_port = {self.port}",
                    "unix_socket_dir =",
                    "auth_type = trust",
                    f"auth_file = {work / 'userlist.txt'}",
                    "pool_mode = transaction",
                    f"default_pool_size = {self.pool_size}",
                    "max_client_conn = 500",
                    # A test database is dropped WITH (FORCE) at the end; do not hold it open.
                    "server_idle_timeout = 10",
                    "log_connections = 0",
                    "log_disconnections = 0",
                    "",
                ]
            )
        )
        command = [PGBOUNCER, str(work / "pgbouncer.ini")]
        if os.geteuid() == 0:
            # PgBouncer will not run as root; it drops to an unprivileged user instead.
            user = _unprivileged_user()
            os.chmod(work, 0o755)
            command[1:1] = ["-u", user]
        self._log = (work / "pgbouncer.log").open("wb")
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not _accepts(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                log = (work / "pgbouncer.log").read_text(errors="replace")
                self.stop()
                raise RuntimeError(f"pgbouncer did not start:\n{log}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)
            self._process = None
            self._log.close()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> PgBouncer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("pgbouncer refuses to run as root and there is no user to switch to")
