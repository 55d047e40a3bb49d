"""graphql-transport-ws at /graphql (docs/live.md): the token in connection_init, coded errors,
pings from the server, and the socket's rules (docs/live.md "Rules of the socket").

Strawberry runs the protocol; this adds what the API promises on top of it:
- `authenticate`: connection_init's `{"Authorization": "Bearer …"}` is checked before the
  ack; a missing or bad token closes the socket with 4403 (Strawberry's rejection code).
- subscriptions only: a query or mutation sent as `subscribe` gets an `error` message
  (OPERATION_NOT_ALLOWED) and runs nothing; they go over HTTP, each request on its own.
- each operation runs on its own context (Context.for_operation): nothing cached or
  counted by one is seen by another of the same socket.
- the socket lives no longer than its token: at `exp` it closes with 4403.
- caps: sockets per user per process (the next is closed with 1008), subscriptions per
  socket (the next gets an `error`, TOO_MANY_SUBSCRIPTIONS), one message ≤ max_body_bytes
  (a larger one closes the socket with 1009).
- protocol errors: a message that is not a JSON object of the protocol closes the socket
  with 4400; a document that does not parse or validate is an `error` message with a code.
  Never an abnormal close or a traceback.
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
import time
import uuid
from collections import Counter
from collections.abc import AsyncGenerator
from contextlib import suppress
from typing import Annotated, Any, Literal

from graphql import GraphQLError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.utils.aio import aclosing

from goalpost import strict_json
from goalpost.logging import log
from goalpost.resolvers.context import Context
from goalpost.schema.errors import coded_error
from goalpost.schema.sends import BoundedSendsHandler
from goalpost.services.errors import GoalpostError
from goalpost.services.requests import SubscriptionEnded

# RFC 6455: a close frame's reason is at most 123 bytes of UTF-8.
MAX_CLOSE_REASON_BYTES = 123
CLOSE_TOO_MANY_SOCKETS = 1008  # policy violation: this user holds the most sockets allowed
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_BAD_MESSAGE = 4400
CLOSE_FORBIDDEN = 4403
SUBSCRIPTIONS_ONLY = (OperationType.SUBSCRIPTION,)


# What a client may send (graphql-transport-ws PROTOCOL.md), in JSON's own types: strict,
# so `"payload": "x"` or `"id": 1` is not quietly taken for something else.
class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class _WithPayload(_Strict):
    payload: dict[str, Any] | None = None


class _ConnectionInit(_WithPayload):
    type: Literal["connection_init"]


class _Ping(_WithPayload):
    type: Literal["ping"]


class _Pong(_WithPayload):
    type: Literal["pong"]


class _SubscribePayload(_Strict):
    query: str
    variables: dict[str, Any] | None = None
    operationName: str | None = None  # the protocol's spelling
    extensions: dict[str, Any] | None = None


class _Subscribe(_Strict):
    type: Literal["subscribe"]
    id: str = Field(min_length=1)
    payload: _SubscribePayload


class _Complete(_Strict):
    type: Literal["complete"]
    id: str = Field(min_length=1)


CLIENT_MESSAGE: TypeAdapter[Any] = TypeAdapter(
    Annotated[
        _ConnectionInit | _Ping | _Pong | _Subscribe | _Complete,
        Field(discriminator="type"),
    ]
)


def protocol_problem(message: object) -> str | None:
    """Why `message` is not a message of the protocol a client may send, or None."""
    try:
        CLIENT_MESSAGE.validate_python(message)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(step) for step in first["loc"][1:]) or "message"
        return f"Invalid message: {where}: {first['msg']}"
    return None


def close_reason(reason: str) -> str:
    """At most what a close frame may carry; a longer one would end the socket abnormally."""
    encoded = reason.encode("utf-8", "replace")
    if len(encoded) <= MAX_CLOSE_REASON_BYTES:
        return reason
    return encoded[: MAX_CLOSE_REASON_BYTES - 3].decode("utf-8", "ignore") + "..."


class MessageTooBig(Exception):
    """A message over the socket's limit (settings.max_body_bytes, as for an HTTP body)."""


class TooManySockets(Exception):
    """The user holds the most live sockets allowed on this process."""


