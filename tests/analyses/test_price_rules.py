"""Promotion price-rule audit on hand-made prices; the arithmetic is written beside each assertion."""

import datetime as dt
import math

import pandas as pd
import pytest

from opsreport.analyses import price_rules as pr
from opsreport.errors import ContractError, ParamsError

START = dt.date(2026, 11, 11)  # the promotion's first day
DAY = dt.timedelta(days=1)
# 30-day window: 2026-10-12 (start − 30) .. 2026-11-10 (start − 1); start − 31 = 2026-10-11.
# 7-day window: 2026-11-04 (start − 7) .. 2026-11-10.


def history(sku, daily, **on):
    """``daily`` yuan on every day from start − 40 to start (the start day included, it must not
    count), with ``on={"2026-10-20": 150.0}`` style overrides."""
    days = [START - 40 * DAY + i * DAY for i in range(41)]
    prices = {d: daily for d in days}
    prices.update({dt.date.fromisoformat(k.replace("_", "-")[1:]): v for k, v in on.items()})
    return pd.DataFrame({"date": list(prices), "sku_id": sku, "price": list(prices.values())})


def audit(promo: dict, lists: dict, *hist, **params):
    promo_df = pd.DataFrame({"sku_id": list(promo), "promo_price": list(promo.values())})
    list_df = pd.DataFrame({"sku_id": list(lists), "list_price": list(lists.values())})
    hist_df = pd.concat(hist, ignore_index=True) if hist else pd.DataFrame(columns=["date", "sku_id", "price"])
    return pr.price_rules(promo_df, list_df, hist_df, START, pr.PriceRuleParams(**params) if params else None)


def row(result, sku):
    return result.skus.set_index("sku_id").loc[sku]


def test_exactly_80_percent_of_the_daily_price_passes_and_80_01_fails():
    r = audit({"A": 80.00, "B": 80.01, "C": 79.92}, {"A": 100.0, "B": 100.0, "C": 99.9},
              history("A", 90.0), history("B", 90.0), history("C", 90.0))
    a, b, c = row(r, "A"), row(r, "B"), row(r, "C")
    assert a.daily_price_threshold == pytest.approx(80.0)  # 0.80 × 100
    assert a.share_of_daily_price == pytest.approx(0.80)  # 80 / 100: exactly 80 % passes
    assert a.daily_price_status == "pass"
    assert b.share_of_daily_price == pytest.approx(0.8001)  # 80.01 / 100 = 80.01 %: fails
    assert b.daily_price_status == "fail" and b.violations == ["daily_price"]
    # 0.8 × 99.9 = 79.92 in decimals but 79.92000000000002 in floats: still exactly 80 %, passes
    assert c.daily_price_status == "pass"


def test_exactly_the_30_day_low_passes_and_one_cent_above_fails():
    # 180 yuan every day except 150 on 2026-10-20 (inside the 30 days)
    r = audit({"C": 150.00, "D": 150.01}, {"C": 200.0, "D": 200.0},
              history("C", 180.0, d2026_10_20=150.0), history("D", 180.0, d2026_10_20=150.0))
    c, d = row(r, "C"), row(r, "D")
    assert c.window_low_price == 150.0 and c.window_low_date == dt.date(2026, 10, 20)
    assert c.window_low_status == "pass"  # 150.00 ≤ 150.00
    assert d.window_low_status == "fail"  # 150.01 > 150.00 by one cent
    assert d.violations == ["window_low"]  # 150.01 ≤ 160 (0.8 × 200) and < 180 (7-day low): only rule 2


def test_the_window_starts_on_start_minus_30_and_excludes_start_minus_31_and_the_start_day():
    r = audit({"E": 150.0, "F": 150.0, "S": 150.0}, {"E": 200.0, "F": 200.0, "S": 200.0},
              history("E", 180.0, d2026_10_12=140.0),  # start − 30: in the window
              history("F", 180.0, d2026_10_11=140.0),  # start − 31: outside
              history("S", 180.0, d2026_11_11=140.0))  # the start day itself: outside
    e, f, s = row(r, "E"), row(r, "F"), row(r, "S")
    assert (e.window_low_price, e.window_low_date) == (140.0, dt.date(2026, 10, 12))
    assert e.window_low_status == "fail"  # 150 > 140
    assert f.window_low_price == 180.0 and f.window_low_status == "pass"  # 140 on 10-11 ignored; 150 ≤ 180
    assert s.window_low_price == 180.0 and s.window_low_status == "pass"
    assert r.window(30) == (dt.date(2026, 10, 12), dt.date(2026, 11, 10))


