"""batch_save_goals: many goal edits, one transaction, one result per item.

Phases (after Saleor's bulk mutations): lock the owner (PostgreSQL) and read their weight
totals and goal count → check keys → load everything in set-based SELECTs (rows locked in id
order on PostgreSQL) → plan every item in memory → bulk INSERT / UPDATE / DELETE, each in a
stable order → one commit. The statements a batch issues do not grow with its size.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, delete, select, tuple_, update, values
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import column

from goalpost.db import begin_write, is_postgres, is_transaction_fault
from goalpost.logging import log
from goalpost.models import Competency, Goal, GoalCategory, GoalStatus, PeriodStatus, utcnow
from goalpost.services.errors import BatchTooLarge, InternalError, PeriodClosed
from goalpost.services.goal_patches import (
    PATCH_KEYS,
    FieldError,
    parse_patch,
    patched_fields,
    referenced_competencies,
    text_problem,
)
from goalpost.services.goals import (
    GOAL_COLUMNS,
    GoalRecord,
    OwnerTally,
    WeightTotals,
    competencies_by_ids,
    lock_owner_goals,
    owner_tally,
    weight_totals,
)
from goalpost.services.guard import OrgContext, PeriodRef, parse_uuid

# The Core table: bulk statements, rows read as plain values.
GOALS: Table = Goal.__table__  # type: ignore[assignment]
CLIENT_ID_MAX = 64
MAX_GOALS_PER_PERIOD = 500


class ErrorPolicy(StrEnum):
    SAVE_VALID = "SAVE_VALID"
    ALL_OR_NOTHING = "ALL_OR_NOTHING"


class ProblemCode(StrEnum):
    VALIDATION_FAILED = "VALIDATION_FAILED"
    DUPLICATE_IN_BATCH = "DUPLICATE_IN_BATCH"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    NOT_FOUND = "NOT_FOUND"
    NOT_EDITABLE = "NOT_EDITABLE"
    SAVE_FAILED = "SAVE_FAILED"
    BATCH_REJECTED = "BATCH_REJECTED"


@dataclass(frozen=True)
class GoalBatchItem:
    """One edit. `patches` maps a category key (performance, competency, coreValue) to the
    fields that were sent; a field left out is absent, a field sent as null maps to None."""

    client_id: str
    id: str | None = None
    expected_version: int | None = None
    delete: bool = False
    patches: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Saved:
    client_id: str
    created: bool
    goal: GoalRecord


@dataclass(frozen=True)
class Deleted:
    client_id: str
    id: uuid.UUID


@dataclass(frozen=True)
class Problem:
    client_id: str
    code: ProblemCode
    message: str
    retryable: bool = False
    field_errors: tuple[FieldError, ...] = ()
    current: GoalRecord | None = None
    status: GoalStatus | None = None


ItemResult = Saved | Deleted | Problem


@dataclass(frozen=True)
class BatchOutcome:
    results: list[ItemResult]
    totals: WeightTotals

    @property
    def mixed(self) -> bool:
        """Some items saved and some failed."""
        failed = sum(isinstance(r, Problem) for r in self.results)
        return 0 < failed < len(self.results)


@dataclass
class _Write:
    """What one item will do to the database."""

    kind: str  # insert | update | delete | noop
    before: GoalRecord | None
    after: GoalRecord | None
    created: bool = False


def _invalid(client_id: str, path: str, message: str) -> Problem:
    return Problem(
        client_id,
        ProblemCode.VALIDATION_FAILED,
        f"{path}: {message}",
        field_errors=(FieldError(path, message),),
    )


async def batch_save_goals(
    *,
    session: AsyncSession,
    org: OrgContext,
    period: PeriodRef,
    items: Sequence[GoalBatchItem],
    error_policy: ErrorPolicy = ErrorPolicy.SAVE_VALID,
    max_items: int = 200,
    request_items: int = 0,
    max_goals: int = MAX_GOALS_PER_PERIOD,
) -> BatchOutcome:
    """Save every valid item in one transaction; a failing item never blocks the others.

    `max_items` bounds the items of one request: `request_items` counts them over every batch
    of the request (an adapter may run several, e.g. GraphQL aliases), so that each of them
    is refused and nothing at all is written. `max_goals` caps the owner's goals in the
    period; creates past it fail item by item."""
    if period.status != PeriodStatus.ACTIVE:
        raise PeriodClosed()
    if len(items) > max_items:
        raise BatchTooLarge(len(items), max_items)
    if request_items > max_items:
        raise BatchTooLarge(request_items, max_items, per="request")
    where = _log_fields(org, period)
    run = _BatchRun(session, org, period, items, error_policy, max_goals)
    try:
        outcome = await run.execute(bulk=True)
    except DBAPIError as exc:
        await _rollback_quietly(session)
        if is_transaction_fault(exc):
            log.error("batch_transaction_fault", **where, **_db_error(exc))
            raise InternalError() from None
        # A bulk write hit a database error: redo the batch with one SAVEPOINT per item,
        # so the item that caused it fails alone and the rest still save.
        log.warning("batch_bulk_write_failed", **where, **_db_error(exc))
        try:
            outcome = await run.execute(bulk=False)
        except DBAPIError as exc:
            await _rollback_quietly(session)
            log.error("batch_transaction_fault", **where, **_db_error(exc))
            raise InternalError() from None
        if error_policy is ErrorPolicy.ALL_OR_NOTHING and outcome.mixed:
            # An item the database refused must not leave the others half-saved.
            await session.rollback()
            outcome = BatchOutcome(
                [run.rejected(i, r) for i, r in enumerate(outcome.results)], run.totals_before
            )
    try:
        await session.commit()
    except DBAPIError as exc:
        await _rollback_quietly(session)
        log.error("batch_commit_failed", **where, items=len(items), **_db_error(exc))
        raise InternalError() from None
    for result in outcome.results:
        if isinstance(result, Problem):
            log.info(
                "goal_save_failed", **where, client_id=result.client_id, code=result.code.value
            )
    return outcome


async def _rollback_quietly(session: AsyncSession) -> None:
    """After a lost connection the rollback itself may fail; the transaction is gone either way."""
    try:
        await session.rollback()
    except DBAPIError:
        await session.invalidate()


def _db_error(exc: DBAPIError) -> dict[str, str | None]:
    """The driver's error class and code (SQLSTATE, or SQLite's error name) for the logs;
    never its message, which may quote the items' text."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "sqlite_errorname", None)
    return {"error": type(exc.orig).__name__, "sqlstate": code}


