"""One strict reading of JSON request bodies, for /graphql and the REST twin alike.

`json.loads` takes more than JSON and fails in more ways than `JSONDecodeError`: it reads
NaN and Infinity, turns 1e999 into inf (which no JSON response can carry back), and raises
`UnicodeDecodeError` for bytes that are not UTF-8, a `ValueError` that names a `sys` setting
for a 5000-digit integer, and `RecursionError` for deep nesting. Each of those was a 500.
Here every failure is a `ValueError` that says what is wrong.

Lone surrogates (`"\\ud800"`, what a browser's JSON.stringify sends for a broken string) are
valid JSON text and stay readable: the item rules refuse them field by field.
"""

from __future__ import annotations

import json
import math
from typing import Any


def loads(data: str | bytes) -> Any:
    """The JSON value of `data` (UTF-8), or `ValueError` with a reason fit to show the caller."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        return json.loads(
            text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_int
        )
    except RecursionError:
        raise ValueError("nested too deeply") from None


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
