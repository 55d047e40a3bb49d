"""Requests counted at the server (ASGI middleware): what "exactly one request" means in the
client and browser tests, and a gate that holds requests in flight."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the server received it."""

    method: str
    path: str
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def operation(self) -> str | None:
        """The GraphQL operation name (`BatchSaveGoals`, `SaveGoal`, ...), if any."""
        payload = self.json if self.path.endswith("/graphql") else None
        if isinstance(payload, dict):
            if payload.get("operationName"):
                return str(payload["operationName"])
            found = re.search(r"\b(?:query|mutation)\s+(\w+)", str(payload.get("query", "")))
            return found.group(1) if found else None
        return None

    @property
    def variables(self) -> dict[str, Any]:
        payload = self.json
        return dict(payload.get("variables") or {}) if isinstance(payload, dict) else {}


class RequestRecorder:
    """ASGI middleware that records every HTTP request and can hold requests in flight.

    Counting at the server is what "exactly one request" means: no client-side counter can
    miss a retry or a duplicate.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._open = threading.Event()
        self._open.set()
        self.in_flight = 0
        self.max_in_flight = 0
        self.held = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        with self._lock:
            self._requests.append(RecordedRequest(scope["method"], scope["path"], body))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        done = False

        def finish() -> None:
            nonlocal done
            if not done:
                done = True
                with self._lock:
                    self.in_flight -= 1

        async def send_and_count(message: Any) -> None:
            # Out of flight *before* the client can see the end of the response.
            if message["type"] == "http.response.body" and not message.get("more_body"):
                finish()
            await send(message)

        try:
            await self._pass_gate()
            await self.app(scope, _replay(body, receive), send_and_count)
        finally:
            finish()

    async def _pass_gate(self) -> None:
        if self._open.is_set():
            return
        with self._lock:
            self.held += 1
        try:
            await asyncio.to_thread(self._open.wait)
        finally:
            with self._lock:
                self.held -= 1

    def hold(self) -> None:
        """Requests arriving from now on wait (already counted) until `release()`."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def graphql(self, operation: str | None = None) -> list[RecordedRequest]:
        """POSTs to /graphql, optionally only those of one operation name."""
        return [
            r
            for r in self.requests
            if r.method == "POST"
            and r.path.endswith("/graphql")
            and (operation is None or r.operation == operation)
        ]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self.max_in_flight = self.in_flight


def _replay(body: bytes, receive: Any) -> Any:
    """A `receive` that hands the app the body we already read, then the real channel."""
    delivered = False

    async def replay() -> Any:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
