"""pdf.py: A4, Chinese text extractable, CJK font embedded, chart image present."""

from __future__ import annotations

import subprocess

import pytest
from pypdf import PdfReader

from opsreport.errors import RenderError
from opsreport.render import pdf
from opsreport.render.html import notebook_to_html

TITLE = "店铺周报 · 0071"


@pytest.fixture(scope="module")
def report_pdf(executed, tmp_path_factory):
    page = notebook_to_html(
        executed, title=TITLE, subtitle="2026-W47", meta=[("店铺", "0071"), ("平台", "天猫")], lang="zh"
    )
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    pdf.html_to_pdf(page, path, lang="zh")
    return path


def _embedded_fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts", [font])
            for item in descendants:
                descriptor = item.get_object().get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(font["/BaseFont"]))
    return names


@pytest.mark.slow
def test_pdf_is_a4_with_chinese_text_embedded_cjk_font_and_chart(report_pdf):
    reader = PdfReader(report_pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = "".join(page.extract_text() for page in reader.pages)
    assert "店铺周报" in text and "周报 复盘" in text and "核心指标" in text
    assert "1 / 1" in text  # page number footer
    fonts = _embedded_fonts(reader)
    assert any("NotoSansCJK" in name.replace("-", "") for name in fonts), fonts
    assert sum(len(page.images) for page in reader.pages) >= 1  # the chart survived Agg


@pytest.mark.slow
def test_pdffonts_reports_the_cjk_font_embedded(report_pdf):
    listing = subprocess.run(["pdffonts", str(report_pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in listing.splitlines() if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), listing  # "emb" column


def test_zh_pdf_without_a_cjk_font_stops_with_setup_instructions(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "cjk_font_families", lambda: ())
    with pytest.raises(RenderError, match="fonts-noto-cjk"):
        pdf.html_to_pdf("<p>中文</p>", tmp_path / "x.pdf", lang="zh")
    assert not (tmp_path / "x.pdf").exists()
    with pytest.raises(RenderError, match="Chinese text"):  # an en report naming a 精华液 SKU
        pdf.html_to_pdf("<p>Top SKU: 精华液</p>", tmp_path / "y.pdf", lang="en")


def test_fontconfig_knows_a_cjk_font():
    # The README setup installs fonts-noto-cjk; without it every zh PDF would fail loudly.
    assert any("CJK" in family or "SC" in family for family in pdf.cjk_font_families())


def test_pdf_rendering_fetches_nothing_but_data_urls():
    fetch = pdf._offline_fetcher()
    for url in ("http://example.com/x.png", "https://cdn.example.com/a.css", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetch(url)
    assert fetch("data:text/plain;base64,5Lit") is not None


@pytest.mark.slow
def test_charts_print_as_vector_graphics(tmp_path):
    import pandas as pd
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from opsreport.viz import charts
    from opsreport.views.blocks import Block
    from opsreport.viz.tables import heading

    chart = charts.bar_ranking(pd.DataFrame({"p": ["悦颜臻享烟酰胺亮肤精华 30ml", "面霜"], "gmv": [5.26e4, 4.58e4]}),
                               "p", "gmv", "yuan", "zh", "支付金额 Top 2")
    cell = new_code_cell("x")
    cell.outputs = [new_output("display_data", data={"text/html": Block([heading("商品"), chart])._repr_html_()})]
    nb = new_notebook()
    nb.cells = [cell]
    page = notebook_to_html(nb, title=TITLE, subtitle="2026-W47", meta=[], lang="zh")
    path = tmp_path / "chart.pdf"
    pdf.html_to_pdf(page, path, lang="zh")
    reader = PdfReader(path)
    assert sum(len(p.images) for p in reader.pages) == 0  # no raster: the chart is vector
    content = reader.pages[0].get_contents().get_data()
    assert content.count(b" c\n") + content.count(b" c ") > 200  # glyph outlines are curves
    text = reader.pages[0].extract_text()
    assert "商品" in text and "精华" not in text  # chart text is drawn, the page text is text
