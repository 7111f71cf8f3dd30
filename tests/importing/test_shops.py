"""A new shop: its currency (CNY unless said), its platform (never guessed for a source of any
platform), and what the import output says it created."""

from __future__ import annotations

import pytest
from export_files import rows_of, write

from opsreport.errors import ImportProblemsError
from opsreport.importing import import_files
from opsreport.importing.pipeline import describe

OVERVIEW = [["统计日期", "访客数", "支付金额", "支付买家数"], ["2026-11-01", 1000, 5000, 20]]
ANY_PLATFORM = """\
title: ERP 日报
platform: any
targets:
  - table: shop_daily
    columns:
      date: {aliases: [日期], type: date}
      uv: {aliases: [访客], type: int}
      paid_buyers: {aliases: [买家], type: int}
      paid_amount: {aliases: [金额], type: money}
"""


def test_a_new_shop_gets_the_given_currency_and_the_output_says_so(tmp_path):
    f = write(tmp_path / "o.csv", OVERVIEW)
    wh = tmp_path / "w.duckdb"
    reports = import_files(wh, "0901", "sycm_shop_daily", [f], currency="hkd", shop_name="港店")
    assert rows_of(wh, "shops") == [{"shop_id": "0901", "name": "港店", "platform": "tmall", "category": "unknown",
                                     "currency": "HKD"}]
    assert describe(reports, "0901")[-1] == "created shop 0901 (tmall, HKD)"
    # the shop exists now: nothing is created, the same currency is fine, another one is refused
    again = import_files(wh, "0901", "sycm_shop_daily", [f], currency="HKD")
    assert not again[0].shop_created and not any(x.startswith("created shop") for x in describe(again, "0901"))
    with pytest.raises(ImportProblemsError, match="shop '0901' keeps its amounts in HKD; --currency USD cannot change that"):
        import_files(wh, "0901", "sycm_shop_daily", [f], currency="USD")


def test_currency_defaults_to_cny_and_must_be_an_iso_code(tmp_path):
    f = write(tmp_path / "o.csv", OVERVIEW)
    wh = tmp_path / "w.duckdb"
    with pytest.raises(ImportProblemsError, match="--currency '元' is not an ISO 4217 code"):
        import_files(wh, "0901", "sycm_shop_daily", [f], currency="元")
    import_files(wh, "0901", "sycm_shop_daily", [f])
    assert rows_of(wh, "shops", columns=["currency"]) == [{"currency": "CNY"}]


def test_a_new_shop_of_a_source_of_any_platform_needs_the_platform(tmp_path):
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "erp_daily.yaml").write_text(ANY_PLATFORM, encoding="utf-8")
    f = write(tmp_path / "erp.csv", [["日期", "访客", "买家", "金额"], ["2026-11-01", 10, 1, 20]])
    wh = tmp_path / "w.duckdb"
    with pytest.raises(ImportProblemsError, match=r"shop 's9' is new and this source fits any platform: pass --platform"):
        import_files(wh, "s9", "erp_daily", [f], mappings_dir=maps)
    assert not wh.exists()
    reports = import_files(wh, "s9", "erp_daily", [f], mappings_dir=maps, platform="douyin")
    assert describe(reports, "s9")[-1] == "created shop s9 (douyin, CNY)"
