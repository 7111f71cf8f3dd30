"""Number formats of the presentation layer: the units a table column or chart may declare.

The digits come from ``opsreport.viz.numbers`` (Babel); this module adds the column units
beyond the registry's (``pct_change``, ``pp_change``, ``text``, ``date``, ``int``) and the
one ``format_cell`` a table or card calls for any of them.
"""

from __future__ import annotations

from opsreport.viz import numbers
from opsreport.viz.numbers import DASH, MINUS, UNITS, axis_label, compact, missing

__all__ = [
    "ALL_UNITS",
    "DASH",
    "EXTRA_UNITS",
    "MINUS",
    "NUMERIC_UNITS",
    "axis_label",
    "check_unit",
    "compact",
    "format_cell",
    "missing",
]

#: Units a table column or chart accepts beyond the registry's own.
EXTRA_UNITS = ("pct_change", "pp_change", "count_change", "text", "date", "int")
ALL_UNITS = UNITS + EXTRA_UNITS
#: Units whose cells are numbers (right-aligned, class "num").
NUMERIC_UNITS = frozenset(UNITS) | {"pct_change", "pp_change", "count_change", "int"}


def check_unit(unit: str, where: str) -> None:
    if unit not in ALL_UNITS:
        raise ValueError(f"{where}: unknown unit {unit!r}; use one of {', '.join(ALL_UNITS)}")


def format_cell(value, unit: str, lang: str = "zh", *, decimals: int | None = None,
                currency: str = "CNY") -> str:
    """One value in the full format of ``unit`` (registry units plus ``EXTRA_UNITS``).

    ``decimals`` fixes the decimals of a ``yuan`` value (a table passes one number per column
    so that ¥1,234.00 and ¥12.50 line up); ``currency`` is the ISO code of ``yuan`` amounts.
    """
    if missing(value):
        return DASH
    if unit == "text":
        return str(value)
    if unit == "date":
        return numbers.format_date(value, lang)
    if unit == "int":
        return numbers.format_number(value, 0, lang)
    if unit == "pct_change":
        return numbers.format_change(value, "ratio", lang)
    if unit == "pp_change":
        return numbers.format_change(value, "rate", lang)
    if unit == "count_change":  # a change in a count: +18, −3, 0
        return numbers.format_number(value, 0, lang, plus=True)
    return numbers.format_value(value, unit, lang, currency=currency, decimals=decimals)
