"""Earlier versions of the service, rebuilt in the bench server process only, so that a fix
can be measured side by side with the code before it (never used by goalpost itself).

`per-request-validation-rules` is goalpost before commit 5bb03be: QueryDepthLimiter and
MaxAliasesLimiter, passed as factories, defined a *new* validation rule class on every
request. The rules tuple then differed on every request, so Strawberry's ValidationCache
(keyed by schema, document and rules) never hit and every request validated its whole
document again. The fix builds the rules once in build_schema. Here every request gets fresh
subclasses of those rules again: same checks, new cache keys, as before the fix.
"""

from __future__ import annotations

from typing import Any

VARIANTS = ("none", "per-request-validation-rules")


def apply(variant: str) -> None:
    if variant == "none":
        return
    if variant != "per-request-validation-rules":
        raise ValueError(f"unknown variant {variant!r}")
    from strawberry.extensions import AddValidationRules

    import goalpost.schema.schema as schema_module

    class PerRequestRules(AddValidationRules):
        def __init__(self, validation_rules: list[Any]) -> None:
            fresh = [type(rule.__name__, (rule,), {}) for rule in validation_rules]
            super().__init__(fresh)

    # build_schema looks the name up in its module when it builds the extensions.
    setattr(schema_module, "AddValidationRules", PerRequestRules)  # noqa: B010
