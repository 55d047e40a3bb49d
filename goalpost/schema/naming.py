"""How GraphQL type names are made from domain names."""

from __future__ import annotations

from goalpost.models import GoalCategory


def type_name(category: GoalCategory) -> str:
    """PERFORMANCE → Performance, CORE_VALUE → CoreValue."""
    return "".join(part.title() for part in category.value.split("_"))
