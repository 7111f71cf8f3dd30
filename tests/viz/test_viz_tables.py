"""tables.py: formats, escaping, judge classes, per-row units and the small HTML blocks."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from opsreport.viz import tables
from opsreport.viz.tables import Col, table


def cells(html: str) -> list[tuple[str, str]]:
    """(class, text) of every <td> in order."""
    return [(m.group(1) or "", m.group(2)) for m in re.finditer(r'<td(?: class="([^"]*)")?>(.*?)</td>', html)]


def test_units_are_formatted_like_the_registry():
    frame = pd.DataFrame({
        "gmv": [1_234_567.0], "conv": [0.0345], "chg": [0.045], "pp": [0.0123], "n": [1234],
        "roi": [3.456], "frt": [12.34], "day": [pd.Timestamp("2026-11-16")], "name": ["A"],
    })
    html = table(frame, [
        Col("gmv", "GMV", "yuan"), Col("conv", "Conv", "rate"), Col("chg", "Δ", "pct_change"),
        Col("pp", "Δpp", "pp_change"), Col("n", "N", "int"), Col("roi", "ROI", "ratio"),
        Col("frt", "FRT", "seconds"), Col("day", "Day", "date"), Col("name", "Name", "text"),
    ]).to_html()
    assert [text for _, text in cells(html)] == [
        "¥1,234,567", "3.45%", "+4.5%", "+1.23 pp", "1,234", "3.46", "12.3 s", "2026-11-16", "A",
    ]


def test_missing_values_show_a_dash():
    frame = pd.DataFrame({"gmv": [np.nan, None], "chg": [np.nan, 0.1], "t": [None, "x"]}, dtype=object)
    html = table(frame, [Col("gmv", "GMV", "yuan"), Col("chg", "Δ", "pct_change"), Col("t", "T", "text")]).to_html()
    assert [text for _, text in cells(html)] == ["–", "–", "–", "–", "+10.0%", "x"]


def test_numbers_are_right_aligned_text_is_not():
    frame = pd.DataFrame({"name": ["a"], "gmv": [1.0]})
    html = table(frame, [Col("name", "Name", "text"), Col("gmv", "GMV", "yuan")]).to_html(style=False)
    assert '<th scope="col">Name</th><th class="num" scope="col">GMV</th>' in html
    assert cells(html) == [("", "a"), ("num", "¥1.00")]


def test_everything_is_escaped():
    evil = "<script>alert('x')</script>"
    frame = pd.DataFrame({"name": [evil], "v": [1]})
    html = table(frame, [Col("name", evil, "text"), Col("v", "V", "int")], caption=evil, note=evil).to_html()
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") == 4
    for block in (tables.note(evil), tables.heading(evil), tables.callout([evil], evil)):
        assert "<script>" not in block._repr_html_()


def test_caption_and_note():
    html = table(pd.DataFrame({"v": [1]}), [Col("v", "V", "int")], caption="KPI 表", note="口径见附录").to_html()
    assert '<div class="table-block"><table class="opsreport"><caption>KPI 表</caption><thead>' in html
    assert html.endswith('</table><p class="note">口径见附录</p></div>')  # kept together in print
    assert "<thead>" in html and "<tbody>" in html


def test_judge_column_colours_the_cell():
    frame = pd.DataFrame({"chg": [0.1, -0.1, 0.0, np.nan], "j": ["good", "bad", "neutral", None]})
    html = table(frame, [Col("chg", "Δ", "pct_change", judge="j")]).to_html()
    assert [cls for cls, _ in cells(html)] == ["num good", "num bad", "num neutral", "num"]
    with pytest.raises(ValueError, match="judgement"):
        table(frame.assign(j="great"), [Col("chg", "Δ", "pct_change", judge="j")]).to_html()


def test_row_unit_formats_each_row_as_its_metric():
    kpis = pd.DataFrame({
        "label": ["GMV", "Conversion", "Paid buyers", "ROI"],
        "unit": ["yuan", "rate", "count", "ratio"],
        "this_week": [1_234_567.0, 0.0345, 4410, 3.2],
        "wow": [0.045, 0.0123, -0.02, np.nan],
        "wow_judge": ["good", "good", "bad", "neutral"],
    })
    t = table(kpis, [
        Col("label", "Metric", "text"),
        Col("this_week", "This week", row_unit="unit"),
        Col("wow", "WoW", "change", judge="wow_judge", row_unit="unit"),
    ])
    assert t.formatted().to_dict("list") == {
        "Metric": ["GMV", "Conversion", "Paid buyers", "ROI"],
        "This week": ["¥1,234,567", "3.45%", "4,410", "3.20"],
        "WoW": ["+4.5%", "+1.23 pp", "−2.0%", "–"],  # U+2212, the one minus sign
    }
    # pct_change / pp_change with row_unit follow the row too: a rate row's change is pp
    t2 = table(kpis, [Col("wow", "WoW", "pct_change", row_unit="unit")])
    assert list(t2.formatted()["WoW"]) == ["+4.5%", "+1.23 pp", "−2.0%", "–"]
    assert [cls for cls, _ in cells(t.to_html())][-3:] == ["", "num", "num neutral"]


def test_bad_specs_fail_with_a_clear_message():
    frame = pd.DataFrame({"v": [1]})
    with pytest.raises(ValueError, match="missing column.*nope"):
        table(frame, [Col("nope", "N", "int")])
    with pytest.raises(ValueError, match="unknown unit 'euro'"):
        Col("v", "V", "euro")
    with pytest.raises(ValueError, match="row_unit"):
        Col("v", "V", "yuan", row_unit="unit")
    with pytest.raises(ValueError, match="unknown unit 'furlong'"):
        table(frame.assign(u="furlong"), [Col("v", "V", row_unit="u")]).to_html()


def test_table_is_frozen_and_detached_from_the_frame():
    frame = pd.DataFrame({"v": [1.0]}, index=[7])
    t = table(frame, [Col("v", "V", "count")])
    frame.loc[7, "v"] = 99
    assert list(t.formatted()["V"]) == ["1"]
    with pytest.raises(AttributeError):
        t.caption = "x"


def test_unit_none_shows_plain_numbers_and_text():
    frame = pd.DataFrame({"a": [1234.0, 1.5], "b": ["x", "y"], "c": [np.int64(5), np.int64(6000)]})
    assert table(frame, [Col("a", "A"), Col("b", "B"), Col("c", "C")]).formatted().to_dict("list") == {
        "A": ["1,234.00", "1.50"], "B": ["x", "y"], "C": ["5", "6,000"],  # one precision per column
    }


def test_html_blocks():
    assert tables.heading("本周概览")._repr_html_() == "<h2>本周概览</h2>"
    assert tables.heading("x", 3)._repr_html_() == "<h3>x</h3>"
    assert tables.note("口径说明")._repr_html_() == '<p class="note">口径说明</p>'
    box = tables.callout(["GMV 下降 8%", "转化率下降 0.6 pp", "建议排查主推款"], "本周要点")._repr_html_()
    assert '<div class="callout"><p class="callout-title">本周要点</p><ul><li>GMV 下降 8%</li>' in box
    assert box.count("<li>") == 3
    with pytest.raises(ValueError):
        tables.heading("x", 7)


def test_kpi_cards():
    html = tables.kpi_cards([
        {"label": "GMV", "value": 1_234_567, "unit": "yuan", "change": 0.045, "judge": "good"},
        {"label": "转化率", "value": 0.0345, "unit": "rate", "change": -0.0012, "judge": "bad"},
        {"label": "UV", "value": 20_000, "unit": "count"},
    ])._repr_html_()
    assert '<div class="kpi-value num">¥1,234,567</div><div class="kpi-change num good">+4.5%</div>' in html
    assert '<div class="kpi-change num bad">−0.12 pp</div>' in html
    assert html.count('class="kpi-card"') == 3


def test_fallback_css_loses_to_the_template():
    # the inline CSS sits in a cascade layer: any unlayered stylesheet overrides it
    html = table(pd.DataFrame({"v": [1]}), [Col("v", "V", "int")]).to_html()
    assert html.startswith("<style>@layer opsreport-defaults {")
    assert "style=" not in html  # no inline style attributes
    assert "<style>" not in table(pd.DataFrame({"v": [1]}), [Col("v", "V", "int")]).to_html(style=False)


# --- one precision per column, one minus sign, long tables, headings ---------------------------


def test_money_has_one_precision_per_column():
    frame = pd.DataFrame({"spend": [24_552.0, 8.5], "gmv": [312_400.0, 98_450.0]})
    t = table(frame, [Col("spend", "Spend", "yuan"), Col("gmv", "GMV", "yuan")])
    assert t.formatted().to_dict("list") == {"Spend": ["¥24,552.00", "¥8.50"], "GMV": ["¥312,400", "¥98,450"]}


def test_kpi_rows_keep_one_precision_across_their_value_columns():
    kpis = pd.DataFrame({
        "label": ["AOV", "GMV"], "unit": ["yuan", "yuan"],
        "this_week": [99.5, 508_053.0], "last_week": [101.0, 1_053_136.52],
    })
    t = table(kpis, [Col("label", "Metric", "text"), Col("this_week", "This week", row_unit="unit"),
                     Col("last_week", "Last week", row_unit="unit")])
    assert t.formatted().to_dict("list") == {
        "Metric": ["AOV", "GMV"], "This week": ["¥99.50", "¥508,053"], "Last week": ["¥101.00", "¥1,053,137"],
    }
    assert t.decimals(0, t.cols[1]) == 2 and t.decimals(1, t.cols[2]) == 0


def test_negative_numbers_in_cells_use_the_minus_sign():
    frame = pd.DataFrame({"d": [-179_723.0], "n": [-43], "x": [-1.5]})
    t = table(frame, [Col("d", "Δ GMV", "yuan"), Col("n", "Δ", "count"), Col("x", "X")])
    assert list(t.formatted().iloc[0]) == ["−¥179,723", "−43", "−1.50"]


def test_currency_of_a_table():
    t = table(pd.DataFrame({"v": [1234.0]}), [Col("v", "V", "yuan")], currency="USD")
    assert list(t.formatted()["V"]) == ["US$1,234"]


def test_a_table_taller_than_a_page_may_break_across_pages():
    short = table(pd.DataFrame({"v": range(10)}), [Col("v", "V", "int")])
    assert not short.long and '<div class="table-block"><table' in short.to_html()
    long_rows = table(pd.DataFrame({"v": range(45)}), [Col("v", "V", "int")])
    assert long_rows.long and '<div class="table-block table-long"><table' in long_rows.to_html()
    wordy = pd.DataFrame({"text": ["库存不足，建议联系供应链加急补货并暂停该商品的付费推广，补货后恢复投放节奏。" * 2] * 12})
    assert table(wordy, [Col("text", "T", "text")]).long  # 12 rows of 4 lines each


def test_headings_carry_their_text_and_tables_their_specs():
    h = tables.heading("库存 <b>", 3)
    assert isinstance(h, tables.Heading) and h.text == "库存 <b>" and h.level == 3
    assert h._repr_html_() == "<h3>库存 &lt;b&gt;</h3>"
    t = table(pd.DataFrame({"v": [1]}), [Col("v", "V", "int")], caption="C", name="Sheet name")
    assert t.cols == t.columns and t.name == "Sheet name" and t.caption == "C"


def test_short_chinese_headers_stay_on_one_line():
    html = table(pd.DataFrame({"a": ["高"], "b": [1], "c": ["x"]}),
                 [Col("a", "级别", "text"), Col("b", "近30天日均销量（件）", "int"), Col("c", "Severity", "text")]).to_html(style=False)
    assert '<th class="nowrap" scope="col">级别</th>' in html  # not "级/别" in a narrow column
    assert '<th class="num" scope="col">近30天日均销量（件）</th>' in html  # long ones may wrap
    assert '<th scope="col">Severity</th>' in html


def test_a_change_in_a_count_carries_its_sign_in_html_and_excel(tmp_path):
    import openpyxl
    import pandas as pd

    from opsreport.render.excel import Sheet, write_workbook
    from opsreport.viz.tables import Col, table

    frame = pd.DataFrame({"segment": ["a", "b", "c"], "change": [18, -3, 0]})
    shown = table(frame, [Col("segment", "Segment", "text"), Col("change", "Change", "count_change")])
    html = shown.to_html()
    assert "+18" in html and "\u22123" in html  # a plus on rises, U+2212 on falls
    write_workbook([Sheet.from_table(shown)], tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert ws["B2"].value == 18 and ws["B2"].number_format.startswith("+#,##0")
