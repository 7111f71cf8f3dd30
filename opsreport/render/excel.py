"""The Excel workbook of a report: a cover, every table the report shows, the definitions.

``write_workbook(sheets, path, title=..., cover=..., parameters=..., definitions=..., lang=...)``
writes, in order:

1. a cover sheet (when ``title``, ``cover`` or ``parameters`` is given): the title, the
   report's meta rows (shop, period, generation time ...) and the parameters as name/value rows;
2. one sheet per ``Sheet``; build it from the table the page shows with
   ``Sheet.from_table(table)``: headers are the ``Col`` headers in the report's language, and
   number formats, precision and signs follow the same ``Col`` units as the HTML, so a number
   reads the same in HTML, PDF and Excel (¥1,234 / 3.45% / +1.23 pp / −4.5%);
3. a definitions sheet (metric, definition, formula rows) when ``definitions`` is given.

Every sheet gets a bold, filled header row, an autofilter, a number format on every number
cell (per cell where rows are different metrics: rates and money in one KPI column, changes in
pp for rates and % otherwise), money rounded to the cent, frozen header row (and first column
on wide sheets), column widths fitted to the content (CJK characters count double) and long
text wrapped. Sheet names are unique and at most 31 characters; the workbook's title is set.

Every text cell is stored as text: a value such as ``=HYPERLINK(...)``, ``+SUM(A1)``, ``-3`` or
``@cmd`` (a product name, a customer note) is never written as a formula (openpyxl would turn a
string starting with ``=`` into one).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from opsreport.viz import numbers
from opsreport.viz.catalogue import word
from opsreport.viz.text import display_width

if TYPE_CHECKING:  # pragma: no cover
    from opsreport.viz.tables import Table

__all__ = ["NUMBER_FORMATS", "UNITS", "Sheet", "number_format", "sheet_titles", "write_workbook"]

_M = numbers.MINUS  # U+2212: negative numbers read "−1,234" as on the page

#: Excel number format of each unit a column may declare (money in CNY, default precision).
NUMBER_FORMATS: dict[str, str] = {
    "yuan": f'"¥"#,##0.00;"{_M}¥"#,##0.00',
    "count": f'#,##0;"{_M}"#,##0',
    "rate": f'0.00%;"{_M}"0.00%',
    "ratio": f'#,##0.00;"{_M}"#,##0.00',
    "seconds": f'#,##0.0" s";"{_M}"#,##0.0" s"',
    "days": f'#,##0.0;"{_M}"#,##0.0',
    "date": "yyyy-mm-dd",
    "int": f'#,##0;"{_M}"#,##0',
    # a relative change: 0.045 -> +4.5%; a change rounding to zero has no sign
    "pct_change": f'+0.0%;"{_M}"0.0%;0.0%',
    # a rate's change in percentage points: stored in pp (0.0123 is written 1.23) -> +1.23 pp
    "pp_change": f'+0.00" pp";"{_M}"0.00" pp";0.00" pp"',
    # a change in a count: +18 / −3 / 0
    "count_change": f'+#,##0;"{_M}"#,##0;0',
    "text": "@",
}
#: Units a sheet column (or cell) may declare.
UNITS = tuple(NUMBER_FORMATS)

_FORMULA_PREFIXES = ("=", "+", "-", "@")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="8EA9C8"))
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)
_TITLE_FONT = Font(bold=True, size=14)
_SUBTITLE_FONT = Font(bold=True, size=11)
_LABEL_FONT = Font(color="6C757D")
_NOTE_FONT = Font(italic=True, color="6C757D")
_JUDGE_FONTS = {"good": Font(color="2B8A3E"), "bad": Font(color="C92A2A")}
_MIN_WIDTH, _MAX_WIDTH = 6, 60
#: Text wider than this (display columns) wraps in a column of this width.
_WRAP_WIDTH = 50
#: A sheet wider than this (sum of column widths) also freezes its first (name) column.
_WIDE = 100
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")

#: Words of the workbook's own sheets (``labels`` keys); defaults from viz/catalogue.yaml.
WORKBOOK_LABELS = ("cover", "definitions", "parameters")


def _words(lang: str, labels: Mapping[str, str] | None) -> dict[str, str]:
    given = dict(labels or {})
    unknown = sorted(set(given) - set(WORKBOOK_LABELS))
    if unknown:
        raise ValueError(f"write_workbook: unknown labels key(s) {', '.join(unknown)}; "
                         f"it takes {', '.join(WORKBOOK_LABELS)}")
    return {key: given.get(key) or word(f"workbook.{key}", lang) for key in WORKBOOK_LABELS}


def number_format(unit: str | None, *, decimals: int | None = None, currency: str = "CNY",
                  lang: str = "zh") -> str | None:
    """The Excel number format of a cell of ``unit`` (``None``: General).

    ``decimals`` fixes the decimals of money (0 → "¥1,234", 2 → "¥12.50") and of plain
    numbers (``unit=None``); ``currency`` (ISO 4217) gives the symbol ("¥" for CNY).
    """
    if unit is None:
        if decimals is None:
            return None
        digits = "#,##0" + ("." + "0" * decimals if decimals else "")
        return f'{digits};"{_M}"{digits}'
    if unit == "yuan":
        if decimals is None and currency.upper() == "CNY":
            return NUMBER_FORMATS["yuan"]
        places = 2 if decimals is None else decimals
        digits = "#,##0" + ("." + "0" * places if places else "")
        symbol = numbers.currency_symbol(currency, lang).replace('"', "")
        return f'"{symbol}"{digits};"{_M}{symbol}"{digits}'
    if unit not in NUMBER_FORMATS:
        raise ValueError(f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
    return NUMBER_FORMATS[unit]


@dataclass(frozen=True, eq=False)
class Sheet:
    """One table of the workbook.

    Parameters
    ----------
    name : str
        Sheet name; sanitised on writing (at most 31 characters, none of ``[]:*?/\\``, unique).
    frame : pandas.DataFrame
        The table. Its index is written as leading columns only when it is named.
    units : dict
        Column -> unit, one of :data:`UNITS`: ``yuan``, ``count``, ``rate``, ``ratio``,
        ``seconds``, ``days``, ``date``, ``int``, ``pct_change``, ``pp_change`` (a fraction
        difference, written in pp), ``text``. Columns without a unit keep Excel's General format.
    cell_units : dict, optional (keyword)
        Column -> one unit per row, for columns whose rows are different metrics (a KPI
        table's "this week" holds money, counts and rates). Overrides ``units`` for that column.
    decimals : dict, optional (keyword)
        Column -> one int (or one per row): decimals of money and plain numbers, as the page
        shows them.
    judge : dict, optional (keyword)
        Column -> one of "good"/"bad"/"neutral" per row: the cell's font is green or red.
    note : str, optional (keyword)
        Written under the table (caption and note of the page's table).
    currency : str (keyword)
        ISO 4217 code of the ``yuan`` columns (default "CNY", written "¥").
    freeze_first_column : bool, optional (keyword)
        Freeze the first column as well as the header row; by default when the sheet is wide
        (its columns add up to more than 100 characters).
    """

    name: str
    frame: pd.DataFrame
    units: dict[str, str] = field(default_factory=dict)
    _: KW_ONLY
    cell_units: Mapping[str, Sequence[str | None]] = field(default_factory=dict)
    decimals: Mapping[str, int | Sequence[int | None] | None] = field(default_factory=dict)
    judge: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    note: str | None = None
    currency: str = "CNY"
    freeze_first_column: bool | None = None
    lang: str = "zh"

    def __post_init__(self) -> None:
        given = set(self.units.values()) | {u for us in self.cell_units.values() for u in us if u is not None}
        unknown = {unit for unit in given if unit not in NUMBER_FORMATS}
        if unknown:
            raise ValueError(
                f"Sheet {self.name!r}: unknown unit(s) {sorted(unknown)}; use one of {sorted(NUMBER_FORMATS)}."
            )
        columns = set(_header(self._table()))
        named = [*self.units, *self.cell_units, *self.decimals, *self.judge]
        missing = [col for col in dict.fromkeys(named) if str(col) not in columns]
        if missing:
            raise ValueError(f"Sheet {self.name!r}: units given for missing column(s) {missing}.")
        rows = len(self.frame)
        for mapping, what in ((self.cell_units, "cell_units"), (self.judge, "judge")):
            for col, values in mapping.items():
                if len(values) != rows:
                    raise ValueError(f"Sheet {self.name!r}: {what}[{col!r}] has {len(values)} values for {rows} rows.")

    def _table(self) -> pd.DataFrame:
        frame = self.frame
        if any(name is not None for name in frame.index.names):
            frame = frame.reset_index()
        return frame

    @classmethod
    def from_table(cls, table: Table, name: str | None = None, *, lang: str = "zh") -> Sheet:
        """The sheet of a table the report shows (``opsreport.viz.tables.Table``).

        Headers are the ``Col`` headers (already in the report's language), columns in display
        order; each cell's unit is its ``Col`` unit or, in a table whose rows are different
        metrics (``row_unit``), its row's unit, and changes are pp for a rate row and %
        otherwise; money has the page's precision per column (or per KPI row); judged
        cells are green or red; caption and note go under the table. The sheet name is
        ``name``, else the table's ``name``, else its caption, else "Table".
        """
        cols = tuple(table.columns)
        headers = _unique([c.header for c in cols])
        n = len(table.frame)
        data, units, cell_units, decimals, judge = {}, {}, {}, {}, {}
        for header, c in zip(headers, cols):
            data[header] = table.frame[c.key].tolist()
            if c.row_unit is not None:
                cell_units[header] = [table.unit(i, c) for i in range(n)]
            elif c.unit is not None:
                units[header] = "text" if c.unit == "text" else c.unit
            places = [table.decimals(i, c) for i in range(n)]
            if any(p is not None for p in places):
                decimals[header] = places
            if c.judge is not None:
                judge[header] = table.frame[c.judge].tolist()
        note = "\n".join(part for part in (table.caption, table.note) if part) or None
        frame = pd.DataFrame(data, columns=headers)
        title = name or getattr(table, "name", None) or table.caption or "Table"
        return cls(title, frame, units, cell_units=cell_units, decimals=decimals, judge=judge,
                   note=note, currency=getattr(table, "currency", "CNY"), lang=lang)


def write_workbook(
    sheets: Iterable[Sheet],
    path: Path,
    *,
    title: str | None = None,
    cover: Sequence[tuple[str, Any]] | None = None,
    parameters: Mapping[str, Any] | None = None,
    definitions: pd.DataFrame | Table | None = None,
    lang: str = "zh",
    labels: Mapping[str, str] | None = None,
) -> None:
    """Write the workbook to the .xlsx file ``path`` (its folder must exist).

    Parameters
    ----------
    sheets : iterable of Sheet
        The tables, in order (``Sheet.from_table(t)`` for each table the report shows).
    path : Path
    title : str, optional
        The report's title: first line of the cover and the workbook's title property.
    cover : list of (label, value), optional
        Rows of the cover under the title, e.g. ``[("店铺", "0071 · 天猫"), ("周期", "2026-W47"),
        ("生成时间", "2026-11-23 09:00")]``.
    parameters : mapping, optional
        The parameters the report ran with, written on the cover as name/value rows.
    definitions : DataFrame or Table, optional
        Metric definitions (e.g. columns metric, definition, formula, headers in the report's
        language), written last as the definitions sheet, long text wrapped.
    lang : {"zh", "en"}
        Language of the workbook (its language property, and the default sheet names).
    labels : mapping, optional
        ``cover``, ``definitions`` (sheet names) and ``parameters`` (heading of the parameters
        on the cover); by default "封面"/"Cover", "指标定义"/"Definitions", "参数"/"Parameters".

    Missing values (None, NaN, NaT) are left empty; timestamps and dates become Excel dates.
    """
    sheets = list(sheets)
    words = _words(lang, labels)
    has_cover = bool(title or cover or parameters)
    if not sheets and not has_cover and definitions is None:
        raise ValueError("A workbook needs at least one sheet.")
    if definitions is not None:
        if hasattr(definitions, "columns") and hasattr(definitions, "caption"):  # a viz Table
            defs = Sheet.from_table(definitions, words["definitions"], lang=lang)
        else:
            defs = Sheet(words["definitions"], definitions, lang=lang)
        sheets.append(defs)
    names = ([words["cover"]] if has_cover else []) + [s.name for s in sheets]
    titles = sheet_titles(names)

    workbook = Workbook()
    workbook.remove(workbook.active)
    if has_cover:
        _write_cover(workbook.create_sheet(titles.pop(0)), title, cover or [], parameters, words)
    for sheet, name in zip(sheets, titles):
        _write_sheet(workbook.create_sheet(name), sheet)
    props = workbook.properties
    if title:
        props.title = str(title)
    props.creator = "opsreport"
    props.language = word("html_lang", lang, default=lang)  # a BCP 47 tag: zh-CN, en
    workbook.save(Path(path))


def sheet_titles(names: Iterable[str]) -> list[str]:
    """Valid, unique (case-insensitively, as Excel compares) sheet titles for ``names``."""
    titles: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = _BAD_TITLE_CHARS.sub("_", ILLEGAL_CHARACTERS_RE.sub("", str(name))).strip().strip("'")
        if not base or base.lower() == "history":  # "History" is reserved by Excel
            base = f"{base or 'Sheet'}_"
        base = base[:31]
        title, n = base, 1
        while title.lower() in taken:
            n += 1
            suffix = f" ({n})"
            title = base[: 31 - len(suffix)] + suffix
        taken.add(title.lower())
        titles.append(title)
    return titles


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        out.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    return out


def _header(frame: pd.DataFrame) -> list[str]:
    if isinstance(frame.columns, pd.MultiIndex):
        return [" / ".join(str(part) for part in col if str(part)) for col in frame.columns]
    return [str(col) for col in frame.columns]


def _per_row(value, rows: int) -> list:
    if value is None or isinstance(value, int):
        return [value] * rows
    return list(value)


def _write_cover(ws, title, rows, parameters, words) -> None:
    r = 1
    if title:
        _set(ws.cell(row=r, column=1), str(title))
        ws.cell(row=r, column=1).font = _TITLE_FONT
        r += 2
    widths = [10, 20]
    for label, value in rows:
        _write_pair(ws, r, label, value, widths)
        r += 1
    if parameters:
        r += 1 if rows else 0  # a blank line between the meta rows and the parameters
        _set(ws.cell(row=r, column=1), words["parameters"])
        ws.cell(row=r, column=1).font = _SUBTITLE_FONT
        r += 1
        for label, value in parameters.items():
            _write_pair(ws, r, label, value, widths)
            r += 1
    ws.column_dimensions["A"].width = min(max(widths[0], _MIN_WIDTH), 30)
    ws.column_dimensions["B"].width = min(max(widths[1], _MIN_WIDTH), _MAX_WIDTH)


def _write_pair(ws, row: int, label, value, widths: list[int]) -> None:
    label_cell, value_cell = ws.cell(row=row, column=1), ws.cell(row=row, column=2)
    _set(label_cell, str(label))
    label_cell.font = _LABEL_FONT
    shown = _cover_value(value)
    if shown is not None:
        _set(value_cell, shown)
        value_cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        if isinstance(shown, dt.datetime):
            value_cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(shown, dt.date):
            value_cell.number_format = "yyyy-mm-dd"
    widths[0] = max(widths[0], display_width(str(label)) + 2)
    widths[1] = max(widths[1], min(_value_width(shown, None), _MAX_WIDTH))


def _cover_value(value):
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, Path):
        return str(value)
    return _excel_value(value)


def _write_sheet(ws, sheet: Sheet) -> None:
    frame = sheet._table()
    header = _header(frame)
    rows = len(frame)
    units = {str(col): unit for col, unit in sheet.units.items()}
    cell_units = {str(col): list(v) for col, v in sheet.cell_units.items()}
    decimals = {str(col): _per_row(v, rows) for col, v in sheet.decimals.items()}
    judge = {str(col): list(v) for col, v in sheet.judge.items()}
    widths = [display_width(name) + 2 for name in header]  # room for the filter button
    wrapped: set[int] = set()

    for col, name in enumerate(header, start=1):
        cell = ws.cell(row=1, column=col)
        _set(cell, name)
        cell.font, cell.fill, cell.border, cell.alignment = (
            _HEADER_FONT,
            _HEADER_FILL,
            _HEADER_BORDER,
            _HEADER_ALIGN,
        )

    for col, name in enumerate(header, start=1):
        per_cell = cell_units.get(name)
        places = decimals.get(name, [None] * rows)
        judged = judge.get(name)
        for row, raw in enumerate(frame.iloc[:, col - 1].tolist(), start=2):
            i = row - 2
            unit = per_cell[i] if per_cell is not None else units.get(name)
            value = _excel_value(raw)
            if value is None:
                continue
            if not isinstance(value, (str, bool)) and isinstance(value, (int, float)):
                value = _stored(value, unit)
            cell = ws.cell(row=row, column=col)
            _set(cell, value)
            number_format = None
            if not isinstance(value, (str, bool)):
                number_format = number_format_of(unit, places[i], sheet, value)
            if number_format:
                cell.number_format = number_format
            if judged is not None and judged[i] in _JUDGE_FONTS:
                cell.font = _JUDGE_FONTS[judged[i]]
            width = _value_width(value, unit, places[i], sheet)
            if isinstance(value, str) and width > _WRAP_WIDTH:
                wrapped.add(col)
            widths[col - 1] = max(widths[col - 1], width)

    for col in wrapped:
        widths[col - 1] = _WRAP_WIDTH
        for row in range(2, rows + 2):
            ws.cell(row=row, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    if wrapped:  # other cells of a tall row read from the top, like the wrapped text
        for col in set(range(1, len(header) + 1)) - wrapped:
            for row in range(2, rows + 2):
                cell = ws.cell(row=row, column=col)
                if cell.value is not None:
                    cell.alignment = Alignment(vertical="top")

    last_row = max(rows + 1, 1)
    last_col = get_column_letter(max(len(header), 1))
    widths = [min(max(width, _MIN_WIDTH), _MAX_WIDTH) for width in widths]
    freeze_first = sheet.freeze_first_column
    if freeze_first is None:
        freeze_first = len(header) > 2 and sum(widths) > _WIDE
    ws.freeze_panes = "B2" if freeze_first else "A2"
    if header:
        ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    if sheet.note:
        for offset, line in enumerate(sheet.note.splitlines()):
            cell = ws.cell(row=last_row + 2 + offset, column=1)
            _set(cell, line)
            cell.font = _NOTE_FONT


def number_format_of(unit: str | None, places: int | None, sheet: Sheet, value) -> str | None:
    """The format of one number cell (dates keep theirs)."""
    if isinstance(value, dt.datetime):
        return "yyyy-mm-dd hh:mm" if unit != "date" else NUMBER_FORMATS["date"]
    if isinstance(value, (dt.date, dt.time)):
        return NUMBER_FORMATS["date"] if isinstance(value, dt.date) else None
    if unit in ("text", "date"):
        return None
    return number_format(unit, decimals=places, currency=sheet.currency, lang=sheet.lang)


def _stored(value: float | int, unit: str | None) -> float | int:
    """The number written for ``unit``: money to the cent, changes to the precision shown
    (so a cell reads as on the page, "0.0%" included), pp changes in pp; never -0."""
    if isinstance(value, float) and not math.isfinite(value):
        return value
    if unit == "yuan":
        value = round(value, 2)
    elif unit == "pct_change":
        value = round(value, 3)
    elif unit == "pp_change":
        value = round(value * 100, 2)
    return 0.0 if value == 0 and isinstance(value, float) else value


def _set(cell, value: Any) -> None:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
        cell.value = value
        # openpyxl makes "=..." a formula and "#N/A" an error: force a literal text cell.
        cell.data_type = "s"
        if value.startswith(_FORMULA_PREFIXES):
            cell.quotePrefix = True  # stays text even when a user edits the cell in Excel
    else:
        cell.value = value


def _excel_value(value: Any) -> Any:
    """A value openpyxl writes faithfully, or None for an empty cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return str(value)  # e.g. a long order ID: Excel would round it to 15 digits
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else (value if math.isfinite(value) else str(value))
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = value.tz_localize(None)  # Excel has no time zones: keep the wall time
        return value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date | dt.time):
        return value
    if isinstance(value, pd.Timedelta | dt.timedelta):
        return pd.Timedelta(value).total_seconds()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _value_width(value: Any, unit: str | None, places: int | None = None, sheet: Sheet | None = None) -> int:
    """Columns the cell needs, measured on the text the page shows for it."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max((display_width(line) for line in value.splitlines()), default=0) + 1
    if isinstance(value, dt.datetime):
        return 11 if unit == "date" else 17
    if isinstance(value, dt.date):
        return 11
    if isinstance(value, bool):
        return 6
    if isinstance(value, int | float):
        currency = sheet.currency if sheet else "CNY"
        if unit == "pp_change":
            text = numbers.format_number(value, 2, plus=True) + " pp"
        elif unit == "pct_change":
            text = numbers.format_change(value, "ratio")
        elif unit in numbers.UNITS:
            text = numbers.format_value(value, unit, currency=currency, decimals=places if unit == "yuan" else None)
            if unit == "yuan" and places is None:
                text = numbers.format_money(value, currency=currency, decimals=2)
        elif unit == "int":
            text = numbers.format_number(value, 0)
        elif unit == "count_change":
            text = numbers.format_number(value, 0, plus=True)
        elif places is not None:
            text = numbers.format_number(value, places)
        else:
            text = f"{value:.10g}"
        return display_width(text) + 2
    return display_width(str(value)) + 1

