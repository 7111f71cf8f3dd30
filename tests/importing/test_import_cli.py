"""The import and sources commands, and the weekly review of a shop built only from imported files."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from export_files import rows_of, write, write_xlsx
from typer.testing import CliRunner

from opsreport.families.weekly_review import analysis as weekly_review
from opsreport.cli import app
from opsreport.importing import load_mappings

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_sources_lists_every_mapping_with_its_columns():
    result = invoke("sources")
    assert result.exit_code == 0, result.output
    for name, mapping in load_mappings().items():
        assert name in result.output and mapping.title in result.output
    assert re.search(r"统计日期 +date +date +required", result.output)
    assert "-> products (key: shop_id, sku_id, on_conflict: keep)" in result.output


def test_sources_includes_a_users_mapping_and_names_a_bad_one(tmp_path):
    mine = tmp_path / "maps"
    mine.mkdir()
    (mine / "my_erp_orders.yaml").write_text(
        "title: 自建ERP订单\nplatform: any\ntargets:\n  - table: order_items\n    columns:\n"
        "      order_id: {aliases: [单号], type: id}\n      sku_id: {aliases: [货号], type: id}\n"
        "      quantity: {aliases: [数量], type: int}\n      paid_amount: {aliases: [金额], type: money}\n",
        encoding="utf-8",
    )
    result = invoke("sources", "--mappings", mine)
    assert result.exit_code == 0, result.output
    assert "my_erp_orders  自建ERP订单  [any]" in result.output
    (mine / "broken.yaml").write_text(
        "title: x\nplatform: tmall\ntargets:\n  - table: shop_daily\n    columns:\n      uv: {aliases: [访客数], type: money}\n",
        encoding="utf-8",
    )
    result = invoke("sources", "--mappings", mine)
    assert result.exit_code == 2
    assert "broken.yaml is invalid" in result.output
    assert "targets[0]: column 'uv' of shop_daily is integer; type 'money' cannot fill it" in result.output


def test_env_mappings_folder_and_a_mapping_of_any_platform(tmp_path, monkeypatch):
    mine = tmp_path / "maps"
    mine.mkdir()
    (mine / "erp_daily.yml").write_text(
        "title: ERP 日报\nplatform: any\ntargets:\n  - table: ads_daily\n    columns:\n"
        "      date: {aliases: [日期], type: date}\n      channel: {type: text, required: false, default: 自建}\n"
        "      campaign: {aliases: [活动], type: text}\n      impressions: {aliases: [曝光], type: int}\n"
        "      clicks: {aliases: [点击], type: int}\n      spend: {aliases: [花费], type: money}\n"
        "      attributed_orders: {aliases: [订单], type: int}\n      attributed_amount: {aliases: [金额], type: money}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("OPSREPORT_MAPPINGS", str(mine))
    f = write(tmp_path / "erp.csv", [["日期", "活动", "曝光", "点击", "花费", "订单", "金额"], ["2026-11-01", "A", 10, 1, 2, 0, 0]])
    wh = tmp_path / "w.duckdb"
    result = invoke("import", "--source", "erp_daily", "--shop", "s9", "--warehouse", wh, f)
    assert result.exit_code == 2 and "pass --platform" in result.output
    result = invoke("import", "--source", "erp_daily", "--shop", "s9", "--warehouse", wh, "--platform", "jd", f)
    assert result.exit_code == 0, result.output
    assert rows_of(wh, "ads_daily", "s9", ["channel", "spend"]) == [{"channel": "自建", "spend": 2.0}]


def test_import_prints_per_file_counts_and_dates(tmp_path):
    header = ["统计日期", "访客数", "浏览量", "支付金额", "支付买家数", "支付子订单数", "支付件数", "加购人数", "商品收藏买家数", "下单买家数"]
    f = write(tmp_path / "a.csv", [header, ["2026-11-01", 10, 20, 30, 1, 1, 1, 1, 1, 1], ["2026-11-02", 10, 20, 30, 1, 1, 1, 1, 1, 1]])
    wh = tmp_path / "w.duckdb"
    args = ["import", "--source", "sycm_shop_daily", "--shop", "0071", "--warehouse", wh, f]
    dry = invoke(*args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "a.csv: 2 rows read, 2026-11-01 ~ 2026-11-02; inserted 2, updated 0, skipped 0" in dry.output
    assert "dry run: nothing was written" in dry.output and not wh.exists()
    first = invoke(*args)
    assert first.exit_code == 0 and "created shop 0071 (tmall, CNY)" in first.output
    again = invoke(*args)
    assert "inserted 0, updated 0, skipped 2 (unchanged)" in again.output
    assert re.search(r"shop_daily +2 rows: inserted 0, updated 0, skipped 2", again.output)
    validate = invoke("validate", "--warehouse", wh)
    assert validate.exit_code == 0, validate.output


def test_import_errors_exit_2(tmp_path):
    f = write(tmp_path / "a.csv", [["统计日期", "访客数"], ["2026-11-01", "x"]])
    result = invoke("import", "--source", "sycm_shop_daily", "--shop", "s", "--warehouse", tmp_path / "w.duckdb", f)
    assert result.exit_code == 2
    assert "error: Nothing was imported" in result.output and "it lacks 2 required column(s)" in result.output
    result = invoke("import", "--source", "nope", "--shop", "s", "--warehouse", tmp_path / "w.duckdb", f)
    assert result.exit_code == 2 and "unknown source 'nope'" in result.output


# --- a new shop with only shop daily + orders: the weekly review renders, missing sections say
#     which import fills them

WEEKS = [dt.date(2026, 11, 9) + dt.timedelta(days=i) for i in range(14)]  # 2026-W46 and W47


def overview_rows():
    rows = [["生意参谋 · 店铺整体"], ["统计时间：2026-11-09 ~ 2026-11-22"], [],
            ["统计日期", "访客数", "浏览量", "支付金额", "支付买家数", "支付子订单数", "支付件数", "支付转化率", "加购人数",
             "商品收藏买家数", "下单买家数", "成功退款金额"]]
    for i, day in enumerate(WEEKS):
        uv = 1000 + 10 * i
        rows.append([day, uv, uv * 3, 300.0, 2, 2, 2, f"{2 / uv:.2%}", 50, 20, 3, 0])
    rows.append(["合计"])
    return rows


def order_rows():
    header = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "订单付款时间", "宝贝标题", "宝贝总数量",
              "商家编码", "退款金额"]
    rows = [header]
    n = 0
    for i, day in enumerate(WEEKS):
        for k in range(2):
            n += 1
            at = dt.datetime.combine(day, dt.time(10 + k, 0))
            rows.append([f"50000000000000{n:05d}", f"buyer{(n % 7)}", "100.00", "交易成功", at.isoformat(sep=" "),
                         (at + dt.timedelta(minutes=1)).isoformat(sep=" "), "精华液", 1, "SKU-1", 0])
        n += 1
        rows.append([f"50000000000000{n:05d}", "window_shopper", "59.00", "等待买家付款", f"{day} 21:00:00", "", "面霜", 1, "SKU-2", 0])
    return rows


@pytest.mark.slow
def test_weekly_review_of_a_shop_built_from_imports(tmp_path):
    wh = tmp_path / "shop.duckdb"
    overview = write_xlsx(tmp_path / "overview.xlsx", {"店铺整体": overview_rows()})
    orders = write(tmp_path / "orders.csv", order_rows(), encoding="gb18030")
    r1 = invoke("import", "--source", "sycm_shop_daily", "--shop", "8801", "--warehouse", wh,
                "--shop-name", "导入测试店", "--category", "beauty", overview)
    r2 = invoke("import", "--source", "taobao_order_export", "--shop", "8801", "--warehouse", wh, orders)
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    assert "orders.csv: 42 rows read, 2026-11-09 ~ 2026-11-22; inserted 84" in r2.output
    out = tmp_path / "outputs"
    result = invoke("run", "weekly_review", "--set", f"warehouse={wh}", "--set", "shop_id=8801", "--set", "lang=en",
                    "--formats", "html", "--out", out)
    assert result.exit_code == 0, result.output
    html = (out / "weekly_review" / "8801" / "2026-W47" / "report.html").read_text(encoding="utf-8")
    assert "导入测试店" in html
    for table, sources in [("traffic_daily", "source: sycm_traffic_sources"),
                           ("ads_daily", "sources: alimama_wanxiangtai_ads, alimama_yinlimofang_ads, alimama_ztc_ads"),
                           ("product_daily + products", "source: sycm_product_daily")]:
        assert f"import {table} to fill it (built-in {sources})" in html, table
    assert "import service_daily to fill it (no built-in source yet" in html
    assert "import inventory_daily to fill it" in html
    # GMV comes from the paid orders: 2 x 100 a day; the unpaid 59-yuan orders do not count
    review = weekly_review.run({"warehouse": str(wh), "shop_id": "8801"})
    kpis = review.kpis.set_index("metric")
    assert kpis.loc["gmv", "this_week"] == pytest.approx(1400.0)
    assert kpis.loc["gmv", "last_week"] == pytest.approx(1400.0)
    # two weeks of history: no 4-week baseline either
    assert set(review.missing) == {"traffic", "products", "inventory", "ads", "service", "baselines"}


def test_import_without_source_picks_it_and_a_new_shop_takes_its_currency(tmp_path):
    header = ["统计日期", "访客数", "浏览量", "支付金额", "支付买家数", "支付子订单数", "支付件数", "加购人数", "商品收藏买家数", "下单买家数"]
    f = write(tmp_path / "a.csv", [header, ["2026-11-01", 10, 20, 30, 1, 1, 1, 1, 1, 1]])
    wh = tmp_path / "w.duckdb"
    result = invoke("import", "--shop", "0901", "--warehouse", wh, "--currency", "HKD", f)
    assert result.exit_code == 0, result.output
    assert "sycm_shop_daily" in result.output  # the source it picked, said
    assert "created shop 0901 (tmall, HKD)" in result.output
    bad = invoke("import", "--shop", "0902", "--warehouse", wh, "--currency", "yuan", f)
    assert bad.exit_code == 2 and "Traceback" not in bad.output
