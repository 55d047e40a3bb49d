"""GraphQL over HTTP: `application/graphql-response+json` with its status-code rules.

Strawberry answers `application/json` (always 200, as that media type requires). A client that
accepts `application/graphql-response+json` gets that media type, and a request error (the
document did not parse or validate, or the variables did not coerce: nothing was executed)
becomes a 400 without a `data` entry, as the GraphQL-over-HTTP spec asks.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from goalpost.ide import graphiql_page
from goalpost.schema.errors import coded_error

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


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


class GoalpostGraphQLRouter(GraphQLRouter[Any, None]):
    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL from this server's /static files: it works with no internet (goalpost.ide)."""
        return graphiql_page()

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        """Every error leaves with a stable code; unknown ones are masked as INTERNAL."""
        if result.errors:
            result.errors = [coded_error(e) for e in result.errors]
        return await super().process_result(request, result)

    async def run(
        self, request: Any, context: Any = None, root_value: Any = None, **kwargs: Any
    ) -> Any:
        response = await super().run(request, context, root_value, **kwargs)
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
            json.dumps(body), status_code=status, headers=headers, media_type=GRAPHQL_RESPONSE_JSON
        )
