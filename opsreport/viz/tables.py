"""HTML tables and text blocks of the reports.

``table(frame, [Col(...), ...])`` describes how each column is shown (header, unit, which column
judges it good or bad) and returns a frozen ``Table`` that renders compact, semantic HTML:

    <table class="opsreport">
      <caption>…</caption>
      <thead><tr><th>Metric</th><th class="num">This week</th>…</tr></thead>
      <tbody><tr><td>GMV</td><td class="num">¥1,234,567</td><td class="num good">+4.5%</td></tr>…
    </table>
    <p class="note">…</p>

Numbers are formatted by ``opsreport.viz.numbers`` (Babel; the metric registry's formats), with
one precision per column (¥1,234.00 and ¥12.50 in one column, not ¥1,234 and ¥12.50) and
U+2212 "−" for negatives; missing values show as "–"; every text is HTML-escaped. A table that
cannot fit on one printed page is marked ``table-long`` so it may break across pages (its header
row repeats); any other stays whole with its caption and note.

The same ``Table`` is what the Excel export writes (``opsreport.render.excel.Sheet.from_table``):
headers, units and precision come from its ``Col`` specs, so a number reads the same in HTML,
PDF and Excel. The look lives in CSS classes (``table.opsreport``,
``.num``, ``.good``, ``.bad``, ``.neutral``, ``.note``, ``.callout``, ``.kpi-cards``) styled by the
report template; ``CSS`` below is a fallback for JupyterLab, emitted inside a cascade layer so
that any unlayered stylesheet (the template's) wins over it.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opsreport.viz import _format, numbers
from opsreport.viz.text import display_width

__all__ = ["CSS", "Col", "Heading", "Html", "Table", "callout", "heading", "kpi_cards", "note", "table"]

JUDGEMENTS = ("good", "bad", "neutral")
#: Column units meaning "the change of this row's metric": pp for a rate row, % otherwise.
CHANGE_UNITS = ("pct_change", "pp_change", "change")

#: Fallback styles for JupyterLab; the report template styles the same classes.
CSS = """@layer opsreport-defaults {
table.opsreport { border-collapse: collapse; font-size: 0.9em; margin: 0.4em 0 0.2em; }
table.opsreport caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.3em; }
table.opsreport th, table.opsreport td { padding: 0.25em 0.75em; text-align: left;
  border-bottom: 1px solid #e9ecef; }
table.opsreport thead th { border-bottom: 1.5px solid #adb5bd; font-weight: 600; }
table.opsreport .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.opsreport th, table.opsreport td { overflow-wrap: normal; word-break: normal; hyphens: manual; }
table.opsreport th.nowrap { white-space: nowrap; }
.opsreport .good, .kpi-cards .good { color: #2b8a3e; }
.opsreport .bad, .kpi-cards .bad { color: #c92a2a; }
.opsreport .neutral, .kpi-cards .neutral { color: #495057; }
p.note { color: #6c757d; font-size: 0.85em; margin: 0.2em 0 0.8em; }
div.callout { border-left: 4px solid #1f5fbf; background: #f1f5fb; padding: 0.5em 1em; margin: 0.6em 0; }
div.callout .callout-title { font-weight: 600; margin: 0 0 0.3em; }
div.callout ul { margin: 0; padding-left: 1.2em; }
div.kpi-cards { display: flex; flex-wrap: wrap; gap: 0.6em; margin: 0.5em 0; }
div.kpi-card { border: 1px solid #dee2e6; border-radius: 4px; padding: 0.5em 0.8em; min-width: 8em; }
div.kpi-card .kpi-label { color: #6c757d; font-size: 0.85em; }
div.kpi-card .kpi-value { font-size: 1.3em; font-weight: 600; text-align: left; }
div.kpi-card .kpi-change { font-size: 0.85em; text-align: left; }
}"""

_STYLE = f"<style>{CSS}</style>"
NUM_ATTR = ' class="num"'


def _e(text) -> str:
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------------------------
# Html: anything that displays as HTML in JupyterLab and survives nbconvert


@dataclass(frozen=True)
class Html:
    """A fragment of HTML; displays in JupyterLab (``_repr_html_``) and in Jinja (``__html__``)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __html__(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


@dataclass(frozen=True)
class Heading(Html):
    """A section heading: its HTML plus the plain ``text`` and ``level`` (e.g. for sheet names)."""

    text: str = ""
    level: int = 2


def heading(text: str, level: int = 2) -> Heading:
    """``<h2>text</h2>`` (headings are output by code because they depend on the language)."""
    if level not in range(1, 7):
        raise ValueError(f"heading level must be 1 to 6, got {level!r}")
    return Heading(f"<h{level}>{_e(text)}</h{level}>", str(text), level)


def note(text: str) -> Html:
    """A one-line remark under a chart or table: ``<p class="note">``."""
    return Html(f'<p class="note">{_e(text)}</p>')


#: Marks the callout holding a report's headlines: the render pipeline copies them into run.json,
#: from which deliveries (email bodies, group bots) take them.
HEADLINES_ATTRIBUTE = "data-headlines"


def callout(sentences: Iterable[str], title: str | None = None, *, headlines: bool = False) -> Html:
    """A highlighted box of (3–5) headline sentences: ``<div class="callout">`` with a list;
    ``headlines=True`` for the report's own headlines (one such box per report)."""
    items = "".join(f"<li>{_e(s)}</li>" for s in sentences if s)
    head = f'<p class="callout-title">{_e(title)}</p>' if title else ""
    mark = f" {HEADLINES_ATTRIBUTE}" if headlines else ""
    return Html(f'{_STYLE}<div class="callout"{mark}>{head}<ul>{items}</ul></div>')


def kpi_cards(items: Iterable[Mapping] | pd.DataFrame) -> Html:
    """A row of KPI cards: label, value and (optionally) a coloured change.

    Parameters
    ----------
    items : iterable of mappings, or DataFrame with these columns
        ``label`` (str), ``value``, ``unit`` (a registry unit); optional ``change`` (relative
        change, or the pp difference for a rate, as from ``Metric.change``) and ``judge``
        ('good'/'bad'/'neutral', e.g. from ``Metric.judge``).
    """
    records = items.to_dict("records") if isinstance(items, pd.DataFrame) else list(items)
    cards = []
    for item in records:
        unit = item["unit"]
        _format.check_unit(unit, f"kpi_cards: {item.get('label')!r}")
        parts = [
            f'<div class="kpi-label">{_e(item["label"])}</div>',
            f'<div class="kpi-value num">{_e(_format.format_cell(item["value"], unit))}</div>',
        ]
        if "change" in item:
            change = _format.format_cell(item["change"], "pp_change" if unit == "rate" else "pct_change")
            parts.append(f'<div class="{_classes("kpi-change num", item.get("judge"), "kpi_cards")}">'
                         f"{_e(change)}</div>")
        cards.append(f'<div class="kpi-card">{"".join(parts)}</div>')
    return Html(f'{_STYLE}<div class="kpi-cards">{"".join(cards)}</div>')


def _classes(base: str, judgement, where: str) -> str:
    if _format.missing(judgement):
        return base
    if judgement not in JUDGEMENTS:
        raise ValueError(f"{where}: judgement must be one of {JUDGEMENTS}, got {judgement!r}")
    return f"{base} {judgement}".strip()


# --------------------------------------------------------------------------------------------
# Tables


@dataclass(frozen=True)
class Col:
    """How one column of a table is shown.

    Parameters
    ----------
    key : str
        Column of the frame.
    header : str
        Header text (already in the report's language).
    unit : str, optional
        A registry unit (yuan, count, rate, ratio, seconds, days) or one of "pct_change"
        (+4.5%), "pp_change" (0.0123 → +1.23 pp), "text", "date", "int". With ``row_unit``,
        leave it empty for value columns, or give "change" (or "pct_change"/"pp_change") for
        change columns: a rate row's change is then shown in pp, any other row's in %.
        Without both, numbers get thousands separators and text is shown as is.
    judge : str, optional
        Column holding 'good'/'bad'/'neutral'; the cell gets that CSS class.
    row_unit : str, optional
        Column holding each row's unit, for tables whose rows are different metrics (KPIs).
    """

    key: str
    header: str
    unit: str | None = None
    judge: str | None = None
    row_unit: str | None = None

    def __post_init__(self) -> None:
        if self.unit is not None and self.unit != "change":
            _format.check_unit(self.unit, f"Col {self.key!r}")
        if self.unit == "change" and self.row_unit is None:
            raise ValueError(f"Col {self.key!r}: unit 'change' needs row_unit (use 'pct_change' or 'pp_change')")
        if self.row_unit is not None and self.unit not in (None, *CHANGE_UNITS):
            raise ValueError(
                f"Col {self.key!r}: with row_unit the unit comes from each row; give unit=None for "
                f"values or unit='change' for changes, not {self.unit!r}"
            )

    @property
    def numeric(self) -> bool:
        return self.row_unit is not None or self.unit in _format.NUMERIC_UNITS or self.unit == "change"

    def unit_for(self, row_unit: str | None) -> str | None:
        """The unit of one cell, given its row's unit (``None`` when the column has none)."""
        if self.row_unit is None:
            return self.unit
        if _format.missing(row_unit):
            return None
        if self.unit in CHANGE_UNITS:
            return "pp_change" if row_unit == "rate" else "pct_change"
        return row_unit


#: Printed A4 text block height (pt) and the share of it a table may fill before it is
#: allowed to break across pages (see ``Table.long``).
PAGE_HEIGHT_PT = 740
LONG_SHARE = 0.75


@dataclass(frozen=True)
class Table:
    """A table ready to display: the data, how to show each column, caption and note.

    Build with ``table()``. ``to_html()`` (also ``_repr_html_``) renders it; ``formatted()``
    gives the cell texts as a DataFrame; ``frame``, ``columns`` (also ``cols``), ``caption``
    and ``note`` stay available for the Excel export (``excel.Sheet.from_table(table)``), as
    does ``decimals(i, col)``, the precision each money cell is shown with.
    """

    frame: pd.DataFrame = field(repr=False)
    columns: tuple[Col, ...]
    caption: str | None = None
    note: str | None = None
    currency: str = "CNY"
    name: str | None = None

    @property
    def cols(self) -> tuple[Col, ...]:
        """The ``Col`` specs, in display order (the same as ``columns``)."""
        return self.columns

    def unit(self, i: int, col: Col) -> str | None:
        """The unit of row ``i`` in column ``col`` (from the column, or its row's unit)."""
        row_unit = self.frame[col.row_unit].iat[i] if col.row_unit else None
        if col.row_unit and not _format.missing(row_unit):
            _format.check_unit(row_unit, f"table column {col.row_unit!r}, row {i}")
        return col.unit_for(row_unit)

    @functools.cached_property
    def _precision(self) -> dict[tuple[int | None, str], int]:
        """Decimals of money and plain numbers: one per column, or per row across the value
        columns of a table whose rows are different metrics (``row_unit``)."""
        out: dict[tuple[int | None, str], int] = {}
        per_row = [c for c in self.columns if c.row_unit and c.unit is None]
        for c in self.columns:
            if c.row_unit is None and c.unit == "yuan":
                out[(None, c.key)] = numbers.money_decimals(self.frame[c.key])
            elif c.row_unit is None and c.unit is None:
                out[(None, c.key)] = _plain_decimals(self.frame[c.key])
        for i in range(len(self.frame)):
            yuan = [c for c in per_row if self.unit(i, c) == "yuan"]
            if yuan:
                digits = numbers.money_decimals(self.frame[c.key].iat[i] for c in yuan)
                for c in yuan:
                    out[(i, c.key)] = digits
        return out

    def decimals(self, i: int, col: Col) -> int | None:
        """Decimals row ``i`` of ``col`` is shown with, when the table fixes them (money and
        plain numbers); None when the unit's own precision applies."""
        return self._precision.get((i, col.key), self._precision.get((None, col.key)))

    def _cell(self, i: int, col: Col) -> tuple[str, str]:
        """(text, css classes) of row ``i`` in column ``col``."""
        value = self.frame[col.key].iat[i]
        unit = self.unit(i, col)
        if unit is None:
            text = _plain(value, self.decimals(i, col))
        else:
            text = _format.format_cell(value, unit, decimals=self.decimals(i, col), currency=self.currency)
        base = "num" if col.numeric else ""
        judgement = self.frame[col.judge].iat[i] if col.judge else None
        return text, _classes(base, judgement, f"table column {col.judge!r}, row {i}")

    @functools.cached_property
    def _cells(self) -> list[list[tuple[str, str]]]:
        """(text, classes) of every cell, row by row (computed once)."""
        return [[self._cell(i, c) for c in self.columns] for i in range(len(self.frame))]

    def height_pt(self) -> float:
        """Rough printed height (pt) of caption, header, rows and note at the report's sizes:
        a row is 17 pt plus 12 pt per extra line of its longest text (40 columns a line)."""
        extra = 0
        for row in self._cells:
            extra += max((math.ceil(display_width(text) / 40) for text, _ in row), default=1) - 1
        rows = len(self._cells)
        return 24 + (20 if self.caption else 0) + 17 * rows + 12 * max(extra, 0) + (20 if self.note else 0)

    @property
    def long(self) -> bool:
        """True when the table cannot sit on one page with its heading: it may then break
        across pages (header row repeated) instead of leaving a page empty."""
        return self.height_pt() > LONG_SHARE * PAGE_HEIGHT_PT

    def formatted(self) -> pd.DataFrame:
        """The cell texts, one column per ``Col`` (headers as column names)."""
        return pd.DataFrame(
            {c.header: [row[j][0] for row in self._cells] for j, c in enumerate(self.columns)}
        )

    def to_html(self, *, style: bool = True) -> str:
        """The HTML of the table (and its note); ``style=False`` leaves out the fallback CSS."""
        out = [_STYLE] if style else []
        # the wrapper keeps caption, table and note on one page when they fit (a caption alone
        # at the foot of a page is what a bare <table> gives in print)
        block = "table-block table-long" if self.long else "table-block"
        out.append(f'<div class="{block}"><table class="opsreport">')
        if self.caption:
            out.append(f"<caption>{_e(self.caption)}</caption>")
        heads = "".join(f'<th{_head_attr(c)} scope="col">{_e(c.header)}</th>' for c in self.columns)
        out.append(f"<thead><tr>{heads}</tr></thead><tbody>")
        for row in self._cells:
            cells = []
            for text, classes in row:
                attr = f' class="{classes}"' if classes else ""
                cells.append(f"<td{attr}>{_e(text)}</td>")
            out.append(f"<tr>{''.join(cells)}</tr>")
        out.append("</tbody></table>")
        if self.note:
            out.append(f'<p class="note">{_e(self.note)}</p>')
        out.append("</div>")
        return "".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __html__(self) -> str:
        return self.to_html()


#: A header of CJK text up to this many columns (6 characters) is kept on one line: a narrow
#: column would otherwise break it between characters ("级/别").
SHORT_HEADER = 12


def _head_attr(col: Col) -> str:
    classes = ["num"] if col.numeric else []
    header = str(col.header)
    if display_width(header) <= SHORT_HEADER and display_width(header) > len(header):  # has CJK
        classes.append("nowrap")
    return f' class="{" ".join(classes)}"' if classes else ""


def _number(value) -> float | None:
    """``value`` as a float when it is a number (not a bool, not text), else None."""
    if isinstance(value, (bool, np.bool_, str)) or _format.missing(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _plain_decimals(values) -> int:
    """2 when any number in the column has a fraction, else 0: one precision per column."""
    for value in values:
        number = _number(value)
        if number is not None and math.isfinite(number) and not number.is_integer():
            return 2
    return 0


def _plain(value, decimals: int | None = None) -> str:
    if _format.missing(value):
        return _format.DASH
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    number = _number(value)
    if number is None:
        return str(value)
    if decimals is None:
        decimals = 0 if number.is_integer() else 2
    return numbers.format_number(number, decimals)


def table(
    frame: pd.DataFrame,
    columns: Iterable[Col],
    *,
    caption: str | None = None,
    note: str | None = None,
    currency: str = "CNY",
    name: str | None = None,
) -> Table:
    """Describe how to show ``frame``: one ``Col`` per displayed column, in order.

    ``currency`` (ISO 4217) is the currency of its ``yuan`` columns; ``name`` is a short name
    for the Excel sheet of this table (default: the caption, else the section heading).

    Raises
    ------
    ValueError
        A column named by a ``Col`` (key, judge or row_unit) is not in the frame.
    """
    columns = tuple(columns)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"table: expected a pandas DataFrame, got {type(frame).__name__}")
    wanted = {name for c in columns for name in (c.key, c.judge, c.row_unit) if name}
    absent = sorted(wanted - set(frame.columns))
    if absent:
        raise ValueError(
            f"table: frame is missing column(s) {', '.join(absent)}; it has {', '.join(map(str, frame.columns))}"
        )
    return Table(frame.reset_index(drop=True).copy(), columns, caption, note, currency, name)
