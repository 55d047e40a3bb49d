"""The org-context guard: caller → organization → period, resolved once per request."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from goalpost.db import is_postgres
from goalpost.models import EvaluationPeriod, Membership, Organization, PeriodStatus, Role, User
from goalpost.services.auth import Caller, TokenVerifier, authenticate, bearer_token, unknown_user
from goalpost.services.errors import OrgNotFound, PeriodNotFound
from goalpost.tracing import span

ORG_SLUG = re.compile(r"[a-z0-9-]{2,63}")


@dataclass(frozen=True)
class OrgContext:
    org_id: uuid.UUID
    slug: str
    name: str
    role: Role
    caller: Caller


@dataclass(frozen=True)
class PeriodRef:
    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    status: PeriodStatus
    starts_on: date
    ends_on: date


def parse_uuid(value: Any) -> uuid.UUID | None:
    """Malformed ids are 'not found', never a crash."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        # No UUID is longer than its urn: form (45); a longer text is kept out of the cache.
        return _parse_uuid_text(value) if len(value) <= 45 else None
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


@lru_cache(maxsize=4096)
def _parse_uuid_text(text: str) -> uuid.UUID | None:
    """Cached: a batch reads each item's id in three phases (keys, load, plan), and parsing
    one costs ~2.5 µs; a UUID is immutable, so the same object serves every time."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


class OrgGuard:
    """Every org-scoped field asks this one object; answers are cached for the request."""

    def __init__(self, verifier: TokenVerifier, authorization: str | None) -> None:
        self._verifier = verifier
        self._authorization = authorization
        self._caller: Caller | None = None
        self._orgs: dict[str, OrgContext] = {}
        self._periods: dict[tuple[uuid.UUID, str], PeriodRef] = {}

    def with_authorization(self, authorization: str | None) -> OrgGuard:
        """A fresh guard for another token (a WebSocket's, sent after the handshake)."""
        return OrgGuard(self._verifier, authorization)

    def fresh(self) -> OrgGuard:
        """The same token with nothing cached: a question asked again gets today's answer
        (a live subscription's periodic check, each operation of one WebSocket)."""
        return OrgGuard(self._verifier, self._authorization)

    async def token_expires_at(self) -> float:
        """When the caller's token expires (Unix seconds); Unauthenticated if it is not valid."""
        return await self._verifier.expires_at(bearer_token(self._authorization))

    # One "guard" span per question asked (docs/tracing.md); the lookups behind it are the
    # private methods, so a question that asks another never nests a second span.
    async def require_caller(self, session: AsyncSession) -> Caller:
        with span("guard"):
            return await self._caller_of(session)

    async def require_org_member(self, session: AsyncSession, slug: str) -> OrgContext:
        with span("guard"):
            return await self._org_member(session, slug)

    async def require_org_period(
        self, session: AsyncSession, slug: str, period_id: str, *, lock_owner: bool = False
    ) -> tuple[OrgContext, PeriodRef]:
        """The caller's org and one of its periods: what every period-scoped field and
        write asks first. Whether the period takes writes (ACTIVE) is the write services'
        rule. `lock_owner`: a write of the caller's own goals (a save, a submit), inside its
        write transaction; on PostgreSQL the one SELECT then takes the owner's lock too
        (lock_owner_goals), one round trip less. Reads never lock."""
        with span("guard"):
            if not self._orgs and ORG_SLUG.fullmatch(slug):
                pid = parse_uuid(period_id)
                if pid is not None:
                    return await self._caller_org_period(
                        session, slug, period_id, pid, lock_owner=lock_owner
                    )
            org = await self._org_member(session, slug)
            return org, await self._period(session, org, period_id)

    async def _caller_org_period(
        self,
        session: AsyncSession,
        slug: str,
        period_id: str,
        pid: uuid.UUID,
        *,
        lock_owner: bool,
    ) -> tuple[OrgContext, PeriodRef]:
        """The caller, their membership of the org and its period in ONE SELECT, for the
        request's first org question (a write's, or a period's read): three lookups one
        after another cost two more round trips and statements. Same answers, same order of
        errors: an unknown user, then the org, then the period. The same statement when the
        caller is known already, so every write's guard reads alike.

        A write of the owner's goals on PostgreSQL locks the membership row in that SELECT
        (the lock lock_owner_goals would take next). PostgreSQL refuses to lock the nullable
        side of an outer join, so that statement inner-joins the membership and finds no row
        without one; the outer-join statement then tells which error it is (errors are rare:
        one statement more there)."""
        if self._caller is not None:  # REST looks the caller up first, for its 401
            subject = self._caller.subject
        else:
            subject = await self._verifier.subject_of(bearer_token(self._authorization))
        params = {"subject": subject, "slug": slug, "pid": pid}
        locked = lock_owner and is_postgres(session)
        row = None
        if locked:
            row = (await session.execute(_CALLER_ORG_PERIOD_LOCKED, params)).one_or_none()
        if row is None:
            # Unlocked: should the membership have appeared in between, lock_owner_goals
            # still takes the lock, as it does for any write whose guard took none.
            locked = False
            row = (await session.execute(_CALLER_ORG_PERIOD, params)).one_or_none()
        if row is None:
            raise unknown_user()
        user_id, email, name, org_id, org_name, role, *period = row
        self._caller = Caller(id=user_id, subject=subject, email=email, name=name)
        if org_id is None:
            raise OrgNotFound()
        org = self._orgs[slug] = OrgContext(org_id, slug, org_name, role, self._caller)
        if period[0] is None:
            raise PeriodNotFound()
        # Keyed as _period keys it (the id as asked), so a later question finds it.
        ref = self._periods[(org_id, str(period_id))] = PeriodRef(*period)
        if locked:
            session.info[OWNER_LOCKED] = (session.get_transaction(), user_id, org_id)
        return org, ref

    async def _caller_of(self, session: AsyncSession) -> Caller:
        if self._caller is None:
            self._caller = await authenticate(session, self._verifier, self._authorization)
        return self._caller

    async def _org_member(self, session: AsyncSession, slug: str) -> OrgContext:
        caller = await self._caller_of(session)
        if not ORG_SLUG.fullmatch(slug):
            raise OrgNotFound()  # no such slug can exist; nothing to look up
        if slug not in self._orgs:
            row = (
                await session.execute(
                    select(Organization, Membership.role)
                    .join(Membership, Membership.organization_id == Organization.id)
                    .where(Organization.slug == slug, Membership.user_id == caller.id)
                )
            ).one_or_none()
            if row is None:
                raise OrgNotFound()
            org, role = row
            self._orgs[slug] = OrgContext(org.id, org.slug, org.name, role, caller)
        return self._orgs[slug]

    async def _period(self, session: AsyncSession, org: OrgContext, period_id: str) -> PeriodRef:
        key = (org.org_id, str(period_id))
        if key not in self._periods:
            pid = parse_uuid(period_id)
            period = None
            if pid is not None:
                period = (
                    await session.execute(
                        select(EvaluationPeriod).where(
                            EvaluationPeriod.id == pid,
                            EvaluationPeriod.organization_id == org.org_id,
                        )
                    )
                ).scalar_one_or_none()
            if period is None:
                raise PeriodNotFound()
            self._periods[key] = period_ref(period)
        return self._periods[key]


# The caller (by token subject), their membership of the org named by slug, and that org's
# period: outer joins, so a missing membership or period reads as NULLs, not as no row.
_ORG_OF_SLUG = select(Organization.id).where(Organization.slug == bindparam("slug"))
_COLUMNS = (
    User.id,
    User.email,
    User.name,
    Organization.id,
    Organization.name,
    Membership.role,
    EvaluationPeriod.id,
    EvaluationPeriod.organization_id,
    EvaluationPeriod.name,
    EvaluationPeriod.status,
    EvaluationPeriod.starts_on,
    EvaluationPeriod.ends_on,
)
_MEMBERSHIP_OF_SLUG = (Membership.user_id == User.id) & (
    Membership.organization_id == _ORG_OF_SLUG.scalar_subquery()
)
_ORG_OF_MEMBERSHIP = Organization.id == Membership.organization_id
_PERIOD_OF_ORG = (EvaluationPeriod.id == bindparam("pid", type_=EvaluationPeriod.id.type)) & (
    EvaluationPeriod.organization_id == Organization.id
)
_CALLER_ORG_PERIOD = (
    select(*_COLUMNS)
    .select_from(User)
    .outerjoin(Membership, _MEMBERSHIP_OF_SLUG)
    .outerjoin(Organization, _ORG_OF_MEMBERSHIP)
    .outerjoin(EvaluationPeriod, _PERIOD_OF_ORG)
    .where(User.subject == bindparam("subject"))
)
# The same answer for a caller who is a member, locking their membership row: FOR NO KEY
# UPDATE OF memberships, the owner's lock of lock_owner_goals. Inner joins up to the
# membership (a locked table may not be on the nullable side of an outer join); the period
# may still be missing.
_CALLER_ORG_PERIOD_LOCKED = (
    select(*_COLUMNS)
    .select_from(User)
    .join(Membership, _MEMBERSHIP_OF_SLUG)
    .join(Organization, _ORG_OF_MEMBERSHIP)
    .outerjoin(EvaluationPeriod, _PERIOD_OF_ORG)
    .where(User.subject == bindparam("subject"))
    .with_for_update(key_share=True, of=Membership)
)

# session.info key: (the transaction, caller id, org id) whose owner's lock the guard took.
OWNER_LOCKED = "owner_locked"


def owner_locked_by_guard(session: AsyncSession, org: OrgContext) -> bool:
    """Whether the guard locked this owner's membership in the session's CURRENT
    transaction. A lock ends with its transaction: a guard answer from the request's cache (a
    second write in one request, a retry on a fresh transaction, a restarted one) took none
    in this one."""
    current = session.get_transaction()
    mark = session.info.get(OWNER_LOCKED)
    return (
        current is not None
        and mark is not None
        and mark[0] is current
        and mark[1:] == (org.caller.id, org.org_id)
    )


def period_ref(period: EvaluationPeriod) -> PeriodRef:
    return PeriodRef(
        period.id,
        period.organization_id,
        period.name,
        period.status,
        period.starts_on,
        period.ends_on,
    )
