"""Reporting lines (docs/domain.md, docs/demo.md): a membership may name a supervisor, who
must be a member of the same organization. Nothing in the API uses them yet; the database
keeps them sound."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from goalpost.db import create_session_factory
from goalpost.models import Membership, Organization, Role, User
from goalpost.services.demo import demo_id
from tests.conftest import GraphQL

ROLES = "{ me { memberships { role organization { slug } } } }"


def who(user_id: uuid.UUID | None) -> str | None:
    names = {demo_id("user", n): n for n in ("alice", "bob", "carol", "dave")}
    return None if user_id is None else names[user_id]


async def reporting_lines(app: FastAPI) -> dict[tuple[str | None, str], tuple[Role, str | None]]:
    async with create_session_factory(app.state.engine)() as session:
        rows = await session.execute(
            select(
                Membership.user_id, Organization.slug, Membership.role, Membership.supervisor_id
            ).join(Organization, Organization.id == Membership.organization_id)
        )
        return {(who(user), slug): (role, who(boss)) for user, slug, role, boss in rows}


async def test_demo_reporting_lines(app: FastAPI, graphql: GraphQL) -> None:
    assert await reporting_lines(app) == {
        ("alice", "acme"): (Role.EMPLOYEE, "carol"),
        ("bob", "acme"): (Role.EMPLOYEE, "carol"),
        ("carol", "acme"): (Role.SUPERVISOR, None),
        ("carol", "globex"): (Role.EMPLOYEE, "dave"),
        ("dave", "globex"): (Role.SUPERVISOR, None),
    }
    body = await graphql(ROLES, user="dave")
    assert body["data"]["me"]["memberships"] == [
        {"role": "SUPERVISOR", "organization": {"slug": "globex"}}
    ]


async def set_supervisor(app: FastAPI, user: str, org: str, boss: uuid.UUID) -> None:
    async with create_session_factory(app.state.engine)() as session:
        await session.execute(
            update(Membership)
            .where(
                Membership.user_id == demo_id("user", user),
                Membership.organization_id == demo_id("org", org),
            )
            .values(supervisor_id=boss)
        )
        await session.commit()


@pytest.mark.parametrize(
    ("user", "org", "boss"),
    [
        ("alice", "acme", "dave"),  # dave is a member of globex only
        ("carol", "globex", "alice"),  # alice is a member of acme only
        ("alice", "acme", "alice"),  # nobody supervises themselves
    ],
)
async def test_a_supervisor_outside_the_org_is_refused(
    app: FastAPI, user: str, org: str, boss: str
) -> None:
    with pytest.raises(IntegrityError):
        await set_supervisor(app, user, org, demo_id("user", boss))
    assert (await reporting_lines(app))[(user, org)][1] in ("carol", "dave")


async def test_a_supervisor_of_the_same_org_is_accepted(app: FastAPI) -> None:
    async with create_session_factory(app.state.engine)() as session:
        erin = User(subject="test|erin", email="erin@acme.example", name="Erin")
        session.add(erin)
        await session.flush()
        acme = demo_id("org", "acme")
        session.add(Membership(user_id=erin.id, organization_id=acme, role=Role.EMPLOYEE))
        await session.commit()
        erin_id = erin.id
    await set_supervisor(app, "bob", "acme", erin_id)
    async with create_session_factory(app.state.engine)() as session:
        boss = await session.scalar(
            select(Membership.supervisor_id).where(Membership.user_id == demo_id("user", "bob"))
        )
    assert boss == erin_id
