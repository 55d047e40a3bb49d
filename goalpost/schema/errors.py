"""Request-level errors as GraphQL errors with a stable `extensions.code`.

Applied by the HTTP view to every result, so parse and validation errors (which never reach
an extension's execution hooks) get a code too.

Known errors keep their message; anything else becomes INTERNAL (retryable) with a fixed
message, so no stack trace, SQL or path ever reaches a client.

A variable that fails its type also says *where*, as data: `extensions.inputPath`
(`["input", "items", 3, "coreValue"]`), so an auto-saving client can set that one item aside
and resend the others instead of failing the whole batch (docs/auth.md).
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError

from goalpost.logging import log
from goalpost.services.errors import GoalpostError, InternalError
from goalpost.services.transaction import db_error_fields

# graphql-core's one spelling of a variable coercion failure (execution/values.py, built with
# print_path_list): "Variable '$input' has invalid value at .items[3].coreValue: <why>".
# tests/batch/test_batch_errors.py pins it, so an upgrade that changes it fails loudly.
VARIABLE_ERROR = re.compile(r"Variable '\$(\w+)' has invalid value at ((?:\.\w+|\[\d+\])+): ")
PATH_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


def variable_input_path(message: str) -> list[str | int] | None:
    """`["input", "items", 3, "coreValue"]` for a variable coercion failure, else None."""
    found = VARIABLE_ERROR.match(message)
    if found is None:
        return None
    steps = PATH_STEP.findall(found.group(2))
    return [found.group(1), *(name if name else int(index) for name, index in steps)]


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
        input_path = variable_input_path(message)
        if input_path is not None:
            extensions["inputPath"] = input_path
    else:
        # A database error says which (SQLSTATE), so that an operator can tell a timeout
        # from a lost connection; never its message, which may quote the request's text.
        db_fields = db_error_fields(original) if isinstance(original, DBAPIError) else {}
        log.error(
            "unhandled_error", error_type=type(original).__name__, path=error.path, **db_fields
        )
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
