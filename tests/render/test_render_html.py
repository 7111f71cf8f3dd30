"""html.py: a self-contained reading page without code."""

from __future__ import annotations

import base64
import re

import nbformat
import pytest
from render_fixtures import CODE_MARKER, HEADING, NAV_MARKER, STDERR_MARKER
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from opsreport.render.html import notebook_to_html, prepare

URL = re.compile(r"https?://", re.I)
PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5e0b60000000049454e44ae426082"
    )
).decode()


def _page(nb, **kw):
    args = {"title": "店铺周报 · 0071", "subtitle": "2026-W47", "meta": [("店铺", "0071")], "lang": "zh"}
    return notebook_to_html(nb, **{**args, **kw})


def _nb(*cells):
    nb = new_notebook()
    nb.cells = list(cells)
    return nb


def _code(*outputs, source="x = 1", tags=()):
    cell = new_code_cell(source)
    cell.outputs = list(outputs)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


@pytest.mark.slow
def test_executed_report_page_has_no_code_and_is_self_contained(executed):
    page = _page(
        executed,
        meta=[("店铺", "0071"), ("平台", "天猫"), ("周期", "2026-W47"), ("生成时间", "2026-11-23 09:00")],
    )
    # no code, prompts or analyst-only content
    for source in (c.source for c in executed.cells if c.cell_type == "code"):
        for line in source.splitlines():
            if len(line.strip()) > 12:
                assert line.strip() not in page
    assert CODE_MARKER not in page
    assert NAV_MARKER not in page
    assert STDERR_MARKER not in page
    assert "In&nbsp;[" not in page and "jp-InputPrompt" not in page
    # self-contained
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert not URL.search(page)
    assert "mathjax" not in page.lower() and "require.js" not in page.lower()
    # content
    assert HEADING in page
    assert "shop='0071' type=str top_n=3" in page  # "0071" arrived as a string
    assert re.search(r'<img [^>]*src="data:image/png;base64,iVBOR', page)
    assert '<html lang="zh-CN">' in page
    assert "生成时间" in page and "天猫" in page
    assert "@page" in page and "counter(pages)" in page


def test_title_block_is_escaped_and_first():
    page = _page(_nb(new_markdown_cell("## 一节")), title="A <b> & 'B'", meta=[("k<", "v>")])
    assert "<title>A &lt;b&gt; &amp; " in page and "<b>" not in page
    assert page.index("report-title") < page.index("一节")
    assert "k&lt;" in page and "v&gt;" in page


def test_dropped_cells_and_outputs():
    nav = new_markdown_cell(f"[back]({NAV_MARKER})")
    nav.metadata["tags"] = ["nav"]
    nb = _nb(
        nav,
        new_markdown_cell("## 保留"),
        _code(
            new_output("stream", name="stderr", text="UserWarning: careful\n"),
            new_output("stream", name="stdout", text="printed line\n"),
            new_output("display_data", data={"text/plain": "<Figure size 640x480 with 1 Axes>"}),
            new_output("execute_result", data={"text/plain": "Text(0.5, 1.0, 'title')"}, execution_count=1),
            new_output("display_data", data={"application/javascript": "alert(1)", "text/plain": "js"}),
            source=f"print('{CODE_MARKER}')",
        ),
        _code(new_output("stream", name="stdout", text="hidden\n"), tags=["remove-output"]),
    )
    page = _page(nb)
    assert NAV_MARKER not in page and CODE_MARKER not in page
    assert "careful" not in page and "Figure size" not in page and "Text(0.5" not in page
    assert "printed line" in page and "hidden" not in page
    assert "alert(1)" not in page and "<script" not in page
    assert len(prepare(nb).cells) == 2  # heading + the cell with a visible output


def test_html_outputs_lose_scripts_and_remote_elements_but_keep_printed_text():
    html_output = (
        '<div>chart<script src="https://cdn.example.com/plotly.js"></script>'
        '<link rel="stylesheet" href="https://cdn.example.com/x.css">'
        '<iframe src="https://example.com"></iframe></div>'
    )
    nb = _nb(
        _code(new_output("display_data", data={"text/html": html_output})),
        _code(new_output("stream", name="stdout", text="see https://shop.example.com/item/1\n")),
    )
    page = _page(nb)
    assert "<script" not in page and "<iframe" not in page and "cdn.example.com" not in page
    assert "chart" in page
    assert "https://shop.example.com/item/1" in page  # text the notebook printed stays


