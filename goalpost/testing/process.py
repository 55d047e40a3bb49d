"""`goalpost serve` as a real process (uvicorn with its workers), for scale-out tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


class ServerProcess:
    """`with ServerProcess(log_path, workers=2, GOALPOST_DATABASE_URL=...) as server:` runs
    `python -m goalpost.cli serve` on a free port with the given GOALPOST_* settings (on top
    of this process's environment) and waits until /readyz answers 200. Its output (JSON log
    lines) goes to `log_path`."""

    def __init__(self, log_path: Path, *, workers: int = 1, **env: str) -> None:
        self.log_path = log_path
        self.workers = workers
        self.env = {**os.environ, "GOALPOST_ENV": "dev", "GOALPOST_LOG_FORMAT": "json", **env}
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The process id of `goalpost serve` itself (uvicorn's workers are its children)."""
        assert self._process is not None, "not started"
        return self._process.pid

    def start(self, timeout: float = 60) -> ServerProcess:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        command = [sys.executable, "-m", "goalpost.cli", "serve", "--port", str(self.port)]
        with self.log_path.open("w") as log:
            self._process = subprocess.Popen(
                [*command, "--workers", str(self.workers)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"goalpost serve did not start:\n{self.log_path.read_text()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(30)
        self._process = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