def _log_fields(org: OrgContext, period: PeriodRef) -> dict[str, str]:
    """Who and where, for every log line of a batch; never the items' text."""
    return {"org": org.slug, "period": str(period.id), "user": str(org.caller.id)}


class _BatchRun:
    def __init__(
        self,
        session: AsyncSession,
        org: OrgContext,
        period: PeriodRef,
        items: Sequence[GoalBatchItem],
        policy: ErrorPolicy,
        max_goals: int,
    ) -> None:
        self.session = session
        self.org = org
        self.period = period
        self.items = items
        self.policy = policy
        self.max_goals = max_goals
        self.tally = OwnerTally(WeightTotals(), 0)
        self.room = 0  # goals the owner may still create in this period
        self.written: list[_Write] = []

    @property
    def totals_before(self) -> WeightTotals:
        return self.tally.totals

    async def execute(self, *, bulk: bool) -> BatchOutcome:
        await begin_write(self.session)
        # The owner's lock comes first and the tally is read under it, so both stay true
        # until commit: the cap and the totals after the batch are computed from them.
        await lock_owner_goals(self.session, self.org)
        self.tally = await owner_tally(self.session, self.org.caller.id, self.period.id)
        self.room = self.max_goals - self.tally.goal_count
        self.written = []
        results: list[ItemResult | None] = [None] * len(self.items)
        targets = self._check_keys(results)
        raced = False
        # A create that lost an INSERT race to a concurrent request is planned again: the
        # second time round it finds the other request's goal and becomes an idempotent update.
        for _attempt in range(2):
            if not targets:
                break
            plans = await self._plan(targets, results)
            if self.policy is ErrorPolicy.ALL_OR_NOTHING and any(
                isinstance(r, Problem) for r in results
            ):
                self._reject_all(plans, results)
                targets = []
                break
            targets = await self._write(plans, results, bulk=bulk)
            self.room += len(targets)  # not created after all
            raced = raced or bool(targets)
        for index in targets:
            results[index] = Problem(
                self.items[index].client_id,
                ProblemCode.SAVE_FAILED,
                "The goal changed while saving; retry.",
                retryable=True,
            )
        if raced:
            # Someone wrote the owner's goals outside the lock: the tally is stale, ask again.
            totals = await weight_totals(self.session, self.org.caller.id, self.period.id)
        else:
            totals = _totals_after(self.tally.totals, self.written)
        return BatchOutcome([r for r in results if r is not None], totals)

    def _check_keys(self, results: list[ItemResult | None]) -> list[int]:
        """Malformed and repeated keys fail before anything is loaded."""
        seen_client_ids: set[str] = set()
        seen_ids: set[uuid.UUID] = set()
        targets = []
        for index, item in enumerate(self.items):
            goal_id = parse_uuid(item.id) if item.id is not None else None
            if not 1 <= len(item.client_id) <= CLIENT_ID_MAX:
                results[index] = _invalid(
                    item.client_id, "clientId", f"must be 1 to {CLIENT_ID_MAX} characters"
                )
            elif (unstorable := text_problem(item.client_id)) is not None:
                results[index] = _invalid(item.client_id, "clientId", unstorable)
            elif item.client_id in seen_client_ids or (goal_id is not None and goal_id in seen_ids):
                results[index] = _duplicate(item)
            elif item.id is not None and goal_id is None:
                results[index] = _not_found(item)
            else:
                targets.append(index)
            seen_client_ids.add(item.client_id)
            if goal_id is not None:
                seen_ids.add(goal_id)
        return targets

    async def _load_goals(
        self, targets: list[int]
    ) -> tuple[dict[uuid.UUID, GoalRecord], dict[str, GoalRecord]]:
        ids = {parse_uuid(self.items[i].id) for i in targets if self.items[i].id is not None}
        client_ids = {self.items[i].client_id for i in targets if self.items[i].id is None}
        if not ids and not client_ids:
            return {}, {}
        query = select(GOALS).where(
            GOALS.c.owner_id == self.org.caller.id,
            GOALS.c.period_id == self.period.id,
            GOALS.c.organization_id == self.org.org_id,
            GOALS.c.id.in_(ids) | GOALS.c.client_id.in_(client_ids),
        )
        if is_postgres(self.session):
            # Lock the rows this batch may change: the version check below runs under the
            # lock, so two batches with the same expectedVersion cannot both win. In id
            # order, as every writer of goal rows does, so that no two wait on each other.
            query = query.with_for_update().order_by(GOALS.c.id)
        records = [GoalRecord.from_row(r) for r in (await self.session.execute(query)).mappings()]
        return {r.id: r for r in records}, {r.client_id: r for r in records}

    async def _plan(
        self, targets: list[int], results: list[ItemResult | None]
    ) -> dict[int, _Write]:
        by_id, by_client_id = await self._load_goals(targets)
        wanted: set[uuid.UUID] = set()
        for index in targets:
            for key, raw in self.items[index].patches.items():
                if key in PATCH_KEYS:
                    wanted |= referenced_competencies(PATCH_KEYS[key], raw)
        for record in by_id.values():
            wanted |= {uuid.UUID(c) for c in record.competency_ids or []}
        competencies = await competencies_by_ids(self.session, self.org.org_id, wanted)

        plans: dict[int, _Write] = {}
        claimed: set[uuid.UUID] = set()
        now = utcnow()
        for index in targets:
            item = self.items[index]
            existing = (
                by_id.get(uuid.UUID(str(item.id)))
                if item.id is not None
                else by_client_id.get(item.client_id)
            )
            if existing is not None and existing.id in claimed:
                results[index] = _duplicate(item)
                continue
            outcome = self._plan_item(item, existing, competencies, now)
            if isinstance(outcome, Problem):
                results[index] = outcome
                continue
            plans[index] = outcome
            if existing is not None:
                claimed.add(existing.id)
        self._cap_creates(plans, results)
        return plans

    def _cap_creates(self, plans: dict[int, _Write], results: list[ItemResult | None]) -> None:
        """Creates past the owner's goal cap fail, in input order. A delete in the same batch
        does not make room: it frees its place once saved, for the next batch."""
        for index in sorted(plans):
            if plans[index].kind != "insert":
                continue
            if self.room > 0:
                self.room -= 1
                continue
            del plans[index]
            item = self.items[index]
            results[index] = _invalid(
                item.client_id,
                next(iter(item.patches)),
                f"you already have {self.max_goals} goals in this period, the most allowed; "
                "delete one to add another",
            )

    def _plan_item(
        self,
        item: GoalBatchItem,
        existing: GoalRecord | None,
        competencies: dict[uuid.UUID, Competency],
        now: datetime,
    ) -> _Write | Problem:
        unknown = [k for k in item.patches if k not in PATCH_KEYS]
        if unknown:
            return _invalid(item.client_id, unknown[0], "unknown goal category")
        if item.id is not None and existing is None:
            return _not_found(item)
        if existing is not None:
            if item.expected_version is not None and item.expected_version != existing.version:
                return Problem(
                    item.client_id,
                    ProblemCode.VERSION_CONFLICT,
                    f"The goal is at version {existing.version}, not {item.expected_version}.",
                    current=existing,
                )
            if not existing.editable:
                return Problem(
                    item.client_id,
                    ProblemCode.NOT_EDITABLE,
                    f"A {existing.status.value} goal cannot be changed.",
                    status=existing.status,
                )
        if item.delete:
            if existing is None or item.id is None:
                return _invalid(
                    item.client_id, "delete", "only an existing goal (id) can be deleted"
                )
            if item.patches:
                return _invalid(item.client_id, "delete", "cannot be combined with a patch")
            return _Write("delete", existing, None)
        if len(item.patches) > 1:
            return _invalid(
                item.client_id, next(iter(item.patches)), "send the patch of one category only"
            )
        if existing is None:
            if len(item.patches) != 1:
                return _invalid(
                    item.client_id,
                    "performance",
                    "a new goal needs one of performance, competency, coreValue",
                )
            return self._plan_create(item, competencies, now)
        return self._plan_update(item, existing, competencies, now)

    def _apply(
        self,
        item: GoalBatchItem,
        category: GoalCategory,
        base: dict[str, Any],
        competencies: dict[uuid.UUID, Competency],
    ) -> dict[str, Any] | Problem:
        key = next(iter(item.patches), None)
        if key is None:
            return {}
        if PATCH_KEYS[key] is not category:
            return _invalid(item.client_id, key, f"this goal is a {category.value} goal")
        patch = parse_patch(category, item.patches[key])
        changes = patch if isinstance(patch, list) else patched_fields(patch, competencies, base)
        if isinstance(changes, list):
            return Problem(
                item.client_id,
                ProblemCode.VALIDATION_FAILED,
                "; ".join(f"{e.field}: {e.message}" for e in changes),
                field_errors=tuple(changes),
            )
        return changes

    def _plan_create(
        self, item: GoalBatchItem, competencies: dict[uuid.UUID, Competency], now: datetime
    ) -> _Write | Problem:
        category = PATCH_KEYS[next(iter(item.patches))]
        changes = self._apply(item, category, {}, competencies)
        if isinstance(changes, Problem):
            return changes
        goal = GoalRecord(
            id=uuid.uuid4(),
            organization_id=self.org.org_id,
            owner_id=self.org.caller.id,
            period_id=self.period.id,
            category=category,
            client_id=item.client_id,
            weight=changes.pop("weight", Decimal(0)),
            status=GoalStatus.DRAFT,
            version=1,
            created_at=now,
            updated_at=now,
            **changes,
        )
        return _Write("insert", None, goal, created=True)

    def _plan_update(
        self,
        item: GoalBatchItem,
        existing: GoalRecord,
        competencies: dict[uuid.UUID, Competency],
        now: datetime,
    ) -> _Write | Problem:
        changes = self._apply(item, existing.category, existing.values(), competencies)
        if isinstance(changes, Problem):
            return changes
        changed = {k: v for k, v in changes.items() if getattr(existing, k) != v}
        if not changed:
            return _Write("noop", existing, existing)
        after = replace(
            existing,
            **changed,
            status=GoalStatus.DRAFT,
            version=existing.version + 1,
            updated_at=now,
        )
        return _Write("update", existing, after)

    def _reject_all(self, plans: dict[int, _Write], results: list[ItemResult | None]) -> None:
        for index in plans:
            results[index] = self.rejected(index, None)

    def rejected(self, index: int, result: ItemResult | None) -> ItemResult:
        """ALL_OR_NOTHING: an item that would have saved is reported as not saved."""
        if isinstance(result, Problem):
            return result
        return Problem(
            self.items[index].client_id,
            ProblemCode.BATCH_REJECTED,
            "Not saved: another item of this ALL_OR_NOTHING batch failed.",
            retryable=True,
        )

    async def _write(
        self, plans: dict[int, _Write], results: list[ItemResult | None], *, bulk: bool
    ) -> list[int]:
        """Write the plans; returns the creates that lost an INSERT race (to plan again)."""
        groups: dict[str, list[int]] = {"insert": [], "update": [], "delete": [], "noop": []}
        for index, plan in plans.items():
            groups[plan.kind].append(index)
        # A stable write order, so that two batches never each wait for a row the other
        # holds: creates by their unique key (owner, period, client_id; owner and period are
        # the batch's), updates and deletes by id, the order their rows were locked in.
        groups["insert"].sort(key=lambda i: plans[i].after.client_id)  # type: ignore[union-attr]
        for kind in ("update", "delete"):
            groups[kind].sort(key=lambda i: plans[i].before.id)  # type: ignore[union-attr]
        done: set[int] = set(groups["noop"])
        if bulk:
            done |= await self._insert(groups["insert"], plans)
            done |= await self._update(groups["update"], plans)
            done |= await self._delete(groups["delete"], plans)
        else:
            for kind in ("insert", "update", "delete"):
                for index in groups[kind]:
                    done |= await self._write_one(kind, index, plans, results)
        raced: list[int] = []
        for index, plan in plans.items():
            item = self.items[index]
            if results[index] is not None:
                continue
            if index not in done:
                if plan.kind == "insert":
                    raced.append(index)
                else:
                    results[index] = Problem(
                        item.client_id,
                        ProblemCode.SAVE_FAILED,
                        "The goal changed while saving; retry.",
                        retryable=True,
                    )
            elif plan.kind == "delete":
                assert plan.before is not None
                results[index] = Deleted(item.client_id, plan.before.id)
                self.written.append(plan)
            else:
                assert plan.after is not None
                results[index] = Saved(item.client_id, plan.created, plan.after)
                self.written.append(plan)
        return raced

    async def _write_one(
        self, kind: str, index: int, plans: dict[int, _Write], results: list[ItemResult | None]
    ) -> set[int]:
        write = {"insert": self._insert, "update": self._update, "delete": self._delete}[kind]
        try:
            async with self.session.begin_nested():
                return await write([index], plans)
        except DBAPIError as exc:
            if is_transaction_fault(exc):
                raise
            results[index] = Problem(
                self.items[index].client_id,
                ProblemCode.SAVE_FAILED,
                "The database refused this goal; retry.",
                retryable=True,
            )
            return set()

    async def _insert(self, indexes: list[int], plans: dict[int, _Write]) -> set[int]:
        if not indexes:
            return set()
        rows = [plans[i].after.values() for i in indexes]  # type: ignore[union-attr]
        dialect_insert = postgresql.insert if is_postgres(self.session) else sqlite.insert
        # executemany with RETURNING: SQLAlchemy's "insertmanyvalues" sends the rows as one
        # multi-row INSERT (per 1000 rows) but compiles the statement once and caches it,
        # where .values(rows) would be compiled again on every batch.
        statement = (
            dialect_insert(GOALS)
            .on_conflict_do_nothing(index_elements=["owner_id", "period_id", "client_id"])
            .returning(GOALS.c.id)
        )
        inserted = set((await self.session.execute(statement, rows)).scalars())
        return {i for i in indexes if plans[i].after.id in inserted}  # type: ignore[union-attr]

    async def _update(self, indexes: list[int], plans: dict[int, _Write]) -> set[int]:
        """One UPDATE … FROM (VALUES …) for all rows; the version in the join makes a row
        that changed meanwhile match nothing instead of being overwritten."""
        if not indexes:
            return set()
        names = ["version", "updated_at", "status", "weight", *_category_columns()]
        rows = []
        for i in indexes:
            before, after = plans[i].before, plans[i].after
            assert before is not None and after is not None
            rows.append((after.id, before.version, *(getattr(after, n) for n in names)))
        new = (
            values(
                column("id", GOALS.c.id.type),
                column("old_version", GOALS.c.version.type),
                *(column(n, GOALS.c[n].type) for n in names),
                name="new",
            )
            .data(rows)
            .cte("new")
        )
        statement = (
            update(GOALS)
            .where(GOALS.c.id == new.c.id, GOALS.c.version == new.c.old_version)
            .values({n: new.c[n] for n in names})
            .returning(GOALS.c.id)
        )
        updated = set((await self.session.execute(statement)).scalars())
        return {i for i in indexes if plans[i].before.id in updated}  # type: ignore[union-attr]

    async def _delete(self, indexes: list[int], plans: dict[int, _Write]) -> set[int]:
        if not indexes:
            return set()
        keys = [(plans[i].before.id, plans[i].before.version) for i in indexes]  # type: ignore[union-attr]
        statement = (
            delete(GOALS).where(tuple_(GOALS.c.id, GOALS.c.version).in_(keys)).returning(GOALS.c.id)
        )
        deleted = set((await self.session.execute(statement)).scalars())
        return {i for i in indexes if plans[i].before.id in deleted}  # type: ignore[union-attr]


