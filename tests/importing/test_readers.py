"""Reading export files: encodings, delimiters, preambles, totals, Excel cell types, row numbers, errors.

Every file is written here by code, small, under tmp_path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from opsreport.errors import OpsReportError, WarehouseError
from opsreport.importing import values
from opsreport.importing.readers import FileReadError, RawSheet, normalize_header, read_export

DAILY = ["统计日期", "访客数", "支付金额", "支付转化率", "商品ID", "订单编号"]
ORDERS = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "订单付款时间", "退款金额"]


def write_text(path: Path, lines: list[str], encoding: str, newline: str = "\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def one(sheets: list[RawSheet]) -> RawSheet:
    assert len(sheets) == 1
    return sheets[0]


def cells(sheet: RawSheet) -> list[list]:
    """The frame's cells with missing as None, row by row."""
    return [[None if pd.isna(v) else v for v in row] for row in sheet.frame.itertuples(index=False)]


# --- CSV ------------------------------------------------------------------------------------


def test_gb18030_csv_with_chinese_headers_and_preamble(tmp_path):
    path = write_text(tmp_path / "orders.csv", [
        "订单报表",
        "导出时间：2026-11-23 09:00:00",
        "店铺：测试旗舰店",
        ",".join(ORDERS),
        '123456789012345678,买家_甲,"¥1,234.50",交易成功,2026-11-03 14:05:09,2026-11-03 14:06:00,0',
        "223456789012345678,买家_乙,¥88.00,等待买家付款,2026-11-03 15:00:00,,0",
    ], "gb18030")
    sheet = one(read_export(path, ORDERS))
    assert sheet.encoding == "gb18030"
    assert sheet.sheet is None
    assert sheet.header_row == 4
    assert sheet.columns_found == ORDERS
    assert list(sheet.frame.index) == [5, 6]  # 3-row preamble: the first data row is row 5
    assert cells(sheet)[0] == ["123456789012345678", "买家_甲", "¥1,234.50", "交易成功",
                               "2026-11-03 14:05:09", "2026-11-03 14:06:00", "0"]
    assert cells(sheet)[1][5] is None  # empty cell -> missing
    assert sheet.frame["订单编号"].tolist() == ["123456789012345678", "223456789012345678"]  # never floats


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"),
                                                    ("gbk", "gb18030"), ("gb2312", "gb18030")])
def test_csv_encodings_are_detected(tmp_path, encoding, expected):
    path = write_text(tmp_path / "daily.csv", ["统计日期,访客数,支付金额", "2026-11-03,1200,\"3,456.00\""], encoding)
    sheet = one(read_export(path, DAILY))
    assert sheet.encoding == expected
    assert sheet.columns_found == ["统计日期", "访客数", "支付金额"]  # no BOM left in the first header
    assert cells(sheet) == [["2026-11-03", "1200", "3,456.00"]]
    assert list(sheet.frame.index) == [2]


@pytest.mark.parametrize("delimiter", ["\t", ";", ","])
def test_csv_delimiters(tmp_path, delimiter):
    rows = [["报表：流量来源"], ["流量来源", "访客数", "支付金额"], ["手淘搜索", "100", "¥1234.5"], ["直通车", "50", "99"]]
    path = write_text(tmp_path / "traffic.txt", [delimiter.join(r) for r in rows], "utf-8", newline="\r\n")
    sheet = one(read_export(path, ["流量来源", "访客数"]))
    assert sheet.header_row == 2
    assert cells(sheet) == [["手淘搜索", "100", "¥1234.5"], ["直通车", "50", "99"]]
    assert list(sheet.frame.index) == [3, 4]


