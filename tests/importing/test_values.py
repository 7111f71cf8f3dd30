"""Cell parsers on tricky inputs: expected values computed by hand, bad masks checked cell by cell."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from opsreport.importing import values
from opsreport.importing.values import (
    explain_bad,
    map_values,
    to_date,
    to_datetime,
    to_id,
    to_int,
    to_number,
    to_rate,
    to_text,
)

NAN = float("nan")


def run(parser, cases: dict[str, object], **kw):
    """Parse the cases' keys; return {cell: (value, bad)} and check the index was kept."""
    s = pd.Series(list(cases), index=range(5, 5 + len(cases)), dtype=object)  # row numbers as index
    out, bad = parser(s, **kw)
    assert list(out.index) == list(s.index) and list(bad.index) == list(s.index)
    assert bad.dtype == bool
    return out, bad


def check(parser, cases: dict[str, object], **kw):
    """cases: cell text -> expected value, or BAD for an unparseable cell (missing value)."""
    out, bad = run(parser, cases, **kw)
    for (cell, want), got, is_bad in zip(cases.items(), out.tolist(), bad.tolist()):
        if want is BAD:
            assert is_bad, f"{cell!r} should be bad, got {got!r}"
            assert pd.isna(got), cell
            continue
        assert not is_bad, f"{cell!r} should not be bad"
        if want is None:
            assert pd.isna(got), f"{cell!r} -> {got!r}, expected empty"
        elif isinstance(want, float):
            assert got == want, f"{cell!r} -> {got!r}, expected {want!r}"  # exact, not approx
        else:
            assert got == want, f"{cell!r} -> {got!r}, expected {want!r}"


BAD = object()


def test_to_number_accepts_what_exports_write():
    check(to_number, {
        "1,234": 1234.0,
        "1，234": 1234.0,            # full-width comma
        "¥1,234.50": 1234.5,
        "￥1,234.50": 1234.5,         # full-width yen
        "$3": 3.0,
        "12元": 12.0,
        "1,234.50元": 1234.5,
        "1.2万": 12000.0,
        "1.15万": 11500.0,           # 1.15 * 10000 is 11499.999999999998 in floats; we get 11500
        "3亿": 300000000.0,
        "１２３": 123.0,              # full-width digits
        "１２３．５": 123.5,
        "−5": -5.0,                  # U+2212 minus sign
        "－5": -5.0,                 # full-width hyphen-minus
        "-¥3.5": -3.5,
        "(12.5)": -12.5,             # accounting negative
        "（12.5）": -12.5,           # full-width parentheses
        " 1 234 ": 1234.0,           # spaces anywhere
        "\u00a012": 12.0,             # non-breaking space
        "1.5E+3": 1500.0,
        "0": 0.0,
        ".5": 0.5,
        "1,234,567.891": 1234567.891,
    })


def test_to_number_empty_tokens_are_empty_not_bad():
    check(to_number, {"-": None, "--": None, "—": None, "": None, "N/A": None, "n/a": None,
                      "null": None, "NULL": None, "/": None, "   ": None, "#N/A": None})
    out, bad = to_number(pd.Series([None, np.nan], dtype=object))
    assert out.isna().all() and not bad.any()


def test_to_number_bad_cells():
    check(to_number, {
        "12,5": BAD,        # a decimal comma is not guessed
        "1,23,456": BAD,    # not thousands groups
        "abc": BAD,
        "3.45%": BAD,       # a percentage in a number column: map it as a rate
        "1e999": BAD,       # overflows to inf
        "(-3)": BAD,        # a sign inside accounting parentheses
        "1.5E3万": BAD,
        "12元3": BAD,
        "--5": BAD,
        "1.2.3": BAD,
    })


def test_to_number_returns_float64_with_the_index():
    out, bad = to_number(pd.Series(["1", "x", None], index=[7, 9, 12]))
    assert out.dtype == np.float64
    assert out.loc[7] == 1.0 and math.isnan(out.loc[9]) and math.isnan(out.loc[12])
    assert bad.tolist() == [False, True, False]


def test_to_int():
    out, bad = run(to_int, {"1,234": 0, "1.2万": 0, "12.0": 0, "1.5": 0, "1.23456万": 0, "-": 0,
                            "x": 0, "1e20": 0, "-7": 0})
    assert str(out.dtype) == "Int64"
    assert out.tolist()[:3] == [1234, 12000, 12]
    assert out.tolist()[-1] == -7
    assert bad.tolist() == [False, False, False, True, True, False, True, True, False]
    assert out.isna().tolist() == [False, False, False, True, True, True, True, True, False]


def test_to_rate_percent_strings_are_fractions_whatever_bare_says():
    for bare in ("fraction", "percent"):
        check(to_rate, {"3.45%": 0.0345, "３．４５％": 0.0345, "-2%": -0.02, "100%": 1.0,
                        "3.4‰": 0.0034, "0%": 0.0, "--": None, "12万": BAD, "x%": BAD},
              bare=bare)


def test_to_rate_bare_numbers_are_taken_as_declared_never_guessed():
    check(to_rate, {"0.0345": 0.0345, "3.45": 3.45, "1.5": 1.5}, bare="fraction")
    # no "divide by 100 if > 1": 0.5 in a percent column is half a percent
    check(to_rate, {"3.45": 0.0345, "0.5": 0.005, "150": 1.5, "3.45E0": 0.0345}, bare="percent")
    with pytest.raises(ValueError):
        to_rate(pd.Series(["1"]), bare="auto")


