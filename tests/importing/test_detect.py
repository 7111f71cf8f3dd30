"""--source left out: the mapping is picked from the file's headers, and said; several or none
fitting is an error that lists them, or names the closest and what it lacks."""

from __future__ import annotations

import pytest
from export_files import rows_of, write

from opsreport.errors import MappingError
from opsreport.importing import detect_source, import_files
from opsreport.importing.pipeline import describe

OVERVIEW = [["生意参谋 · 店铺整体"], [],
            ["统计日期", "访客数", "浏览量", "支付金额", "支付买家数", "支付子订单数", "支付件数"],
            ["2026-11-01", 1000, 4000, 5000, 20, 21, 25]]
TRAFFIC = [["统计日期", "流量来源", "访客数", "浏览量", "支付买家数", "支付金额"],
           ["2026-11-01", "手淘搜索", 500, 1500, 20, 6000],
           ["2026-11-01", "直通车", 200, 600, 8, 2400]]


def test_the_one_fitting_mapping_is_picked_and_said(tmp_path):
    f = write(tmp_path / "overview.csv", OVERVIEW)
    assert detect_source([f]).mapping.name == "sycm_shop_daily"
    wh = tmp_path / "w.duckdb"
    reports = import_files(wh, "0901", None, [f], shop_name="我的天猫店")
    lines = describe(reports, "0901")
    assert lines[0].startswith("source: sycm_shop_daily (picked from the file's headers")
    assert lines[-1] == "created shop 0901 (tmall, CNY)"
    assert rows_of(wh, "shop_daily", "0901", ["uv", "paid_amount"]) == [{"uv": 1000, "paid_amount": 5000.0}]


def test_the_more_specific_of_two_fitting_mappings_is_picked(tmp_path):
    # a traffic export has every required column of the shop overview too, and 流量来源 besides
    f = write(tmp_path / "traffic.csv", TRAFFIC)
    found = detect_source([f])
    assert found.mapping.name == "sycm_traffic_sources" and found.also_fit == ("sycm_shop_daily",)
    assert "sycm_shop_daily fit(s) fewer of its columns" in found.describe()


def test_several_fitting_mappings_ask_for_source(tmp_path):
    maps = tmp_path / "maps"
    maps.mkdir()
    from opsreport.importing.mappings import BUILTIN_DIR

    (maps / "my_overview.yaml").write_text(
        (BUILTIN_DIR / "sycm_shop_daily.yaml").read_text(encoding="utf-8").replace("name: sycm_shop_daily", "name: my_overview"),
        encoding="utf-8")
    f = write(tmp_path / "overview.csv", OVERVIEW)
    with pytest.raises(MappingError) as err:
        detect_source([f], maps)
    text = str(err.value)
    assert "overview.csv: several import mappings fit its headers: " in text
    assert "my_overview (" in text and "sycm_shop_daily (" in text and "Choose one with --source" in text


def test_no_fitting_mapping_names_the_closest_and_what_it_lacks(tmp_path):
    f = write(tmp_path / "orders.csv", [["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "商家编码",
                                         "宝贝总数量", "退款金额"],
                                        ["1", "a", "10", "交易成功", "2026-11-01 10:00:00", "SKU", 1, 0]])
    with pytest.raises(MappingError) as err:
        import_files(tmp_path / "w.duckdb", "s1", None, [f])
    text = str(err.value)
    assert "orders.csv: no import mapping fits its headers. The closest is 'taobao_order_export'" in text
    assert "needs 1 more column(s): orders.paid_at (订单付款时间 / 付款时间 / 支付时间)" in text
    assert not (tmp_path / "w.duckdb").exists()


def test_files_of_different_sources_are_not_mixed(tmp_path):
    a = write(tmp_path / "overview.csv", OVERVIEW)
    b = write(tmp_path / "traffic.csv", TRAFFIC)
    with pytest.raises(MappingError, match=r"different sources \(overview.csv: sycm_shop_daily, traffic.csv: sycm_traffic_sources\)"):
        detect_source([a, b])
