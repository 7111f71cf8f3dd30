"""Vectorised parsers for the cells of platform exports: text in, typed values and a "bad" mask out.

Every parser takes a pandas Series of text (str, None/NaN for empty; any index: the importers use
the row numbers a user sees in Excel) and returns ``(values, bad)``:

- ``values`` has the same index, the parsed value, missing where the cell is empty or bad;
- ``bad`` is a bool Series marking cells that hold something but could not be parsed. The caller
  reports them (file, row, column, cell, :func:`explain_bad`) so no row is ever lost silently.

Cells that mean "nothing" in exports are empty, not bad, for the numeric, date, ID and mapping
parsers: ``""``, ``-``, ``--``, ``—``, ``N/A``, ``null``, ``/`` and a few more (:data:`NULL_TOKENS`).

All work is done with pandas string operations over the whole column (pyarrow-backed under
pandas 3), never with a Python loop per cell; full-width characters (``１２３``, ``，``, ``－``,
``（）``, ``％``, ``￥``) are folded to their ASCII forms first. Regular expressions use only syntax
that Python's ``re`` and RE2 (pyarrow) read alike: ``[0-9]`` rather than ``\\d``, no ``\\b``.

Returned dtypes: :func:`to_number` and :func:`to_rate` float64 (NaN when missing);
:func:`to_int` nullable Int64; :func:`to_date` and :func:`to_datetime` datetime64[ns] (NaT when
missing; ``to_date`` normalised to midnight, the caller casts to DATE); :func:`to_id`,
:func:`to_text` and :func:`map_values` pandas' str dtype (NaN when missing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "NULL_TOKENS",
    "explain_bad",
    "map_values",
    "parse_with_formats",
    "to_bool",
    "to_date",
    "to_datetime",
    "to_id",
    "to_int",
    "to_number",
    "to_rate",
    "to_text",
]

#: Cell texts that mean "no value" (compared after stripping, case-insensitively).
NULL_TOKENS: frozenset[str] = frozenset(
    {"", "-", "--", "---", "—", "——", "–", "/", "n/a", "#n/a", "na", "null", "none", "nan", "nat"}
)

# Full-width ASCII (U+FF01..U+FF5E) to ASCII, the ideographic space to a space, the minus sign and
# the full-width yen sign to their ASCII/Latin-1 forms.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULL_WIDTH.update({0x3000: " ", 0x2212: "-", 0xFFE5: "¥"})
_FULL_WIDTH_TABLE = str.maketrans({chr(k): (v if isinstance(v, str) else chr(v)) for k, v in _FULL_WIDTH.items()})
_FULL_WIDTH_PATTERN = "[\uff01-\uff5e\u3000\u2212\uffe5]"
_WHITESPACE = " \t\r\n\f\v\u00a0\u3000"  # spelled out: pandas runs \\s through Python's re
_SPACES = f"[{_WHITESPACE}]+"

_MAX_EXACT_INT = 2**53  # beyond this a float64 no longer holds every integer

#: Excel serial day numbers accepted as dates (1954-10-03 .. 2119-01-08), 1900 date system.
SERIAL_RANGE = (20000, 80000)
_EXCEL_ORIGIN = pd.Timestamp("1899-12-30")
# Timestamps outside this range are treated as bad (a typo such as 0226-11-03 is not a date).
_DATE_MIN, _DATE_MAX = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01")


# --------------------------------------------------------------------------------------------
# shared steps


def _as_text(s: pd.Series) -> pd.Series:
    """The column as pandas' str dtype (pyarrow-backed under pandas 3), whatever it came as."""
    if not isinstance(s, pd.Series):
        s = pd.Series(s)
    if s.dtype != "str":
        s = s.astype("str")
    return s


def _clean(s: pd.Series, *, null_tokens: bool = True) -> pd.Series:
    """Fold full-width characters, strip, and make empty (and null-token) cells missing."""
    t = _as_text(s)
    wide = np.flatnonzero(_mask(t.str.contains(_FULL_WIDTH_PATTERN, regex=True)).to_numpy())
    if len(wide):  # usually none: translate (a Python call per cell) only those that need it
        t = t.copy()
        t.iloc[wide] = t.iloc[wide].str.translate(_FULL_WIDTH_TABLE).to_numpy()
    t = t.str.strip()
    empty = t.str.lower().isin(NULL_TOKENS) if null_tokens else t.eq("")
    return t.mask(empty.fillna(False).astype(bool))


