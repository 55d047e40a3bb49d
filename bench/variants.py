"""Proposed service changes, tried in the bench server process only (never in goalpost).

`shared-validation-rules`: build_schema (goalpost/schema/schema.py) passes the extensions as
factories, and QueryDepthLimiter / MaxAliasesLimiter define a *new* validation rule class each
time they are constructed. The rules tuple therefore differs on every request, so
Strawberry's ValidationCache (keyed by schema, document and rules) never hits and every
request validates its whole document again. Here the two limiters reuse one rule class per
setting, which is what the proposed fix does (create the rules once in build_schema and pass
them with `AddValidationRules`); the limits enforced are unchanged.
"""

from __future__ import annotations

from typing import Any

VARIANTS = ("none", "shared-validation-rules")


def apply(variant: str) -> None:
    if variant == "none":
        return
    if variant != "shared-validation-rules":
        raise ValueError(f"unknown variant {variant!r}")
    from strawberry.extensions import AddValidationRules
    from strawberry.extensions.max_aliases import create_validator as alias_rule
    from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

    import goalpost.schema.schema as schema_module

    rules: dict[tuple[str, int], Any] = {}

    class SharedDepthLimiter(AddValidationRules):
        def __init__(self, max_depth: int) -> None:
            key = ("depth", max_depth)
            rules.setdefault(key, depth_rule(max_depth, None, None))
            super().__init__([rules[key]])

    class SharedAliasesLimiter(AddValidationRules):
        def __init__(self, max_alias_count: int) -> None:
            key = ("aliases", max_alias_count)
            rules.setdefault(key, alias_rule(max_alias_count))
            super().__init__([rules[key]])

    # build_schema looks these names up in its module each time it builds the extensions.
    setattr(schema_module, "QueryDepthLimiter", SharedDepthLimiter)  # noqa: B010
    setattr(schema_module, "MaxAliasesLimiter", SharedAliasesLimiter)  # noqa: B010
