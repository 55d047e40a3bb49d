"""Request-level failures as typed exceptions, so callers branch on a class or on `code`.

Item-level failures of a batch are not exceptions: they are values (`GoalProblem`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class GoalpostError(Exception):
    """A request that failed as a whole; `retryable` says whether resending it makes sense."""

    code: str = "UNKNOWN"
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        retryable: bool | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if retryable is not None:
            self.retryable = retryable
        self.errors = list(errors)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class Unauthenticated(GoalpostError):
    code = "UNAUTHENTICATED"


class OrgNotFound(GoalpostError):
    code = "ORG_NOT_FOUND"


class PeriodNotFound(GoalpostError):
    code = "PERIOD_NOT_FOUND"


class PeriodClosed(GoalpostError):
    code = "PERIOD_CLOSED"


class BatchTooLarge(GoalpostError):
    code = "BATCH_TOO_LARGE"


class BadUserInput(GoalpostError):
    code = "BAD_USER_INPUT"


class InternalServerError(GoalpostError):
    """The server rolled the request back; nothing was written, so resending is safe."""

    code = "INTERNAL"
    retryable = True


class NetworkError(GoalpostError):
    """No answer (connection refused, dropped or timed out, or a non-GraphQL 5xx).

    The request may or may not have reached the database; resending is safe because creates
    are idempotent by clientId and updates carry `expectedVersion`.
    """

    code = "NETWORK"
    retryable = True


class LiveOverflow(NetworkError):
    """The server closed a live socket that fell too far behind (close 1013, `LIVE_OVERFLOW`):
    nothing is lost; subscribe again and catch up with `goal_changes(after=<last cursor>)`."""

    code = "LIVE_OVERFLOW"


# The close the server ends a live socket with when its outbound queue is full (docs/live.md).
LIVE_OVERFLOW_CLOSE = (1013, "LIVE_OVERFLOW")


class SaverClosed(RuntimeError):
    """An AutoSaver was used after `aclose()` or after its client switched to another org."""


ERRORS_BY_CODE: dict[str, type[GoalpostError]] = {
    cls.code: cls
    for cls in (
        Unauthenticated,
        OrgNotFound,
        PeriodNotFound,
        PeriodClosed,
        BatchTooLarge,
        BadUserInput,
        InternalServerError,
        NetworkError,
        LiveOverflow,
    )
}


def error_from_graphql(errors: Sequence[Mapping[str, Any]]) -> GoalpostError:
    """The first error decides the type: a request fails for one reason, reported once."""
    first = errors[0] if errors else {}
    extensions = first.get("extensions") or {}
    code = str(extensions.get("code") or "UNKNOWN")
    message = str(first.get("message") or "GraphQL request failed")
    cls = ERRORS_BY_CODE.get(code, GoalpostError)
    retryable = extensions.get("retryable")
    return cls(
        message,
        code=code,
        retryable=bool(retryable) if retryable is not None else None,
        errors=errors,
    )
