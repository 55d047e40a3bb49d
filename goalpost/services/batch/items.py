"""What a batch asks for, in domain terms: items with a typed patch, and the error policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from goalpost.models import GoalCategory


class ErrorPolicy(StrEnum):
    SAVE_VALID = "SAVE_VALID"  # valid items save, failing ones are reported
    ALL_OR_NOTHING = "ALL_OR_NOTHING"  # if any item fails, nothing is written


@dataclass(frozen=True)
class GoalPatch:
    """The fields of one category that were sent, by domain name: a field left out is
    absent (unchanged), a field sent as null maps to None (cleared). Values are as sent:
    the plan validates them."""

    category: GoalCategory
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GoalBatchItem:
    """One edit: a create (no id), an update (id) or a delete (id, delete)."""

    client_id: str
    id: str | None = None
    expected_version: int | None = None
    delete: bool = False
    # Normally none (a delete) or one; more than one is the client's mistake, reported as such.
    patches: tuple[GoalPatch, ...] = ()