def test_missing_history_or_list_price_is_unknown_never_pass_or_fail():
    # G: list price but no history at all; I: history but no list price; N: list price empty
    r = audit({"G": 50.0, "I": 50.0, "N": 50.0}, {"G": 100.0, "N": float("nan")}, history("I", 90.0))
    g, i, n = row(r, "G"), row(r, "I"), row(r, "N")
    assert g.daily_price_status == "pass"  # 50 ≤ 80
    assert (g.window_low_status, g.reference_price_status) == ("unknown", "unknown")
    assert math.isnan(g.window_low_price) and math.isnan(g.reference_price) and math.isnan(g.real_discount_rate)
    assert g.unknown == ["window_low", "reference_price"] and g.violations == []
    assert i.daily_price_status == "unknown" and i.unknown == ["daily_price"]
    assert i.window_low_status == "pass"  # 50 ≤ 90
    assert n.daily_price_status == "unknown"
    assert not r.complete
    assert r.counts["window_low"] == pr.RuleCount(passed=1, failed=0, unknown=2)  # I passes; G, N unknown
    assert r.counts["daily_price"] == pr.RuleCount(passed=1, failed=0, unknown=2)  # G passes; I, N unknown
    assert r.violations.empty  # an unknown is not a violation


def test_history_outside_the_window_only_is_unknown():
    hist = history("G", 90.0)
    hist = hist[hist.date < START - 30 * DAY]  # only start − 40 .. start − 31
    r = audit({"G": 50.0}, {"G": 100.0}, hist)
    assert row(r, "G").window_low_status == "unknown"
    assert row(r, "G").reference_price_status == "unknown"


def test_a_sku_above_both_thresholds_violates_both():
    r = audit({"H": 95.0}, {"H": 100.0}, history("H", 90.0))
    h = row(r, "H")
    # rule 1: 95 > 80 (0.8 × 100); rule 2: 95 > 90 (30-day low); rule 3: 95 ≥ 90 (7-day low)
    assert h.violations == ["daily_price", "window_low", "reference_price"]
    assert h.worst_excess_rate == pytest.approx(15 / 80)  # (95 − 80) / 80 = 0.1875 beats 5 / 90
    assert h.real_discount_rate == pytest.approx(1 - 95 / 90)  # −0.0556: a price rise
    assert list(r.violations.sku_id) == ["H"]


def test_seven_day_reference_price_and_real_discount():
    # J: 150 a day; 120 on 10-15 (in the 30 days, not the 7); 130 on 11-06 (in the 7 days)
    # K: 100 every day and promo 100: equals the 7-day low, so no real discount
    r = audit({"J": 120.0, "K": 100.0}, {"J": 200.0, "K": 130.0},
              history("J", 150.0, d2026_10_15=120.0, d2026_11_06=130.0), history("K", 100.0))
    j, k = row(r, "J"), row(r, "K")
    assert (j.window_low_price, j.window_low_date) == (120.0, dt.date(2026, 10, 15))
    assert (j.reference_price, j.reference_price_date) == (130.0, dt.date(2026, 11, 6))
    assert j.real_discount_rate == pytest.approx(1 - 120 / 130)  # 0.0769: a real 7.7 % cut
    assert j.reference_price_status == "pass" and j.violations == []  # 120 ≤ 160, 120 ≤ 120, 120 < 130
    assert k.reference_price == 100.0 and k.reference_price_date == dt.date(2026, 11, 10)  # latest day at the low
    assert k.real_discount_rate == pytest.approx(0.0)  # 1 − 100 / 100
    assert k.daily_price_status == "pass" and k.window_low_status == "pass"  # 100 ≤ 104 (0.8 × 130); 100 ≤ 100
    assert k.reference_price_status == "fail" and k.violations == ["reference_price"]


