"""Small platform export files written by code: .xlsx (openpyxl), .xls (xlwt), .csv in any encoding.

A sheet is a list of rows; a cell is text, a number, a date/datetime, ``Percent(x)`` (a number
formatted as a percentage in Excel) or ``Serial(date)`` (a date stored as its Excel serial number,
as some exports do).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from opsreport import schemas


@dataclass(frozen=True)
class Percent:
    value: float  # the fraction: 0.0345 shows as 3.45%


@dataclass(frozen=True)
class Serial:
    day: dt.date

    @property
    def number(self) -> int:
        return (self.day - dt.date(1899, 12, 30)).days


def write(path: Path, rows: list[list], *, sheet: str = "Sheet1", encoding: str = "utf-8") -> Path:
    """Write ``rows`` in the format of ``path``'s suffix (.xlsx, .xls, .csv)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return write_xlsx(path, {sheet: rows})
    if suffix == ".xls":
        return write_xls(path, {sheet: rows})
    if suffix == ".csv":
        return write_csv(path, rows, encoding=encoding)
    raise ValueError(suffix)


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c)
                if isinstance(value, Percent):
                    cell.value, cell.number_format = value.value, "0.00%"
                elif isinstance(value, Serial):
                    cell.value = value.number
                elif isinstance(value, dt.datetime):
                    cell.value, cell.number_format = value, "yyyy-mm-dd hh:mm:ss"
                elif isinstance(value, dt.date):
                    cell.value, cell.number_format = value, "yyyy-mm-dd"
                else:
                    cell.value = value
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    time_style = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    pct_style = xlwt.easyxf(num_format_str="0.00%")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Percent):
                    ws.write(r, c, value.value, pct_style)
                elif isinstance(value, Serial):
                    ws.write(r, c, value.number)
                elif isinstance(value, dt.datetime):
                    ws.write(r, c, value, time_style)
                elif isinstance(value, dt.date):
                    ws.write(r, c, value, date_style)
                else:
                    ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, Percent):
            return f"{value.value * 100:.2f}%"
        if isinstance(value, Serial):
            return str(value.number)
        return str(value)

    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([[text(v) for v in row] for row in rows])
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- reading the warehouse back --------------------------------------------------------------


def rows_of(warehouse: Path, table: str, shop_id: str | None = None, columns: list[str] | None = None) -> list[dict]:
    """Rows of a warehouse table as dicts (sorted by the table's key), read-only."""
    keys = schemas.CONTRACTS[table].to_schema().unique or ["shop_id"]
    cols = columns or list(schemas.columns_of(table))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        where = "WHERE shop_id = ?" if shop_id is not None else ""
        order = ", ".join(f'"{k}"' for k in keys)
        select = ", ".join(f'"{c}"' for c in cols)
        cur = con.execute(f'SELECT {select} FROM "{table}" {where} ORDER BY {order}', [shop_id] if shop_id else [])
        return [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()


def table_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every canonical table's rows: to show a failed import changed nothing."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in schemas.CONTRACTS}
    finally:
        con.close()


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- wrong encodings ---------------------------------------------------------------------------


def write_mojibake(path: Path, rows: list[list], *, encoding: str = "gb18030") -> Path:
    """A CSV whose text went through the wrong encoding once: written as ``encoding`` (what the
    platform sends), opened as Latin-1 and saved again as UTF-8 (what an editor that guessed wrong
    does). Every byte survives, every Chinese header is garbled: '商品ID' becomes 'ÉÌÆ·ID'."""
    raw = path.with_name(path.name + ".raw")
    write_csv(raw, rows, encoding=encoding)
    path.write_text(raw.read_bytes().decode("latin-1"), encoding="utf-8", newline="")
    raw.unlink()
    return path
