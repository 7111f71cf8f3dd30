"""End to end: a shop whose only import is its orders renders HTML, PDF and Excel."""

import openpyxl
import pytest
from pypdf import PdfReader

import tiny
from opsreport import params
from opsreport.reports import render_report
from opsreport.warehouse.store import write_warehouse

pytestmark = pytest.mark.slow


def test_orders_only_shop_renders_every_format(tmp_path):
    t = {k: v for k, v in tiny.tables().items() if k in ("shops", "orders", "order_items")}
    path = write_warehouse(tmp_path / "orders.duckdb", t)
    values = params.validate("weekly_review", {"shop_id": tiny.SHOP, "week": "2026-W47", "warehouse": str(path),
                                               "allow_partial": True, "lang": "zh"})
    folder = render_report("weekly_review", values, out_root=tmp_path / "out", formats={"html", "pdf", "xlsx"})
    text = "".join(page.extract_text() for page in PdfReader(folder / "report.pdf").pages)
    assert "无流量数据" in text and "不完整周期：5/7 天有数据" in text
    kpi = openpyxl.load_workbook(folder / "tables.xlsx")["核心指标"]
    rows = {r[0].value: [c.value for c in r] for r in kpi.iter_rows(min_row=2)}
    assert rows["支付金额"][1] == 500 and rows["日均访客数"][1] is None  # unknown traffic stays empty, not 0