def _mask(cond: pd.Series) -> pd.Series:
    """A boolean Series without missing values (missing -> False)."""
    return cond.fillna(False).astype(bool)


def _match(t: pd.Series, pattern: str) -> pd.Series:
    return _mask(t.str.fullmatch(pattern))


def _where(t: pd.Series, rows: pd.Series | np.ndarray, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``t`` with ``fn`` applied to the marked rows only (``t`` has a RangeIndex)."""
    rows = np.asarray(rows, dtype=bool)
    if not rows.any():
        return t
    if rows.all():
        return fn(t)
    return t.mask(rows, fn(t[rows]))


def _contains(t: pd.Series, *literals: str) -> np.ndarray:
    """Rows containing any of the literal strings (no regex: the fast path)."""
    out = np.zeros(len(t), dtype=bool)
    for lit in literals:
        out |= _mask(t.str.contains(lit, regex=False)).to_numpy()
    return out


# a number, with commas only between groups of three digits (a decimal comma is never guessed)
_NUMBER = r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_SCALES = {"万": 4, "亿": 8, "%": -2, "‰": -3}


def _parse_number(s: pd.Series, allow: frozenset[str], bare_exponent: int = 0) -> tuple[pd.Series, pd.Series]:
    """Core of to_number / to_rate.

    ``allow`` is the set of scale suffixes accepted (万, 亿, %, ‰); a bare number is multiplied
    by 10**bare_exponent. Scaling is done by appending a decimal exponent to the text before the
    conversion ("3.45" + "e-2"), so "3.45%" becomes exactly float("0.0345"). Each clean-up step
    runs only on the rows that need it, found by a cheap literal test.
    """
    index = s.index
    t = _clean(s).reset_index(drop=True)
    present = t.notna().to_numpy()
    t = _where(t, _mask(t.str.contains(_SPACES, regex=True)), lambda x: x.str.replace(_SPACES, "", regex=True))
    # (12.5) is -12.5 in accounting formats; a sign inside the parentheses is not accepted
    paren = _mask(t.str.startswith("(") & t.str.endswith(")")).to_numpy()
    t = _where(t, paren, lambda x: x.str.slice(1, -1))
    sign_in_paren = paren & _mask(t.str.match(r"[+-]|[¥$][+-]")).to_numpy() if paren.any() else paren
    # currency: ¥ / $ before the number (after a sign, too), 元 after it
    t = _where(t, _contains(t, "¥", "$"), lambda x: x.str.replace(r"^([+-]?)[¥$]", r"\1", regex=True))
    t = _where(t, _mask(t.str.endswith("元")), lambda x: x.str.slice(0, -1))
    exponent = np.full(len(t), bare_exponent, dtype=np.int64)
    scaled = np.zeros(len(t), dtype=bool)
    not_allowed = np.zeros(len(t), dtype=bool)
    for suffix, power in _SCALES.items():
        has = _mask(t.str.endswith(suffix)).to_numpy()
        if has.any():
            exponent[has] = power
            scaled |= has
            if suffix not in allow:
                not_allowed |= has
    t = _where(t, scaled, lambda x: x.str.slice(0, -1))
    ok = np.array(_match(t, _NUMBER), dtype=bool)
    t = _where(t, _contains(t, ","), lambda x: x.str.replace(",", "", regex=False))
    has_exp = _contains(t, "e", "E")
    ok &= ~(has_exp & scaled) & ~not_allowed & ~sign_in_paren
    # the text's own exponent (1.5E+3) is kept; a scale appends one
    for power in np.unique(exponent[ok & ~has_exp & (exponent != 0)]):
        t = _where(t, ok & ~has_exp & (exponent == power), lambda x, p=power: x + f"e{p}")
    try:  # validated above, so pyarrow's cast (fast, correctly rounded) takes every row
        values = np.array(t.where(ok).astype("float64"), dtype="float64")
    except (ValueError, TypeError):  # pragma: no cover - defensive: a form the regex let through
        values = np.array(pd.to_numeric(t.where(ok), errors="coerce"), dtype="float64")
    if bare_exponent:
        # a bare number written with its own exponent and read as a percentage: scale numerically
        rescale = has_exp & ~scaled
        values[rescale] *= 10.0**bare_exponent
    values[paren] = -values[paren]
    bad = present & ~(ok & np.isfinite(values))
    values[bad] = np.nan
    return pd.Series(values, index=index), pd.Series(bad, index=index)


# --------------------------------------------------------------------------------------------
# numbers


def to_number(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers written as text: float64 values and the bad mask.

    Accepts thousands separators ("1,234", "1，234", "1 234"), currency ("¥1,234.50", "￥12",
    "$3", "12元"), Chinese units ("1.2万" = 12,000, "3亿" = 300,000,000), full-width digits,
    "−"/"－" minus, accounting negatives "(12.5)" and exponents ("1.5E+3"). A comma that does not
    group thousands ("12,5") is bad, so a decimal comma is never misread. Percentages are bad here:
    map such a column with :func:`to_rate`.
    """
    return _parse_number(s, allow=frozenset({"万", "亿"}))


def to_int(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers: as :func:`to_number`, then the value must be integral (and within ±2**53).

    Returns nullable Int64 values; "1.5" or "1.23456万" are bad, "1.2万" is 12000.
    """
    values, bad = to_number(s)
    integral = values.isna() | ((values % 1 == 0) & (values.abs() <= _MAX_EXACT_INT))
    bad = bad | ~integral
    values = values.where(~bad)
    return values.astype("Int64"), bad


def to_rate(s: pd.Series, bare: Literal["fraction", "percent"] = "fraction") -> tuple[pd.Series, pd.Series]:
    """Rates as fractions (float64): "3.45%" is 0.0345, "3.4‰" is 0.0034, whatever ``bare`` says.

    A number without a percent sign is read as ``bare`` declares: "fraction" (the export writes
    0.0345) or "percent" (it writes 3.45). The parser never guesses from the size of the value.
    """
    if bare not in ("fraction", "percent"):
        raise ValueError(f"bare must be 'fraction' or 'percent', not {bare!r}")
    return _parse_number(s, allow=frozenset({"%", "‰"}), bare_exponent=-2 if bare == "percent" else 0)


# --------------------------------------------------------------------------------------------
# dates and timestamps

_SERIAL = r"[0-9]{5}(?:\.[0-9]+)?"
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f")


def _normalise_datetime_text(t: pd.Series) -> pd.Series:
    """2026/11/3, 2026.11.03, 2026年11月3日 -> 2026-11-3; 'T' -> ' '; a time zone suffix dropped."""
    t = t.str.replace(r"^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?", r"\1-\2-\3", regex=True)
    t = t.str.replace(r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})(?:T|[ \t]+)", r"\1 ", regex=True)
    # an ISO offset or Z after a time: the wall-clock time as written is kept (exports are local time)
    t = t.str.replace(r"^(.* [0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)[ \t]*(?:Z|[+-][0-9]{2}:?[0-9]{2})$", r"\1", regex=True)
    return t


def _parse_datetime(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Timestamps (datetime64[ns]) and the bad mask; formats tried in turn on what is left."""
    index = s.index
    t = _clean(s).reset_index(drop=True)  # positional from here on: any index works
    present = t.notna().to_numpy()

    def parse(texts: pd.Series, fmt: str) -> pd.Series:
        got = pd.to_datetime(texts, format=fmt, errors="coerce")
        # pandas 3 parses to microseconds, so year 226 is a valid timestamp: bound it before
        # the cast to nanoseconds (which would overflow), and call it bad below
        return got.where((got >= _DATE_MIN) & (got < _DATE_MAX)).astype("datetime64[ns]")

    # the common case first, on the text as it is: "2026-11-03 14:05:09"
    out = parse(t, _FORMATS[0])
    todo = present & out.isna().to_numpy()
    if todo.any():
        rest = t[todo]
        serial = _match(rest, _SERIAL)
        if serial.any():
            days = pd.to_numeric(rest[serial], errors="coerce")
            seconds = (days[days.between(*SERIAL_RANGE)] * 86400).round()
            out.loc[seconds.index] = _EXCEL_ORIGIN + pd.to_timedelta(seconds.astype("int64"), unit="s")
        compact = _match(rest, r"[0-9]{8}")
        if compact.any():
            out.loc[compact[compact].index] = parse(rest[compact], "%Y%m%d")
        others = rest[~serial & ~compact]
        if len(others):
            others = _normalise_datetime_text(others)
            for fmt in _FORMATS:
                missing = out.loc[others.index].isna()
                if not missing.any():
                    break
                part = others[missing]
                out.loc[part.index] = parse(part, fmt)
    bad = present & out.isna().to_numpy()
    out.index = index
    return out, pd.Series(bad, index=index)


def parse_with_formats(s: pd.Series, formats: list[str] | tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """Timestamps read only with the given strptime ``formats`` (tried in turn), for exports whose
    dates are ambiguous: "12/1/2010 8:26" is 1 December with "%m/%d/%Y %H:%M" and 12 January with
    "%d/%m/%Y %H:%M". A cell that fits none is bad; nothing is guessed."""
    index = s.index
    t = _clean(s).reset_index(drop=True)
    present = t.notna().to_numpy()
    out = pd.Series(pd.NaT, index=t.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = present & out.isna().to_numpy()
        if not todo.any():
            break
        got = pd.to_datetime(t[todo], format=fmt, errors="coerce")
        got = got.where((got >= _DATE_MIN) & (got < _DATE_MAX)).astype("datetime64[ns]")
        out.loc[got.index] = got
    bad = present & out.isna().to_numpy()
    out.index = index
    return out, pd.Series(bad, index=index)


def to_datetime(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Timestamps (datetime64[ns], no time zone).

    Accepts "2026-11-03 14:05:09", "2026/11/03 14:05", "2026-11-03T14:05:09", fractional seconds,
    a trailing "Z"/"+08:00" (dropped: the wall-clock time as written is kept), dates alone
    (midnight), "20261103", "2026年11月3日", and Excel serial numbers with a fraction ("46329.5"
    is 2026-11-03 12:00:00; serials between 20000 and 80000 only, 1900 date system, rounded to the
    second). Years outside 1900..2199 are bad.
    """
    return _parse_datetime(s)


def to_date(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates as datetime64[ns] at midnight (the caller casts to DATE).

    Accepts everything :func:`to_datetime` does and keeps the date part: "2026-11-03",
    "2026/11/3", "2026.11.03", "20261103", "2026年11月3日", "2026-11-03T14:05:09", Excel serial
    numbers "46329" / "46329.0" (20000..80000, origin 1899-12-30; a fraction is dropped).
    """
    out, bad = _parse_datetime(s)
    return out.dt.normalize(), bad


# --------------------------------------------------------------------------------------------
# identifiers and text

_SCIENTIFIC = r"[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+"


def to_id(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Identifiers as text (str dtype): order, SKU, customer and product IDs.

    Strips, drops the leading apostrophe or tab that exports add to stop Excel reformatting,
    unwraps ``="123"``, and turns "12345.0" (an integral number that went through a float) into
    "12345". Scientific notation ("1.23E+17") is bad: the digits are already lost, and the only fix
    is to export the column again as text (:func:`explain_bad` says so).
    """
    index = s.index
    t = _clean(s).reset_index(drop=True)
    quoted = _mask(t.str.startswith("'") | t.str.startswith("="))
    if quoted.any():
        t = _where(t, quoted, lambda x: x.str.replace(f"^[{_WHITESPACE}']+", "", regex=True))
        t = _where(t, quoted, lambda x: x.str.replace(r'^="(.*)"$', r"\1", regex=True).str.strip())
        t = t.mask(_mask(t.eq("")))
    t = _where(t, _contains(t, "."), lambda x: x.str.replace(r"^([0-9]+)\.0+$", r"\1", regex=True))
    bad = np.zeros(len(t), dtype=bool)
    maybe = _contains(t, "e", "E")
    if maybe.any():
        bad = _match(t, _SCIENTIFIC).to_numpy()
        t = t.mask(bad)
    t.index = index
    return t, pd.Series(bad, index=index)


def to_text(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Free text (str dtype): stripped, runs of whitespace collapsed to one space, empty -> missing.

    Never bad; "-" and "N/A" stay as written (in a text column they may mean something).
    """
    t = _clean(s, null_tokens=False)
    t = t.str.replace(_SPACES, " ", regex=True)
    return t, pd.Series(False, index=t.index)


def to_bool(s: pd.Series, words: Mapping[str, bool]) -> tuple[pd.Series, pd.Series]:
    """A yes/no answer (pandas' nullable boolean): ``words`` says which texts mean True and False
    (compared case-insensitively after full-width folding); any other non-empty cell is bad."""
    t = _clean(s)
    keys = {str(k).strip().lower(): v for k, v in words.items()}
    lowered = t.str.lower()
    known = _mask(lowered.isin(list(keys)))
    out = pd.Series(pd.array([keys[v] if ok else None for v, ok in zip(lowered, known)], dtype="boolean"),
                    index=t.index)
    return out, pd.Series((t.notna() & ~known).to_numpy(dtype=bool), index=t.index)


def map_values(
    s: pd.Series, mapping: Mapping[str, str], default: str = "keep"
) -> tuple[pd.Series, pd.Series]:
    """Canonical values by exact match after stripping (e.g. 交易成功 -> "completed").

    ``default`` says what an unmapped non-empty cell becomes: ``"keep"`` its stripped text;
    ``"bad"`` missing and marked bad; any other string that string. Empty cells stay missing.
    """
    if default not in ("keep", "bad") and not isinstance(default, str):
        raise ValueError(f"default must be 'keep', 'bad' or a string, not {default!r}")
    t = _clean(s)
    keys = {str(k).strip(): v for k, v in mapping.items()}
    # map the distinct values only (a status column holds a handful), then spread them back
    codes, uniques = pd.factorize(t)
    distinct = pd.Series(uniques, dtype="str")
    mapped = distinct.map(keys).astype("str")
    unmapped = mapped.isna().to_numpy()
    if default == "keep":
        mapped = mapped.where(~unmapped, distinct)
    elif default != "bad":
        mapped = mapped.where(~unmapped, default)
    out = pd.Series(mapped.array.take(codes, allow_fill=True), index=t.index, dtype="str")
    bad = np.zeros(len(t), dtype=bool)
    if default == "bad":
        bad = (codes >= 0) & unmapped[np.maximum(codes, 0)] if len(unmapped) else bad
    return out, pd.Series(bad, index=t.index)


# --------------------------------------------------------------------------------------------
# messages

_PARSER_NAMES = ("to_number", "to_int", "to_rate", "to_date", "to_datetime", "to_id", "map_values", "to_bool")


def explain_bad(parser: str | Callable, cell: object) -> str:
    """One sentence saying why ``cell`` is bad for ``parser`` (a parser function or its name).

    The importer puts it after the file, sheet, row and column it names, e.g.
    ``explain_bad(to_id, "1.23E+17")``.
    """
    name = parser if isinstance(parser, str) else getattr(parser, "__name__", str(parser))
    if name not in _PARSER_NAMES:
        raise ValueError(f"unknown parser {name!r}; one of {', '.join(_PARSER_NAMES)}")
    text = str(cell).strip().translate(_FULL_WIDTH_TABLE)
    shown = repr(str(cell))
    if name == "to_id":
        return (
            f"{shown} is in scientific notation: the ID's last digits were lost when it was stored "
            "as a number (Excel keeps 15 significant digits). Export the column as text again (in "
            "Excel: Data > From Text/CSV with this column set to Text) and re-import the file."
        )
    if name in ("to_date", "to_datetime"):
        return (
            f"{shown} is not a date or time: expected e.g. 2026-11-03, 2026/11/3, 20261103, "
            "2026-11-03 14:05:09 or an Excel serial day number between "
            f"{SERIAL_RANGE[0]} and {SERIAL_RANGE[1]}"
        )
    if name == "map_values":
        return f"{shown} is not one of the values this column's mapping knows"
    if name == "to_bool":
        return f"{shown} is not a yes/no answer: expected 是 or 否 (yes or no)"
    if name == "to_rate":
        if any(u in text for u in ("万", "亿")):
            return f"{shown} is not a rate: 万/亿 units belong to amounts and counts"
        return f"{shown} is not a rate: expected e.g. 3.45% or 0.0345"
    if "%" in text or "‰" in text:
        return f"{shown} is a percentage: map the column as a rate, not a number"
    if name == "to_int":
        return f"{shown} is not a whole number"
    if "," in text:
        return f"{shown} is not a number: a comma is accepted only between groups of three digits (1,234.50)"
    return f"{shown} is not a number"