class SocketsPerUser:
    """The acknowledged sockets each user holds open on this process, to cap them: one user
    opening sockets without end would take a worker's memory from everyone else."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[uuid.UUID] = Counter()

    def admit(self, user_id: uuid.UUID) -> None:
        if self._open[user_id] >= self.limit:
            raise TooManySockets(
                f"TOO_MANY_SOCKETS: at most {self.limit} live sockets per user; close one first."
            )
        self._open[user_id] += 1

    def release(self, user_id: uuid.UUID) -> None:
        self._open[user_id] -= 1
        if self._open[user_id] <= 0:
            del self._open[user_id]


class GoalpostWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's ASGI adapter with a cap on one message's size, strict JSON, and close
    reasons cut to what a close frame may carry."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        limit: int | None = getattr(self.view, "max_message_bytes", None)
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if limit is not None and (
                    len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit
                ):
                    raise MessageTooBig(f"A message may hold at most {limit} bytes.")
                try:
                    yield strict_json.loads(text)
                except ValueError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
        except KeyError as error:  # a binary frame: Starlette's message has no "text"
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            pass

    async def close(self, code: int, reason: str) -> None:
        with suppress(RuntimeError, WebSocketDisconnect):  # closed already: nothing to say
            await self.ws.close(code=code, reason=close_reason(reason))


async def authenticate(context: Context) -> uuid.UUID:
    """Check connection_init's token (and that it names a known user) before the ack; the
    user's id, and when the token expires (context.expires_at)."""
    params = context.connection_params if isinstance(context.connection_params, dict) else {}
    authorization = params.get("Authorization", params.get("authorization"))
    if not isinstance(authorization, str):
        raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
    context.use_authorization(authorization)
    try:
        async with context.db.use() as session:
            caller = await context.guard.require_caller(session)
        context.expires_at = await context.guard.token_expires_at()
    except GoalpostError as error:
        raise ConnectionRejectionError({"code": error.code}) from None
    finally:
        await context.db.close()  # an idle socket holds no database connection
    user_id: uuid.UUID = caller.id
    return user_id


def coded(error: GraphQLError) -> GraphQLError:
    """coded_error, and a query or mutation refused by the socket says why."""
    if isinstance(error.original_error, InvalidOperationTypeError):
        return GraphQLError(
            "Only subscriptions run over the WebSocket; send queries and mutations over HTTP.",
            extensions={"code": "OPERATION_NOT_ALLOWED"},
        )
    return coded_error(error)


def ends_subscription(result: ExecutionResult) -> bool:
    """A result that reports the guard ending a running subscription (SubscriptionEnded)."""
    return any(isinstance(e.original_error, SubscriptionEnded) for e in result.errors or ())


