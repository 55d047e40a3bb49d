"""graphql-transport-ws at /graphql (SPEC §12): the token in connection_init, coded errors,
and pings from the server.

Strawberry runs the protocol; this adds what the API promises on top of it:
- `authenticate`: connection_init's `{"Authorization": "Bearer …"}` is checked before the
  ack; a missing or bad token closes the socket with 4403 (Strawberry's rejection code).
- every error sent over the socket carries `extensions.code`, as over HTTP (coded_error).
- a `ping` every `ping_seconds` after the ack (the protocol lets either side ping), so
  proxies keep an idle socket open and a dead client is noticed by the write failing.
- the send path (docs/live.md, "The outbound bound"): every message goes through the socket's
  bounded outbound queue (outbound.py), closed with LIVE_OVERFLOW when full; and the
  subscriptions of one socket with the same document and variables share one stream, so a
  notice is executed and encoded once for them all and only each `next`'s id differs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import suppress
from typing import Any

from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.types.execution import ExecutionResult, PreExecutionError

from goalpost.resolvers.context import Context
from goalpost.schema.errors import coded_error
from goalpost.schema.sends import BoundedSendsHandler
from goalpost.services.errors import GoalpostError


async def authenticate(context: Context) -> dict[str, object]:
    """Check connection_init's token (and that it names a known user) before the ack."""
    params = context.connection_params if isinstance(context.connection_params, dict) else {}
    authorization = params.get("Authorization", params.get("authorization"))
    if not isinstance(authorization, str):
        raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
    context.use_authorization(authorization)
    try:
        async with context.db.use() as session:
            await context.guard.require_caller(session)
    except GoalpostError as error:
        raise ConnectionRejectionError({"code": error.code}) from None
    finally:
        await context.db.close()  # an idle socket holds no database connection
    return {}


def closes(result: ExecutionResult) -> bool:
    close_reason = BaseGraphQLTransportWSHandler._get_pre_execution_close_reason
    return isinstance(result, PreExecutionError) and any(
        close_reason(e) for e in result.errors or ()
    )


async def coded(results: AsyncIterator[Any]) -> AsyncGenerator[Any, None]:
    """The results with every error coded; errors that make Strawberry close the socket
    (a syntax error, a missing operation) are left as they are, for it to recognise."""
    async for result in results:
        if isinstance(result, ExecutionResult) and result.errors and not closes(result):
            result.errors = [coded_error(e) for e in result.errors]
        yield result


class GoalpostTransportWSHandler(BoundedSendsHandler):
    ping_task: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        seconds = getattr(self.view, "ping_seconds", None)
        if self.connection_acknowledged and seconds and self.ping_task is None:
            self.ping_task = asyncio.create_task(self._ping(seconds))

    async def _ping(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self.send_message({"type": "ping"})

    async def shutdown(self) -> None:
        if self.ping_task is not None:
            self.ping_task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self.ping_task
        await super().shutdown()

    async def _send_result_stream(self, operation: Any, result_source: Any) -> None:
        await super()._send_result_stream(operation, coded(result_source))
