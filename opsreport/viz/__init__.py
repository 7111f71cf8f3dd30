"""Presentation layer of the reports: the house theme, charts and HTML tables.

The curated vocabulary a notebook uses::

    from opsreport.viz import charts, tables, theme
    charts.daily_trend(result.daily, lang)
    tables.table(result.kpis, [tables.Col("label", "指标"), ...])

or the same names directly from ``opsreport.viz`` (``daily_trend``, ``table``, ``Col`` ...).
The machinery (font discovery, number formats) lives in ``fonts`` and ``_format``.
"""

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
