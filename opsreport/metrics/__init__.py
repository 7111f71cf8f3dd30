"""The metric registry and the code that computes metrics at any grain.

- `registry`: registry.yaml read as data: parts, metrics (label, unit, direction, form), definitions.
- `compute(keys, parts)` (forms.py): every metric formed from its parts, a mapping or a frame at any grain.
- `query(wh, keys, shop_id, start, end, by, where)`: parts aggregated in the engine from the
  semantic models (`models`), then `compute` (`engine`).
- `formulas`: the weekly review's metric sets on top of `compute`; `queries`: its engine-side parts.
"""

from .forms import compute
from .registry import (
    Metric,
    MetricError,
    UnknownMetricError,
    definitions,
    format_change,
    format_value,
    metric,
    metrics,
    parts,
    ratio,
)

__all__ = [
    "Metric",
    "MetricError",
    "UnknownMetricError",
    "compute",
    "definitions",
    "format_change",
    "format_value",
    "metric",
    "metrics",
    "parts",
    "query",
    "ratio",
]


def __getattr__(name: str):
    if name == "query":  # the engine imports Ibis and the warehouse: only when asked for
        from .engine import query

        return query
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
