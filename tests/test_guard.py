"""The org-context guard (docs/auth.md): membership decides access, and errors leak nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from goalpost.testing import StatementCounter
from tests.batch.helpers import BATCH, TWO_BATCHES, batch_input, two_batches_input
from tests.conftest import ACME_ACTIVE, ACME_CLOSED, GLOBEX_ACTIVE, GraphQL, error_codes
from tests.review.helpers import SUBMIT
from tests.test_auth import hs256, valid_claims

ORG = """
query ($slug: String!) {
  organization(slug: $slug) { slug name competencies { name } periods { id } }
}
"""
ORG_PERIOD = """
query ($slug: String!, $period: ID!) {
  organization(slug: $slug) {
    period(id: $period) { id name myGoals { clientId } weightTotals { performance } }
  }
}
"""
MEMBERSHIPS = "{ me { email memberships { role organization { slug name } } } }"


async def post_as(
    http: httpx.AsyncClient,
    token: Callable[[str], str],
    user: str,
    query: str,
    variables: dict[str, Any],
) -> httpx.Response:
    return await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token(user)}"},
    )


async def test_unknown_org_and_foreign_org_give_byte_identical_errors(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    unknown = await post_as(http, token, "alice", ORG, {"slug": "no-such-org"})
    foreign = await post_as(http, token, "alice", ORG, {"slug": "globex"})
    assert unknown.json()["data"] is None
    assert error_codes(unknown.json()) == ["ORG_NOT_FOUND"]
    assert foreign.json()["errors"] == unknown.json()["errors"]
    assert foreign.status_code == unknown.status_code
    assert foreign.content == unknown.content


async def test_unknown_and_foreign_org_are_identical_below_the_org_too(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    """Asking for a real period of the foreign org must not hint that the org exists."""
    unknown = await post_as(
        http, token, "alice", ORG_PERIOD, {"slug": "no-such-org", "period": GLOBEX_ACTIVE}
    )
    foreign = await post_as(
        http, token, "alice", ORG_PERIOD, {"slug": "globex", "period": GLOBEX_ACTIVE}
    )
    assert error_codes(unknown.json()) == ["ORG_NOT_FOUND"]
    assert foreign.json()["errors"] == unknown.json()["errors"]
    assert foreign.content == unknown.content


async def test_dave_cannot_read_acme(graphql: GraphQL) -> None:
    body = await graphql(ORG, {"slug": "acme"}, user="dave")
    assert body["data"] is None
    assert error_codes(body) == ["ORG_NOT_FOUND"]
    own = await graphql(ORG, {"slug": "globex"}, user="dave")
    assert own.get("errors") is None
    assert own["data"]["organization"]["slug"] == "globex"


async def test_dave_cannot_read_acme_goals_by_period_id(graphql: GraphQL) -> None:
    body = await graphql(ORG_PERIOD, {"slug": "acme", "period": ACME_ACTIVE}, user="dave")
    assert body["data"] is None
    assert error_codes(body) == ["ORG_NOT_FOUND"]


async def test_carol_sees_both_of_her_organizations(graphql: GraphQL) -> None:
    body = await graphql(MEMBERSHIPS, user="carol")
    assert body.get("errors") is None
    memberships = body["data"]["me"]["memberships"]
    assert sorted((m["organization"]["slug"], m["role"]) for m in memberships) == [
        ("acme", "SUPERVISOR"),
        ("globex", "EMPLOYEE"),
    ]
    for slug in ("acme", "globex"):
        org = await graphql(ORG, {"slug": slug}, user="carol")
        assert org.get("errors") is None
        assert org["data"]["organization"]["slug"] == slug


async def test_memberships_list_only_the_callers_orgs(graphql: GraphQL) -> None:
    for user, slugs in {"alice": ["acme"], "bob": ["acme"], "dave": ["globex"]}.items():
        body = await graphql(MEMBERSHIPS, user=user)
        assert [m["organization"]["slug"] for m in body["data"]["me"]["memberships"]] == slugs


async def test_another_orgs_period_is_not_found(graphql: GraphQL) -> None:
    body = await graphql(ORG_PERIOD, {"slug": "acme", "period": GLOBEX_ACTIVE}, user="alice")
    assert body["data"] is None
    assert error_codes(body) == ["PERIOD_NOT_FOUND"]


async def test_period_of_carols_other_org_is_not_found_under_acme(graphql: GraphQL) -> None:
    """Carol may read globex's period, but only under globex: the period must match the org."""
    wrong = await graphql(ORG_PERIOD, {"slug": "acme", "period": GLOBEX_ACTIVE}, user="carol")
    assert error_codes(wrong) == ["PERIOD_NOT_FOUND"]
    right = await graphql(ORG_PERIOD, {"slug": "globex", "period": GLOBEX_ACTIVE}, user="carol")
    assert right.get("errors") is None
    assert right["data"]["organization"]["period"]["id"] == GLOBEX_ACTIVE


@pytest.mark.parametrize(
    "period",
    ["not-a-uuid", "", "   ", str(uuid.uuid4()), "1", "00000000-0000-0000-0000-00000000000g"],
    ids=["not-a-uuid", "empty", "blank", "random-uuid", "number", "almost-uuid"],
)
async def test_malformed_or_unknown_period_id_is_not_found(graphql: GraphQL, period: str) -> None:
    body = await graphql(ORG_PERIOD, {"slug": "acme", "period": period}, user="alice")
    assert body["data"] is None
    assert error_codes(body) == ["PERIOD_NOT_FOUND"]


