"""docs/review.md's example, run as printed on fresh demo data."""

from __future__ import annotations

import json

from tests.conftest import ACME_ACTIVE, GraphQL
from tests.test_readme import DOCS, fenced, section


async def test_documented_review_example_gives_the_printed_answer(graphql: GraphQL) -> None:
    text = section("Example", DOCS / "review.md")
    team, mutation = fenced(text, "graphql")
    [answer] = fenced(text, "json")
    listed = await graphql(team, {"period": ACME_ACTIVE}, user="carol")
    goals = listed["data"]["organization"]["period"]["teamGoals"]
    assert [(g["clientId"], g["owner"]["name"]) for g in goals] == [
        ("alice-perf-submitted", "Alice Anders")
    ]
    assert await graphql(mutation, user="carol") == json.loads(answer)
