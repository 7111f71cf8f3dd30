"""excel.py: formatted sheets, frozen header, filters, and no formula from text."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from opsreport.render.excel import NUMBER_FORMATS, Sheet, sheet_titles, write_workbook

INJECTIONS = ["=1+2", "+SUM(A1)", "-3", "@cmd", '=HYPERLINK("http://x","y")', "#N/A"]


@pytest.fixture
def workbook_path(tmp_path):
    frame = pd.DataFrame(
        {
            "商品名称": INJECTIONS + ["普通商品", None],
            "gmv_amount": [1234.5, np.nan, 3, 4, 5, 6, 7, 8],
            "orders": pd.array([1, None, 3, 4, 5, 6, 7, 1200], dtype="Int64"),
            "conversion_rate": [0.0321] * 8,
            "roi": [2.5] * 8,
            "first_response_s": [12.25] * 8,
            "cover_days": [3.5] * 8,
            "date": pd.to_datetime(["2026-11-16"] * 7 + [None]),
            "paid_at": pd.to_datetime(["2026-11-16 10:30"] * 8).tz_localize("Asia/Shanghai"),
        }
    )
    units = {
        "gmv_amount": "yuan",
        "orders": "count",
        "conversion_rate": "rate",
        "roi": "ratio",
        "first_response_s": "seconds",
        "cover_days": "days",
        "date": "date",
    }
    path = tmp_path / "tables.xlsx"
    write_workbook([Sheet("KPI", frame, units), Sheet("商品/Top[10]", frame.head(2))], path)
    return path


def test_header_freeze_filter_and_number_formats(workbook_path):
    ws = openpyxl.load_workbook(workbook_path)["KPI"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:I9"
    header = [c.value for c in ws[1]]
    assert header[:3] == ["商品名称", "gmv_amount", "orders"]
    assert all(c.font.bold for c in ws[1]) and ws["A1"].fill.fgColor.rgb.endswith("DCE6F1")
    formats = {ws.cell(1, col).value: ws.cell(2, col).number_format for col in range(2, 9)}
    assert formats == {
        "gmv_amount": NUMBER_FORMATS["yuan"],
        "orders": "#,##0",
        "conversion_rate": "0.00%",
        "roi": "0.00",
        "first_response_s": "0.0",
        "cover_days": "0.0",
        "date": "yyyy-mm-dd",
    }
    assert ws["B2"].value == 1234.5 and ws["C9"].value == 1200


def test_missing_values_are_empty_and_dates_are_dates(workbook_path):
    ws = openpyxl.load_workbook(workbook_path)["KPI"]
    assert ws["B3"].value is None and ws["C3"].value is None  # NaN, <NA>
    assert ws["A9"].value is None and ws["H9"].value is None  # None, NaT
    assert ws["H2"].value == dt.datetime(2026, 11, 16) and ws["H2"].is_date
    assert ws["I2"].value == dt.datetime(2026, 11, 16, 10, 30)  # wall time kept, zone dropped


def test_text_that_looks_like_a_formula_stays_text(workbook_path):
    with zipfile.ZipFile(workbook_path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    assert 't="e"' not in xml
    ws = openpyxl.load_workbook(workbook_path)["KPI"]
    values = [ws.cell(row, 1).value for row in range(2, 2 + len(INJECTIONS))]
    assert values == INJECTIONS
    for row in range(2, 2 + len(INJECTIONS)):
        assert ws.cell(row, 1).data_type in ("s", "inlineStr")
    assert ws["A2"].quotePrefix  # stays text when edited in Excel, too


def test_column_widths_count_cjk_double(workbook_path):
    ws = openpyxl.load_workbook(workbook_path)["KPI"]
    # '=HYPERLINK("http://x","y")' is 26 characters; "商品名称" counts 8
    assert ws.column_dimensions["A"].width >= 26
    assert 6 <= ws.column_dimensions["D"].width <= 60


def test_sheet_names_are_sanitised_and_unique(workbook_path):
    assert openpyxl.load_workbook(workbook_path).sheetnames == ["KPI", "商品_Top_10_"]
    titles = sheet_titles(["a" * 40, "A" * 40, "x:y", "x?y", "", "'quoted'", "History"])
    assert all(len(t) <= 31 and not re.search(r"[\[\]:*?/\\]", t) for t in titles)
    assert len({t.lower() for t in titles}) == len(titles)
    assert titles[1].endswith("(2)") and titles[3] == "x_y (2)" and titles[5] == "quoted"


def test_named_index_is_written_and_bad_units_are_refused(tmp_path):
    frame = pd.DataFrame({"gmv": [1.0, 2.0]}, index=pd.Index(["a", "b"], name="渠道"))
    write_workbook([Sheet("s", frame, {"gmv": "yuan"})], tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert [c.value for c in ws[1]] == ["渠道", "gmv"]
    with pytest.raises(ValueError, match="unknown unit"):
        Sheet("s", frame, {"gmv": "dollars"})
    with pytest.raises(ValueError, match="missing column"):
        Sheet("s", frame, {"nope": "yuan"})
    with pytest.raises(ValueError, match="at least one sheet"):
        write_workbook([], tmp_path / "y.xlsx")


def test_empty_frame_still_has_header_and_filter(tmp_path):
    write_workbook([Sheet("空", pd.DataFrame(columns=["a", "b"]))], tmp_path / "e.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "e.xlsx").active
    assert [c.value for c in ws[1]] == ["a", "b"] and ws.auto_filter.ref == "A1:B1"