def _totals_after(before: WeightTotals, written: list[_Write]) -> WeightTotals:
    """The owner's weight totals after the batch, from the totals read under the owner's
    lock and what the batch wrote: nothing else changes the owner's weights meanwhile."""
    totals = before
    for write in written:
        if write.before is not None:
            totals = totals.plus(write.before.category, -write.before.weight)
        if write.after is not None:
            totals = totals.plus(write.after.category, write.after.weight)
    return totals


def _category_columns() -> list[str]:
    fixed = {
        "id",
        "organization_id",
        "owner_id",
        "period_id",
        "category",
        "client_id",
        "weight",
        "status",
        "version",
        "created_at",
        "updated_at",
    }
    return [c for c in GOAL_COLUMNS if c not in fixed]


def _duplicate(item: GoalBatchItem) -> Problem:
    return Problem(
        item.client_id,
        ProblemCode.DUPLICATE_IN_BATCH,
        "This goal already appears earlier in the batch.",
        field_errors=(FieldError("clientId", "repeated"),),
    )


def _not_found(item: GoalBatchItem) -> Problem:
    return Problem(item.client_id, ProblemCode.NOT_FOUND, "Goal not found.")


__all__ = [
    "BatchOutcome",
    "Deleted",
    "ErrorPolicy",
    "GoalBatchItem",
    "ItemResult",
    "Problem",
    "ProblemCode",
    "Saved",
    "batch_save_goals",
]