def test_excel_unicode_text_utf16_tab_delimited(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes("统计日期\t访客数\r\n2026-11-03\t12\r\n".encode("utf-16"))
    sheet = one(read_export(path, DAILY))
    assert sheet.encoding == "utf-16"
    assert cells(sheet) == [["2026-11-03", "12"]]


def test_csv_row_numbers_count_blank_rows_totals_and_quoted_line_breaks(tmp_path):
    path = write_text(tmp_path / "orders.csv", [
        "订单报表",                                     # 1
        ",".join(ORDERS[:4]),                           # 2 header
        "合计,,999,",                                   # 3 total at the top
        "1,甲,10,交易成功",                             # 4
        "",                                             # 5 blank
        '2,"乙\n换行的名字",20,交易关闭',               # 6 (one record, two lines)
        " , , , ",                                      # 7 blank after stripping
        "3,丙,30,交易成功",                             # 8
        "总计,,60,",                                    # 9 total at the end
    ], "utf-8")
    sheet = one(read_export(path, ORDERS))
    assert list(sheet.frame.index) == [4, 6, 8]
    assert sheet.total_rows == (3, 9)
    assert sheet.frame.loc[6, "买家会员名"] == "乙\n换行的名字"


def test_ragged_csv_rows_read_tolerantly_with_the_same_row_numbers(tmp_path):
    # short rows and a trailing delimiter on every data row (as some order exports have) leave
    # pyarrow's strict reader for pandas' tolerant one; the rows and their numbers are the same
    path = write_text(tmp_path / "orders.csv", [
        "订单编号,买家会员名,退款金额",
        "1,甲,0,",
        "2,乙",
        "",
        '3,"丙\n丁",5,',
    ], "gb18030")
    sheet = one(read_export(path, ORDERS))
    assert list(sheet.frame.index) == [2, 3, 5]
    assert cells(sheet) == [["1", "甲", "0"], ["2", "乙", None], ["3", "丙\n丁", "5"]]


def test_fast_and_tolerant_csv_readers_agree(tmp_path, monkeypatch):
    from opsreport.importing import readers

    path = write_text(tmp_path / "orders.csv", [
        "导出时间：2026-11-23",
        ",".join(ORDERS[:3]),
        '1,"甲, ""引号""",¥1.00',
        "",
        '2,"乙\r\n丙",¥2.00',
        "合计,,¥3.00",
    ], "gb18030", newline="\r\n")
    fast = one(read_export(path, ORDERS))
    monkeypatch.setattr(readers, "_csv_body_fast", lambda *a, **k: None)
    tolerant = one(read_export(path, ORDERS))
    pd.testing.assert_frame_equal(fast.frame, tolerant.frame)
    assert list(fast.frame.index) == [3, 5] and fast.total_rows == tolerant.total_rows == (6,)
    assert fast.frame.loc[3, "买家会员名"] == '甲, "引号"'


def test_csv_row_with_an_unquoted_delimiter_is_an_error_naming_the_row(tmp_path):
    path = write_text(tmp_path / "orders.csv", [
        "订单编号,买家会员名,退款金额",
        "1,甲,0",
        "2,乙,丙,0",  # the buyer name held a comma and was not quoted
        "3,丁,0",
    ], "utf-8")
    with pytest.raises(FileReadError) as info:
        read_export(path, ORDERS)
    assert info.value.row == 3 and info.value.file == path
    assert "row 3" in str(info.value) and "more cells than the header" in str(info.value)


def test_headers_are_cleaned_and_made_unique(tmp_path):
    path = write_text(tmp_path / "x.csv", ["\u3000统计日期\u3000, 访客数 ,访客数,,支付　金额", "2026-11-03,1,2,,3"], "utf-8")
    sheet = one(read_export(path, DAILY))
    # the empty header's column holds nothing and is dropped; "支付金额" lost its full-width space
    assert sheet.columns_found == ["统计日期", "访客数", "访客数_2", "支付金额"]
    assert cells(sheet) == [["2026-11-03", "1", "2", "3"]]


def test_header_matching_ignores_spaces_case_and_width():
    assert normalize_header(" 支付 金额\u3000") == normalize_header("支付金额")
    assert normalize_header("ＵＶ") == normalize_header("uv") == "uv"
    assert normalize_header(None) == ""


def test_total_words_must_stand_alone(tmp_path):
    path = write_text(tmp_path / "p.csv", [
        "商品名称,支付金额",
        "Summer dress,10",    # not a total
        "Totally cotton,20",  # not a total
        "Total,30",
        "Sum:,30",
        "小计（本页）,30",
    ], "utf-8")
    sheet = one(read_export(path, ["商品名称", "支付金额"]))
    assert sheet.frame["商品名称"].tolist() == ["Summer dress", "Totally cotton"]
    assert sheet.total_rows == (4, 5, 6)


def test_total_in_the_second_cell_or_first_non_empty_cell(tmp_path):
    path = write_text(tmp_path / "p.csv", [
        "店铺,统计日期,访客数,支付金额",
        "A,2026-11-03,1,2",
        "A,合计,1,2",
        ",,汇总,3",
    ], "utf-8")
    sheet = one(read_export(path, DAILY))
    assert list(sheet.frame.index) == [2] and sheet.total_rows == (3, 4)


# --- Excel ----------------------------------------------------------------------------------


def write_daily_xlsx(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "经营概况"
    ws["A1"] = "2026年11月 店铺经营概况"                     # preamble: title
    ws["A2"] = "统计日期：2026-11-01 ~ 2026-11-07"           # preamble: date range
    ws["A3"] = "店铺：测试旗舰店"                             # preamble: shop name
    for c, h in enumerate(DAILY, start=1):
        ws.cell(row=4, column=c, value=h)
    for c, v in enumerate(["合计", 300, 4000.5], start=1):   # total row at the top
        ws.cell(row=5, column=c, value=v)
    row6 = [dt.date(2026, 11, 1), 100, 1234.5, 0.0345, "123456789012345678", 12345678]
    for c, v in enumerate(row6, start=1):
        ws.cell(row=6, column=c, value=v)
    ws["A6"].number_format = "yyyy-mm-dd"
    ws["D6"].number_format = "0.00%"                          # shows 3.45%, stored 0.0345
    # row 7 left blank
    row8 = [dt.datetime(2026, 11, 2, 14, 5, 9), "1,234", "¥1,234.50", "3.45%", 123456789012345678, 1234.0]
    for c, v in enumerate(row8, start=1):
        ws.cell(row=8, column=c, value=v)
    ws["A8"].number_format = "yyyy-mm-dd hh:mm:ss"
    row9 = [46329, 7, 0.125, 1, 1.2345678901234568e17, "'000123"]
    for c, v in enumerate(row9, start=1):
        ws.cell(row=9, column=c, value=v)
    ws["D9"].number_format = "0%"
    ws["A10"] = "总计"                                         # total row at the end
    ws["B10"] = 300
    notes = wb.create_sheet("说明")                            # a sheet without a header
    notes["A1"] = "数据说明：支付金额含运费"
    wb.save(path)
    return path


def test_xlsx_preamble_totals_blank_rows_and_cell_types(tmp_path):
    path = write_daily_xlsx(tmp_path / "daily.xlsx")
    sheet = one(read_export(path, DAILY))  # the notes sheet is skipped, not an error
    assert sheet.sheet == "经营概况" and sheet.encoding is None
    assert sheet.header_row == 4
    assert list(sheet.frame.index) == [6, 8, 9]  # Excel's own row numbers
    assert sheet.total_rows == (5, 10)
    assert cells(sheet) == [
        ["2026-11-01", "100", "1234.5", "3.45%", "123456789012345678", "12345678"],
        # an 18-digit ID stored as a number: openpyxl, like Excel, keeps a double, so its digits are gone
        ["2026-11-02 14:05:09", "1,234", "¥1,234.50", "3.45%", "1.234567890123457e+17", "1234"],
        ["46329", "7", "0.125", "100%", "1.234567890123457e+17", "'000123"],
    ]
    # and the value parsers take it from there
    rate, bad = values.to_rate(sheet.frame["支付转化率"], bare="fraction")
    assert rate.tolist() == [0.0345, 0.0345, 1.0] and not bad.any()
    ids, bad = values.to_id(sheet.frame["商品ID"])
    assert ids.tolist()[0] == "123456789012345678"  # stored as text: exact
    assert bad.tolist() == [False, True, True]  # stored as numbers: their digits were lost
    numeric_ids, bad = values.to_id(sheet.frame["订单编号"])
    assert numeric_ids.tolist() == ["12345678", "1234", "000123"] and not bad.any()
    days, bad = values.to_date(sheet.frame["统计日期"])
    assert days.tolist() == [pd.Timestamp("2026-11-01"), pd.Timestamp("2026-11-02"), pd.Timestamp("2026-11-03")]


def test_xlsx_cells_beyond_the_header_keep_their_position(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["订单编号", "订单状态"])
    ws.append(["1", "交易成功"])
    ws["E2"] = "备注：已核对"  # a note to the right of the table, columns C and D empty
    wb.save(tmp_path / "o.xlsx")
    sheet = one(read_export(tmp_path / "o.xlsx", ORDERS))
    assert sheet.columns_found == ["订单编号", "订单状态", "column_5"]
    assert cells(sheet) == [["1", "交易成功", "备注：已核对"]]


def test_xlsx_every_sheet_with_a_header_is_read(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    wb.active["A1"] = "订单导出"
    for name in ("11月", "12月"):
        ws = wb.create_sheet(name)
        ws.append(["订单编号", "订单状态"])
        ws.append([f"{name}-1", "交易成功"])
    wb.save(tmp_path / "orders.xlsx")
    sheets = read_export(tmp_path / "orders.xlsx", ORDERS)
    assert [s.sheet for s in sheets] == ["11月", "12月"]
    assert [cells(s) for s in sheets] == [[["11月-1", "交易成功"]], [["12月-1", "交易成功"]]]


def test_xlsx_header_with_no_data_rows(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["订单编号", "订单状态"])
    wb.save(tmp_path / "empty.xlsx")
    sheet = one(read_export(tmp_path / "empty.xlsx", ORDERS))
    assert sheet.frame.empty and sheet.columns_found == ["订单编号", "订单状态"]


def test_xls_with_preamble_percent_and_dates(tmp_path):
    import xlwt  # a test-only dependency (pyproject's test extra)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("商品日报")
    ws.write(0, 0, "商品日报")
    ws.write(1, 0, "统计日期：2026-11-03")
    for c, h in enumerate(["统计日期", "商品ID", "商品名称", "支付转化率", "支付金额"]):
        ws.write(2, c, h)
    ws.write(3, 0, dt.datetime(2026, 11, 3), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    ws.write(3, 1, 623456789012.0)
    ws.write(3, 2, "面霜 50ml")
    ws.write(3, 3, 0.0345, xlwt.easyxf(num_format_str="0.00%"))
    ws.write(3, 4, 1234.5)
    ws.write(4, 0, dt.datetime(2026, 11, 3, 14, 5, 9), xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss"))
    ws.write(4, 1, "123456789012345678")
    ws.write(4, 3, "3.45%")
    ws.write(4, 4, True)
    ws.write(6, 0, "合计")
    ws.write(6, 4, 1234.5)
    path = tmp_path / "products.xls"
    wb.save(str(path))
    sheet = one(read_export(path, ["统计日期", "商品ID", "商品名称"]))
    assert sheet.sheet == "商品日报" and sheet.header_row == 3 and sheet.encoding is None
    assert list(sheet.frame.index) == [4, 5] and sheet.total_rows == (7,)
    assert cells(sheet) == [
        ["2026-11-03", "623456789012", "面霜 50ml", "3.45%", "1234.5"],
        ["2026-11-03 14:05:09", "123456789012345678", None, "3.45%", "TRUE"],
    ]


def test_content_decides_the_format_not_the_extension(tmp_path):
    # a CSV that a back office named .xls, and a workbook saved as .xls by mistake
    csv_path = write_text(tmp_path / "orders.xls", ["订单编号\t订单状态", "1\t交易成功"], "gb18030")
    assert cells(one(read_export(csv_path, ORDERS))) == [["1", "交易成功"]]
    xlsx_path = write_daily_xlsx(tmp_path / "daily.xls")
    assert one(read_export(xlsx_path, DAILY)).sheet == "经营概况"


# --- errors ---------------------------------------------------------------------------------


def test_no_header_row_lists_what_was_found(tmp_path):
    path = write_text(tmp_path / "other.csv", ["某报表", "日期,曝光,点击", "2026-11-03,1,2"], "utf-8")
    with pytest.raises(FileReadError) as info:
        read_export(path, DAILY)
    err = info.value
    assert isinstance(err, WarehouseError) and isinstance(err, OpsReportError)
    text = str(err)
    assert str(path) in text and "no header row found" in text
    assert "'日期', '曝光', '点击'" in text  # the most header-like row's cells
    assert "统计日期" in text  # what was expected
    assert err.row == 2 and err.file == path and err.sheet is None and err.column is None


def test_no_header_in_any_sheet_names_the_best_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "A"
    wb.active.append(["说明"])
    ws = wb.create_sheet("B")
    ws.append(["标题"])
    ws.append(["统计日期", "曝光量", "点击量"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(FileReadError) as info:
        read_export(tmp_path / "x.xlsx", DAILY, min_matches=2)
    assert info.value.sheet == "B" and info.value.row == 2
    assert "'统计日期', '曝光量', '点击量'" in str(info.value) and "(1 known)" in str(info.value)


def test_header_beyond_max_scan_rows_is_not_found(tmp_path):
    path = write_text(tmp_path / "x.csv", ["备注"] * 5 + ["统计日期,访客数", "2026-11-03,1"], "utf-8")
    assert one(read_export(path, DAILY)).header_row == 6
    with pytest.raises(FileReadError, match="first 5 rows"):
        read_export(path, DAILY, max_scan_rows=5)


@pytest.mark.parametrize(("name", "content", "says"), [
    ("random.xlsx", bytes(range(256)) * 8, "does not look like a spreadsheet"),
    ("page.xls", b"<html><head><meta charset='utf-8'></head><body><table><tr><td>x</td></tr></table></body></html>",
     "HTML page"),
    ("empty.csv", b"", "empty"),
    ("doc.xlsx", b"%PDF-1.7\n...", "PDF"),
    ("x.xls", b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
     "XML Spreadsheet 2003"),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 40, "damaged ZIP"),
])
def test_files_that_are_not_what_they_say(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileReadError, match=says) as info:
        read_export(path, DAILY)
    assert info.value.file == path and str(path) in str(info.value)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "orders.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("orders_1.csv", "订单编号\n1\n")
        zf.writestr("orders_2.csv", "订单编号\n2\n")
    with pytest.raises(FileReadError, match=r"ZIP archive, not an Excel workbook \(it holds orders_1.csv, orders_2.csv\)"):
        read_export(path, ORDERS)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileReadError, match="no such file"):
        read_export(tmp_path / "nope.csv", DAILY)
    with pytest.raises(FileReadError, match="not a file"):
        read_export(tmp_path, DAILY)


def test_source_files_are_never_modified(tmp_path):
    paths = [
        write_daily_xlsx(tmp_path / "daily.xlsx"),
        write_text(tmp_path / "o.csv", [",".join(ORDERS), "1,甲,2,交易成功,,,"], "gb18030"),
    ]
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), os.stat(p).st_mtime_ns) for p in paths}
    for p in paths:
        read_export(p, DAILY + ORDERS)
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), os.stat(p).st_mtime_ns) for p in paths}
    assert before == after
    assert sorted(x.name for x in tmp_path.iterdir()) == ["daily.xlsx", "o.csv"]  # no lock or temp files


def test_footer_and_note_rows_are_dropped_like_totals(tmp_path):
    f = write_text(tmp_path / "notes.csv", [
        "统计日期,访客数,支付金额",
        "2026-11-01,10,20",
        "注：新品,5,6",  # a data row whose first cell starts like a note keeps its other cells: kept
        "合计,15,26",
        "数据来源：生意参谋",
        "注：数据有 1 天延迟",
        "Note: figures in CNY",
    ], "utf-8")
    sheet = one(read_export(f, DAILY))
    assert cells(sheet) == [["2026-11-01", "10", "20"], ["注：新品", "5", "6"]]
    assert list(sheet.frame.index) == [2, 3] and sheet.total_rows == (4, 5, 6, 7)