class GoalpostTransportWSHandler(BoundedSendsHandler):
    ping_task: asyncio.Task[None] | None = None
    expiry_task: asyncio.Task[None] | None = None

    async def handle(self) -> None:
        """Strawberry's loop, with the size cap; nothing a client sends ends it abnormally."""
        self.on_request_accepted()
        try:
            try:
                async for message in self.websocket.iter_json():
                    await self.handle_message(message)  # type: ignore[arg-type]
            except NonTextMessageReceived:
                await self.handle_invalid_message("WebSocket message type must be text")
            except NonJsonMessageReceived:
                await self.handle_invalid_message("WebSocket message must be valid JSON")
            except MessageTooBig as error:
                await self.websocket.close(CLOSE_MESSAGE_TOO_BIG, str(error))
        except WebSocketDisconnected:
            pass
        finally:
            await self.shutdown()

    async def handle_message(self, message: Message) -> None:
        problem = protocol_problem(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        if self.token_expired():
            await self.close_for_expiry()
            return
        if message["type"] == "connection_init" and message.get("payload") is None:
            message = {"type": "connection_init", "payload": {}}  # null: no parameters
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except TooManySockets as refused:
            await self.websocket.close(CLOSE_TOO_MANY_SOCKETS, str(refused))
            return
        if not self.connection_acknowledged:
            return
        seconds = getattr(self.view, "ping_seconds", None)
        if seconds and self.ping_task is None:
            self.ping_task = asyncio.create_task(self._ping(seconds))
        if self.context.expires_at is not None and self.expiry_task is None:
            self.expiry_task = asyncio.create_task(self._expire(self.context.expires_at))

    async def _ping(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self.send_message({"type": "ping"})

    def token_expired(self) -> bool:
        expires_at = self.context.expires_at
        return expires_at is not None and time.time() >= expires_at

    async def _expire(self, expires_at: float) -> None:
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        await self.close_for_expiry()

    async def close_for_expiry(self) -> None:
        """The token's `exp` passed: every operation ends now, then the socket."""
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        await self.websocket.close(CLOSE_FORBIDDEN, "Token expired")

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit: int | None = getattr(self.view, "max_subscriptions", None)
        if (
            limit is not None
            and self.connection_acknowledged
            and message["id"] not in self.operations  # a repeated id is Strawberry's 4409
            and len(self.operations) >= limit
        ):
            await self.send_message(
                {
                    "id": message["id"],
                    "type": "error",
                    "payload": [
                        {
                            "message": f"At most {limit} subscriptions per socket.",
                            "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS"},
                        }
                    ],
                }
            )
            return
        await super().handle_subscribe(message)

    async def results_of(self, operation: Operation[Context, None], context: Context) -> Any:
        """The operation's results on `context`: subscriptions only (a query or a mutation
        is refused before it runs, OPERATION_NOT_ALLOWED)."""
        return await self.schema.stream(
            operation.query,
            variable_values=operation.variables,
            context_value=context,
            root_value=self.root_value,
            operation_name=operation.operation_name,
            allowed_operation_types=SUBSCRIPTIONS_ONLY,
        )

    async def execute(self, operation: Operation[Context, None]) -> None:
        """Strawberry's, on the operation's own context, for subscriptions only (a stream's
        leader: subscriptions of this socket with the same document follow it, sends.py)."""
        context = self.context.for_operation()
        try:
            result_source = await self.results_of(operation, context)
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except asyncio.CancelledError:
            raise
        except GraphQLError as error:
            # A syntax error: the schema's ParserCache parses in its hook, so it is raised,
            # not returned as a result (Strawberry then sent a bare `complete`).
            await operation.send_initial_errors([coded(error)])
        except WebSocketDisconnected:
            pass  # the client left: nothing to tell anyone
        except Exception as error:  # one line, no traceback: the client is told INTERNAL
            log.error("live_operation_failed", error_type=type(error).__name__)
            with suppress(Exception):
                await operation.send_initial_errors(
                    [GraphQLError("Internal error.", extensions={"code": "INTERNAL"})]
                )
        finally:
            if self.operations.get(operation.id) is operation:  # not a later one of that id
                del self.operations[operation.id]
            await context.db.close()

    async def _send_result_stream(self, operation: Any, result_source: Any) -> None:
        """Errors before execution (a document that does not parse or validate, a query or
        a mutation) and the guard ending a running subscription are one `error` message;
        other errors go in `next`, as over HTTP. Every error is coded; none closes the socket.
        Each result goes to every subscription that shares this one's stream (sends.py)."""
        shared = self.stream_led_by(operation)
        first = True
        async for result in result_source:
            if not isinstance(result, ExecutionResult):  # @defer/@stream: no wire form here
                await operation.send_initial_errors(
                    [
                        GraphQLError(
                            "Incremental delivery is not supported over graphql-transport-ws",
                            extensions={"code": "BAD_USER_INPUT"},
                        )
                    ]
                )
                return
            errors = [coded(e) for e in result.errors or ()]
            if (first and isinstance(result, PreExecutionError)) or ends_subscription(result):
                result.errors = errors
                if shared is not None:
                    shared.ending = result  # its followers end with the same error
                await operation.send_initial_errors(errors)
                return
            result.errors = errors or None
            first = False
            await self.deliver(operation, result)
            if self.outbound.done:
                return  # overflowed or lost: rendering more for this socket is waste

    async def admit_follower(self, operation: Operation[Context, None]) -> bool:
        """A subscription that would share another's stream is let in by its own answer: its
        resolver runs on a fresh guard up to the feed (RequestScope.admission_only). A refusal
        reaches it as it would alone: a `next` with the coded error, then `complete`."""
        context = self.context.for_operation(admission_only=True)
        refused: ExecutionResult | None = None
        try:
            result_source = await self.results_of(operation, context)
            async with aclosing(result_source):
                async for result in result_source:
                    if isinstance(result, ExecutionResult) and result.errors:
                        result.errors = [coded(e) for e in result.errors]
                        refused = result
                        break
        finally:
            await context.db.close()
        if refused is None:
            return True
        if self.operations.get(operation.id) is operation:
            del self.operations[operation.id]
        await operation.send_next(refused)
        await operation.send_operation_message({"id": operation.id, "type": "complete"})
        return False

    async def shutdown(self) -> None:
        for task in (self.ping_task, self.expiry_task):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await task
        await super().shutdown()
        user_id = self.context.live_user
        sockets: SocketsPerUser | None = getattr(self.view, "sockets_per_user", None)
        if user_id is not None and sockets is not None:
            self.context.live_user = None
            sockets.release(user_id)
