"""A small graphql-transport-ws client on the `websockets` library, for the live tests.

Small on purpose: the tests need to see what a library client hides (close codes, pings,
a socket killed mid-stream). The README's example uses gql's WebsocketsTransport.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from goalpost.testing import LiveServer

PROTOCOL = "graphql-transport-ws"
WAIT = 20.0  # seconds: generous, a wait for something that must come, never a measurement

GOAL_CHANGED = """
subscription Live($org: String!, $period: ID!) {
  goalChanged(orgSlug: $org, periodId: $period) { goalId kind version actorId cursor }
}
"""


class LiveSocket:
    """One socket: `await LiveSocket.open(url, token)`, then `subscribe` and `notice`."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.pings = 0

    @classmethod
    async def open(cls, graphql_url: str, token: str | None, payload: Any = None) -> LiveSocket:
        """Connect and send connection_init (with `Authorization: Bearer token`, or `payload`
        as given); the ack is read by `acked()`."""
        url = graphql_url.replace("http://", "ws://", 1)
        ws = await websockets.connect(url, subprotocols=[PROTOCOL])  # type: ignore[list-item]
        if payload is None:
            payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        return cls(ws)

    async def message(self) -> dict[str, Any]:
        """The next message other than a ping (pings are answered, and counted)."""
        async with asyncio.timeout(WAIT):
            while True:
                message: dict[str, Any] = json.loads(await self.ws.recv())
                if message["type"] != "ping":
                    return message
                self.pings += 1
                await self.ws.send(json.dumps({"type": "pong"}))

    async def acked(self) -> LiveSocket:
        message = await self.message()
        assert message["type"] == "connection_ack", message
        return self

    async def subscribe(self, org: str, period: str, op_id: str = "1") -> None:
        variables = {"org": org, "period": period}
        await self.ws.send(
            json.dumps(
                {
                    "id": op_id,
                    "type": "subscribe",
                    "payload": {"query": GOAL_CHANGED, "variables": variables},
                }
            )
        )

    async def notice(self) -> dict[str, Any]:
        """The next goalChanged notice (fails on anything else)."""
        message = await self.message()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        notice: dict[str, Any] = message["payload"]["data"]["goalChanged"]
        return notice

    async def closed(self) -> tuple[int | None, str | None]:
        """Wait for the server to close the socket; its close code and reason."""
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), WAIT)
        except websockets.ConnectionClosed as closed:
            if closed.rcvd is None:
                return None, None
            return closed.rcvd.code, closed.rcvd.reason

    async def close(self) -> None:
        await self.ws.close()


class LoggedErrors(logging.Handler):
    """`with LoggedErrors(server) as errors:` what the server logged as a crash meanwhile:
    uvicorn's "Exception in ASGI application", Strawberry's "Exception in worker task", any
    record with a traceback, any traceback in the app's own log (`errors.records`)."""

    LOGGERS = ("", "uvicorn", "strawberry")

    def __init__(self, server: LiveServer) -> None:
        super().__init__(logging.DEBUG)
        self.server = server
        self.records: list[str] = []
        self._lines_before = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info or "Exception" in text or "Traceback" in text:
            self.records.append(f"{record.name}: {text}")

    def __enter__(self) -> LoggedErrors:
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        self._lines_before = len(self.server.log_lines())
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)
        lines = self.server.log_lines()[self._lines_before :]
        self.records += [line for line in lines if "Traceback" in line]
