"""Reading platform export files (.csv/.txt, .xlsx, legacy .xls) into text frames.

:func:`read_export` finds the header row under any preamble (report title, date range, shop
name) by the column names it knows, drops blank and total rows, and returns one
:class:`RawSheet` per sheet that has a header: every cell as text, indexed by the row number a
user sees in Excel, so every later message can say "row 5". Typing the cells is the job of
:mod:`opsreport.importing.values`; mapping columns to the warehouse is the importer's.

The format is decided by the file's content, not its extension: back offices name tab-separated
text ".xls", and users rename files. A workbook or a CSV is read whatever it is called; a file
that is something else (an HTML page or XML spreadsheet saved as .xls, a ZIP archive that is not
a workbook, a PDF, random bytes) raises :class:`FileReadError` saying what it seems to be.
Source files are only ever opened for reading.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from opsreport.errors import WarehouseError
from opsreport.importing.values import _FULL_WIDTH_TABLE

__all__ = ["FileReadError", "RawSheet", "normalize_header", "read_export"]

#: A data row whose first non-empty cell, or one of its first two cells, starts with one of these
#: is a total row and is dropped. English words must end there or be followed by a non-letter, so
#: "Total", "Sum:" and "Total (7 days)" are totals while "Summer dress" is not.
TOTAL_ROW_PATTERN = r"^(?:合计|总计|汇总|小计|[Tt][Oo][Tt][Aa][Ll](?:$|[^A-Za-z])|[Ss][Uu][Mm](?:$|[^A-Za-z]))"

#: A row whose only non-empty cell starts with one of these is a footer or note ("数据来源：生意参谋",
#: "注：数据有延迟", "Note: ...") and is dropped like a total row. Only a lone cell: a data row whose
#: product name starts with "注" keeps its other cells and is kept.
NOTE_ROW_PATTERN = (r"^(?:数据来源|来源|数据说明|说明|注|备注|温馨提示|提示|[Nn][Oo][Tt][Ee][Ss]?|[Ss][Oo][Uu][Rr][Cc][Ee])"
                    r"[ \t]*[:：]")

_CSV_DELIMITERS = (",", "\t", ";", "|")
_CSV_SAMPLE_BYTES = 4 * 1024 * 1024  # read to find the header; the body is streamed by pyarrow
_CSV_SPARE_FIELDS = 4  # fields a data row may have beyond the header (trailing delimiters)
_MAX_EXACT_INT = 2**53
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileReadError(WarehouseError):
    """An export file cannot be read: wrong kind of file, undecodable text, no header row found.

    ``file``, ``sheet``, ``row`` (as the user sees it in Excel) and ``column`` say where; any may
    be None. The message is one paragraph naming them and what to do.
    """

    def __init__(
        self,
        message: str,
        *,
        file: Path | str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ):
        self.file = Path(file) if file is not None else None
        self.sheet = sheet
        self.row = row
        self.column = column
        self.reason = message
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if sheet is not None:
            where.append(f"sheet '{sheet}'")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass(frozen=True)
class RawSheet:
    """One table read from an export file, every cell still text.

    ``frame`` holds pandas' str dtype (pyarrow-backed under pandas 3): cells stripped, empty
    cells missing (NaN; a str column cannot hold None, test with ``isna()``). Its columns are the
    header texts (stripped, full-width spaces removed, whitespace runs collapsed to one space;
    duplicates made unique as "X", "X_2", "X_3"; a data column with an empty header is named
    "column_<n>", n its 1-based position). Its index is the 1-based row number of each data row
    as the user sees it in Excel or a text editor's CSV view (``header_row`` + offset, counting
    the blank and total rows that were dropped). In a CSV a row is a record: a quoted field
    holding a line break still counts as one row, as Excel shows it.
    """

    file: Path
    sheet: str | None  # None for CSV
    header_row: int  # 1-based
    frame: pd.DataFrame
    columns_found: list[str]
    encoding: str | None  # "utf-8", "utf-8-sig", "gb18030" (or "utf-16"); None for Excel
    total_rows: tuple[int, ...] = field(default=())  # row numbers of the total rows dropped


def normalize_header(text: object) -> str:
    """The form header cells are compared in: full-width folded, all whitespace removed, casefolded.

    "支付 金额", "支付金额\u3000" and "ＵＶ" / "uv" compare equal; the importer matches mapping
    aliases against ``RawSheet.frame.columns`` with the same function.
    """
    if text is None:
        return ""
    return re.sub(r"\s+", "", str(text).translate(_FULL_WIDTH_TABLE)).casefold()


def read_export(
    path: Path | str,
    known_headers: Iterable[str],
    *,
    min_matches: int = 2,
    max_scan_rows: int = 40,
) -> list[RawSheet]:
    """Read an export file: one RawSheet per sheet (one for a CSV) with a header row.

    The header row is the first of the first ``max_scan_rows`` rows with at least ``min_matches``
    cells among ``known_headers`` (compared by :func:`normalize_header`). In a workbook every
    sheet is read and sheets without such a row are skipped; when no sheet (or the CSV) has one,
    :class:`FileReadError` lists the cells of the most header-like row found.

    Cells as text: Excel integers and integral floats as digits ("1234", never "1234.0"); numbers
    beyond 2**53 as Python writes the float ("1.2345678901234568e+17", which the ID parser
    rejects: those digits are lost); date cells as "2026-11-03" or "2026-11-03 14:05:09";
    percent-formatted cells as "3.45%" (openpyxl and xlrd hand over the fraction 0.0345); booleans
    as TRUE/FALSE; error cells as their code ("#N/A"). CSV cells exactly as written. In a .xls
    the percent format is read from xlrd's formatting info; a file for which xlrd cannot give it
    (it raises NotImplementedError) is read without, and its percent cells come out as fractions.
    """
    path = Path(path)
    known = {normalize_header(h) for h in known_headers} - {""}
    if not known:
        raise ValueError("known_headers is empty: the header row cannot be recognised")
    if not path.exists():
        raise FileReadError("no such file", file=path)
    if not path.is_file():
        raise FileReadError("is not a file (a folder?); give the export files themselves", file=path)
    with open(path, "rb") as fh:  # read-only, always
        head = fh.read(_CSV_SAMPLE_BYTES)
    kind = _sniff(path, head)
    scan = _HeaderScan(known, min_matches, max_scan_rows)
    if kind == "xlsx":
        return _read_workbook(path, _xlsx_sheets(path), scan)
    if kind == "xls":
        return _read_workbook(path, _xls_sheets(path), scan)
    return [_read_csv(path, head, scan)]


# --------------------------------------------------------------------------------------------
# what kind of file is it?


def _sniff(path: Path, head: bytes) -> str:
    """"xlsx", "xls" or "csv" by content; FileReadError for anything else."""
    suffix = path.suffix.lower()
    if not head:
        raise FileReadError("the file is empty (0 bytes): download the export again", file=path)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if head.startswith(_OLE2_MAGIC):
        return "xls"
    if head.startswith(b"%PDF"):
        raise FileReadError("is a PDF document, not a spreadsheet: export the data as Excel or CSV", file=path)
    if head.startswith(b"\x1f\x8b"):
        raise FileReadError("is a gzip archive: unpack it and import the file inside", file=path)
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c")):
        raise FileReadError("is a RAR/7z archive: unpack it and import the files inside", file=path)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"  # Excel's "Unicode text": UTF-16, tab-delimited
    text = _decode_sample(head)
    if text is None:
        raise FileReadError(
            f"does not look like a spreadsheet or a text file (it starts with bytes "
            f"{head[:8].hex(' ')}): it may be damaged or not an export at all; download it again",
            file=path,
        )
    start = text.lstrip("\ufeff \t\r\n")[:2048].lower()
    if start.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in text[:65536].lower():
            what = "an 'XML Spreadsheet 2003' file"
        elif "<html" in start or "<table" in start or "<!doctype html" in start or "<meta" in start:
            what = "an HTML page (some back offices serve a web table as an Excel download)"
        else:
            what = "an XML/HTML document"
        raise FileReadError(
            f"is {what}, not a real {suffix or 'spreadsheet'} file: open it in Excel and save it as "
            ".xlsx (or export the report as CSV), then import that file",
            file=path,
        )
    return "csv"


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            mimetype = zf.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileReadError(
            f"is a damaged ZIP/.xlsx file ({exc}): it was probably not downloaded completely; "
            "download the export again",
            file=path,
        ) from None
    if "xl/workbook.xml" in names or any(n.lower() == "xl/workbook.bin" for n in names):
        if any(n.lower() == "xl/workbook.bin" for n in names):
            raise FileReadError("is a binary Excel workbook (.xlsb): save it as .xlsx and import that", file=path)
        return "xlsx"
    if "opendocument.spreadsheet" in mimetype:
        what = "an OpenDocument spreadsheet (.ods): save it as .xlsx"
    elif any(n.startswith("word/") for n in names):
        what = "a Word document, not a spreadsheet"
    elif any(n.startswith("ppt/") for n in names):
        what = "a PowerPoint file, not a spreadsheet"
    else:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        what = f"a ZIP archive, not an Excel workbook (it holds {shown or 'nothing'}): unpack it and import the files inside"
    raise FileReadError(f"is {what}", file=path)


def _decode_sample(head: bytes) -> str | None:
    """The start of a text file as text, or None if it is binary."""
    if b"\x00" in head:
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(enc)("strict").decode(head, final=False)
        except UnicodeDecodeError:
            continue
        # text has next to no control characters (\x1a: the end-of-file mark of old DOS exports)
        controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n\f\v\x1a")
        return text if controls <= 1 + len(text[:65536]) // 100 else None
    return None


# --------------------------------------------------------------------------------------------
# finding the header


class _HeaderScan:
    """Finds the header among the first rows and remembers the best candidate for the error."""

    def __init__(self, known: set[str], min_matches: int, max_scan_rows: int):
        self.known = known
        self.min_matches = min_matches
        self.max_scan_rows = max_scan_rows
        self.best: tuple[tuple[int, int], str | None, int, list[str]] | None = None

    def find(self, rows: Iterable[Sequence[str | None]], sheet: str | None = None) -> int | None:
        """0-based index of the header among ``rows`` (each a list of cell texts), or None."""
        for i, cells in enumerate(rows):
            if i >= self.max_scan_rows:
                break
            texts = [c for c in cells if c]
            matches = sum(1 for c in texts if normalize_header(c) in self.known)
            if matches >= self.min_matches:
                return i
            wordy = sum(1 for c in texts if not _looks_numeric(c))
            score = (matches, wordy)
            if texts and (self.best is None or score > self.best[0]):
                self.best = (score, sheet, i + 1, texts)
        return None

    def error(self, path: Path, what: str) -> FileReadError:
        known = sorted(self.known)
        wanted = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        if self.best is None:
            return FileReadError(f"{what} has no non-empty rows in its first {self.max_scan_rows}", file=path)
        (matches, _), sheet, row, cells = self.best
        shown = ", ".join(repr(c) for c in cells[:20]) + (", ..." if len(cells) > 20 else "")
        return FileReadError(
            f"no header row found: none of the first {self.max_scan_rows} rows of {what} has at "
            f"least {self.min_matches} of the expected column names ({wanted}). The most "
            f"header-like row is row {row}{f' of sheet {sheet!r}' if sheet else ''}, with cells "
            f"[{shown}] ({matches} known). Is this the export this mapping is for, or did the "
            "platform rename its columns (add the new names as aliases to the mapping)?",
            file=path,
            sheet=sheet,
            row=row,
        )


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+¥$%.,:/0-9\s年月日]+", text))


def _column_names(header: Sequence[str | None], width: int) -> list[str]:
    """Header texts cleaned and made unique; empty ones named column_<n> (1-based position)."""
    names: list[str] = []
    seen: set[str] = set()
    for i in range(width):
        raw = header[i] if i < len(header) else None
        text = re.sub(r"\s+", " ", str(raw).replace("\u3000", "")).strip() if raw is not None else ""
        base = text or f"column_{i + 1}"
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base}_{n}"
        seen.add(name)
        names.append(name)
    return names


def _finish(
    path: Path,
    sheet: str | None,
    header_row: int,
    frame: pd.DataFrame,
    unnamed: list[str],
    encoding: str | None,
) -> RawSheet:
    """Strip cells, drop blank rows, total rows and empty unnamed columns."""
    for col in frame.columns:
        s = frame[col]
        if s.dtype != "str":
            s = s.astype("str")
        s = s.str.strip()
        frame[col] = s.mask(s.eq("").fillna(True).astype(bool))
    present = frame.notna()
    frame = frame.loc[present.any(axis=1).to_numpy()]
    empty_unnamed = [c for c in unnamed if c in frame.columns and frame[c].isna().all()]
    if empty_unnamed:
        frame = frame.drop(columns=empty_unnamed)
    totals = _total_rows(frame)
    total_rows = tuple(int(r) for r in frame.index[totals])
    if total_rows:
        frame = frame.loc[~totals]
    frame.index.name = "row"
    return RawSheet(
        file=path,
        sheet=sheet,
        header_row=header_row,
        frame=frame,
        columns_found=[str(c) for c in frame.columns],
        encoding=encoding,
        total_rows=total_rows,
    )


def _total_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose first non-empty cell, or one of the first two cells, starts a total (合计...),
    and footer/note rows (a lone cell such as "数据来源：生意参谋", :data:`NOTE_ROW_PATTERN`)."""
    if frame.empty:
        return np.zeros(len(frame), dtype=bool)

    def is_total(s: pd.Series) -> np.ndarray:
        return s.str.match(TOTAL_ROW_PATTERN).fillna(False).to_numpy(dtype=bool, copy=True)

    cols = list(frame.columns)
    totals = is_total(frame[cols[0]])
    if len(cols) > 1:
        totals = totals | is_total(frame[cols[1]])
    first = frame[cols[0]]
    for col in cols[1:]:  # first non-empty cell, filled column by column (cheap: few columns)
        missing = first.isna()
        if not missing.any():
            break
        first = first.where(~missing, frame[col])
    lone = frame.notna().sum(axis=1).to_numpy() == 1
    notes = lone & first.str.match(NOTE_ROW_PATTERN).fillna(False).to_numpy(dtype=bool, copy=True)
    return totals | is_total(first) | notes


