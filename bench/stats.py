"""Summaries of repeated measurements: medians with their spread, never a single run."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: a value that was really observed, not an interpolation."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(samples: Sequence[float], *, scale: float = 1.0, digits: int = 3) -> dict[str, Any]:
    """Median, min, max, p95 (and p99, mean) of `samples`, each multiplied by `scale`."""
    if not samples:
        return {"runs": 0}

    def r(value: float) -> float:
        return round(value * scale, digits)

    return {
        "runs": len(samples),
        "median": r(statistics.median(samples)),
        "min": r(min(samples)),
        "max": r(max(samples)),
        "p95": r(percentile(samples, 95)),
        "p99": r(percentile(samples, 99)),
        "mean": r(statistics.fmean(samples)),
    }


def ms(samples: Sequence[float]) -> dict[str, Any]:
    """Seconds in, milliseconds out."""
    return summarize(samples, scale=1000.0)
