"""Number formats of the presentation layer.

Full formats (tables) come from the metric registry (``format_value``, ``format_change``); this
module adds the change formats a table column can ask for and the compact forms used on chart
axes and annotations, where ¥1,234,567 is too wide: ¥123.5万 in Chinese, ¥1.23M in English.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from opsreport.metrics.registry import UNITS, format_change, format_value

#: Units a table column or chart accepts beyond the registry's own.
EXTRA_UNITS = ("pct_change", "pp_change", "text", "date", "int")
ALL_UNITS = UNITS + EXTRA_UNITS
#: Units whose cells are numbers (right-aligned, class "num").
NUMERIC_UNITS = frozenset(UNITS) | {"pct_change", "pp_change", "int"}

DASH = "–"


def missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(math.isnan(value))
    except (TypeError, ValueError):
        return False


def check_unit(unit: str, where: str) -> None:
    if unit not in ALL_UNITS:
        raise ValueError(f"{where}: unknown unit {unit!r}; use one of {', '.join(ALL_UNITS)}")


def format_cell(value, unit: str) -> str:
    """One value in the full format of ``unit`` (registry units plus ``EXTRA_UNITS``)."""
    if missing(value):
        return DASH
    if unit == "text":
        return str(value)
    if unit == "date":
        if isinstance(value, (dt.date, pd.Timestamp)):
            return value.strftime("%Y-%m-%d")
        return str(value)
    if unit == "int":
        return f"{value:,.0f}"
    if unit == "pct_change":
        return format_change(value, "ratio")
    if unit == "pp_change":
        return format_change(value, "rate")
    return format_value(value, unit)


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(value: float, lang: str) -> str:
    """|value| with a Chinese (万, 亿) or English (k, M, B) magnitude suffix, 3 significant digits."""
    v = abs(value)
    steps = ((1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, "B"), (1e6, "M"), (1e3, "k"))
    for size, suffix in steps:
        if v >= size:
            s = v / size
            break
    else:
        return f"{v:,.0f}" if v >= 100 or v == int(v) else _trim(f"{v:.2f}")
    digits = 0 if s >= 100 else 1 if s >= 10 else 2
    return _trim(f"{s:,.{digits}f}") + suffix


def compact(value, unit: str, lang: str, *, signed: bool = False) -> str:
    """Short form of a value for charts: ¥123.5万 / ¥1.23M, 12.3万 / 123k, 3.45%, +1.2 pp."""
    if missing(value):
        return DASH
    if unit in ("pct_change", "pp_change"):
        return format_cell(value, unit)
    sign = ("+" if value > 0 else "-" if value < 0 else "±") if signed else ("-" if value < 0 else "")
    if unit == "yuan":
        return f"{sign}¥{_scaled(value, lang)}"
    if unit in ("count", "int"):
        return f"{sign}{_scaled(value, lang)}"
    if unit == "rate":  # 1 decimal from 10% up (31.2%), 2 below (3.45%)
        return f"{sign}{abs(value):.{1 if abs(value) >= 0.1 else 2}%}"
    if unit == "ratio":
        return f"{sign}{abs(value):,.2f}"
    if unit in ("seconds", "days"):
        return sign + format_value(abs(value), unit)
    return str(value)


def axis_label(value: float, unit: str, lang: str) -> str:
    """A tick label: as ``compact`` but with trailing zeros dropped (2%, 2.5%, ¥50万)."""
    if unit == "rate":
        return _trim(f"{value * 100:.2f}") + "%"
    if unit == "pct_change":
        return _trim(f"{value * 100:+.1f}") + "%"
    return compact(value, unit, lang)
