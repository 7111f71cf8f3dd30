"""The Excel workbook of a report's key tables: one sheet per table, formatted, filterable.

Every text cell is stored as text: a value such as ``=HYPERLINK(...)``, ``+SUM(A1)``, ``-3`` or
``@cmd`` (a product name, a customer note) is never written as a formula (openpyxl would turn a
string starting with ``=`` into one).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

__all__ = ["NUMBER_FORMATS", "Sheet", "sheet_titles", "write_workbook"]

#: Excel number format of each unit a column may declare.
NUMBER_FORMATS: dict[str, str] = {
    "yuan": '"¥"#,##0.00',
    "count": "#,##0",
    "rate": "0.00%",
    "ratio": "0.00",
    "seconds": "0.0",
    "days": "0.0",
    "date": "yyyy-mm-dd",
}

_FORMULA_PREFIXES = ("=", "+", "-", "@")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="8EA9C8"))
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")


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
        Column -> one of :data:`NUMBER_FORMATS` (``yuan``, ``count``, ``rate``, ``ratio``,
        ``seconds``, ``days``, ``date``). Columns without a unit keep Excel's General format.
    """

    name: str
    frame: pd.DataFrame
    units: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = {unit for unit in self.units.values() if unit not in NUMBER_FORMATS}
        if unknown:
            raise ValueError(
                f"Sheet {self.name!r}: unknown unit(s) {sorted(unknown)}; "
                f"use one of {sorted(NUMBER_FORMATS)}."
            )
        missing = [col for col in self.units if col not in _header(self._table())]
        if missing:
            raise ValueError(f"Sheet {self.name!r}: units given for missing column(s) {missing}.")

    def _table(self) -> pd.DataFrame:
        frame = self.frame
        if any(name is not None for name in frame.index.names):
            frame = frame.reset_index()
        return frame


def write_workbook(sheets: list[Sheet], path: Path) -> None:
    """Write ``sheets`` to the .xlsx file ``path`` (its folder must exist).

    Each sheet gets a bold, filled, frozen header row, an autofilter over the data, number
    formats by unit and column widths fitted to the content (CJK characters count double).
    Missing values (None, NaN, NaT) are left empty; timestamps and dates become Excel dates.
    """
    if not sheets:
        raise ValueError("A workbook needs at least one sheet.")
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, title in zip(sheets, sheet_titles(s.name for s in sheets)):
        _write_sheet(workbook.create_sheet(title), sheet)
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


def _header(frame: pd.DataFrame) -> list[str]:
    if isinstance(frame.columns, pd.MultiIndex):
        return [" / ".join(str(part) for part in col if str(part)) for col in frame.columns]
    return [str(col) for col in frame.columns]


def _write_sheet(ws, sheet: Sheet) -> None:
    frame = sheet._table()
    header = _header(frame)
    units = {str(col): unit for col, unit in sheet.units.items()}
    widths = [_display_width(name) + 2 for name in header]  # room for the filter button

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
        unit = units.get(name)
        number_format = NUMBER_FORMATS.get(unit) if unit else None
        for row, raw in enumerate(frame.iloc[:, col - 1].tolist(), start=2):
            value = _excel_value(raw)
            if value is None:
                continue
            cell = ws.cell(row=row, column=col)
            _set(cell, value)
            if number_format and not isinstance(value, str):
                cell.number_format = number_format
            widths[col - 1] = max(widths[col - 1], _value_width(value, unit))

    last_row = max(len(frame) + 1, 1)
    last_col = get_column_letter(max(len(header), 1))
    ws.freeze_panes = "A2"
    if header:
        ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(width, _MIN_WIDTH), _MAX_WIDTH)


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


def _value_width(value: Any, unit: str | None) -> int:
    if isinstance(value, str):
        return max((_display_width(line) for line in value.splitlines()), default=0) + 1
    if isinstance(value, dt.datetime):
        return 11 if unit == "date" else 20
    if isinstance(value, dt.date):
        return 11
    if isinstance(value, bool):
        return 6
    if isinstance(value, int | float):
        text = {
            "yuan": lambda v: f"¥{v:,.2f}",
            "count": lambda v: f"{v:,.0f}",
            "rate": lambda v: f"{v:.2%}",
        }.get(unit or "", lambda v: f"{v:,.2f}" if unit else f"{v:.10g}")(value)
        return len(text) + 2
    return len(str(value)) + 1


def _display_width(text: str) -> int:
    """Width in Excel character units: wide (CJK) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
