"""GraphQL over HTTP: `application/graphql-response+json` with its status-code rules.

Strawberry answers `application/json` (always 200, as that media type requires). A client that
accepts `application/graphql-response+json` gets that media type, and a request error (the
document did not parse or validate, or the variables did not coerce: nothing was executed)
becomes a 400 without a `data` entry, as the GraphQL-over-HTTP spec asks.

A request that cannot be run at all (a body that is not JSON or not an operation object, GET
`variables` that do not parse, a mutation over GET) is refused with its 400 status and a
GraphQL-style error with a code, whatever the Accept header: Strawberry's plain-text refusals
become `{"errors": [{"message", "extensions": {"code": "BAD_REQUEST"}}]}`.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.exceptions import MissingQueryError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.types import QueryParams
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from goalpost import strict_json
from goalpost.ide import graphiql_page
from goalpost.resolvers.context import Context
from goalpost.schema.errors import coded_error
from goalpost.schema.websocket import (
    GoalpostTransportWSHandler,
    GoalpostWebSocketAdapter,
    SocketsPerUser,
    authenticate,
)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

# What each member of a GraphQL-over-HTTP request may be besides null or absent.
OPERATION_MEMBERS: dict[str, tuple[type, str]] = {
    "query": (str, "a string"),
    "operationName": (str, "a string"),
    "variables": (dict, "an object"),
    "extensions": (dict, "an object"),
}


def prefers_graphql_response_json(accept: str) -> bool:
    """True when the Accept header ranks graphql-response+json at least as high as JSON."""
    ranks: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranks[media.lower()] = max(quality, ranks.get(media.lower(), 0.0))
    wanted = ranks.get(GRAPHQL_RESPONSE_JSON, 0.0)
    return wanted > 0 and wanted >= ranks.get("application/json", 0.0)


def is_request_error(body: Any) -> bool:
    """Errors before execution carry no `path`; execution errors always do."""
    if not isinstance(body, dict) or body.get("data") is not None:
        return False
    errors = body.get("errors") or []
    return bool(errors) and all("path" not in e for e in errors)


def check_operation(operation: Any, what: str) -> None:
    """Strawberry reads a body with `data.get(...)`: anything but an object was a 500, and in a
    batch it checks no member's type at all."""
    if not isinstance(operation, dict):
        raise HTTPException(400, f"{what} must be a JSON object.")
    for name, (kind, described) in OPERATION_MEMBERS.items():
        value = operation.get(name)
        if value is not None and not isinstance(value, kind):
            raise HTTPException(400, f"`{name}` must be {described} or null.")


class CodedRefusal(HTTPException):
    """A refusal with a code of its own rather than BAD_REQUEST."""

    def __init__(self, status_code: int, reason: str, code: str) -> None:
        super().__init__(status_code, reason)
        self.code = code


def refusal(request: Any, error: HTTPException) -> Response:
    """A request that was not run, as a GraphQL-style error with its HTTP status."""
    # Strawberry refuses with 400; the clients' convention for anything else is HTTP_<status>.
    code = "BAD_REQUEST" if error.status_code == 400 else f"HTTP_{error.status_code}"
    if isinstance(error, CodedRefusal):
        code = error.code
    body = {"errors": [{"message": error.reason, "extensions": {"code": code}}]}
    accept = request.headers.get("accept", "") if isinstance(request, Request) else ""
    media_type = (
        GRAPHQL_RESPONSE_JSON if prefers_graphql_response_json(accept) else "application/json"
    )
    return Response(json.dumps(body), status_code=error.status_code, media_type=media_type)


