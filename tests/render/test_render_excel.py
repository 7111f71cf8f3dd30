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
    assert ws.freeze_panes == "B2"  # a wide sheet keeps its name column in view too
    assert ws.auto_filter.ref == "A1:I9"
    header = [c.value for c in ws[1]]
    assert header[:3] == ["商品名称", "gmv_amount", "orders"]
    assert all(c.font.bold for c in ws[1]) and ws["A1"].fill.fgColor.rgb.endswith("DCE6F1")
    formats = {ws.cell(1, col).value: ws.cell(2, col).number_format for col in range(2, 9)}
    assert formats == {  # negatives read "−1,234" (U+2212), as on the page
        "gmv_amount": '"¥"#,##0.00;"−¥"#,##0.00',
        "orders": '#,##0;"−"#,##0',
        "conversion_rate": '0.00%;"−"0.00%',
        "roi": '#,##0.00;"−"#,##0.00',
        "first_response_s": '#,##0.0" s";"−"#,##0.0" s"',
        "cover_days": '#,##0.0;"−"#,##0.0',
        "date": "yyyy-mm-dd",
    }
    assert formats["gmv_amount"] == NUMBER_FORMATS["yuan"]
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


# --- sheets from the tables the report shows, cover, definitions ---------------------------------

from opsreport.viz.tables import Col, heading, table  # noqa: E402


def _kpi_table():
    frame = pd.DataFrame({
        "label": ["支付金额", "支付转化率", "支付买家数", "客单价", "投产比 ROI"],
        "unit": ["yuan", "rate", "count", "yuan", "ratio"],
        "this_week": [508_053.0000000003, 0.04062820075, 1164, 99.456, 4.3133],
        "last_week": [1_053_136.519999999, 0.04975078457, 2585, 101.2, 5.1677],
        "wow": [-0.5175810634, -0.0091225838, -0.5497, 0.0004, -0.1653],
        "wow_judge": ["bad", "bad", "bad", "neutral", "bad"],
    })
    cols = [
        Col("label", "指标", "text"),
        Col("this_week", "本周", row_unit="unit"),
        Col("last_week", "上周", row_unit="unit"),
        Col("wow", "环比", "change", judge="wow_judge", row_unit="unit"),
    ]
    return table(frame, cols, caption="核心指标", note="* 变化列：比率类为百分点(pp)，其余为相对变化。")


