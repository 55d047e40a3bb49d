"""Validation costs one visit per selection: fragment fan-out cannot freeze the server.

`fragment F0 { ...F1 ...F1 } fragment F1 { ...F2 ...F2 } …` doubles at each level: 25 levels are
~1 KB of query and 2^25 fragment expansions for a limit rule that walks every spread. The work is
measured as a count of Python calls made while the request is served (not a time): a request of 25
levels may cost only a little more than one of 5, and a fan-out past any sane bound is stopped by
the counter itself rather than waited for.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import httpx
from graphql import parse

from goalpost.app import create_app
from goalpost.config import Settings
from goalpost.schema.limits import measure_document
from tests.conftest import ACME_ACTIVE

CALL_CEILING = 5_000_000


class TooMuchWork(Exception):
    pass


@contextmanager
def counting_calls(ceiling: int = CALL_CEILING) -> Iterator[list[int]]:
    """Counts Python function calls in this thread; aborts the work past `ceiling`."""
    calls = [0]

    def tracer(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            calls[0] += 1
            if calls[0] > ceiling:
                raise TooMuchWork(f"more than {ceiling} calls")

    sys.settrace(tracer)  # type: ignore[arg-type]
    try:
        yield calls
    finally:
        sys.settrace(None)


def fan_out(levels: int, root: str = "query { me { ...F0 } }", leaf: str = "email") -> str:
    fragments = " ".join(
        f"fragment F{i} on Me {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{root} {fragments} fragment F{levels} on Me {{ {leaf} }}"


async def calls_to_answer(
    http: httpx.AsyncClient, query: str, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    with counting_calls() as calls:
        response = await http.post("/graphql", json={"query": query}, headers=headers)
    return calls[0], response.json()


async def assert_linear_work(
    http: httpx.AsyncClient, build: Callable[[int], str], headers: dict[str, str]
) -> dict[str, Any]:
    """10 more levels of fan-out cost about the same extra work each time (linear in the size
    of the document), where an expanding rule would cost 2^10 times more. Returns the answer
    to the 25-level request."""
    await calls_to_answer(http, build(1), headers)  # warm caches and lazy imports
    at_5, _ = await calls_to_answer(http, build(5), headers)
    at_15, _ = await calls_to_answer(http, build(15), headers)
    at_25, body = await calls_to_answer(http, build(25), headers)
    assert at_25 - at_15 < 2 * (at_15 - at_5) + 1000, (at_5, at_15, at_25)
    return body


def test_each_fragment_is_measured_once() -> None:
    for levels in (5, 25, 30):
        cost = measure_document(parse(fan_out(levels)))
        # me and its spread, two spreads per fragment level, the leaf: one visit each.
        assert cost.visits == 2 + 2 * levels + 1
        assert cost.depth == {"anonymous": 1}
        assert cost.aliases == {"anonymous": 0}


def test_aliases_count_as_if_every_spread_were_written_out() -> None:
    cost = measure_document(parse(fan_out(25, leaf="a: email")))
    assert cost.aliases == {"anonymous": 2**25}
    assert cost.visits == 2 + 2 * 25 + 1


async def test_fan_out_without_a_token_is_refused_with_bounded_work(
    http: httpx.AsyncClient,
) -> None:
    body = await assert_linear_work(http, fan_out, {})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_fan_out_with_a_token_is_answered_with_bounded_work(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    headers = {"authorization": f"Bearer {token('alice')}"}
    body = await assert_linear_work(http, fan_out, headers)
    assert body == {"data": {"me": {"email": "alice@acme.example"}}}


async def test_fan_out_under_a_mutation_is_bounded_too(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    headers = {"authorization": f"Bearer {token('alice')}"}
    root = (
        f'mutation {{ submitGoals(orgSlug: "acme", periodId: "{ACME_ACTIVE}") '
        "{ submitted ...F0 } }"
    )

    def submit_fan_out(levels: int) -> str:
        fragments = " ".join(
            f"fragment F{i} on SubmitGoalsPayload {{ ...F{i + 1} ...F{i + 1} }}"
            for i in range(levels)
        )
        return f"{root} {fragments} fragment F{levels} on SubmitGoalsPayload {{ submitted }}"

    body = await assert_linear_work(http, submit_fan_out, headers)
    assert "submitGoals" in (body.get("data") or {}), body


async def test_limits_keep_their_meaning_through_fragments(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    aliased = (await http.post("/graphql", json={"query": fan_out(25, leaf="a: email")})).json()
    assert aliased["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert f"{2**25} aliases found" in aliased["errors"][0]["message"]

    # Depth counts the fields of fragments where they are spread: me → memberships →
    # organization → periods is 4 levels, written inline or through three fragments.
    inline = "query Inline { me { memberships { organization { periods { id } } } } }"
    spread = (
        "query Spread { me { ...A } } fragment A on Me { memberships { ...B } } "
        "fragment B on Membership { organization { ...C } } "
        "fragment C on Organization { periods { id } }"
    )
    app = create_app(settings.model_copy(update={"max_query_depth": 3}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://goalpost.test"
    ) as tight:
        for name, query in (("Inline", inline), ("Spread", spread)):
            refused = (await tight.post("/graphql", json={"query": query})).json()
            assert refused["errors"][0]["message"] == (
                f"'{name}' exceeds maximum operation depth of 3"
            )
    await app.state.engine.dispose()
    for query in (inline, spread):  # the default depth (10) allows both
        answered = (await http.post("/graphql", json={"query": query})).json()
        assert answered["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
