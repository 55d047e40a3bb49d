"""Request-level errors as GraphQL errors with a stable `extensions.code`.

Applied by the HTTP view to every result, so parse and validation errors (which never reach
an extension's execution hooks) get a code too.

Known errors keep their message; anything else becomes INTERNAL (retryable) with a fixed
message, so no stack trace, SQL or path ever reaches a client.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from goalpost.logging import log
from goalpost.services.errors import GoalpostError, InternalError


def coded_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    extensions: dict[str, Any]
    if isinstance(original, GoalpostError):
        message = original.message
        extensions = {"code": original.code}
        if original.retryable:
            extensions["retryable"] = True
    elif original is None or error.path is None:
        # Parse, validation and variable-coercion errors (no path: nothing was executed);
        # the request itself is wrong, and graphql-core's message says how.
        message = error.message
        extensions = {"code": "BAD_USER_INPUT"}
    else:
        log.error("unhandled_error", error_type=type(original).__name__, path=error.path)
        internal = InternalError()
        message = internal.message
        extensions = {"code": internal.code, "retryable": True}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )
