"""Depth and alias limits that cost one visit per selection of the document.

Strawberry's `QueryDepthLimiter` and `MaxAliasesLimiter` walk a fragment again at every spread,
so `fragment F0 { ...F1 ...F1 } fragment F1 { ...F2 ...F2 } …` costs 2^levels visits: 25 levels
in ~800 bytes froze the server (validation runs on the event loop). Here each fragment is
measured once and its figures are reused at every spread, so the work is linear in the size of
the document (which MaxTokensLimiter bounds), while the limits keep their meaning: depth is the
deepest field nesting with fragments inlined, aliases are counted as if every spread were
written out, introspection fields (`__schema`, `__type`, …) do not count towards depth.

The batch budget is here too: it is a property of the GraphQL document (aliases, fragments,
variables), counted before execution.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension


@dataclass(frozen=True)
class SelectionCost:
    depth: int = 0
    aliases: int = 0


@dataclass
class DocumentCost:
    """Per operation (by name, `anonymous` without one): its depth and aliases; and how many
    selections were visited to find out, which bounds the work of the two limits."""

    depth: dict[str, int] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    visits: int = 0


class _Measure:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[str, SelectionCost] = {}
        self.in_progress: set[str] = set()
        self.visits = 0

    def selection_set(self, node: SelectionSetNode | None) -> SelectionCost:
        depth = aliases = 0
        for selection in node.selections if node is not None else ():
            self.visits += 1
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                aliases += inner.aliases + (1 if selection.alias else 0)
                if selection.selection_set is not None and not selection.name.value.startswith(
                    "__"
                ):
                    depth = max(depth, 1 + inner.depth)
            elif isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
        return SelectionCost(depth, aliases)

    def fragment(self, name: str) -> SelectionCost:
        """Measured once; a cycle (reported by graphql-core's NoFragmentCycles) counts 0."""
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return SelectionCost()
        self.in_progress.add(name)
        cost = self.selection_set(definition.selection_set)
        self.in_progress.discard(name)
        self.memo[name] = cost
        return cost


def measure_document(document: DocumentNode) -> DocumentCost:
    measure = _Measure(document)
    cost = DocumentCost()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            name = definition.name.value if definition.name else "anonymous"
            found = measure.selection_set(definition.selection_set)
            cost.depth[name] = found.depth
            cost.aliases[name] = found.aliases
    cost.visits = measure.visits
    return cost


def operation_limits_rule(max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """One validation rule for both limits, built once so that ValidationCache can hit."""

    class OperationLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            cost = measure_document(context.document)
            for name, depth in cost.depth.items():
                if depth > max_depth:
                    context.report_error(
                        GraphQLError(f"'{name}' exceeds maximum operation depth of {max_depth}")
                    )
            total_aliases = sum(cost.aliases.values())
            if total_aliases > max_aliases:
                context.report_error(
                    GraphQLError(f"{total_aliases} aliases found. Allowed: {max_aliases}")
                )

    return OperationLimits


# Mutation fields that write goal items (saves and reviews share one budget), and how many
# items each of their inputs holds.
BATCH_FIELDS = {"batchSaveGoals": "items", "saveGoal": "item", "reviewGoals": "items"}


def count_batch_items(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any]
) -> int:
    """Goal items the operation asks to write, over all its batch fields, aliases and
    fragments included: GOALPOST_MAX_BATCH_ITEMS is one budget per request, not per field
    (30 aliases sharing one 200-item variable must not write 6,000 items)."""
    operation = _operation(document, operation_name)
    if operation is None or operation.operation is not OperationType.MUTATION:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    total = 0
    for node in _root_fields(operation.selection_set, fragments, set()):
        items_key = BATCH_FIELDS.get(node.name.value)
        if items_key is None:
            continue
        for argument in node.arguments or ():
            if argument.name.value == "input":
                payload = _value(argument.value, variables)
                items = payload.get(items_key) if isinstance(payload, dict) else None
                total += _list_length(items, variables)
    return total


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> list[FieldNode]:
    fields: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            fields += _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                seen.add(name)
                fields += _root_fields(fragments[name].selection_set, fragments, seen)
    return fields


def _value(node: ValueNode, variables: dict[str, Any]) -> Any:
    """An argument as sent: a variable's raw value, or an object literal as a dict of nodes."""
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, ObjectValueNode):
        return {f.name.value: f.value for f in node.fields}
    return node


def _list_length(items: Any, variables: dict[str, Any]) -> int:
    """A list counts its elements; a single value given for a list counts one (GraphQL
    coerces it to a list of one); an absent or null value counts none."""
    if isinstance(items, VariableNode):
        items = variables.get(items.name.value)
    if isinstance(items, ListValueNode):
        return len(items.values)
    if isinstance(items, list):
        return len(items)
    return 0 if items is None or isinstance(items, NullValueNode) else 1


class BatchItemBudget(SchemaExtension):
    """Counts the goal items of the whole operation before anything executes, so that every
    batch field of an over-budget request is refused and nothing at all is written."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.graphql_document is not None and hasattr(ec.context, "batch_items_requested"):
            ec.context.batch_items_requested += count_batch_items(
                ec.graphql_document, ec.operation_name, ec.variables or {}
            )
        yield
