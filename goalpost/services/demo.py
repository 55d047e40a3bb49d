"""Demo data: deterministic ids, inserted only where missing, so seeding is idempotent.

Three ways to write it: `seed_demo` adds what is missing, `restore_demo` puts the demo orgs
back as seeded (`goalpost seed-demo --reset`), `reset_demo` empties every table first (tests).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from goalpost.db import begin_write, is_postgres
from goalpost.models import (
    Base,
    Competency,
    EvaluationPeriod,
    Goal,
    GoalCategory,
    GoalEvent,
    GoalEventKind,
    GoalReviewDecision,
    GoalStatus,
    GoalType,
    Membership,
    Organization,
    PeriodStatus,
    Role,
    User,
    utcnow,
)
from goalpost.services.goals import GoalRecord
from goalpost.services.history import ChangeSource, append_events, event_for

DEMO_NAMESPACE = uuid.UUID("6f1c1d3e-93a4-4d8e-9a57-0b0e4b7c2a10")


def demo_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, "/".join(parts))


USERS = {
    "alice": ("alice@acme.example", "Alice Anders"),
    "bob": ("bob@acme.example", "Bob Brandt"),
    "carol": ("carol@acme.example", "Carol Chen"),
    "dave": ("dave@globex.example", "Dave Diaz"),
}
ORGS = {"acme": "Acme Corporation", "globex": "Globex"}
# (user, org, role, supervisor in that org). A supervisor's own membership comes first:
# the foreign key that keeps a supervisor inside the org holds at every insert.
MEMBERSHIPS: list[tuple[str, str, Role, str | None]] = [
    ("carol", "acme", Role.SUPERVISOR, None),
    ("dave", "globex", Role.SUPERVISOR, None),
    ("alice", "acme", Role.EMPLOYEE, "carol"),
    ("bob", "acme", Role.EMPLOYEE, "carol"),
    ("carol", "globex", Role.EMPLOYEE, "dave"),
]
PERIODS = [
    ("acme", "fy2026", "FY2026", date(2026, 1, 1), date(2026, 12, 31), PeriodStatus.ACTIVE),
    ("acme", "fy2025", "FY2025", date(2025, 1, 1), date(2025, 12, 31), PeriodStatus.CLOSED),
    ("globex", "fy2026", "FY2026", date(2026, 1, 1), date(2026, 12, 31), PeriodStatus.ACTIVE),
]
COMPETENCIES = {
    "acme": {
        "Communication": [
            "Listens before answering",
            "Writes clear summaries",
            "Shares context early",
        ],
        "Ownership": ["Follows through on commitments", "Raises risks early", "Fixes root causes"],
        "Collaboration": ["Helps teammates unblock", "Gives actionable feedback"],
    },
    "globex": {
        "Customer focus": ["Talks to customers monthly", "Measures satisfaction"],
        "Craft": ["Reviews code carefully", "Automates repeated work"],
    },
}


def subject_of(name: str) -> str:
    return f"demo|{name}"


def period_id(org: str, key: str) -> uuid.UUID:
    return demo_id("period", org, key)


def _goals() -> list[dict[str, Any]]:
    comm = str(demo_id("competency", "acme", "Communication"))
    own = str(demo_id("competency", "acme", "Ownership"))
    craft = str(demo_id("competency", "globex", "Craft"))
    perf, comp, core = GoalCategory.PERFORMANCE, GoalCategory.COMPETENCY, GoalCategory.CORE_VALUE
    draft = GoalStatus.DRAFT
    rows: list[tuple[str, str, str, GoalCategory, GoalStatus, str, dict[str, Any]]] = [
        (
            "alice",
            "acme",
            "alice-perf-1",
            perf,
            draft,
            "40",
            {
                "title": "Grow ARR by 20%",
                "goal_type": GoalType.QUANTITATIVE,
                "specific_goal": "Close three enterprise deals",
            },
        ),
        ("alice", "acme", "alice-perf-2", perf, draft, "30", {"title": "Ship the onboarding flow"}),
        (
            "alice",
            "acme",
            "alice-comp-1",
            comp,
            draft,
            "0",
            {
                "competency_ids": [comm, own],
                "selected_ideal_actions": {comm: ["Writes clear summaries"]},
                "action_plan": "Write a weekly summary for the team",
            },
        ),
        (
            "alice",
            "acme",
            "alice-core-1",
            core,
            draft,
            "0",
            {"core_value_plan": "Mentor a new hire"},
        ),
        (
            "alice",
            "acme",
            "alice-perf-submitted",
            perf,
            GoalStatus.SUBMITTED,
            "20",
            {
                "title": "Reduce churn",
                "goal_type": GoalType.QUANTITATIVE,
                "specific_goal": "Churn under 3%",
                "achievement_criteria": "Monthly churn report",
                "means_methods": "Customer interviews",
            },
        ),
        (
            "alice",
            "acme",
            "alice-perf-rejected",
            perf,
            GoalStatus.REJECTED,
            "10",
            {"title": "Be more awesome", "goal_type": GoalType.QUALITATIVE},
        ),
        ("bob", "acme", "bob-perf-1", perf, draft, "50", {"title": "Cut build time in half"}),
        (
            "bob",
            "acme",
            "bob-comp-1",
            comp,
            draft,
            "0",
            {"competency_ids": [own], "action_plan": "Own the release checklist"},
        ),
        (
            "carol",
            "globex",
            "carol-perf-1",
            perf,
            draft,
            "60",
            {"title": "Launch in two new markets"},
        ),
        ("dave", "globex", "dave-perf-1", perf, draft, "100", {"title": "Halve support backlog"}),
        ("dave", "globex", "dave-comp-1", comp, draft, "0", {"competency_ids": [craft]}),
    ]
    now = utcnow()
    goals = []
    for owner, org, client_id, category, status, weight, fields in rows:
        goal = {
            "id": demo_id("goal", owner, client_id),
            "organization_id": demo_id("org", org),
            "owner_id": demo_id("user", owner),
            "period_id": period_id(org, "fy2026"),
            "category": category,
            "client_id": client_id,
            "weight": Decimal(weight),
            "status": status,
            # The version its history (_events) ends at: created (1), submitted, returned.
            "version": len(STEPS[status]),
            "created_at": now,
            "updated_at": now,
            **fields,
        }
        if status is GoalStatus.REJECTED:
            goal |= {
                "review_decision": GoalReviewDecision.RETURN,
                "review_comment": RETURN_COMMENT,
                "reviewer_id": demo_id("user", supervisor_of(owner, org)),
                "reviewed_at": now,
            }
        goals.append(goal)
    return goals


# How each seeded status was reached, as the API would have: the events of a demo goal.
STEPS: dict[GoalStatus, tuple[GoalEventKind, ...]] = {
    GoalStatus.DRAFT: (GoalEventKind.CREATED,),
    GoalStatus.SUBMITTED: (GoalEventKind.CREATED, GoalEventKind.SUBMITTED),
    GoalStatus.REJECTED: (GoalEventKind.CREATED, GoalEventKind.SUBMITTED, GoalEventKind.RETURNED),
}
STATUS_AFTER = {
    GoalEventKind.CREATED: GoalStatus.DRAFT,
    GoalEventKind.SUBMITTED: GoalStatus.SUBMITTED,
    GoalEventKind.RETURNED: GoalStatus.REJECTED,
}
# The comment carol returned alice's rejected goal with (a RETURN needs one, docs/review.md).
RETURN_COMMENT = "How would we measure it?"
SEED_REQUEST_ID = "seed-demo"


def supervisor_of(user: str, org: str) -> str:
    boss = next(b for u, o, _role, b in MEMBERSHIPS if (u, o) == (user, org))
    assert boss is not None, f"{user} has no supervisor in {org}"
    return boss


def _events(goal: dict[str, Any]) -> list[dict[str, Any]]:
    """The events that lead a demo goal to its seeded state, one per step (docs/history.md): created
    as a draft with its fields by its owner, then submitted by the owner, then returned by the
    supervisor. Replayed from CREATED they rebuild the goal's fields and version."""
    final = GoalRecord(**goal)
    owner = next(u for u in USERS if demo_id("user", u) == final.owner_id)
    org = next(o for o in ORGS if demo_id("org", o) == final.organization_id)
    at: datetime = goal["created_at"]
    events = []
    before: GoalRecord | None = None
    for version, kind in enumerate(STEPS[final.status], start=1):
        after = final.with_changes(
            status=STATUS_AFTER[kind],
            version=version,
            review_decision=None,
            review_comment=None,
            reviewer_id=None,
            reviewed_at=None,
        )
        returned = kind is GoalEventKind.RETURNED
        actor = supervisor_of(owner, org) if returned else owner
        source = ChangeSource(demo_id("user", actor), SEED_REQUEST_ID, at)
        event = event_for(kind, before, after, source, RETURN_COMMENT if returned else None)
        event["id"] = demo_id("event", owner, final.client_id, str(version))
        events.append(event)
        before = after
    return events