async def test_period_not_found_is_the_same_for_foreign_and_malformed_ids(
    http: httpx.AsyncClient, token: Callable[[str], str]
) -> None:
    foreign = await post_as(
        http, token, "alice", ORG_PERIOD, {"slug": "acme", "period": GLOBEX_ACTIVE}
    )
    malformed = await post_as(
        http, token, "alice", ORG_PERIOD, {"slug": "acme", "period": "not-a-uuid"}
    )
    assert foreign.json()["errors"] == malformed.json()["errors"]


async def test_members_read_their_orgs_periods_active_and_closed(graphql: GraphQL) -> None:
    for period, name in ((ACME_ACTIVE, "FY2026"), (ACME_CLOSED, "FY2025")):
        body = await graphql(ORG_PERIOD, {"slug": "acme", "period": period}, user="bob")
        assert body.get("errors") is None
        assert body["data"]["organization"]["period"]["name"] == name


async def test_org_and_caller_are_resolved_once_per_request(
    graphql: GraphQL, count_statements: Callable[[], StatementCounter]
) -> None:
    """Many org-scoped fields in one request share one guard: one user and one membership query."""
    query = """
    query ($period: ID!) {
      organization(slug: "acme") {
        competencies { name }
        periods { id }
        a: period(id: $period) { myGoals { id } weightTotals { performance } }
        b: period(id: $period) { myGoals(category: PERFORMANCE) { id } }
      }
    }
    """
    with count_statements() as counter:
        body = await graphql(query, {"period": ACME_ACTIVE}, user="alice")
    assert body.get("errors") is None, body
    lowered = [" ".join(s.lower().split()) for s in counter.statements]
    assert sum("from users" in s for s in lowered) == 1
    assert sum("join memberships" in s for s in lowered) == 1
    assert sum("from evaluation_periods where" in s for s in lowered) == 2  # periods + period


@pytest.mark.parametrize("write", ["batch", "submit"])
@pytest.mark.parametrize(
    ("user", "org", "period", "code"),
    [
        ("alice", "acme", ACME_ACTIVE, None),
        ("mallory", "acme", ACME_ACTIVE, "UNAUTHENTICATED"),  # a valid token, no such user
        ("dave", "acme", ACME_ACTIVE, "ORG_NOT_FOUND"),  # not a member
        ("alice", "no-such-org", ACME_ACTIVE, "ORG_NOT_FOUND"),
        ("alice", "acme", GLOBEX_ACTIVE, "PERIOD_NOT_FOUND"),  # another org's period
        ("alice", "acme", str(uuid.uuid4()), "PERIOD_NOT_FOUND"),
    ],
)
async def test_a_write_asks_once_for_caller_membership_and_period(
    graphql: GraphQL,
    count_statements: Callable[[], StatementCounter],
    dialect: str,
    write: str,
    user: str,
    org: str,
    period: str,
    code: str | None,
) -> None:
    """A write's first question is all three at once: one statement, not three one after
    another, with the same answers and the same order of errors. On PostgreSQL that statement
    also locks the caller's membership (inner joins: no row without one); when it finds no
    row, the outer-join statement tells which error it is, as a read's guard would."""
    item = {"clientId": "guarded", "performance": {"title": "Guarded"}}
    headers = {"authorization": f"Bearer {hs256(valid_claims(sub='demo|mallory'))}"}
    document, variables = (
        (BATCH, batch_input([item], org=org, period=period))
        if write == "batch"
        else (SUBMIT, {"org": org, "period": period})
    )
    with count_statements() as counter:
        body = await graphql(
            document,
            variables,
            user=None if user == "mallory" else user,
            headers=headers if user == "mallory" else None,
        )
    assert error_codes(body) == ([code] if code else []), body
    lowered = [" ".join(s.lower().split()) for s in counter.statements]
    guard = [s for s in lowered if "from users" in s]
    assert all("join memberships" in s and "join evaluation_periods" in s for s in guard)
    assert not any(s.startswith("select") and "from evaluation_periods" in s for s in lowered)
    if dialect != "postgresql":
        assert len(guard) == 1 and "for no key update" not in guard[0], lowered
        return
    assert guard[0].endswith("for no key update of memberships"), guard[0]
    no_membership = code in ("UNAUTHENTICATED", "ORG_NOT_FOUND")
    assert len(guard) == (2 if no_membership else 1), lowered
    if no_membership:  # the outer joins, no lock: which error it is
        assert "left outer join memberships" in guard[1]
        assert "for no key update" not in guard[1]


async def test_a_period_id_in_another_spelling_is_asked_for_once_per_request(
    graphql: GraphQL, count_statements: Callable[[], StatementCounter]
) -> None:
    """Two writes in one request name the period in capitals: the guard's first answer
    serves the second, as it would for the id spelled as stored."""
    with count_statements() as counter:
        body = await graphql(TWO_BATCHES, two_batches_input(ACME_ACTIVE.upper()))
    assert body.get("errors") is None, body
    assert body["data"]["a"]["savedCount"] == body["data"]["b"]["savedCount"] == 1
    lowered = [" ".join(s.lower().split()) for s in counter.statements]
    assert sum("evaluation_periods" in s and s.startswith("select") for s in lowered) == 1
