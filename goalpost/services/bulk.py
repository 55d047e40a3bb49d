"""Fixed-shape bulk SQL: a batch's rows, or a list of keys, bound as ONE parameter.

A statement whose text grows with the batch (VALUES (…), (…) or IN (?, ?, …)) is compiled
again by SQLAlchemy and prepared again by the database for every new size. Bound as one
parameter instead, the text is the same for 1 row or 200: compiled once, cached, and
prepared once. PostgreSQL reads rows with json_to_recordset and keys as a typed array;
SQLite reads both with json_each.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from functools import cache
from typing import Any

from sqlalchemy import JSON, ColumnElement, Text, any_, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import column
from sqlalchemy.sql.selectable import NamedFromClause
from sqlalchemy.types import TypeEngine

# The columns of a rows parameter: (name, type) pairs, in order.
RowSpec = tuple[tuple[str, TypeEngine[Any]], ...]


def rows_table(
    dialect: str, spec: RowSpec, *, param: str = "rows", name: str = "new"
) -> NamedFromClause:
    """The JSON document bound to `param` as a table with `spec`'s typed columns."""
    document = bindparam(param, type_=Text)
    if dialect == "postgresql":
        return (
            func.json_to_recordset(cast(document, postgresql.JSON))
            .table_valued(*(column(n, t) for n, t in spec))
            .render_derived(name=name, with_types=True)
        )
    value = column("value", Text)
    return (
        select(*(func.json_extract(value, f"$.{n}").label(n) for n, _ in spec))
        .select_from(func.json_each(document))
        .subquery(name)
    )


def rows_document(session: AsyncSession, spec: RowSpec, rows: Iterable[dict[str, Any]]) -> str:
    """The value for a rows_table parameter: each value as its column's type binds it on this
    database (SQLite: a uuid as its hex, a timestamp as text); JSON columns as they are."""
    encoders = _encoders(session.get_bind().dialect, spec)
    return json.dumps([{n: encoders[n](v) for n, v in r.items()} for r in rows], default=str)


def one_of(
    session: AsyncSession, key: ColumnElement[Any], values: Collection[Any], *, param: str
) -> ColumnElement[bool]:
    """`key IN values` with the values bound as one parameter (an array on PostgreSQL)."""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        array = bindparam(param, list(values), type_=postgresql.ARRAY(key.type))
        return key == any_(array)
    encode = _encoders(dialect, (("key", key.type),))["key"]
    document = bindparam(param, json.dumps([encode(v) for v in values], default=str), type_=Text)
    return key.in_(select(column("value")).select_from(func.json_each(document)))


@cache
def _encoders(dialect: Dialect, spec: RowSpec) -> dict[str, Callable[[Any], Any]]:
    encoders: dict[str, Callable[[Any], Any]] = {}
    for name, type_ in spec:
        process = None if isinstance(type_, JSON) else type_.bind_processor(dialect)
        encoders[name] = process or _unchanged
    return encoders


def _unchanged(value: Any) -> Any:
    return value
