"""Patches of each goal category: validated with Pydantic, applied to a goal in memory.

The patch models are built from the field declarations (goal_fields). A patch holds only the
fields the client sent (left out = unchanged, None = cleared); Pydantic's `model_fields_set`
keeps that distinction. Errors carry domain paths such as ("performance", "title").
"""

from __future__ import annotations

import contextlib
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model

from goalpost.domain.goal_fields import (
    ACTION_MAX,
    CATEGORY_FIELDS,
    LIST_MAX,
    TEXT_MAX,
    TITLE_MAX,
    FieldKind,
    category_key,
    category_title,
    for_every_kind,
)
from goalpost.models import Competency, GoalCategory, GoalType
from goalpost.services.batch.items import GoalPatch
from goalpost.services.batch.results import FieldError


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored: PostgreSQL text cannot hold NUL, and lone surrogates
    cannot be encoded at all. None when it can."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text"
    return None


def _storable(text: str) -> str:
    problem = text_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def _unsigned_zero(weight: Decimal) -> Decimal:
    """-0.0 (and 0.00, 0E+2, …) is zero: one zero, so it is stored and echoed as 0, and
    comparing it with a stored 0 finds no change."""
    return Decimal(0) if weight == 0 else weight


Title = Annotated[str, Field(max_length=TITLE_MAX), AfterValidator(_storable)]
LongText = Annotated[str, Field(max_length=TEXT_MAX), AfterValidator(_storable)]
Weight = Annotated[
    Decimal,
    Field(ge=0, le=100, decimal_places=2, allow_inf_nan=False),
    AfterValidator(_unsigned_zero),
]
ActionText = Annotated[str, Field(max_length=ACTION_MAX), AfterValidator(_storable)]
CompetencyIds = Annotated[list[uuid.UUID], Field(max_length=LIST_MAX)]
IdealActions = Annotated[
    dict[uuid.UUID, Annotated[list[ActionText], Field(max_length=LIST_MAX)]],
    Field(max_length=LIST_MAX),
]

# The validated type of each kind of field.
KIND_TYPES: dict[FieldKind, Any] = for_every_kind(
    {
        FieldKind.TITLE: Title,
        FieldKind.TEXT: LongText,
        FieldKind.GOAL_TYPE: GoalType,
        FieldKind.COMPETENCY_IDS: CompetencyIds,
        FieldKind.IDEAL_ACTIONS: IdealActions,
    },
    "the batch's patch validation",
)


class PatchModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: Weight | None = None


PATCH_MODELS: dict[GoalCategory, type[PatchModel]] = {
    category: create_model(  # type: ignore[call-overload]
        f"{category_title(category)}Patch",
        __base__=PatchModel,
        **{f.name: (KIND_TYPES[f.kind] | None, None) for f in fields},
    )
    for category, fields in CATEGORY_FIELDS.items()
}


def parse_patch(patch: GoalPatch) -> PatchModel | list[FieldError]:
    """Validate the sent fields; errors carry domain paths like ("performance", "title")."""
    prefix = category_key(patch.category)
    try:
        # Floats become Decimals through their shortest repr, so 40.1 stays 40.1.
        data = {k: Decimal(repr(v)) if isinstance(v, float) else v for k, v in patch.values.items()}
        return PATCH_MODELS[patch.category].model_validate(data)
    except ValidationError as exc:
        return [FieldError((prefix, *e["loc"]), e["msg"]) for e in exc.errors()]
    except ArithmeticError:
        return [FieldError((prefix, "weight"), "must be a finite number")]


def patched_fields(
    patch: PatchModel, competencies: dict[uuid.UUID, Competency], current: dict[str, Any]
) -> dict[str, Any] | list[FieldError]:
    """The column values this patch sets, checked against the org's competencies."""
    changes: dict[str, Any] = {}
    for name in patch.model_fields_set:
        value = getattr(patch, name)
        if name == "weight":
            changes["weight"] = Decimal("0") if value is None else value
        else:
            changes[name] = value
    if not isinstance(patch, PATCH_MODELS[GoalCategory.COMPETENCY]):
        return changes
    return _competency_fields(changes, competencies, current)


def _competency_fields(
    changes: dict[str, Any], competencies: dict[uuid.UUID, Competency], current: dict[str, Any]
) -> dict[str, Any] | list[FieldError]:
    errors: list[FieldError] = []
    prefix = category_key(GoalCategory.COMPETENCY)
    if changes.get("competency_ids") is not None:
        ids = list(dict.fromkeys(changes["competency_ids"]))
        for i, cid in enumerate(ids):
            if cid not in competencies:
                errors.append(FieldError((prefix, "competency_ids", i), "unknown competency"))
        changes["competency_ids"] = [str(cid) for cid in ids]
    chosen = set(changes.get("competency_ids", current.get("competency_ids")) or [])
    selection = changes.get("selected_ideal_actions", current.get("selected_ideal_actions"))
    if selection is not None:
        cleaned: dict[str, list[str]] = {}
        for cid, actions in selection.items():
            key = str(cid)
            comp = competencies.get(uuid.UUID(key))
            path = (prefix, "selected_ideal_actions", key)
            if key not in chosen:
                if "selected_ideal_actions" in changes:
                    errors.append(FieldError(path, "competency is not part of this goal"))
                continue  # a competency taken off the goal takes its selection with it
            if comp is None:
                continue
            unknown = [a for a in actions if a not in comp.ideal_actions]
            if unknown:
                errors.append(FieldError(path, f"not an ideal action of {comp.name}: {unknown[0]}"))
            cleaned[key] = list(dict.fromkeys(actions))
        changes["selected_ideal_actions"] = cleaned or None
    return errors or changes


def referenced_competencies(patch: GoalPatch) -> set[uuid.UUID]:
    """Competency ids a raw patch mentions, so they can be loaded in one SELECT up front."""
    if patch.category is not GoalCategory.COMPETENCY:
        return set()
    found: set[uuid.UUID] = set()
    raw = patch.values
    mentioned = [*(raw.get("competency_ids") or []), *(raw.get("selected_ideal_actions") or {})]
    for value in mentioned:
        with contextlib.suppress(ValueError):
            found.add(uuid.UUID(str(value)))
    return found
