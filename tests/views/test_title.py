"""The title block: the family's name from its catalogue, and the generation time in the shop's zone."""

import datetime as dt
from zoneinfo import ZoneInfo

from opsreport.periods import iso_week
from opsreport.views.title import generated_at, shop_title_block

SHOP = {"name": "悦颜", "shop_id": "0071", "platform": "tmall", "category": "beauty"}


def test_generation_time_is_in_the_shop_time_zone():
    text = generated_at("Asia/Shanghai")
    shown = dt.datetime.strptime(text.split(" (")[0], "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    assert abs((shown - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 120  # the same instant, read in Shanghai
    assert text.endswith("(Asia/Shanghai)")
    utc = dt.datetime.strptime(generated_at("UTC").split(" (")[0], "%Y-%m-%d %H:%M")
    assert round((shown.replace(tzinfo=None) - utc).total_seconds() / 3600) == 8  # Shanghai is UTC+8


def test_title_block_in_both_languages():
    zh = shop_title_block("weekly_review", SHOP, iso_week("2026-W47"), "zh", "Asia/Shanghai")
    assert zh.title == "悦颜 · 运营周报复盘"
    assert zh.subtitle == "2026-W47（2026-11-16 ~ 2026-11-22）"
    assert dict(zh.meta)["平台"] == "天猫" and dict(zh.meta)["店铺"] == "悦颜（0071）"
    en = shop_title_block("weekly_review", SHOP, iso_week("2026-W47"), "en", "Asia/Shanghai")
    assert en.title == "悦颜 · Weekly operations review"
    assert dict(en.meta)["Period"] == "2026-11-16 to 2026-11-22" and dict(en.meta)["Category"] == "Beauty"