def check_reporting_lines() -> None:
    """Every demo supervisor is a member of the org they supervise in (the database says
    so too, with a foreign key), and comes before their reports."""
    seen: set[tuple[str, str]] = set()
    for user, org, _role, boss in MEMBERSHIPS:
        if boss is not None and (boss, org) not in seen:
            raise ValueError(f"{boss} supervises {user} in {org} without being listed first there")
        seen.add((user, org))


def demo_rows() -> list[tuple[type[Base], dict[str, Any]]]:
    """Parents before children, so foreign keys hold at every insert."""
    check_reporting_lines()
    rows: list[tuple[type[Base], dict[str, Any]]] = []
    rows += [
        (Organization, {"id": demo_id("org", slug), "slug": slug, "name": name})
        for slug, name in ORGS.items()
    ]
    rows += [
        (User, {"id": demo_id("user", n), "subject": subject_of(n), "email": e, "name": full})
        for n, (e, full) in USERS.items()
    ]
    rows += [
        (
            Membership,
            {
                "id": demo_id("membership", u, o),
                "user_id": demo_id("user", u),
                "organization_id": demo_id("org", o),
                "role": role,
                "supervisor_id": demo_id("user", boss) if boss else None,
            },
        )
        for u, o, role, boss in MEMBERSHIPS
    ]
    rows += [
        (
            EvaluationPeriod,
            {
                "id": period_id(o, key),
                "organization_id": demo_id("org", o),
                "name": name,
                "starts_on": start,
                "ends_on": end,
                "status": st,
            },
        )
        for o, key, name, start, end, st in PERIODS
    ]
    rows += [
        (
            Competency,
            {
                "id": demo_id("competency", o, name),
                "organization_id": demo_id("org", o),
                "name": name,
                "ideal_actions": actions,
            },
        )
        for o, comps in COMPETENCIES.items()
        for name, actions in comps.items()
    ]
    goals = _goals()
    rows += [(Goal, goal) for goal in goals]
    # Each goal's events after every goal: an event's order (seq) is the order given here.
    rows += [(GoalEvent, event) for goal in goals for event in _events(goal)]
    return rows