def test_images_are_data_uris_and_prefer_png_over_text():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    nb = _nb(
        _code(new_output("display_data", data={"image/png": PNG_1PX + "\n", "text/plain": "GMV 趋势图"},
                         metadata={"image/png": {"width": 300}})),
        _code(new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>"})),
    )
    page = _page(nb)
    assert f'src="data:image/png;base64,{PNG_1PX}"' in page
    assert 'width="300"' in page and 'alt="GMV 趋势图"' in page
    assert 'src="data:image/svg+xml;base64,' in page and 'alt="图表"' in page
    assert not URL.search(page)  # the SVG namespace is inside the data URI


def test_table_columns_are_marked_numeric_or_text():
    table = (
        "<table><thead><tr><th>指标</th><th>本周</th><th>环比</th></tr></thead><tbody>"
        "<tr><td>GMV</td><td>¥1,234,567.89</td><td>+12.3%</td></tr>"
        "<tr><td>转化率</td><td>3.21%</td><td>-0.4pp</td></tr>"
        '<tr><td>UV</td><td>—</td><td class="bad">-5.0%</td></tr>'
        "</tbody></table>"
    )
    page = _page(_nb(_code(new_output("display_data", data={"text/html": table}))))
    assert '<th class="text">指标</th><th class="num">本周</th><th class="num">环比</th>' in page
    assert '<td class="text">GMV</td><td class="num">¥1,234,567.89</td>' in page
    assert '<td class="bad num">−5.0%</td>' in page  # the report's one minus sign (U+2212)


def test_english_page_and_markdown_headings_keep_with_next():
    nb = _nb(new_markdown_cell("Intro text\n\n## Trend"), _code(new_output("stream", name="stdout", text="x\n")))
    page = _page(nb, lang="en", title="Weekly review")
    assert '<html lang="en">' in page
    assert 'class="cell markdown keep-with-next"' in page
    nbformat.validate(prepare(nb))  # what the template gets is still a valid notebook


def test_a_heading_output_by_code_is_kept_with_the_next_cell():
    nb = _nb(
        _code(new_output("display_data", data={"text/html": "<h2>趋势</h2>"})),
        _code(new_output("display_data", data={"image/png": PNG_1PX})),
    )
    page = _page(nb)
    assert '<div class="cell outputs keep-with-next">\n<div class="output html"><h2>趋势</h2>' in page


def test_signed_numbers_stay_whole_and_use_one_minus_sign():
    text = ('<h2>要点</h2><p class="note">支付金额变化 -¥545,084，环比 -51.8%（2026-11-18 起），'
            '转化率 +1.23 pp，SKU-3 与 1,234 件不变。</p><pre>-3</pre>'
            '<table><tr><td>GMV</td><td class="num">-5.0%</td></tr></table>')
    page = _page(_nb(_code(new_output("display_data", data={"text/html": text}))))
    assert '<span class="nb">−¥545,084</span>' in page
    assert '<span class="nb">−51.8%</span>' in page and '<span class="nb">+1.23 pp</span>' in page
    assert "2026-11-18" in page and "SKU-3" in page  # dates and codes keep their hyphens
    assert "<pre>-3</pre>" in page  # verbatim text is left alone
    assert '<td class="num">−5.0%</td>' in page  # nowrap cells: minus sign, no extra span
    assert ".nb { white-space: nowrap; }" in page


def test_vector_images_are_preferred_to_png():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    nb = _nb(_code(new_output("display_data", data={"image/png": PNG_1PX, "image/svg+xml": svg})))
    page = _page(nb)
    assert 'src="data:image/svg+xml;base64,' in page and "image/png" not in page


def test_a_chart_block_lands_on_the_page_as_an_svg_figure():
    import pandas as pd

    from opsreport.viz import charts
    from opsreport.views.blocks import Block
    from opsreport.viz.tables import heading

    chart = charts.bar_ranking(pd.DataFrame({"p": ["精华液", "面霜"], "gmv": [3.0e5, -1.2e4]}), "p", "gmv", "yuan", "zh")
    block = Block([heading("商品"), chart])
    page = _page(_nb(_code(new_output("display_data", data={"text/html": block._repr_html_()}))))
    assert re.search(r'<figure class="chart"><img [^>]*src="data:image/svg\+xml;base64,', page)
    encoded = page.split("data:image/svg+xml;base64,")[1].split('"')[0]
    assert base64.b64decode(encoded) == chart.to_svg()


def test_print_css_keeps_headings_with_what_follows():
    page = _page(_nb(new_markdown_cell("## 一节")))
    for rule in ("break-after: avoid", "div.table-block.table-long { break-inside: auto",
                 "figure.chart + p.note { break-before: avoid", "h2 + p"):
        assert rule in page, rule


def test_short_chinese_labels_never_break_inside_the_word():
    table = (
        "<table><thead><tr><th>指标</th><th>定义</th><th>本周</th></tr></thead><tbody>"
        "<tr><td>日均访客数</td><td>每日去重访客数；周期内展示日均值，不把每日访客相加。</td><td>4,184</td></tr>"
        "<tr><td>潮汐2026冬季羊毛双面呢大衣 驼色</td><td>Avg daily UV</td><td>12</td></tr>"
        "</tbody></table>"
    )
    page = _page(_nb(_code(new_output("display_data", data={"text/html": table}))))
    assert '<td class="text nowrap">日均访客数</td>' in page  # short label: one line
    # a sentence may wrap anywhere; an English label wraps between its words
    assert '<td class="text">每日去重访客数；' in page and '<td class="text">Avg daily UV</td>' in page
    # a product name wraps at its space, and its colour "驼色" stays whole
    assert '<td class="text">潮汐2026冬季羊毛双面呢大衣 <span class="nb">驼色</span></td>' in page
    assert "table td.nowrap" in page and "td.text:first-child { min-width:" in page


def test_an_empty_html_output_takes_no_place_on_the_page():
    nb = _nb(_code(new_output("display_data", data={"text/html": "<p>末页</p>"})),
             _code(new_output("execute_result", data={"text/html": "", "text/plain": "<Block at 0x1>"},
                              execution_count=1)))
    assert len(prepare(nb).cells) == 1
    assert '<div class="output html"></div>' not in _page(nb)
