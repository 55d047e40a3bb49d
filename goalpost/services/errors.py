"""Request-level errors with stable codes; adapters turn them into GraphQL or HTTP errors."""

from __future__ import annotations

from typing import Literal


class GoalpostError(Exception):
    """An error that ends the whole request. `code` is part of the API contract."""

    code = "INTERNAL"
    retryable = False
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(GoalpostError):
    code = "UNAUTHENTICATED"
    http_status = 401


class OrgNotFound(GoalpostError):
    code = "ORG_NOT_FOUND"
    http_status = 404

    def __init__(self) -> None:
        # One message for "no such org" and "not a member": nothing leaks which one it was.
        super().__init__("Organization not found.")


class PeriodNotFound(GoalpostError):
    code = "PERIOD_NOT_FOUND"
    http_status = 404

    def __init__(self) -> None:
        super().__init__("Evaluation period not found.")


class PeriodClosed(GoalpostError):
    code = "PERIOD_CLOSED"
    http_status = 409

    def __init__(self, action: Literal["saved", "submitted", "reviewed"] = "saved") -> None:
        # The message names what the caller tried: a refused submit is not a refused save.
        super().__init__(f"Goals can only be {action} in an ACTIVE evaluation period.")


class BatchTooLarge(GoalpostError):
    code = "BATCH_TOO_LARGE"
    http_status = 413

    def __init__(self, size: int, limit: int, per: str = "batch") -> None:
        where = "batch" if per == "batch" else f"{per} (all its batch fields together)"
        super().__init__(f"A {where} holds at most {limit} items; this one has {size}.")


class InternalError(GoalpostError):
    """A database or server fault: nothing was written, sending the same request again is safe."""

    code = "INTERNAL"
    retryable = True
    http_status = 500

    def __init__(self, message: str = "Internal error; nothing was saved, please retry.") -> None:
        super().__init__(message)


class CommitOutcomeUnknown(InternalError):
    """The connection was lost while COMMIT was under way: the database may have committed
    before the answer was lost, or not; no one here can tell. Resending is safe (creates are
    idempotent by clientId, updates carry their version, a deleted goal is not found), and the
    resend's answer says what the database now holds. Never run again on the server, which
    would not know either whether the first run took effect."""

    def __init__(self) -> None:
        super().__init__(
            "Internal error: the connection to the database was lost while saving, so the "
            "changes may or may not have been saved; resending is safe."
        )


class TransientFault(InternalError):
    """INTERNAL to the client, but worth running the whole write again on the server first: a
    serialization failure, a deadlock, or a connection lost before commit. The transaction was
    rolled back, so nothing of it was written (services/requests.py retries it)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason  # the SQLSTATE, or "connection_lost", for logs and metrics