# --------------------------------------------------------------------------------------------
# CSV


def _read_csv(path: Path, head: bytes, scan: _HeaderScan) -> RawSheet:
    encoding, bom = _csv_encoding(path, head)
    if encoding == "utf-16":
        # Excel's "Unicode text" export: decode all of it (rare, and small) and go on as UTF-8
        try:
            data = path.read_bytes().decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileReadError(f"starts like UTF-16 text but is not ({exc})", file=path) from None
        head, bom, source_enc = data[:_CSV_SAMPLE_BYTES], 0, "utf-8"
        opener = lambda: io.BytesIO(data)  # noqa: E731
    else:
        source_enc = "utf-8" if encoding == "utf-8-sig" else encoding
        opener = lambda: open(path, "rb")  # noqa: E731

    whole = len(head) < _CSV_SAMPLE_BYTES
    sample = codecs.getincrementaldecoder(source_enc)("replace").decode(head[bom:], final=whole)
    if not whole:  # only complete lines
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        sample = sample[: cut + 1] if cut >= 0 else sample

    found = None
    for delimiter in _delimiters(sample):
        records, ends = _csv_records(sample, delimiter, scan.max_scan_rows, path)
        h = scan.find(records)
        if h is not None:
            found = (delimiter, records[h], ends[h], h)
            break
    if found is None:
        raise scan.error(path, "the file")
    delimiter, header, end_char, h = found
    header_row = h + 1
    offset = bom + len(sample[:end_char].encode(source_enc))

    names = _column_names(header, len(header))
    frame = _csv_body_fast(opener, offset, names, delimiter, source_enc)
    if frame is None:
        frame = _csv_body(opener, offset, names, delimiter, source_enc, encoding, header_row, path)
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame), name="row")
    unnamed = [n for n, raw in zip(names, header) if not (raw or "").strip()]
    return _finish(path, None, header_row, frame, unnamed, encoding)