class GoalpostGraphQLRouter(GraphQLRouter[Any, None]):
    """Also serves graphql-transport-ws (only it: the legacy graphql-ws protocol is refused
    with 4406) for the live-changes subscription, see goalpost.schema.websocket."""

    graphql_transport_ws_handler_class = GoalpostTransportWSHandler
    websocket_adapter_class = GoalpostWebSocketAdapter

    def __init__(
        self,
        *args: Any,
        ping_seconds: float | None = None,
        max_sockets_per_user: int = 10,
        max_subscriptions: int = 20,
        max_message_bytes: int | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("subscription_protocols", (GRAPHQL_TRANSPORT_WS_PROTOCOL,))
        super().__init__(*args, **kwargs)
        self.ping_seconds = ping_seconds
        # The socket's caps (goalpost.schema.websocket); Strawberry's own subscription cap
        # is off: ours answers with a code.
        self.sockets_per_user = SocketsPerUser(max_sockets_per_user)
        self.max_subscriptions = max_subscriptions
        self.max_subscriptions_per_connection = None
        self.max_message_bytes = max_message_bytes

    async def on_ws_connect(self, context: Context) -> dict[str, object]:
        user_id = await authenticate(context)
        self.sockets_per_user.admit(user_id)  # TooManySockets: the handler closes the socket
        context.live_user = user_id
        return {}

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL from this server's /static files: it works with no internet (goalpost.ide)."""
        return graphiql_page()

    def parse_json(self, data: str | bytes) -> Any:
        """A request body (GET parameters go through `parse_query_params`): strict JSON, and
        an operation object, or for a batch an array of them."""
        try:
            parsed = strict_json.loads(data)
        except ValueError as error:
            raise HTTPException(400, f"The request body is not valid JSON: {error}.") from error
        if not isinstance(parsed, list):
            check_operation(parsed, "The request body")
        elif self.schema.config.batching_config is not None:  # if off, Strawberry refuses it
            for operation in parsed:
                check_operation(operation, "Each operation of a batch")
        return parsed

    def encode_json(self, data: object) -> str:
        """orjson: a 100-goal result in ~0.02 ms against ~0.2 ms for `json.dumps`. What it
        refuses (a lone surrogate a client sent in a clientId, echoed back) goes to `json`,
        which writes it escaped, as before. Text, not bytes: the WebSocket handlers send
        what this returns, and bytes would go out as a binary frame."""
        try:
            return orjson.dumps(data).decode()
        except orjson.JSONEncodeError:
            return json.dumps(data, separators=(",", ":"))

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
        """Strawberry says "request body" for GET `variables` that do not parse; name them."""
        parsed: dict[str, Any] = dict(params)
        for name in ("variables", "extensions"):
            if parsed.get(name):
                try:
                    parsed[name] = strict_json.loads(parsed[name])
                except ValueError as error:
                    raise HTTPException(400, f"`{name}` is not valid JSON: {error}.") from error
        return parsed

    async def execute_single(
        self,
        request: Any,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Strawberry's, with subscriptions refused: they run over the WebSocket only
        (docs/live.md). Strawberry takes them over POST and GET, where one fails as INTERNAL
        and retryable, though no retry can ever help."""
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise CodedRefusal(
                    400,
                    "Subscriptions run over the WebSocket at /graphql (graphql-transport-ws), "
                    "not over HTTP.",
                    "SUBSCRIPTION_OVER_HTTP",
                ) from error
            raise HTTPException(400, error.as_http_error_reason(request_adapter.method)) from error
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        """Every error leaves with a stable code; unknown ones are masked as INTERNAL."""
        if result.errors:
            result.errors = [coded_error(e) for e in result.errors]
        return await super().process_result(request, result)

    async def run(
        self, request: Any, context: Any = None, root_value: Any = None, **kwargs: Any
    ) -> Any:
        try:
            response = await super().run(request, context, root_value, **kwargs)
        except HTTPException as error:
            return refusal(request, error)
        if not isinstance(request, Request) or not isinstance(response, Response):
            return response
        if response.headers.get("content-type", "").split(";")[0] != "application/json":
            return response
        if not prefers_graphql_response_json(request.headers.get("accept", "")):
            return response
        body = json.loads(bytes(response.body))
        status = response.status_code
        if is_request_error(body):
            body.pop("data", None)
            status = 400
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-type", "content-length")
        }
        return Response(
            self.encode_json(body),
            status_code=status,
            headers=headers,
            media_type=GRAPHQL_RESPONSE_JSON,
        )