def test_kpi_sheet_from_the_shown_table_has_per_cell_formats(tmp_path):
    t = _kpi_table()
    write_workbook([Sheet.from_table(t)], tmp_path / "k.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "k.xlsx")["核心指标"]
    assert [c.value for c in ws[1]] == ["指标", "本周", "上周", "环比"]  # the Col headers
    by_row = {ws.cell(r, 1).value: [ws.cell(r, c) for c in range(2, 5)] for r in range(2, 7)}
    gmv, conv, buyers, aov, roi = (by_row[k] for k in ("支付金额", "支付转化率", "支付买家数", "客单价", "投产比 ROI"))
    # values: money per row in the page's precision (¥508,053 / ¥99.46), rates as %, counts, ratios
    assert gmv[0].number_format == '"¥"#,##0;"−¥"#,##0' and gmv[0].value == 508_053.0
    assert gmv[1].value == 1_053_136.52  # rounded to the cent
    assert aov[0].number_format == '"¥"#,##0.00;"−¥"#,##0.00' and aov[0].value == 99.46
    assert conv[0].number_format == '0.00%;"−"0.00%'
    assert buyers[0].number_format == '#,##0;"−"#,##0'
    assert roi[0].number_format == '#,##0.00;"−"#,##0.00'
    # changes: pp for the rate row (stored in pp), % for the others; never one format for all
    assert conv[2].number_format == '+0.00" pp";"−"0.00" pp";0.00" pp"' and conv[2].value == -0.91
    assert gmv[2].number_format == '+0.0%;"−"0.0%;0.0%' and gmv[2].value == -0.518
    assert aov[2].value == 0.0  # rounds to 0.0% on the page: no signed zero here either
    # judged cells are coloured as on the page
    assert gmv[2].font.color.rgb.endswith("C92A2A")
    # caption and note under the table
    assert [ws.cell(r, 1).value for r in (8, 9)] == ["核心指标", "* 变化列：比率类为百分点(pp)，其余为相对变化。"]


def test_the_same_number_reads_the_same_in_html_and_excel(tmp_path):
    t = _kpi_table()
    shown = t.formatted()
    sheet = Sheet.from_table(t)
    write_workbook([sheet], tmp_path / "k.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "k.xlsx").active
    # the Excel format applied to the stored value gives the page's text (checked for a few cells)
    assert shown.loc[0, "本周"] == "¥508,053" and ws["B2"].number_format.startswith('"¥"#,##0;')
    assert shown.loc[1, "环比"] == "−0.91 pp" and ws["D3"].value == -0.91 and '"−"0.00" pp"' in ws["D3"].number_format
    assert shown.loc[0, "环比"] == "−51.8%" and ws["D2"].value == -0.518


def test_cover_definitions_title_and_sheet_order(tmp_path):
    defs = pd.DataFrame({"指标": ["支付金额"], "定义": ["周期内买家支付的金额，不扣除退款；预售在尾款支付时计入。" * 3],
                         "公式": ["sum(orders.paid_amount) where paid_at in period"]})
    path = tmp_path / "w.xlsx"
    write_workbook(
        [Sheet.from_table(_kpi_table())], path, title="悦颜美妆 · 运营周报复盘",
        cover=[("店铺", "0071 · 天猫"), ("周期", "2026-W47"), ("生成时间", dt.datetime(2026, 11, 23, 9, 0))],
        parameters={"shop_id": "0071", "week": "2026-W47", "top_n": 10, "roi_target": None, "=cmd": "=1+2"},
        definitions=defs, lang="zh",
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["封面", "核心指标", "指标定义"]
    assert wb.properties.title == "悦颜美妆 · 运营周报复盘"
    cover = wb["封面"]
    rows = [(cover.cell(r, 1).value, cover.cell(r, 2).value) for r in range(1, cover.max_row + 1)]
    assert rows[0] == ("悦颜美妆 · 运营周报复盘", None) and cover["A1"].font.bold
    assert ("店铺", "0071 · 天猫") in rows and ("生成时间", dt.datetime(2026, 11, 23, 9, 0)) in rows
    assert ("参数", None) in rows and ("shop_id", "0071") in rows and ("top_n", 10) in rows
    assert ("roi_target", None) in rows
    assert ("=cmd", "=1+2") in rows and cover.cell(rows.index(("=cmd", "=1+2")) + 1, 2).data_type == "s"
    sheet = wb["指标定义"]
    assert [c.value for c in sheet[1]] == ["指标", "定义", "公式"]
    assert sheet["B2"].alignment.wrap_text and sheet.column_dimensions["B"].width == 50  # long text wraps
    assert not sheet["A2"].alignment.wrap_text
    english = tmp_path / "en.xlsx"
    write_workbook([Sheet.from_table(_kpi_table(), "KPIs")], english, title="Weekly review", cover=[("Shop", "0071")],
                   definitions=defs, lang="en")
    assert openpyxl.load_workbook(english).sheetnames == ["Cover", "KPIs", "Definitions"]


def test_definitions_may_be_the_appendix_table(tmp_path):
    appendix = table(pd.DataFrame({"label": ["GMV"], "definition": ["Paid amount."], "formula": ["sum(paid)"]}),
                     [Col("label", "Metric", "text"), Col("definition", "Definition", "text"),
                      Col("formula", "Formula", "text")])
    write_workbook([], tmp_path / "d.xlsx", title="T", definitions=appendix, lang="en")
    ws = openpyxl.load_workbook(tmp_path / "d.xlsx")["Definitions"]
    assert [c.value for c in ws[1]] == ["Metric", "Definition", "Formula"] and ws["C2"].value == "sum(paid)"


def test_wide_sheets_freeze_the_name_column_narrow_ones_only_the_header(tmp_path):
    wide = pd.DataFrame({"商品名称": ["悦颜臻享烟酰胺亮肤精华 30ml"], **{f"指标{i}": [1234.5] for i in range(12)}})
    narrow = pd.DataFrame({"a": ["x"], "b": [1]})
    write_workbook([Sheet("wide", wide, {f"指标{i}": "yuan" for i in range(12)}), Sheet("narrow", narrow),
                    Sheet("forced", narrow, freeze_first_column=True)], tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    assert (wb["wide"].freeze_panes, wb["narrow"].freeze_panes, wb["forced"].freeze_panes) == ("B2", "A2", "B2")


def test_money_is_rounded_to_the_cent_and_minus_zero_is_zero(tmp_path):
    frame = pd.DataFrame({"gmv": [1234.5678, 0.004, -0.001, 2.675]})
    write_workbook([Sheet("m", frame, {"gmv": "yuan"})], tmp_path / "m.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "m.xlsx").active
    values = [ws.cell(r, 1).value for r in range(2, 6)]
    assert values == [1234.57, 0, 0, 2.67]  # 2.675 is 2.67499... in binary, as on the page
    assert str(values[2]) != "-0.0"


def test_text_from_a_shown_table_stays_text(tmp_path):
    t = table(pd.DataFrame({"name": INJECTIONS, "gmv": range(len(INJECTIONS))}),
              [Col("name", "商品", "text"), Col("gmv", "支付金额", "yuan")])
    write_workbook([Sheet.from_table(t, "s")], tmp_path / "s.xlsx")
    with zipfile.ZipFile(tmp_path / "s.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and 't="e"' not in xml
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    assert [ws.cell(r, 1).value for r in range(2, 2 + len(INJECTIONS))] == INJECTIONS


def test_every_table_a_block_shows_becomes_a_sheet(tmp_path):
    from opsreport.views.blocks import Block

    inventory = Block([
        heading("库存"),
        table(pd.DataFrame({"v": [1]}), [Col("v", "缺货", "int")], caption="缺货商品"),
        table(pd.DataFrame({"v": [2]}), [Col("v", "风险", "int")], caption="下个活动「2026天猫双12」(2026-12-10 起) 备货风险：按活动期日销 ×3 估算"),
        table(pd.DataFrame({"v": [3]}), [Col("v", "积压", "int")], name="积压"),
    ])
    assert inventory.heading == "库存"
    assert [name for name, _ in inventory.named_tables()] == ["缺货商品", "库存", "积压"]
    sheets = [Sheet.from_table(t, name) for name, t in inventory.named_tables()]
    write_workbook(sheets + [Sheet.from_table(inventory.tables()[0], "库存")], tmp_path / "b.xlsx")
    names = openpyxl.load_workbook(tmp_path / "b.xlsx").sheetnames
    assert names == ["缺货商品", "库存", "积压", "库存 (2)"] and all(len(n) <= 31 for n in names)


def test_workbook_words_can_come_from_the_caller(tmp_path):
    write_workbook([Sheet("s", pd.DataFrame({"a": [1]}))], tmp_path / "l.xlsx", title="T",
                   parameters={"shop_id": "0071"}, definitions=pd.DataFrame({"m": ["x"]}), lang="zh",
                   labels={"cover": "说明", "definitions": "口径"})
    wb = openpyxl.load_workbook(tmp_path / "l.xlsx")
    assert wb.sheetnames == ["说明", "s", "口径"]
    assert [c.value for c in wb["说明"]["A"]][:4] == ["T", None, "参数", "shop_id"]
    with pytest.raises(ValueError, match="unknown labels key"):
        write_workbook([Sheet("s", pd.DataFrame({"a": [1]}))], tmp_path / "x.xlsx", labels={"covers": "x"})
