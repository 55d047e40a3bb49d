"""The send path of a live socket: bounded, and one render per notice per socket.

Strawberry's graphql-transport-ws handler runs each subscription on its own: every notice is
executed and JSON-encoded once per subscription, and each send waits on the socket. Here:
- every message goes through the socket's `Outbound` queue (outbound.py), which bounds what
  waits and closes the socket with LIVE_OVERFLOW when it is full;
- subscriptions of one socket with the same document, variables and operation name share one
  stream (a `SharedStream`): the first one runs it, each result is encoded once, and each
  member gets a `next` that differs only in its id. The stream goes on while any member
  listens, whichever of them subscribed first.
"""

from __future__ import annotations

import asyncio
import json

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message
from strawberry.types.execution import ExecutionResult

from goalpost.logging import log
from goalpost.resolvers.context import Context
from goalpost.schema.outbound import (
    CLOSE_SECONDS,
    OVERFLOW_CLOSE_CODE,
    OVERFLOW_REASON,
    Outbound,
    cut,
)

Op = Operation[Context, None]


def is_subscription(query: str, operation_name: str | None) -> bool:
    """Only subscriptions share a stream: a query or mutation must run each time it is sent."""
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except (GraphQLError, TypeError):
        return False
    return operation is not None and operation.operation == OperationType.SUBSCRIPTION


def stream_key(operation: Op) -> str:
    variables = json.dumps(operation.variables, sort_keys=True, default=str)
    return json.dumps([operation.query, variables, operation.operation_name])


class SharedStream:
    """One stream of results and the operations (subscriptions) of one socket it feeds."""

    def __init__(self, leader: Op) -> None:
        self.leader = leader
        self.members: dict[str, Op] = {leader.id: leader}
        self.ended = asyncio.Event()
        # The result that ended the stream with an error (a document that does not validate,
        # the guard saying no): every member ends with it.
        self.ending: ExecutionResult | None = None


class BoundedSendsHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """The send path; subclassed by the app's handler (websocket.py), whose result loop
    (`_send_result_stream`) hands each result to `deliver` and marks a stream's `ending`."""

    _outbound: Outbound | None = None
    _streams: dict[str, SharedStream]
    _overflow_task: asyncio.Task[None] | None = None

    @property
    def outbound(self) -> Outbound:
        if self._outbound is None:
            settings = self.context.settings
            ws = getattr(self.websocket, "ws", None)
            assert isinstance(ws, WebSocket)  # the ASGI adapter's Starlette socket
            self._outbound = Outbound(
                ws.send_text,
                max_messages=settings.live_socket_queue_notices,
                max_bytes=settings.live_socket_queue_bytes,
                on_overflow=self._overflowed,
            )
            self._outbound.start()
        return self._outbound

    @property
    def streams(self) -> dict[str, SharedStream]:
        if not hasattr(self, "_streams"):
            self._streams = {}
        return self._streams

    def encode(self, value: object) -> str:
        encoded = self.view.encode_json(value)
        return encoded.decode() if isinstance(encoded, bytes) else encoded

    async def send_message(self, message: Message) -> None:
        self.outbound.put(self.encode(message))

    # -- one stream per distinct subscription ---------------------------------------------------

    async def run_operation(self, operation: Op) -> None:
        if not is_subscription(operation.query, operation.operation_name):
            await self.execute(operation)
            return
        key = stream_key(operation)
        shared = self.streams.get(key)
        if shared is None:
            shared = self.streams[key] = SharedStream(operation)
            try:
                await self.execute(operation)
            finally:
                if self.streams.get(key) is shared:
                    del self.streams[key]
                shared.ended.set()
            return
        if await self.admit_follower(operation):
            await self._follow(shared, operation)

    async def execute(self, operation: Op) -> None:
        """Run one operation (the leader of a stream): Strawberry's, unless a subclass says."""
        await super().run_operation(operation)

    async def admit_follower(self, operation: Op) -> bool:
        """Whether a subscription may join the stream of another with the same document; a
        subclass asks what the subscription itself would be told (its own guard)."""
        return True

    async def end_follower(self, operation: Op, ending: ExecutionResult) -> None:
        """A member whose stream ended with an error gets that error too (an `error` message)."""
        await operation.send_initial_errors(list(ending.errors or ()))

    def stream_led_by(self, operation: Op) -> SharedStream | None:
        return next((s for s in self.streams.values() if s.leader is operation), None)

    async def deliver(self, operation: Op, result: ExecutionResult) -> None:
        """A result to the operation, or, if it leads a stream, to every member of it."""
        shared = self.stream_led_by(operation)
        if shared is None:
            await operation.send_next(result)
        else:
            self._send_next_to_all(shared, result)

    async def _follow(self, shared: SharedStream, operation: Op) -> None:
        """Receive the shared stream's results until it ends; then end as it did."""
        shared.members[operation.id] = operation
        try:
            await shared.ended.wait()
        finally:
            shared.members.pop(operation.id, None)
            if not shared.members and shared.leader.task is not None:
                shared.leader.task.cancel()  # its first subscriber left before: no one listens
        if shared.ending is not None:
            await self.end_follower(operation, shared.ending)
            return
        await operation.send_operation_message({"id": operation.id, "type": "complete"})

    async def cleanup_operation(self, operation_id: str) -> None:
        """A stream's first subscriber that leaves while others listen stops receiving; the
        stream goes on for the others."""
        operation = self.operations.get(operation_id)
        shared = self.stream_led_by(operation) if operation is not None else None
        if operation is None or shared is None or len(shared.members) == 1:
            await super().cleanup_operation(operation_id)
            return
        del self.operations[operation_id]
        del shared.members[operation_id]
        operation.completed = True  # nothing more is sent for it, not even `complete`

    def _send_next_to_all(self, shared: SharedStream, result: ExecutionResult) -> None:
        payload: dict[str, object] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        encoded = self.encode(payload)
        metrics = self.context.scope.metrics
        metrics.live_renders.inc()
        sent = 0
        for member in list(shared.members.values()):
            if not member.completed:
                op_id = self.encode(member.id)
                self.outbound.put(f'{{"id":{op_id},"type":"next","payload":{encoded}}}')
                sent += 1
        metrics.live_sends.inc(sent)

    # -- overflow and shutdown ------------------------------------------------------------------

    def _overflowed(self) -> None:
        self.context.scope.metrics.live_overflows.inc()
        log.warning("live_socket_overflow", subscriptions=len(self.operations))
        self._overflow_task = asyncio.create_task(self._close_overflowed())

    async def _close_overflowed(self) -> None:
        """Close with LIVE_OVERFLOW; a socket that cannot take even the close frame is cut."""
        await self.outbound.stop()
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                await self.websocket.close(OVERFLOW_CLOSE_CODE, OVERFLOW_REASON)
        except TimeoutError:
            ws = getattr(self.websocket, "ws", None)
            if not (isinstance(ws, WebSocket) and cut(ws.scope)):
                log.warning("live_socket_not_cut")
        except Exception:  # the peer is gone already: nothing to close
            pass

    async def shutdown(self) -> None:
        await super().shutdown()
        if self._outbound is not None:
            await self._outbound.stop()