def test_to_date_formats():
    day = pd.Timestamp("2026-11-03")
    check(to_date, {
        "2026-11-03": day,
        "2026/11/3": day,
        "2026.11.03": day,
        "20261103": day,
        "2026年11月3日": day,
        "2026-11-03T14:05:09": day,
        "2026-11-03 14:05:09": day,
        "２０２６-１１-０３": day,
        "46329": day,            # Excel serial: 1899-12-30 + 46329 days
        "46329.0": day,
        "46329.75": day,         # the time of day is dropped
        "-": None,
        "": None,
        "2026-02-30": BAD,
        "12345": BAD,            # a serial outside 20000..80000
        "99999999": BAD,
        "0226-11-03": BAD,       # year typo: outside 1900..2199
        "hello": BAD,
        "2026-13-01": BAD,
    })
    out, _ = to_date(pd.Series(["2026-11-03 14:05:09"]))
    assert out.dtype == "datetime64[ns]"


def test_to_datetime_formats():
    ts = pd.Timestamp
    check(to_datetime, {
        "2026-11-03 14:05:09": ts("2026-11-03 14:05:09"),
        "2026/11/03 14:05": ts("2026-11-03 14:05:00"),
        "2026-11-03T14:05:09": ts("2026-11-03 14:05:09"),
        "2026-11-3 4:05:09": ts("2026-11-03 04:05:09"),
        "2026-11-03 14:05:09.250": ts("2026-11-03 14:05:09.250"),
        "2026-11-03T14:05:09+08:00": ts("2026-11-03 14:05:09"),  # wall-clock time kept
        "2026-11-03": ts("2026-11-03 00:00:00"),
        "2026年11月3日 14:05:09": ts("2026-11-03 14:05:09"),
        "46329.5": ts("2026-11-03 12:00:00"),
        "46329.587604166667": ts("2026-11-03 14:06:09"),  # 0.587604166667 d = 50769.0 s
        "null": None,
        "2026-11-03 25:00:00": BAD,
        "14:05:09": BAD,
    })
    out, _ = to_datetime(pd.Series(["2026-11-03 14:05:09"]))
    assert out.dtype == "datetime64[ns]"


def test_to_id():
    check(to_id, {
        "123456789012345678": "123456789012345678",  # 18 digits, exact
        "'123456789012345678": "123456789012345678",  # apostrophe that keeps Excel off
        "\t123456789012345678": "123456789012345678",  # tab that does the same
        '="123456789012345678"': "123456789012345678",
        "12345.0": "12345",
        "12345.00": "12345",
        "  SKU-01 ": "SKU-01",
        "1.5": "1.5",
        "ABC1E5": "ABC1E5",
        "1.23E+17": BAD,          # the digits are already lost
        "1.23456789012346e+17": BAD,
        "5E3": BAD,
        "": None,
        "-": None,
    })
    out, _ = to_id(pd.Series(["1"]))
    assert out.dtype == "str"


def test_to_text_collapses_whitespace_and_keeps_dashes():
    out, bad = run(to_text, {"  a   b\u3000c ": 0, "": 0, "\u3000": 0, "-": 0, "x\ny": 0})
    assert out.tolist()[0] == "a b c"
    assert out.isna().tolist() == [False, True, True, False, False]
    assert out.tolist()[3] == "-" and out.tolist()[4] == "x y"
    assert not bad.any()


STATUS = {"交易成功": "completed", "交易关闭": "closed", "等待买家付款": "unpaid"}


def test_map_values_defaults():
    s = pd.Series([" 交易成功 ", "交易关闭", "退款中", None, "", "交易成功"], index=[3, 4, 5, 6, 7, 8])
    out, bad = map_values(s, STATUS, default="bad")
    assert out.tolist()[:2] == ["completed", "closed"] and out.tolist()[5] == "completed"
    assert out.isna().tolist() == [False, False, True, True, True, False]
    assert bad.tolist() == [False, False, True, False, False, False]
    assert list(out.index) == [3, 4, 5, 6, 7, 8]

    out, bad = map_values(s, STATUS, default="keep")
    assert out.tolist()[2] == "退款中" and not bad.any()

    out, bad = map_values(s, STATUS, default="other")
    assert out.tolist()[2] == "other" and not bad.any()
    assert out.isna().tolist() == [False, False, False, True, True, False]


def test_explain_bad_says_what_to_do():
    text = explain_bad(to_id, "1.23E+17")
    assert "1.23E+17" in text and "scientific notation" in text and "as text" in text
    assert "rate" in explain_bad(to_number, "3.45%")
    assert "three digits" in explain_bad("to_number", "12,5")
    assert "whole number" in explain_bad(to_int, "1.5")
    assert "2026-11-03" in explain_bad(to_date, "2026-02-30")
    with pytest.raises(ValueError):
        explain_bad("to_nothing", "x")


def test_parsers_accept_str_dtype_and_keep_missing():
    s = pd.Series(["1", None, "2"], dtype="str")
    assert to_number(s)[0].isna().tolist() == [False, True, False]
    assert to_id(s)[0].isna().tolist() == [False, True, False]
    assert values.to_date(pd.Series([], dtype="str"))[0].empty


def test_parsers_keep_any_index_even_a_repeated_one():
    # rows from two sheets of one file can share numbers; nothing may be aligned by label
    s = pd.Series(["１", "2026-11-03", "x"], index=[5, 5, 6])
    for parser in (to_number, to_int, to_date, to_datetime, to_id, to_text):
        out, bad = parser(s)
        assert list(out.index) == [5, 5, 6] and list(bad.index) == [5, 5, 6]
    assert to_number(s)[1].tolist() == [False, True, True]
    assert to_date(s)[0].tolist()[1] == pd.Timestamp("2026-11-03")