def test_violations_worst_first_and_counts_per_rule():
    r = audit(
        {"A": 80.0, "B": 80.01, "D": 150.01, "E": 150.0, "H": 95.0, "K": 100.0},
        {"A": 100.0, "B": 100.0, "D": 200.0, "E": 200.0, "H": 100.0, "K": 130.0},
        history("A", 90.0), history("B", 90.0), history("D", 180.0, d2026_10_20=150.0),
        history("E", 180.0, d2026_10_12=140.0), history("H", 90.0), history("K", 100.0),
    )
    # worst excess: H (95 − 80) / 80 = 0.1875; E (150 − 140) / 140 = 0.0714;
    # B 0.01 / 80 = 0.000125; D 0.01 / 150 = 0.0000667; K (100 − 100) / 100 = 0; A passes all
    assert list(r.violations.sku_id) == ["H", "E", "B", "D", "K"]
    assert r.violations.worst_excess_rate.iloc[1] == pytest.approx(10 / 140)
    assert r.counts["daily_price"] == pr.RuleCount(passed=4, failed=2, unknown=0)  # B, H fail
    assert r.counts["window_low"] == pr.RuleCount(passed=3, failed=3, unknown=0)  # D, E, H fail
    assert r.counts["reference_price"] == pr.RuleCount(passed=4, failed=2, unknown=0)  # H, K not below the 7-day low
    assert r.complete
    assert list(r.skus.columns) == pr.SKU_COLUMNS
    assert list(r.skus.sku_id) == ["A", "B", "D", "E", "H", "K"]  # the promo list's order


def test_parameters_change_the_thresholds():
    # share 0.9: 85 ≤ 90 (0.9 × 100) passes; 10-day low window: 80 on 10-20 (start − 22) is outside
    r = audit({"X": 85.0}, {"X": 100.0}, history("X", 180.0, d2026_10_20=80.0),
              max_share_of_daily_price=0.9, low_window_days=10, reference_window_days=3)
    x = row(r, "X")
    assert x.daily_price_threshold == pytest.approx(90.0) and x.daily_price_status == "pass"
    assert x.window_low_price == 180.0 and x.window_low_status == "pass"


def test_several_prices_on_one_day_take_the_lowest_and_empty_prices_are_ignored():
    hist = pd.concat([history("M", 100.0),
                      pd.DataFrame({"date": [dt.date(2026, 11, 8), dt.date(2026, 11, 9)], "sku_id": "M",
                                    "price": [85.0, None]})])
    m = row(audit({"M": 80.0}, {"M": 100.0}, hist), "M")
    assert (m.reference_price, m.reference_price_date) == (85.0, dt.date(2026, 11, 8))  # the intraday cut


def test_duplicate_sku_in_the_promo_list_is_refused_naming_it():
    with pytest.raises(ContractError, match=r"promo list lists SKU A-01 more than once"):
        pr.price_rules(
            pd.DataFrame({"sku_id": ["A-01", "B", "A-01"], "promo_price": [80.0, 70.0, 79.0]}),
            pd.DataFrame({"sku_id": ["A-01"], "list_price": [100.0]}),
            history("A-01", 90.0), START)


def test_negative_prices_are_refused_naming_the_sku():
    with pytest.raises(ContractError, match=r"negative promo_price for SKU Z9"):
        audit({"A": 80.0, "Z9": -1.0}, {"A": 100.0})
    with pytest.raises(ContractError, match=r"negative list_price for SKU Q"):
        audit({"Q": 80.0}, {"Q": -100.0})
    with pytest.raises(ContractError, match=r"price history has a negative price for SKU R"):
        audit({"R": 80.0}, {"R": 100.0}, history("R", 90.0, d2026_11_01=-5.0))
    with pytest.raises(ContractError, match=r"list prices lists SKU Q more than once"):
        pr.price_rules(pd.DataFrame({"sku_id": ["Q"], "promo_price": [1.0]}),
                       pd.DataFrame({"sku_id": ["Q", "Q"], "list_price": [2.0, 3.0]}), history("Q", 2.0), START)


def test_missing_columns_and_bad_parameters_are_refused():
    with pytest.raises(ContractError, match="lacks column"):
        pr.price_rules(pd.DataFrame({"sku": ["A"], "promo_price": [1.0]}),
                       pd.DataFrame({"sku_id": ["A"], "list_price": [2.0]}), history("A", 2.0), START)
    with pytest.raises(ParamsError, match="max_share_of_daily_price"):
        pr.PriceRuleParams(max_share_of_daily_price=80)
    with pytest.raises(ParamsError, match="low_window_days"):
        pr.PriceRuleParams(low_window_days=0)
    with pytest.raises(ParamsError, match="start"):
        pr.price_rules(pd.DataFrame({"sku_id": ["A"], "promo_price": [1.0]}),
                       pd.DataFrame({"sku_id": ["A"], "list_price": [2.0]}), history("A", 2.0), "11/11")
