"""Metric values from parts (a part, a difference, a ratio): the one place where metrics are formed.

`compute(keys, parts)` takes parts already summed (or counted) at the grain of interest, a day,
a week, a SKU by week, and forms each metric as the registry declares it: the part itself, a
difference of parts, or a ratio of summed parts. Ratios are recomputed from their parts at
every grain, never averaged, and are NaN (never inf, never 0) when the denominator is 0 or missing.

    >>> compute(["conversion_rate", "uv"], {"buyer_days": 5, "uv_sum": 700, "days": 7})
    {'conversion_rate': 0.007142857142857143, 'uv': 100.0}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import overload

import numpy as np
import pandas as pd

from .registry import Metric, MetricError, ratio, resolve

NAN = float("nan")


@overload
def compute(keys: str | Iterable[str], parts: pd.DataFrame) -> pd.DataFrame: ...
@overload
def compute(keys: str | Iterable[str], parts: Mapping[str, float] | pd.Series) -> dict[str, float]: ...


def compute(keys, parts):
    """Form the registry metrics ``keys`` from ``parts``.

    Parameters
    ----------
    keys : str or list of str
        Registry keys (``opsreport/metrics/registry.yaml``), e.g. ``["gmv", "conversion_rate"]``.
    parts : Mapping, Series or DataFrame
        Part name -> value for one cell (a missing or None part is unknown, so every metric using
        it is NaN), or a frame with one row per cell of some grain and one column per part (a
        missing column is an error).

    Returns
    -------
    dict or DataFrame
        For a mapping, metric key -> value in the order of ``keys``. For a frame, a copy with one
        column per metric added (a part metric such as ``gmv`` keeps its column).

    Raises
    ------
    UnknownMetricError
        A key is not in the registry (the message suggests the closest).
    MetricError
        A frame lacks a part column some metric needs.
    """
    chosen = resolve(keys)
    if isinstance(parts, pd.DataFrame):
        return _frame(chosen, parts)
    values = dict(parts.items())
    return {m.key: _value(m, lambda p: _number(values.get(p))) for m in chosen}


def divide(numerator, denominator):
    """numerator / denominator element-wise, NaN where the denominator is 0 or missing."""
    if isinstance(numerator, (pd.Series, pd.Index, np.ndarray)) or isinstance(denominator, (pd.Series, pd.Index, np.ndarray)):
        den = pd.Series(denominator, copy=False) if isinstance(denominator, np.ndarray) else denominator
        return numerator / den.where(den != 0)
    return ratio(numerator, denominator)


def _number(value):
    return NAN if value is None else value


def _total(names: tuple[str, ...], get):
    total = get(names[0])
    for name in names[1:]:
        total = total + get(name)
    return total


def _value(m: Metric, get):
    """One metric from ``get(part)``; works on numbers and on columns alike."""
    if m.kind == "part":
        return get(m.part)
    if m.kind == "difference":
        return get(m.difference[0]) - get(m.difference[1])
    value = divide(_total(m.numerator, get), _total(m.denominator, get))
    return value * m.scale if m.scale != 1.0 else value


def _frame(chosen: list[Metric], frame: pd.DataFrame) -> pd.DataFrame:
    missing = {m.key: [p for p in m.parts if p not in frame.columns] for m in chosen}
    missing = {k: v for k, v in missing.items() if v}
    if missing:
        need = "; ".join(f"{k} needs {', '.join(v)}" for k, v in missing.items())
        raise MetricError(f"cannot compute from this frame: {need}. Its columns: {', '.join(map(str, frame.columns))}.")
    out = frame.copy()
    for m in chosen:
        out[m.key] = _value(m, out.__getitem__)
    return out
