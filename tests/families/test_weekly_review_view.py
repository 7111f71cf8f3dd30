"""The weekly review's view on the tiny warehouse: the appendix, Excel sheets and the words."""

import pytest

import tiny
from opsreport.notebook import setup
from opsreport.warehouse.store import write_warehouse


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    return str(write_warehouse(tmp_path_factory.mktemp("wh") / "ext.duckdb", tiny.extended_tables()))


def test_appendix_defines_only_the_metrics_shown_with_the_report_parameters(wh):
    view = setup("weekly_review", {"shop_id": tiny.SHOP, "week": "2026-W47", "warehouse": wh, "lang": "en",
                                   "dormant_days": 60})
    appendix = view.appendix_frame().set_index("key")
    assert {"gmv", "conversion_rate", "new_customer_sales_share", "roi", "dormant_share"} <= set(appendix.index)
    assert "pv" not in appendix.index and "cpm" not in appendix.index  # in the registry, not in this report
    assert "60 days" in appendix.loc["dormant_share", "definition"]  # the report's value, not the default 90


def test_every_table_shown_becomes_a_sheet_with_headers_in_the_report_language(wh):
    view = setup("weekly_review", {"shop_id": tiny.SHOP, "week": "2026-W47", "warehouse": wh, "lang": "zh"})
    for section in ("kpis", "bridge", "trend", "traffic", "funnel", "products", "inventory", "ads", "service",
                    "customers", "anomalies", "pacing"):
        getattr(view, section)()._repr_html_()
    sheets = {s.name: s for s in view.sheets()}
    assert {"核心指标", "每日趋势", "流量来源", "推广计划", "异常"} <= set(sheets)
    traffic = sheets["流量来源"].frame
    assert "日均访客数" in traffic.columns and "uv" not in traffic.columns
    # the same number as the HTML table: the average day (search: 500 visitors / 7 days), not the weekly sum
    assert traffic.set_index("来源").loc["搜索", "日均访客数"] == pytest.approx(500 / 7)
