"""A goal field is declared once (goalpost/domain/goal_fields.py); everything else either
derives from that table or is checked against it here: the GraphQL types and patch inputs,
the REST patch models, the database model, the Python client's documents, the TypeScript
client's fragment and the goal sheet's form fields (`/web/documents.js`). A field added to the
table and forgotten elsewhere fails here, naming the place."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from graphql import FieldNode, FragmentDefinitionNode, InlineFragmentNode, parse, print_ast

from goalpost.client import documents
from goalpost.domain.goal_fields import CATEGORY_FIELDS, FieldKind, camel
from goalpost.models import Goal, GoalCategory
from goalpost.services.goals import GOAL_COLUMNS, GoalRecord

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "goalpost" / "web"
TS_FRAGMENTS = ROOT / "clients" / "typescript" / "src" / "operations" / "fragments.graphql"
TYPE_NAMES = {
    GoalCategory.PERFORMANCE: "Performance",
    GoalCategory.COMPETENCY: "Competency",
    GoalCategory.CORE_VALUE: "CoreValue",
}
INTERFACE_FIELDS = {
    "id",
    "clientId",
    "category",
    "status",
    "weight",
    "version",
    "createdAt",
    "updatedAt",
    "history",  # resolved from the goal_events table, not a goal field
    "review",  # the supervisor's last review (docs/review.md), not a goal field
    "owner",  # resolved from the users table
}


def declared(category: GoalCategory, spell: bool = True) -> set[str]:
    return {camel(f.name) if spell else f.name for f in CATEGORY_FIELDS[category]}


def fragment_fields(source: str) -> dict[str, set[str]]:
    """`... on XGoal { a b c }` of a GraphQL fragment → {"XGoal": {"a", "b", "c"}}."""
    found: dict[str, set[str]] = {}
    for definition in parse(source).definitions:
        for selection in definition.selection_set.selections:  # type: ignore[attr-defined]
            if isinstance(selection, InlineFragmentNode) and selection.type_condition:
                found[selection.type_condition.name.value] = {
                    s.name.value
                    for s in selection.selection_set.selections
                    if isinstance(s, FieldNode)
                }
    return found


async def test_graphql_goal_types_and_patch_inputs(http: httpx.AsyncClient) -> None:
    query = "{ __schema { types { name fields { name } inputFields { name } } } }"
    types = {
        t["name"]: t
        for t in (await http.post("/graphql", json={"query": query})).json()["data"]["__schema"][
            "types"
        ]
    }
    for category, name in TYPE_NAMES.items():
        goal_fields = {f["name"] for f in types[f"{name}Goal"]["fields"]} - INTERFACE_FIELDS
        goal_fields.discard("competencies")  # resolved from competencyIds, not stored
        assert goal_fields == declared(category), name
        patch_fields = {f["name"] for f in types[f"{name}PatchInput"]["inputFields"]}
        assert patch_fields == {"weight"} | declared(category), name


async def test_rest_patch_models(http: httpx.AsyncClient) -> None:
    schemas = (await http.get("/openapi.json")).json()["components"]["schemas"]
    for category, name in TYPE_NAMES.items():
        properties = set(schemas[f"{name}Patch"]["properties"])
        assert properties == {"weight"} | declared(category, spell=False), name


def test_database_model_and_goal_record() -> None:
    columns = {c.name for c in Goal.__table__.columns}
    for category in GoalCategory:
        assert declared(category, spell=False) <= columns, category
    assert set(GOAL_COLUMNS) == set(GoalRecord.__dataclass_fields__)


def test_python_client_documents_select_every_field() -> None:
    selected = fragment_fields(documents.GOAL_FIELDS)
    for category, name in TYPE_NAMES.items():
        assert selected[f"{name}Goal"] == declared(category), name


async def test_goal_sheet_gets_its_form_fields_from_the_server(http: httpx.AsyncClient) -> None:
    response = await http.get("/web/documents.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    exports = {
        name: json.loads(value)
        for name, value in re.findall(r"^export const (\w+) = (.*);$", response.text, re.M)
    }
    for category in GoalCategory:
        shown = {f["name"] for f in exports["FORM_FIELDS"][category.value]}
        form_fields = {
            camel(f.name)
            for f in CATEGORY_FIELDS[category]
            if f.kind in (FieldKind.TITLE, FieldKind.TEXT, FieldKind.GOAL_TYPE)
        }
        assert shown == form_fields, category
    # The built sheet reads them there at run time: it keeps no copy of its own.
    assert 'from"/web/documents.js"' in (WEB / "app.js").read_text().replace(" ", "")


def test_typescript_goal_fragment_selects_every_field() -> None:
    """The TypeScript package's and the sheet's GoalFields (their types follow from
    schema.graphql; what they select is written once, in fragments.graphql)."""
    source = TS_FRAGMENTS.read_text()
    goal_fields = next(
        print_ast(d)
        for d in parse(source).definitions
        if isinstance(d, FragmentDefinitionNode) and d.name.value == "GoalFields"
    )
    selected = fragment_fields(goal_fields)
    for category, name in TYPE_NAMES.items():
        assert selected[f"{name}Goal"] == declared(category), f"{TS_FRAGMENTS}: {name}Goal"
