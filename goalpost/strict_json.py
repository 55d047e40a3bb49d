"""One strict reading of JSON request bodies, for /graphql and the REST twin alike.

`json.loads` takes more than JSON and fails in more ways than `JSONDecodeError`: it reads
NaN and Infinity, turns 1e999 into inf (which no JSON response can carry back), and raises
`UnicodeDecodeError` for bytes that are not UTF-8, a `ValueError` that names a `sys` setting
for a 5000-digit integer, and `RecursionError` for deep nesting. Each of those was a 500.
Here every failure is a `ValueError` that says what is wrong.

Lone surrogates (`"\\ud800"`, what a browser's JSON.stringify sends for a broken string) are
valid JSON text. GraphQL reads them and its item rules refuse them field by field; the REST
twin refuses them up front (`lone_surrogates=False`), as its answers are written as UTF-8,
which cannot carry one back (a 422 echoes its input, `failed` echoes each `client_id`).
"""

from __future__ import annotations

import json
import math
from typing import Any


def loads(data: str | bytes, *, lone_surrogates: bool = True) -> Any:
    """The JSON value of `data` (UTF-8), or `ValueError` with a reason fit to show the caller."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        value = json.loads(
            text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_int
        )
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not lone_surrogates and not _encodable(value):
        raise ValueError("a string is not valid Unicode (a lone surrogate)")
    return value


def _encodable(value: Any) -> bool:
    """No string, key or value, holds a code point UTF-8 cannot encode (nesting is bounded
    by the parse above)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_encodable(v) for v in value)
    return True


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _int(literal: str) -> int:
    try:
        return int(literal)
    except ValueError:  # over sys.get_int_max_str_digits()
        raise ValueError("an integer has too many digits") from None


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"the number {literal[:20]} is too large")
    return value