def _csv_body_fast(opener, offset: int, names: list[str], delimiter: str, encoding: str) -> pd.DataFrame | None:
    """The rows after the header with pyarrow's CSV reader (multi-threaded, no Python objects).

    Strict: every record must have exactly the header's number of fields (a blank line is a record
    of empty fields). Returns None for anything else (ragged rows, trailing delimiters, a decoding
    error), and :func:`_csv_body` reads the file instead, tolerantly, with pandas' C parser.
    Both count one row per record, so the row numbers are the same either way.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    unique = [f"c{i}" for i in range(len(names))]  # pyarrow wants plain, distinct names
    try:
        with opener() as fh:
            fh.seek(offset)
            table = pacsv.read_csv(
                fh,
                read_options=pacsv.ReadOptions(column_names=unique, encoding=encoding),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, quote_char='"', double_quote=True,
                    newlines_in_values=True, ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in unique},
                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                ),
            )
    except (pa.ArrowException, UnicodeDecodeError, ValueError):
        return None
    return pd.DataFrame({name: pd.Series(table.column(u), dtype="str") for name, u in zip(names, unique)})


def _csv_body(opener, offset: int, names: list[str], delimiter: str, encoding: str, detected: str,
              header_row: int, path: Path) -> pd.DataFrame:
    """The rows after the header with pandas' C parser: ragged rows padded, blank lines kept.

    A few spare fields absorb trailing delimiters; a row whose extra fields hold anything is an
    error (an unquoted delimiter inside a cell shifts that row's values into the wrong columns).
    """
    spare = [f"\x00spare{i}" for i in range(_CSV_SPARE_FIELDS)]
    with opener() as fh:
        fh.seek(offset)
        try:
            frame = pd.read_csv(
                fh,
                sep=delimiter,
                header=None,
                names=names + spare,
                index_col=False,
                dtype=str,
                na_filter=False,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding=encoding,
                encoding_errors="strict",
                quotechar='"',
                doublequote=True,
                engine="c",
                low_memory=False,
            )
        except UnicodeDecodeError as exc:
            raise FileReadError(
                f"is neither UTF-8 nor GB18030 text: undecodable bytes {exc.object[exc.start:exc.end][:8].hex(' ')} "
                f"after the header (read as {detected}). Save the file again as 'CSV UTF-8' and import that",
                file=path,
            ) from None
        except pd.errors.ParserError as exc:
            m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
            if m:
                raise FileReadError(
                    f"this row has {m.group(3)} cells but the header has {len(names)}: a cell "
                    f"containing the delimiter {delimiter!r} is probably not quoted. Re-export the "
                    "file, or fix that row",
                    file=path,
                    row=header_row + int(m.group(2)),
                ) from None
            raise FileReadError(f"cannot be read as CSV: {exc}", file=path) from None
    filled = frame[spare].ne("").any(axis=1).to_numpy()
    if filled.any():
        row = header_row + 1 + int(np.flatnonzero(filled)[0])
        raise FileReadError(
            f"this row has more cells than the header ({len(names)}): a cell containing the "
            f"delimiter {delimiter!r} is probably not quoted, which shifts the values into the "
            "wrong columns. Re-export the file, or fix that row",
            file=path,
            row=row,
        )
    return frame.drop(columns=spare)


def _csv_encoding(path: Path, head: bytes) -> tuple[str, int]:
    """(encoding, BOM length): BOM -> utf-8-sig (or utf-16); strict UTF-8 -> utf-8; else gb18030."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", len(codecs.BOM_UTF8)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(16 * 1024 * 1024):
                decoder.decode(chunk, final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030", 0  # a superset of GBK and GB2312
    return "utf-8", 0


def _delimiters(sample: str) -> list[str]:
    """Candidate delimiters, the csv.Sniffer's guess first."""
    lines = sample.splitlines()[:50]
    try:
        guess = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(_CSV_DELIMITERS)).delimiter
    except csv.Error:
        guess = ","
    return [guess] + [d for d in _CSV_DELIMITERS if d != guess]


def _csv_records(sample: str, delimiter: str, limit: int, path: Path) -> tuple[list[list[str]], list[int]]:
    """The first ``limit`` records of ``sample`` and the character offset where each one ends."""
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        for line in io.StringIO(sample, newline=""):
            consumed += len(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    records: list[list[str]] = []
    ends: list[int] = []
    try:
        for record in reader:
            records.append([c.strip() for c in record])
            ends.append(consumed)
            if len(records) >= limit:
                break
    except csv.Error as exc:
        raise FileReadError(f"cannot be read as CSV: {exc}", file=path, row=len(records) + 1) from None
    return records, ends


# --------------------------------------------------------------------------------------------
# Excel


def _read_workbook(path: Path, sheets: Iterator[tuple[str, list[list[str | None]]]], scan: _HeaderScan) -> list[RawSheet]:
    out = []
    n_sheets = 0
    for name, rows in sheets:
        n_sheets += 1
        h = scan.find(rows, sheet=name)
        if h is None:
            continue  # a notes or summary sheet: not an error while another sheet has a header
        header = rows[h]
        body = rows[h + 1 :]
        width = max([len(header)] + [len(r) for r in body])
        names = _column_names(header, width)
        padded = [r + [None] * (width - len(r)) for r in body]
        frame = pd.DataFrame(padded, columns=names, dtype="str")
        if not len(frame):
            frame = pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
        frame.index = pd.RangeIndex(h + 2, h + 2 + len(body), name="row")
        unnamed = [n for i, n in enumerate(names) if i >= len(header) or not header[i]]
        out.append(_finish(path, name, h + 1, frame, unnamed, None))
    if not out:
        raise scan.error(path, "any sheet" if n_sheets > 1 else "the sheet")
    return out


def _xlsx_sheets(path: Path) -> Iterator[tuple[str, list[list[str | None]]]]:
    import openpyxl

    fh = open(path, "rb")  # a handle, so that openpyxl does not judge the file by its extension
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        fh.close()
        raise FileReadError(f"cannot be opened as an Excel workbook ({type(exc).__name__}: {exc})", file=path) from None
    try:
        for ws in wb.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue
            try:
                ws.reset_dimensions()  # some exporters write a wrong <dimension>: read every cell
                rows = [[_xlsx_text(c) for c in row] for row in ws.iter_rows()]
            except Exception as exc:
                raise FileReadError(f"cannot be read ({type(exc).__name__}: {exc})", file=path, sheet=ws.title) from None
            yield ws.title, [_trim(r) for r in rows]
    finally:
        wb.close()
        fh.close()


def _xlsx_text(cell) -> str | None:
    value = getattr(cell, "value", None)
    if value is None:
        return None
    fmt = getattr(cell, "number_format", None) or ""
    return _cell_text(value, percent="%" in fmt and not isinstance(value, (str, bool)))


def _xls_sheets(path: Path) -> Iterator[tuple[str, list[list[str | None]]]]:
    import xlrd

    try:
        try:
            book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
        except NotImplementedError:  # formatting info is not available for every BIFF version
            book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as exc:
        text = str(exc)
        if "workbook" in text.lower() and "ole2" in text.lower():
            msg = (
                "is an Office 97-2003 container without an Excel workbook: a password-protected "
                "workbook, or a Word/other Office document. Open it in Excel, remove the password "
                "if any, save it as .xlsx and import that"
            )
        else:
            msg = f"cannot be opened as an Excel 97-2003 workbook ({text})"
        raise FileReadError(msg, file=path) from None
    except Exception as exc:
        raise FileReadError(f"cannot be opened as an Excel 97-2003 workbook ({type(exc).__name__}: {exc})", file=path) from None
    try:
        percent_xf = _xls_percent_xfs(book)
        for i in range(book.nsheets):
            sheet = book.sheet_by_index(i)
            rows = []
            for r in range(sheet.nrows):
                rows.append(_trim([_xls_text(book, sheet, r, c, percent_xf) for c in range(sheet.row_len(r))]))
            yield sheet.name, rows
            book.unload_sheet(i)
    finally:
        book.release_resources()


def _xls_percent_xfs(book) -> set[int]:
    """Indexes of the cell formats that show a percentage (empty without formatting info)."""
    out = set()
    for i, xf in enumerate(getattr(book, "xf_list", None) or []):
        fmt = book.format_map.get(xf.format_key)
        if fmt is not None and "%" in (fmt.format_str or ""):
            out.add(i)
    return out


def _xls_text(book, sheet, r: int, c: int, percent_xf: set[int]) -> str | None:
    import xlrd

    ctype = sheet.cell_type(r, c)
    value = sheet.cell_value(r, c)
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if ctype == xlrd.XL_CELL_DATE:
        try:
            value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
        except Exception:  # a negative or out-of-range serial: keep the number
            pass
        return _cell_text(value)
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    percent = ctype == xlrd.XL_CELL_NUMBER and bool(percent_xf) and sheet.cell_xf_index(r, c) in percent_xf
    return _cell_text(value, percent=percent)


def _trim(cells: list[str | None]) -> list[str | None]:
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _cell_text(value: object, *, percent: bool = False) -> str | None:
    """One Excel cell value as the text a user reads in it (see read_export)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not np.isfinite(value):
            return None
        if percent:
            return format((Decimal(repr(value)) * 100).normalize(), "f") + "%"
        if abs(value) > _MAX_EXACT_INT:
            # beyond 2**53 a number's last digits cannot be trusted (Excel keeps 15 significant
            # digits; writers print doubles in full): say so with the float's own text,
            # 1.2345678901234568e+17, which to_id rejects with "export the column as text"
            return repr(float(value))
        if isinstance(value, int) or value.is_integer():
            return str(int(value))
        return repr(value)  # 1234.5, 0.30000000000000004: the shortest text that round-trips
    if isinstance(value, dt.datetime):
        value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.timedelta):
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value).strip() or None
