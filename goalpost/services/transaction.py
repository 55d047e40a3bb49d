"""The one owner of a write request's transaction: begin, restart, commit, rollback."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from goalpost.db import begin_write, connection_lost, transient_fault_reason
from goalpost.logging import log
from goalpost.services.errors import CommitOutcomeUnknown, InternalError, TransientFault


class WriteTransaction:
    """`async with WriteTransaction(session) as tx:` opens the write transaction before
    anything is read (BEGIN IMMEDIATE on SQLite, so the guard's lookups and the writes share
    it), commits once when the block ends, and rolls back if it raises. A commit that fails
    is INTERNAL (retryable): one the database refused wrote nothing; one whose connection was
    lost may have been written or not (`CommitOutcomeUnknown`)."""

    def __init__(self, session: AsyncSession, **log_fields: str) -> None:
        self.session = session
        self.log_fields = log_fields

    async def __aenter__(self) -> WriteTransaction:
        await begin_write(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            await rollback_quietly(self.session)
            return
        try:
            await self.session.commit()
        except DBAPIError as error:
            await rollback_quietly(self.session)
            unknown = connection_lost(error)
            log.error(
                "commit_failed",
                outcome_unknown=unknown,
                **self.log_fields,
                **db_error_fields(error),
            )
            raise (CommitOutcomeUnknown() if unknown else InternalError()) from None

    async def restart(self) -> None:
        """Drop everything written so far and begin again (the engine's fallback path)."""
        await rollback_quietly(self.session)
        await begin_write(self.session)


async def rollback_quietly(session: AsyncSession) -> None:
    """After a lost connection the rollback itself may fail; the transaction is gone either way."""
    try:
        await session.rollback()
    except DBAPIError:
        await session.invalidate()


def db_error_fields(exc: DBAPIError) -> dict[str, str | None]:
    """The driver's error class and code (SQLSTATE, or SQLite's error name) for the logs;
    never its message, which may quote the items' text."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "sqlite_errorname", None)
    return {"error": type(exc.orig).__name__, "sqlstate": code}


def fault_error(exc: DBAPIError) -> InternalError:
    """The request-level error for a fault of the whole transaction: INTERNAL either way, a
    TransientFault when running the write again on a fresh transaction may succeed."""
    reason = transient_fault_reason(exc)
    return TransientFault(reason) if reason is not None else InternalError()
