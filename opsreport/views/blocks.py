"""A Block joins headings, tables, charts and notes into one HTML output of a notebook cell.

A block also knows what it shows, for the Excel export: ``heading`` (the section title) and
``tables()`` / ``named_tables()`` (every ``viz.tables.Table`` in it, with a sheet name), so
"every table the report shows is a sheet"::

    sheets = [excel.Sheet.from_table(t, name) for b in blocks for name, t in b.named_tables()]
"""

from __future__ import annotations

import html

from opsreport.viz.charts import figure_html
from opsreport.viz.tables import Heading, Table

#: Excel's limit on a sheet name; longer captions give way to the section heading.
_SHEET_NAME_MAX = 31


class Block:
    def __init__(self, parts: list):
        self.parts = [p for p in parts if p is not None]

    def _repr_html_(self) -> str:
        return "\n".join(_html_of(p) for p in self.parts)

    @property
    def heading(self) -> str | None:
        """Text of the block's first heading (the section title), or None."""
        return next((p.text for p in self.parts if isinstance(p, Heading)), None)

    def tables(self) -> list[Table]:
        """The tables the block shows, in order."""
        return [p for p in self.parts if isinstance(p, Table)]

    def named_tables(self) -> list[tuple[str, Table]]:
        """``(sheet name, table)`` for each table: the table's ``name``, else its caption when
        short enough for a sheet name, else the section heading (``excel.write_workbook``
        makes repeated names unique: "库存", "库存 (2)")."""
        out = []
        for t in self.tables():
            if t.name:
                name = t.name
            elif t.caption and len(t.caption) <= _SHEET_NAME_MAX:
                name = t.caption
            else:
                name = self.heading or t.caption or "Table"
            out.append((name, t))
        return out


def _html_of(part) -> str:
    if isinstance(part, str):
        return f"<p>{html.escape(part)}</p>"
    if hasattr(part, "to_svg"):  # viz.charts.Chart: embedded, so the report stays self-contained
        return figure_html(part)
    return part._repr_html_()
