"""Presentation layer of the reports: the house theme, charts and HTML tables.

The curated vocabulary a notebook uses::

    from opsreport.viz import charts, tables, theme
    charts.daily_trend(result.daily, lang)
    tables.table(result.kpis, [tables.Col("label", "指标"), ...])

or the same names directly from ``opsreport.viz`` (``daily_trend``, ``table``, ``Col`` ...).
The machinery (font discovery, number formats) lives in ``fonts`` and ``_format``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use (PEP 562): ``opsreport.viz.text`` and the command line must not pay for
# matplotlib and seaborn. Each public name -> the module that defines it.
_SOURCES = {
    **dict.fromkeys(("Chart", "bar_ranking", "daily_trend", "funnel", "gmv_bridge", "segment_bars",
                     "traffic_sources"), "charts"),
    **dict.fromkeys(("Col", "Html", "Table", "callout", "heading", "kpi_cards", "note", "table"), "tables"),
    **dict.fromkeys(("COLORS", "apply", "house_style"), "theme"),
}
_MODULES = ("charts", "tables", "theme")

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors
    from opsreport.viz import charts, tables, theme
    from opsreport.viz.charts import (
        Chart,
        bar_ranking,
        daily_trend,
        funnel,
        gmv_bridge,
        segment_bars,
        traffic_sources,
    )
    from opsreport.viz.tables import Col, Html, Table, callout, heading, kpi_cards, note, table
    from opsreport.viz.theme import COLORS, apply, house_style


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
    elif name in _SOURCES:
        module = getattr(importlib.import_module(f"{__name__}.{_SOURCES[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = module  # later look-ups skip this function
    return module


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "COLORS",
    "Chart",
    "Col",
    "Html",
    "Table",
    "apply",
    "bar_ranking",
    "callout",
    "charts",
    "daily_trend",
    "funnel",
    "gmv_bridge",
    "heading",
    "house_style",
    "kpi_cards",
    "note",
    "segment_bars",
    "table",
    "tables",
    "theme",
    "traffic_sources",
]
