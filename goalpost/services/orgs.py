"""Reading an organization's periods, competencies and the caller's memberships."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from goalpost.models import Competency, EvaluationPeriod, Membership, Organization, Role


async def list_periods(session: AsyncSession, org_id: uuid.UUID) -> Sequence[EvaluationPeriod]:
    rows = await session.execute(
        select(EvaluationPeriod)
        .where(EvaluationPeriod.organization_id == org_id)
        .order_by(EvaluationPeriod.starts_on.desc(), EvaluationPeriod.name)
    )
    return rows.scalars().all()


async def list_competencies(session: AsyncSession, org_id: uuid.UUID) -> Sequence[Competency]:
    rows = await session.execute(
        select(Competency).where(Competency.organization_id == org_id).order_by(Competency.name)
    )
    return rows.scalars().all()


async def memberships_of(
    session: AsyncSession, user_id: uuid.UUID
) -> Sequence[tuple[Role, Organization]]:
    rows = await session.execute(
        select(Membership.role, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.user_id == user_id)
        .order_by(Organization.slug)
    )
    return [(role, org) for role, org in rows]
