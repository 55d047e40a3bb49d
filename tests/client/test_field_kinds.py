"""Every declared field, of every kind, through the Python client: `AutoSaver.add` checks and
sends it, and `my_goals` reads it back as the server holds it."""

from __future__ import annotations

import pytest

from goalpost.client import AutoSaver, GoalpostClient
from goalpost.models import GoalCategory
from tests.conftest import ACME_ACTIVE
from tests.field_kinds import every_kind_is_declared, graphql_patch, shown


async def test_the_client_takes_and_shows_every_field(alice: GoalpostClient) -> None:
    every_kind_is_declared()
    async with AutoSaver(alice, "acme", ACME_ACTIVE) as saver:
        keys = {c: saver.add(c.value, graphql_patch(c)) for c in GoalCategory}
        await saver.flush()
        assert {c: saver.state(k).state for c, k in keys.items()} == dict.fromkeys(
            GoalCategory, "saved"
        )
    goals = {g.id: g for g in await alice.my_goals("acme", ACME_ACTIVE)}
    for category, key in keys.items():
        goal = goals[saver.state(key).id]
        assert {n: goal.fields[n] for n in shown(category)} == shown(category), category


@pytest.mark.parametrize("category", list(GoalCategory))
async def test_the_client_refuses_a_wrongly_typed_value_of_every_field(
    alice: GoalpostClient, category: GoalCategory
) -> None:
    """Each kind's check is real: a number where the field takes something else fails."""
    saver = AutoSaver(alice, "acme", ACME_ACTIVE)
    for name in graphql_patch(category):
        with pytest.raises(TypeError, match=name):
            saver.add(category.value, {name: 12345})
