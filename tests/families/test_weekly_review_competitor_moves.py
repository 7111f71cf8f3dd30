"""The weekly review names a competitor's cut on the matched product as the likely cause of a SKU
conversion drop, on the tiny warehouse with a planted drop and a planted cut (tests/tiny.py)."""

import datetime as dt

import pandas as pd
import pytest

import tiny
from opsreport.families.weekly_review import analysis as weekly_review
from opsreport.analyses.anomalies import Anomaly
from opsreport.families.weekly_review.headlines import action, headlines
from opsreport.i18n import Messages
from opsreport.notebook import setup
from opsreport.warehouse.store import write_warehouse

CUT_DAY = dt.date(2026, 11, 16)  # Monday of the reviewed week 2026-W47


def dropping_tables() -> dict[str, pd.DataFrame]:
    """tiny.extended_tables() with S1 (精华液) at 1000 visitors and 50 buyers (5%) on one day of each
    of the 4 weeks before W47 and 20 buyers (2%) in W47: the conversion-drop rule fires (baseline
    median 5%, now 2% = -60%; expected 50 buyers, saw 20: z = 30 / sqrt(50) = 4.2 >= 3)."""
    t = tiny.extended_tables()
    pdaily = t["product_daily"]
    pdaily = pdaily[pdaily.sku_id != "S1"]
    s1 = [("2026-10-20", 50), ("2026-10-27", 50), ("2026-11-03", 50), ("2026-11-10", 50), ("2026-11-17", 20)]
    rows = pd.DataFrame([{"shop_id": tiny.SHOP, "date": dt.date.fromisoformat(d), "sku_id": "S1", "uv": 1000,
                          "cart_users": 30, "fav_users": 10, "paid_buyers": b, "units": b, "paid_amount": 100.0 * b}
                         for d, b in s1])
    t["product_daily"] = pd.concat([pdaily, rows], ignore_index=True)
    return t


def competitor_tables(cut_day: dt.date = CUT_DAY, matched_sku: str = "S1") -> dict[str, pd.DataFrame]:
    """Competitor 对手旗舰店 sells P at 100 from 11-01, at 80 from ``cut_day`` (a 20% cut);
    P is the counterpart of ``matched_sku``."""
    days = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(22)]
    cp = pd.DataFrame([{"shop_id": tiny.SHOP, "observed_on": d, "competitor_id": "对手旗舰店", "product_id": "P",
                        "product_name": "对手精华", "category": None, "price": 100.0 if d < cut_day else 80.0,
                        "promo_price": None, "monthly_sales": None, "sales_index": None, "rating": None, "reviews": None}
                       for d in days])
    matches = pd.DataFrame([{"shop_id": tiny.SHOP, "sku_id": matched_sku, "competitor_id": "对手旗舰店", "product_id": "P",
                             "note": None}])
    return {"competitor_products": cp, "sku_matches": matches}


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    root = tmp_path_factory.mktemp("weekly_moves")
    base = dropping_tables()
    return {
        "cut": str(write_warehouse(root / "cut.duckdb", {**base, **competitor_tables()})),
        "none": str(write_warehouse(root / "none.duckdb", base)),
        "early": str(write_warehouse(root / "early.duckdb", {**base, **competitor_tables(dt.date(2026, 11, 5))})),
        "other_sku": str(write_warehouse(root / "other.duckdb", {**base, **competitor_tables(matched_sku="S2")})),
    }


def drop_of(review):
    [found] = [a for a in review.anomalies if a.rule == "sku_conversion_drop"]
    return found


def view(wh: str, lang: str):
    return setup("weekly_review", {"shop_id": tiny.SHOP, "week": "2026-W47", "warehouse": wh, "lang": lang})


def test_the_drop_carries_the_cut_as_evidence(warehouses):
    review = weekly_review.run({"shop_id": tiny.SHOP, "week": "2026-W47", "warehouse": warehouses["cut"]})
    found = drop_of(review)
    assert found.evidence["conversion_now"] == pytest.approx(0.02)  # 20 / 1000
    [move] = found.evidence["competitor_moves"]
    # 11-01..11-15 at 100 (the 7 days before 11-16: median 100); 80 on 11-16 and 11-17: cut 1 - 80 / 100
    assert (move["competitor_id"], move["date"], move["kind"]) == ("对手旗舰店", CUT_DAY, "price_cut")
    assert (move["before"], move["after"], move["cut"]) == (100.0, 80.0, pytest.approx(0.2))


def test_the_view_names_the_cut_as_the_likely_cause_in_both_languages(warehouses):
    en = view(warehouses["cut"], "en")
    text = en.anomaly_frame().set_index("rule").loc["SKU conversion drop", "action"]
    assert "Likely cause: competitor 对手旗舰店 cut its matched product's price by 20% on 16 Nov" in text
    lines = headlines(en.review, en.say, en.num)
    assert any("competitor 对手旗舰店 cut its matched product's price by 20%" in line for line in lines)
    zh = view(warehouses["cut"], "zh").anomaly_frame().set_index("rule")
    assert "竞品 对手旗舰店 于 11/16 将对标商品降价 20%" in zh.loc["商品转化率骤降", "action"]


@pytest.mark.parametrize("case", ["none", "early", "other_sku"])
def test_without_a_cut_that_explains_the_week_the_generic_causes_stay(warehouses, case):
    # none: no competitor tables; early: the cut on 11-05 is more than 7 days before the week (from
    # 11-09); other_sku: the cut product is S2's counterpart, and S2 did not drop
    en = view(warehouses[case], "en")
    assert "competitor_moves" not in drop_of(en.review).evidence
    text = en.anomaly_frame().set_index("rule").loc["SKU conversion drop", "action"]
    assert text == "Check competitor price cuts, new bad reviews and the listing page today."


def test_a_promotion_and_several_moves_are_worded():
    say = Messages("en", "weekly_review")
    moves = [{"competitor_id": f"C{i}", "product_id": "p", "date": dt.date(2026, 11, 16), "kind": "promotion",
              "before": 100.0, "after": 85.0, "cut": 0.15} for i in range(5)]
    text = action(Anomaly("sku_conversion_drop", "x (S1)", "high", {"competitor_moves": moves}), say)
    assert text.startswith("Likely cause: competitor C0 put its matched product on promotion at 15% off on 16 Nov; competitor C1")
    assert "competitor C2" in text and "competitor C3" not in text and " and 2 more." in text  # 3 named, 5 - 3 counted
