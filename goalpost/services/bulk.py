"""Fixed-shape bulk SQL: a batch's rows, or a list of keys, bound as ONE parameter.

A statement whose text grows with the batch (VALUES (…), (…) or IN (?, ?, …)) is compiled
again by SQLAlchemy and prepared again by the database for every new size. Bound as one
parameter instead, the text is the same for 1 row or 200: compiled once, cached, and
prepared once. PostgreSQL reads rows with json_to_recordset and keys as a typed array;
SQLite reads both with json_each.

The document is built per value of every row, so its cost grows with the batch: only the
columns whose type has a bind processor are converted, and orjson (which writes uuids and
datetimes itself) encodes it, several times faster than `json.dumps(default=str)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from functools import cache
from typing import Any

import orjson
from sqlalchemy import JSON, ColumnElement, Text, any_, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable, column
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
    document = []
    for row in rows:
        values = dict(row)
        for name, encode in encoders:
            value = values.get(name)
            if value is not None:  # NULL binds as NULL: JSON null
                values[name] = encode(value)
        document.append(values)
    return _dumps(document)


async def execute_with_rows(
    session: AsyncSession,
    statement_for: Callable[[str], Executable],
    spec: RowSpec,
    rows: Iterable[dict[str, Any]],
) -> Result[Any]:
    """Run the statement this database's dialect gets from `statement_for` (a cached
    builder over rows_table) with `rows` bound as its rows document."""
    statement = statement_for(session.get_bind().dialect.name)
    return await session.execute(statement, {"rows": rows_document(session, spec, rows)})


def any_of(dialect: str, key: ColumnElement[Any], *, param: str) -> ColumnElement[bool]:
    """`key IN` the values bound to `param` as ONE parameter (keys_value: an array on
    PostgreSQL, a JSON list on SQLite). Without a value of its own, a statement using it can
    be built once and cached: building a SELECT costs more than running it here (~0.1 ms)."""
    if dialect == "postgresql":
        return key == any_(bindparam(param, type_=postgresql.ARRAY(key.type)))
    document = bindparam(param, type_=Text)
    return key.in_(select(column("value")).select_from(func.json_each(document)))


def keys_value(session: AsyncSession, key_type: TypeEngine[Any], values: Collection[Any]) -> Any:
    """The value of an any_of parameter: the keys as this database binds them."""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        return list(values)
    encoders = _encoders(dialect, (("key", key_type),))
    return _dumps([encoders[0][1](v) for v in values] if encoders else list(values))


@cache
def _encoders(dialect: Dialect, spec: RowSpec) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """The columns whose values this database binds converted (SQLite: a uuid as its hex, a
    timestamp as text), with their converters; JSON columns go into the document as they are."""
    encoders = []
    for name, type_ in spec:
        process = None if isinstance(type_, JSON) else type_.bind_processor(dialect)
        if process is not None:
            encoders.append((name, process))
    return tuple(encoders)


def _dumps(document: Any) -> str:
    """The document as JSON text: what orjson cannot write itself (a Decimal) as its str, as
    `json.dumps(default=str)` did. orjson refuses what json writes escaped (a lone surrogate
    in a string): json writes those, so the database answers as it always did."""
    try:
        return orjson.dumps(document, default=str).decode()
    except orjson.JSONEncodeError:
        return json.dumps(document, default=str)
