"""Earlier versions of the service, rebuilt in the bench server process only, so that a fix
can be measured side by side with the code before it (never used by goalpost itself).

`per-request-validation-rules` is goalpost before commit 5bb03be: QueryDepthLimiter and
MaxAliasesLimiter, passed as factories, defined a *new* validation rule class on every
request. The rules tuple then differed on every request, so Strawberry's ValidationCache
(keyed by schema, document and rules) never hit and every request validated its whole
document again. The fix builds the rules once in build_schema. Here every request gets fresh
subclasses of those rules again: same checks, new cache keys, as before the fix.

`strawberry-input-conversion` is goalpost before the batch items were converted straight to
the core's items (goalpost/schema/inputs.py, `item_from_input`): Strawberry builds a
GoalBatchItemInput, its patch inputs and a `Some` per sent field, as its `convert_argument`
does for an input type without a `from_input` hook, and that object is then mapped to the
core's GoalBatchItem.

`python-per-item` is goalpost before commit 70e8497 made the core's per-item work cheaper:
GoalRecords built by the frozen dataclass's own __init__ and changed with
`dataclasses.replace`, every goal id parsed again in each phase, and a history event's
changes compared field by field through a generator.
"""

from __future__ import annotations

from typing import Any

VARIANTS = (
    "none",
    "per-request-validation-rules",
    "strawberry-input-conversion",
    "python-per-item",
)
# What `make bench` says each variant is, next to the current code.
WHAT = {
    "per-request-validation-rules": "before: validation rules rebuilt per request (goalpost "
    "before 5bb03be); after: the current code, rules built once so ValidationCache hits",
    "strawberry-input-conversion": "before: Strawberry's own conversion of each "
    "GoalBatchItemInput, then mapped to the core's item; after: the current code, items "
    "converted once, straight from the coerced variables",
    "python-per-item": "before: GoalRecords built by the dataclass __init__ and "
    "dataclasses.replace, ids parsed in every phase, history changes through a generator "
    "(goalpost before 70e8497); after: the current code",
}


def apply(variant: str) -> None:
    if variant == "none":
        return
    if variant == "strawberry-input-conversion":
        strawberry_input_conversion()
        return
    if variant == "python-per-item":
        python_per_item()
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


def strawberry_input_conversion() -> None:
    import dataclasses

    from strawberry.types.arguments import InputContext

    from goalpost.domain.goal_fields import category_key
    from goalpost.models import GoalCategory
    from goalpost.schema import inputs
    from goalpost.services.batch import GoalBatchItem, GoalPatch

    definition = inputs.GoalBatchItemInput.__strawberry_definition__

    def sent_values(patch: object) -> dict[str, Any]:
        sent: dict[str, Any] = {}
        for f in dataclasses.fields(patch):  # type: ignore[arg-type]
            maybe = getattr(patch, f.name)
            if maybe is None:
                continue
            value = maybe.value
            if f.name in inputs.IDEAL_ACTION_FIELDS and value is not None:
                value = {s.competency_id: s.actions for s in value}
            sent[f.name] = value
        return sent

    def stock(cls: type, value: Any, context: InputContext) -> GoalBatchItem:
        # Strawberry's convert_argument for an input type without the hook, verbatim.
        kwargs: dict[str, Any] = {
            f.python_name: None
            for f in definition.fields
            if f.default_value is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        }
        for f in definition.fields:
            name = context.config.name_converter.from_field(f)
            if name in value:
                field_type = f.resolve_type(type_definition=definition)
                kwargs[f.python_name] = context.convert(value[name], field_type, name)
        item = cls(**kwargs)
        patches = tuple(
            GoalPatch(category, sent_values(patch))
            for category in GoalCategory
            if (patch := getattr(item, category_key(category))) is not None
        )
        return GoalBatchItem(
            client_id=item.client_id,
            id=item.id,
            expected_version=item.expected_version,
            delete=bool(item.delete),
            patches=patches,
        )

    definition.from_input = stock


def python_per_item() -> None:
    import dataclasses
    import uuid
    from collections.abc import Iterator, Mapping

    from goalpost.services import guard, history
    from goalpost.services.batch import keys, load, review
    from goalpost.services.goals import GOAL_COLUMNS, GoalRecord

    def from_row(cls: type[GoalRecord], row: Mapping[Any, Any]) -> GoalRecord:
        return cls(**{name: row[name] for name in GOAL_COLUMNS})

    def values(self: GoalRecord) -> dict[str, Any]:
        return {name: getattr(self, name) for name in GOAL_COLUMNS}

    def with_changes(self: GoalRecord, **changes: Any) -> GoalRecord:
        return dataclasses.replace(self, **changes)

    def parse_uuid(value: Any) -> uuid.UUID | None:
        if isinstance(value, uuid.UUID):
            return value
        try:
            return uuid.UUID(str(value))
        except (ValueError, TypeError, AttributeError):
            return None

    def differences(
        before: GoalRecord | None, after: GoalRecord | None
    ) -> Iterator[tuple[str, Any, Any]]:
        goal = after if after is not None else before
        assert goal is not None
        for name in history.TRACKED_FIELDS[goal.category]:
            old = history.json_value(getattr(before, name)) if before is not None else None
            new = history.json_value(getattr(after, name)) if after is not None else None
            if old != new:
                yield name, old, new

    setattr(GoalRecord, "from_row", classmethod(from_row))  # noqa: B010
    setattr(GoalRecord, "values", values)  # noqa: B010
    setattr(GoalRecord, "with_changes", with_changes)  # noqa: B010
    for module in (guard, keys, load, review):  # each imported the name
        setattr(module, "parse_uuid", parse_uuid)  # noqa: B010
    setattr(history, "_differences", differences)  # noqa: B010