async def seed_demo(session: AsyncSession) -> int:
    """Insert the demo rows that are missing; returns how many were inserted.

    A demo goal's events are written with the goal: a goal that is there already keeps the
    history it has (its later events must stay after its first ones)."""
    inserted = 0
    new_goals: set[uuid.UUID] = set()
    events: list[dict[str, Any]] = []
    for model, values in demo_rows():
        if model is GoalEvent:
            if values["goal_id"] in new_goals:
                events.append(values)
        elif await session.get(model, values["id"]) is None:
            session.add(model(**values))
            await session.flush()
            inserted += 1
            if model is Goal:
                new_goals.add(values["id"])
    if events:
        # A re-inserted goal (deleted since it was seeded) keeps its first events.
        known = set(
            (
                await session.scalars(
                    select(GoalEvent.id).where(GoalEvent.id.in_([e["id"] for e in events]))
                )
            ).all()
        )
        missing = [e for e in events if e["id"] not in known]
        await append_events(session, missing)
        inserted += len(missing)
    await session.commit()
    return inserted


def _rows_by_model() -> dict[type[Base], list[dict[str, Any]]]:
    """The demo rows grouped per table, parents first: one bulk statement per table."""
    by_model: dict[type[Base], list[dict[str, Any]]] = {}
    for model, values in demo_rows():
        by_model.setdefault(model, []).append(values)
    return by_model


async def reset_demo(session: AsyncSession) -> None:
    """Empty every table and insert the demo rows: a known state for tests and benchmarks."""
    for table in reversed(Base.metadata.sorted_tables):
        await session.execute(table.delete())
    for model, rows in _rows_by_model().items():
        if model is GoalEvent:
            await append_events(session, rows)  # numbered (seq) in the order given
        else:
            await session.execute(insert(model), rows)
    await session.commit()


async def restore_demo(session: AsyncSession) -> int:
    """The demo orgs back to their seeded state, so the README's examples can run again.

    Every goal of the demo orgs and its history is deleted (whoever owns it) and the demo
    goals inserted anew with their seeded history; the other demo rows (orgs, users, memberships,
    periods, competencies) are inserted or overwritten with their seeded values. Anything
    else is left alone: other orgs and their goals, and users, memberships, periods or
    competencies added next to the demo's.
    Returns how many goals were deleted."""
    await begin_write(session)
    demo_orgs = [demo_id("org", slug) for slug in ORGS]
    # The demo's history goes with its goals; the seeded goals' events are written again.
    await session.execute(delete(GoalEvent).where(GoalEvent.organization_id.in_(demo_orgs)))
    removed = await session.execute(
        delete(Goal).where(Goal.organization_id.in_(demo_orgs)).returning(Goal.id)
    )
    deleted = len(removed.all())
    upsert = postgresql.insert if is_postgres(session) else sqlite.insert
    for model, rows in _rows_by_model().items():
        if model is Goal:
            await session.execute(insert(Goal), rows)
            continue
        if model is GoalEvent:
            await append_events(session, rows)
            continue
        statement = upsert(model)
        columns = {name: statement.excluded[name] for name in rows[0] if name != "id"}
        await session.execute(
            statement.on_conflict_do_update(index_elements=["id"], set_=columns), rows
        )
    await session.commit()
    return deleted
