"""The plan phase of the batch engine, called directly: pure, so no database is needed.

Every rule that decides what an item does (create, update, no-op, delete, or which failure)
lives in `plan_batch`; these tests give it loaded goals and read the plan it makes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from goalpost.models import GoalCategory, GoalStatus
from goalpost.services.batch import (
    ErrorPolicy,
    FieldError,
    GoalBatchItem,
    GoalNotEditable,
    GoalNotFound,
    GoalPatch,
    GoalSaveFailed,
    GoalValidationFailed,
    GoalVersionConflict,
    ProblemCode,
)
from goalpost.services.batch.load import Loaded
from goalpost.services.batch.plan import Owner, Plan, WriteKind, plan_batch
from goalpost.services.batch.policy import apply_error_policy
from goalpost.services.goals import GoalRecord

ORG, OWNER, PERIOD = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
NEW_ID = uuid.UUID(int=1)


def goal(client_id: str, status: GoalStatus = GoalStatus.DRAFT, version: int = 3) -> GoalRecord:
    return GoalRecord(
        id=uuid.uuid5(ORG, client_id),
        organization_id=ORG,
        owner_id=OWNER,
        period_id=PERIOD,
        category=GoalCategory.CORE_VALUE,
        client_id=client_id,
        weight=Decimal("10"),
        status=status,
        version=version,
        created_at=NOW,
        updated_at=NOW,
        core_value_plan="plan",
    )


def core_value(**values: object) -> tuple[GoalPatch, ...]:
    return (GoalPatch(GoalCategory.CORE_VALUE, values),)


def plan(items: list[GoalBatchItem], *existing: GoalRecord, room: int = 10) -> Plan:
    loaded = Loaded(
        by_id={g.id: g for g in existing},
        by_client_id={g.client_id: g for g in existing},
        competencies={},
    )
    owner = Owner(ORG, OWNER, PERIOD, room=room, max_goals=room)
    return plan_batch(items, range(len(items)), loaded, owner, now=NOW, new_id=lambda: NEW_ID)


def test_a_create_becomes_a_draft_at_version_1() -> None:
    made = plan([GoalBatchItem("tmp-1", patches=core_value(core_value_plan="x", weight=12.5))])
    write = made.writes[0]
    assert write.kind is WriteKind.INSERT and write.created and write.before is None
    assert write.after is not None
    assert (write.after.id, write.after.status, write.after.version) == (NEW_ID, "DRAFT", 1)
    assert (write.after.weight, write.after.core_value_plan) == (Decimal("12.5"), "x")


def test_a_create_leaves_every_field_it_does_not_set_at_its_default() -> None:
    made = plan([GoalBatchItem("tmp-1", patches=core_value(core_value_plan="x"))])
    created = made.writes[0].after
    assert created is not None
    expected = GoalRecord(
        id=NEW_ID,
        organization_id=ORG,
        owner_id=OWNER,
        period_id=PERIOD,
        category=GoalCategory.CORE_VALUE,
        client_id="tmp-1",
        weight=Decimal(0),
        status=GoalStatus.DRAFT,
        version=1,
        created_at=NOW,
        updated_at=NOW,
        core_value_plan="x",
    )
    # values(): every column, as the write phase reads them.
    assert created.values() == expected.values()


def test_a_malformed_id_names_no_goal() -> None:
    made = plan([GoalBatchItem("k", id="not-a-uuid", patches=core_value(weight=5))], goal("k"))
    assert made.results == {0: GoalNotFound("k")} and not made.writes


def test_updates_noops_and_deletes() -> None:
    a, b, c = goal("a"), goal("b"), goal("c")
    made = plan(
        [
            GoalBatchItem("a", id=str(a.id), expected_version=3, patches=core_value(weight=20)),
            GoalBatchItem("b", id=str(b.id), patches=core_value(core_value_plan="plan")),
            GoalBatchItem("c", id=str(c.id), delete=True),
        ],
        a,
        b,
        c,
    )
    assert [made.writes[i].kind for i in range(3)] == [
        WriteKind.UPDATE,
        WriteKind.NOOP,
        WriteKind.DELETE,
    ]
    updated = made.writes[0].after
    assert updated is not None and (updated.version, updated.weight) == (4, Decimal(20))


def test_editing_a_returned_goal_makes_it_a_draft_again() -> None:
    returned = goal("r", GoalStatus.REJECTED)
    made = plan([GoalBatchItem("r", id=str(returned.id), patches=core_value(weight=1))], returned)
    assert made.writes[0].after is not None and made.writes[0].after.status is GoalStatus.DRAFT


def test_failures_are_typed_results() -> None:
    stale, approved = goal("s"), goal("ap", GoalStatus.APPROVED)
    made = plan(
        [
            GoalBatchItem("s", id=str(stale.id), expected_version=2, patches=core_value(weight=1)),
            GoalBatchItem("ap", id=str(approved.id), patches=core_value(weight=1)),
            GoalBatchItem("gone", id=str(uuid.uuid4()), patches=core_value(weight=1)),
        ],
        stale,
        approved,
    )
    assert made.writes == {}
    conflict, not_editable, not_found = (made.results[i] for i in range(3))
    assert isinstance(conflict, GoalVersionConflict) and conflict.current == stale
    assert isinstance(not_editable, GoalNotEditable) and not_editable.status is GoalStatus.APPROVED
    assert isinstance(not_found, GoalNotFound)


def test_validation_errors_carry_domain_paths() -> None:
    existing = goal("g")
    made = plan(
        [
            GoalBatchItem("t", patches=core_value(core_value_plan="x" * 5001)),
            GoalBatchItem("w", patches=core_value(weight=100.001)),
            GoalBatchItem(
                "g", id=str(existing.id), patches=(GoalPatch(GoalCategory.PERFORMANCE, {}),)
            ),
            GoalBatchItem("d", id=str(existing.id), delete=True, patches=core_value(weight=1)),
        ],
        existing,
    )
    paths = {i: [e.path for e in made.results[i].field_errors] for i in range(4)}  # type: ignore[union-attr]
    assert paths == {
        0: [("core_value", "core_value_plan")],
        1: [("core_value", "weight")],
        2: [("performance",)],
        3: [("delete",)],
    }


def test_creates_past_the_cap_fail_in_input_order() -> None:
    made = plan(
        [GoalBatchItem(f"n{i}", patches=core_value(core_value_plan="x")) for i in range(3)],
        room=2,
    )
    assert sorted(made.writes) == [0, 1]
    capped = made.results[2]
    assert isinstance(capped, GoalValidationFailed)
    assert capped.field_errors[0].path == ("core_value",)
    assert "2 goals in this period" in capped.field_errors[0].message


def test_all_or_nothing_rejects_every_other_item() -> None:
    items = [GoalBatchItem("ok"), GoalBatchItem("bad")]
    bad = GoalValidationFailed("bad", (FieldError(("client_id",), "no"),))
    assert apply_error_policy(ErrorPolicy.SAVE_VALID, items, [None, bad]) is None
    assert apply_error_policy(ErrorPolicy.ALL_OR_NOTHING, items, [None, None]) is None
    refused = apply_error_policy(ErrorPolicy.ALL_OR_NOTHING, items, [None, bad])
    assert refused is not None and refused[1] is bad
    assert isinstance(refused[0], GoalSaveFailed)
    assert (refused[0].code, refused[0].retryable) == (ProblemCode.BATCH_REJECTED, True)
