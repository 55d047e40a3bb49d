"""Patches of each goal category: validated with Pydantic, applied to a GoalRecord in memory.

A patch is a dict of only the fields the client sent (left out = unchanged, None = cleared),
so "present" is a key in the dict, and Pydantic's `model_fields_set` keeps that distinction.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from goalpost.models import Competency, GoalCategory, GoalType

# The input key of each category's patch, as clients send it.
PATCH_KEYS: dict[str, GoalCategory] = {
    "performance": GoalCategory.PERFORMANCE,
    "competency": GoalCategory.COMPETENCY,
    "coreValue": GoalCategory.CORE_VALUE,
}
CATEGORY_KEYS = {category: key for key, category in PATCH_KEYS.items()}


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


Title = Annotated[str, Field(max_length=200), AfterValidator(_storable)]
LongText = Annotated[str, Field(max_length=5000), AfterValidator(_storable)]
Weight = Annotated[
    Decimal,
    Field(ge=0, le=100, decimal_places=2, allow_inf_nan=False),
    AfterValidator(_unsigned_zero),
]
ActionText = Annotated[str, Field(max_length=500), AfterValidator(_storable)]


class _Patch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: Weight | None = None


class PerformancePatch(_Patch):
    title: Title | None = None
    goal_type: GoalType | None = None
    specific_goal: LongText | None = None
    achievement_criteria: LongText | None = None
    means_methods: LongText | None = None


class CompetencyPatch(_Patch):
    competency_ids: Annotated[list[uuid.UUID], Field(max_length=50)] | None = None
    selected_ideal_actions: (
        Annotated[
            dict[uuid.UUID, Annotated[list[ActionText], Field(max_length=50)]], Field(max_length=50)
        ]
        | None
    ) = None
    action_plan: LongText | None = None


class CoreValuePatch(_Patch):
    core_value_plan: LongText | None = None


PATCH_MODELS: dict[GoalCategory, type[_Patch]] = {
    GoalCategory.PERFORMANCE: PerformancePatch,
    GoalCategory.COMPETENCY: CompetencyPatch,
    GoalCategory.CORE_VALUE: CoreValuePatch,
}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def parse_patch(category: GoalCategory, raw: dict[str, Any]) -> _Patch | list[FieldError]:
    """Validate the sent fields; errors carry paths like `performance.title`."""
    prefix = CATEGORY_KEYS[category]
    try:
        # Floats become Decimals through their shortest repr, so 40.1 stays 40.1.
        data = {k: Decimal(repr(v)) if isinstance(v, float) else v for k, v in raw.items()}
        return PATCH_MODELS[category].model_validate(data)
    except ValidationError as exc:
        return [
            FieldError(
                ".".join([prefix, *(camel(p) if isinstance(p, str) else str(p) for p in e["loc"])]),
                e["msg"],
            )
            for e in exc.errors()
        ]
    except ArithmeticError:
        return [FieldError(f"{prefix}.weight", "must be a finite number")]


def patched_fields(
    patch: _Patch, competencies: dict[uuid.UUID, Competency], current: dict[str, Any]
) -> dict[str, Any] | list[FieldError]:
    """The column values this patch sets, checked against the org's competencies."""
    changes: dict[str, Any] = {}
    for name in patch.model_fields_set:
        value = getattr(patch, name)
        if name == "weight":
            changes["weight"] = Decimal("0") if value is None else value
        else:
            changes[name] = value
    if not isinstance(patch, CompetencyPatch):
        return changes
    return _competency_fields(changes, competencies, current)


def _competency_fields(
    changes: dict[str, Any], competencies: dict[uuid.UUID, Competency], current: dict[str, Any]
) -> dict[str, Any] | list[FieldError]:
    errors: list[FieldError] = []
    if changes.get("competency_ids") is not None:
        ids = list(dict.fromkeys(changes["competency_ids"]))
        for i, cid in enumerate(ids):
            if cid not in competencies:
                errors.append(FieldError(f"competency.competencyIds.{i}", "unknown competency"))
        changes["competency_ids"] = [str(cid) for cid in ids]
    chosen = set(changes.get("competency_ids", current.get("competency_ids")) or [])
    selection = changes.get("selected_ideal_actions", current.get("selected_ideal_actions"))
    if selection is not None:
        cleaned: dict[str, list[str]] = {}
        for cid, actions in selection.items():
            key = str(cid)
            comp = competencies.get(uuid.UUID(key))
            path = f"competency.selectedIdealActions.{key}"
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


def referenced_competencies(category: GoalCategory, raw: dict[str, Any]) -> set[uuid.UUID]:
    """Competency ids a raw patch mentions, so they can be loaded in one SELECT up front."""
    if category is not GoalCategory.COMPETENCY:
        return set()
    found: set[uuid.UUID] = set()
    mentioned = [*(raw.get("competency_ids") or []), *(raw.get("selected_ideal_actions") or {})]
    for value in mentioned:
        with contextlib.suppress(ValueError):
            found.add(uuid.UUID(str(value)))
    return found
