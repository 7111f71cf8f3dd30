"""One papermill run of the weekly review notebook into a temp dir, read as its reader would."""

import json
import re
import subprocess
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from opsreport import params
from opsreport.reports import render_report
from opsreport.warehouse import demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def zh_report(demo_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    values = params.validate("weekly_review", {"shop_id": "0071", "warehouse": str(demo_warehouse), "lang": "zh"})
    return render_report("weekly_review", values, out_root=out, formats={"html", "pdf", "xlsx"}), out


def test_publishes_every_file_in_its_folder(zh_report):
    folder, out = zh_report
    assert folder == out / "weekly_review" / "0071" / "2026-W47"
    for name in ("report.html", "report.pdf", "tables.xlsx", "report.ipynb", "run.json"):
        assert (folder / name).stat().st_size > 0, name
    run = json.loads((folder / "run.json").read_text())
    assert run["params"]["shop_id"] == "0071" and run["params"]["week"] == "2026-W47"
    assert run["data_fingerprint"]["rows"]["orders"] > 150_000 * 3
    assert (out / "index.html").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


def test_run_json_carries_the_headlines_the_page_shows(zh_report):
    """Deliveries (email bodies, group bots) take the headlines from run.json: they must be the
    sentences of the page's headline box, in order."""
    folder, _ = zh_report
    run = json.loads((folder / "run.json").read_text())
    html = (folder / "report.html").read_text(encoding="utf-8")
    box = re.search(r'<div class="callout" data-headlines[^>]*>(.*?)</div>', html, re.S)
    shown = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)]
    import html as html_mod

    assert run["headlines"] == [html_mod.unescape(s) for s in shown]
    assert 3 <= len(run["headlines"]) <= 5
    assert any(demo.PLANTED["0071"].conversion_drop.sku_id in line for line in run["headlines"])


def test_html_has_no_code_and_no_external_urls(zh_report):
    folder, _ = zh_report
    html = (folder / "report.html").read_text(encoding="utf-8")
    notebook = json.loads((folder / "report.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]).strip()
            if "excel_path" not in source and source:
                assert source.splitlines()[-1] not in html, source
    assert "setup(" not in html and "report.kpis()" not in html
    assert not re.search(r"https?://", html)
    assert "<script src" not in html
    assert len(re.findall(r'<img[^>]+src="data:image/svg\+xml;base64,', html)) >= 6  # every chart embedded, as vector
    assert "生成时间" in html and "2026-W47" in html  # title block: shop, period, generation time
    for heading in ("本周要点", "核心指标", "支付金额变化拆解", "异常预警", "附录：指标定义"):
        assert heading in html


def test_html_reports_the_planted_events(zh_report):
    folder, _ = zh_report
    html = (folder / "report.html").read_text(encoding="utf-8")
    planted = demo.PLANTED["0071"]
    for text in (planted.conversion_drop.sku_id, planted.stockout.sku_id, planted.refund_spike.category,
                 planted.roi_drop.campaign, "沉睡客占比升至"):
        assert text in html, text


def test_pdf_has_chinese_text_and_an_embedded_cjk_font(zh_report):
    folder, _ = zh_report
    reader = PdfReader(folder / "report.pdf")
    first = reader.pages[0].extract_text()
    assert "运营周报复盘" in first and "悦颜美妆天猫旗舰店" in first
    fonts = subprocess.run(["pdffonts", str(folder / "report.pdf")], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4 portrait


def test_excel_has_key_tables_with_formats_and_frozen_headers(zh_report):
    folder, _ = zh_report
    book = openpyxl.load_workbook(folder / "tables.xlsx")
    assert {"核心指标", "每日趋势", "缺货", "推广计划", "异常"} <= set(book.sheetnames)
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert book.sheetnames[0] == "封面" and book.sheetnames[-1] == "指标定义"  # cover first, definitions last
    assert book.properties.title == "悦颜美妆天猫旗舰店 · 运营周报复盘"
    cover = {row[0]: row[1] for row in book["封面"].iter_rows(values_only=True) if row[0]}
    assert cover["周期"] == "2026-11-16 ~ 2026-11-22" and "生成时间" in cover and cover.get("shop_id") == "0071"
    kpi = book["核心指标"]
    header = [c.value for c in kpi[1]]
    rows = {r[0].value: r for r in kpi.iter_rows(min_row=2)}
    assert "%" in rows["支付转化率"][header.index("本周")].number_format  # a rate row
    assert "pp" in rows["支付转化率"][header.index("环比")].number_format  # its change in points
    assert "¥" in rows["支付金额"][header.index("本周")].number_format
    trend = book["每日趋势"]
    assert trend.freeze_panes == "A2" and trend.auto_filter.ref
    header = [c.value for c in trend[1]]
    gmv_col = header.index("支付金额") + 1  # headers in the report's language
    assert "¥" in trend.cell(row=2, column=gmv_col).number_format
    with zipfile.ZipFile(folder / "tables.xlsx") as z:
        assert not any("<f>" in z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_english_report_and_format_choice(demo_warehouse, tmp_path):
    values = params.validate("weekly_review", {"shop_id": "0388", "warehouse": str(demo_warehouse), "lang": "en"})
    folder = render_report("weekly_review", values, out_root=tmp_path, formats={"html"})
    assert sorted(p.name for p in folder.iterdir()) == ["report.html", "report.ipynb", "run.json"]
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Headlines" in html and "Appendix: metric definitions" in html and "本周要点" not in html


def test_published_notebook_names_its_final_folder(zh_report):
    folder, _ = zh_report
    text = (folder / "report.ipynb").read_text(encoding="utf-8")
    assert ".staging-" not in text
    assert str(folder / "tables.xlsx") in text
