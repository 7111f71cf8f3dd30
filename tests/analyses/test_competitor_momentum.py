"""Competitor momentum on hand-made index frames; the arithmetic is written beside each assertion."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from opsreport.analyses import competitor_momentum as cm
from opsreport.analyses import index_calibration as ic
from opsreport.errors import ContractError, DataNotFoundError, ParamsError
from opsreport.schemas import OWN_SHOP

D = dt.date


def frame(rows, columns=("date", "competitor_id", "trade_index")):
    return pd.DataFrame(rows, columns=list(columns))


# 3 shops × 4 days (Mon 2026-11-02 .. Thu 11-05) and 2 days of the previous window
RANK_ROWS = frame([
    (D(2026, 11, 2), OWN_SHOP, 100.0), (D(2026, 11, 2), "A", 300.0), (D(2026, 11, 2), "B", 200.0),
    (D(2026, 11, 3), OWN_SHOP, 250.0), (D(2026, 11, 3), "A", 240.0), (D(2026, 11, 3), "B", 260.0),
    (D(2026, 11, 4), OWN_SHOP, 300.0), (D(2026, 11, 4), "A", 300.0), (D(2026, 11, 4), "B", 100.0),
    (D(2026, 11, 5), OWN_SHOP, 400.0), (D(2026, 11, 5), "A", 350.0), (D(2026, 11, 5), "B", 100.0),
    (D(2026, 10, 31), OWN_SHOP, 10.0), (D(2026, 10, 31), "A", 30.0), (D(2026, 10, 31), "B", 20.0),
    (D(2026, 11, 1), OWN_SHOP, 10.0), (D(2026, 11, 1), "A", 30.0), (D(2026, 11, 1), "B", 20.0),
])
PERIOD, PREVIOUS = (D(2026, 11, 2), D(2026, 11, 5)), (D(2026, 10, 29), D(2026, 11, 1))


def test_period_rank_is_the_order_of_mean_daily_ranks():
    m = cm.momentum(RANK_ROWS, {}, PERIOD, PREVIOUS)
    r = m.ranks.set_index("competitor_id")
    assert list(m.ranks.columns) == cm.RANK_COLUMNS and list(r.index) == [OWN_SHOP, "A", "B"]
    # daily ranks (1 = highest index; a tie shares 1.5):
    #   11-02: A 1, B 2, self 3;  11-03: B 1, self 2, A 3;  11-04: self 1.5, A 1.5, B 3;  11-05: self 1, A 2, B 3
    # means: self (3 + 2 + 1.5 + 1) / 4 = 1.875; A (1 + 3 + 1.5 + 2) / 4 = 1.875; B (2 + 1 + 3 + 3) / 4 = 2.25
    assert r["mean_daily_rank"].tolist() == pytest.approx([1.875, 1.875, 2.25])
    assert r["rank"].tolist() == [1, 1, 3]  # self and A share first place
    # (a mean of indices would put A first alone: 297.5 vs self 262.5, which no transform-free reading allows)
    # previous window: two days with A 30 > B 20 > self 10 → A 1, B 2, self 3
    assert r["previous_rank"].tolist() == [3, 1, 2]
    assert r["days"].tolist() == [4, 4, 4] and (r["metric"] == "trade_index").all()


def test_trend_from_kendall_tau_against_the_day_number():
    # self rises every day (100, 250, 300, 400): tau = 1 but with 4 days the exact two-sided p is
    # 2 / 4! = 0.0833 (only 2 of 24 orders are as extreme), above 0.05: flat; at trend_p 0.1: up
    r = cm.momentum(RANK_ROWS, {}, PERIOD, PREVIOUS).ranks.set_index("competitor_id")
    assert r.loc[OWN_SHOP, "tau"] == pytest.approx(1.0) and r.loc[OWN_SHOP, "p_value"] == pytest.approx(2 / 24)
    assert r.loc[OWN_SHOP, "trend"] == "flat"
    # B (200, 260, 100, 100): 1 concordant pair, 4 discordant, 1 tie in the index
    # tau-b = (1 − 4) / √(6 × (6 − 1)) = −3 / √30 = −0.5477
    assert r.loc["B", "tau"] == pytest.approx(-3 / math.sqrt(30))
    r = cm.momentum(RANK_ROWS, {}, PERIOD, PREVIOUS, trend_p=0.1).ranks.set_index("competitor_id")
    assert r.loc[OWN_SHOP, "trend"] == "up"


def test_ten_day_trends_up_down_flat_and_too_few_days():
    days = [D(2026, 11, 1) + dt.timedelta(days=i) for i in range(10)]
    rows = [(d, OWN_SHOP, 10.0 + i) for i, d in enumerate(days)]  # rising: tau 1, p = 2 / 10! = 5.5e-7
    rows += [(d, "Falling", 100.0 - i) for i, d in enumerate(days)]  # tau −1
    rows += [(d, "Zigzag", v) for d, v in zip(days, [5, 9, 1, 8, 2, 7, 3, 6, 4, 5])]
    rows += [(d, "Steady", 50.0) for d in days]  # never moves
    rows += [(d, "New", 5.0 + i) for i, d in enumerate(days[-3:])]  # 3 days only
    r = cm.momentum(frame(rows), {}, (days[0], days[-1]), (D(2026, 10, 1), D(2026, 10, 10))).ranks
    r = r.set_index("competitor_id")
    assert r.loc[OWN_SHOP, "p_value"] == pytest.approx(2 / math.factorial(10))
    assert r["trend"].drop("New").to_dict() == {OWN_SHOP: "up", "Falling": "down", "Steady": "flat", "Zigzag": "flat"}
    assert pd.isna(r.loc["New", "trend"])  # 3 days < MIN_TREND_DAYS: unknown
    assert r.loc["New", "days"] == 3 and math.isnan(r.loc["New", "tau"])
    assert r["previous_rank"].isna().all()  # nothing in the previous window: unknown, not last


# --- estimates on a noise-free power law ----------------------------------------------------------
# Our shop, 36 days from 2026-10-01 (i = 0..35): paid_amount 5,000 + 400 i, uv 6,000 + 200 i,
# paid_buyers 60 + 2 i. The platform's transforms: trade = 10 √paid, traffic = 2 √uv, buyer = 4 √buyers,
# so paid = (trade / 10)², uv = (traffic / 2)², buyers = (buyer / 4)² exactly.
OWN_DAYS = pd.date_range("2026-10-01", periods=36, freq="D")
I = np.arange(36)
OWN_REAL = pd.DataFrame({"date": OWN_DAYS, "paid_amount": 5000.0 + 400 * I, "uv": 6000.0 + 200 * I,
                         "paid_buyers": 60.0 + 2 * I})
COLUMNS = ("date", "competitor_id", "trade_index", "traffic_index", "buyer_index")
WINDOW = pd.date_range("2026-10-27", periods=10, freq="D")  # previous Oct 27..31, period Nov 1..5 (Sun..Thu)
EST_PERIOD, EST_PREVIOUS = (D(2026, 11, 1), D(2026, 11, 5)), (D(2026, 10, 27), D(2026, 10, 31))


def estimate_rows():
    own = pd.DataFrame({"date": OWN_DAYS, "competitor_id": OWN_SHOP, "trade_index": 10 * np.sqrt(OWN_REAL.paid_amount),
                        "traffic_index": 2 * np.sqrt(OWN_REAL.uv), "buyer_index": 4 * np.sqrt(OWN_REAL.paid_buyers)})
    # A, previous then period: trade 1000, 1000, 800, 900, 1000 | 1000, 1200, 900, 1100, 1000
    a = pd.DataFrame({"date": WINDOW, "competitor_id": "A",
                      "trade_index": [1000.0, 1000, 800, 900, 1000, 1000, 1200, 900, 1100, 1000],
                      "traffic_index": [200.0] * 5 + [200.0, 220, 180, 200, 200],
                      "buyer_index": [40.0] * 5 + [40.0, 44, 36, 40, 40]})
    # Big: 90,000 a day (index 3,000), far above our largest day; no buyer index; traffic missing on 11-03
    big = pd.DataFrame({"date": WINDOW, "competitor_id": "Big", "trade_index": 3000.0,
                        "traffic_index": [200.0] * 7 + [np.nan] + [200.0] * 2, "buyer_index": np.nan})
    return pd.concat([own, a, big], ignore_index=True)[list(COLUMNS)]


def test_estimated_totals_and_growth_by_hand():
    daily = estimate_rows()
    curves = ic.fit_all(daily, OWN_REAL)
    assert set(curves) == {"trade_index", "traffic_index", "buyer_index"}
    e = cm.momentum(daily, curves, EST_PERIOD, EST_PREVIOUS).estimates.set_index(["competitor_id", "metric"])
    assert list(e.reset_index().columns) == cm.ESTIMATE_COLUMNS
    a = e.loc["A"]
    # paid = (index / 10)²: Nov 1..5 10,000 + 14,400 + 8,100 + 12,100 + 10,000 = 54,600
    assert a.loc["paid_amount", "estimate"] == pytest.approx(54_600, rel=1e-9)
    assert a.loc["paid_amount", "low"] == pytest.approx(54_600, rel=1e-6)  # exact curve: no width
    # previous: 10,000 + 10,000 + 6,400 + 8,100 + 10,000 = 44,500; growth 54,600 / 44,500 − 1 = 22.70 %
    assert a.loc["paid_amount", "previous_estimate"] == pytest.approx(44_500, rel=1e-9)
    assert a.loc["paid_amount", "growth"] == pytest.approx(54_600 / 44_500 - 1, rel=1e-9)
    # uv = (index / 2)²: 10,000 + 12,100 + 8,100 + 10,000 + 10,000 = 50,200 visitor-days
    assert a.loc["uv", "estimate"] == pytest.approx(50_200, rel=1e-9)
    # buyers = (index / 4)²: 100 + 121 + 81 + 100 + 100 = 502
    assert a.loc["paid_buyers", "estimate"] == pytest.approx(502, rel=1e-9)
    assert (a["extrapolated_share"] == 0).all() and a["known"].all() and not a["real"].any()
    assert (a["days"] == 5).all()
    big = e.loc["Big"]
    assert big.loc["paid_amount", "estimate"] == pytest.approx(5 * 90_000, rel=1e-9)  # (3000 / 10)² = 90,000 a day
    assert big.loc["paid_amount", "extrapolated_share"] == 1.0  # every day beyond our 7,071..13,784 index range
    assert math.isnan(big.loc["uv", "estimate"]) and big.loc["uv", "days"] == 4  # a day missing: no total
    assert math.isnan(big.loc["paid_buyers", "estimate"]) and big.loc["paid_buyers", "known"]  # no index at all


def test_our_row_holds_real_values_when_given_and_estimates_otherwise():
    daily = estimate_rows()
    curves = ic.fit_all(daily, OWN_REAL)
    m = cm.momentum(daily, curves, EST_PERIOD, EST_PREVIOUS, own_real=OWN_REAL)
    own = m.estimates.set_index(["competitor_id", "metric"]).loc[OWN_SHOP]
    # Nov 1..5 are i = 31..35: 17,400 + 17,800 + 18,200 + 18,600 + 19,000 = 91,000 (real, range = value)
    assert own.loc["paid_amount", ["estimate", "low", "high"]].tolist() == [91_000, 91_000, 91_000]
    # Oct 27..31, i = 26..30: 15,400 + 15,800 + 16,200 + 16,600 + 17,000 = 81,000; growth 91/81 − 1 = 12.35 %
    assert own.loc["paid_amount", "growth"] == pytest.approx(91_000 / 81_000 - 1)
    assert own["real"].all() and own["extrapolated_share"].isna().all()
    # without own_real, our totals come from our own indices through the curve (the same here: exact fit)
    est = cm.momentum(daily, curves, EST_PERIOD, EST_PREVIOUS).estimates.set_index(["competitor_id", "metric"])
    assert est.loc[(OWN_SHOP, "paid_amount"), "estimate"] == pytest.approx(91_000, rel=1e-9)
    assert not est.loc[OWN_SHOP, "real"].any()


def test_derived_conversion_and_aov_are_ratios_of_estimated_totals():
    daily = estimate_rows()
    m = cm.momentum(daily, ic.fit_all(daily, OWN_REAL), EST_PERIOD, EST_PREVIOUS, own_real=OWN_REAL)
    d = m.derived.set_index(["competitor_id", "measure"])
    assert list(m.derived.columns) == cm.DERIVED_COLUMNS
    assert d.loc[("A", "conversion_rate"), "estimate"] == pytest.approx(502 / 50_200, rel=1e-9)  # 1.00 %
    assert d.loc[("A", "aov"), "estimate"] == pytest.approx(54_600 / 502, rel=1e-9)  # 108.76 yuan
    assert not d.loc[("A", "aov"), "real"]
    # ours, real: uv 12,200 + ... + 13,000 = 63,000; buyers 122 + ... + 130 = 630; 630 / 63,000 = 1 %
    assert d.loc[(OWN_SHOP, "conversion_rate"), ["estimate", "low", "high"]].tolist() == pytest.approx([0.01] * 3)
    assert d.loc[(OWN_SHOP, "aov"), "estimate"] == pytest.approx(91_000 / 630)  # 144.44 yuan
    assert d.loc[(OWN_SHOP, "aov"), "real"]
    assert d.loc[("Big", ["conversion_rate", "aov"]), "estimate"].isna().all()  # no buyers, no uv total


def test_ratio_ranges_widen_with_calibration_error():
    daily = estimate_rows()
    rng = np.random.default_rng(5)
    noisy = daily.copy()
    own = noisy["competitor_id"] == OWN_SHOP
    for c in ("trade_index", "traffic_index", "buyer_index"):
        noisy.loc[own, c] = noisy.loc[own, c] * np.exp(rng.normal(0, 0.03, own.sum()))
    m = cm.momentum(noisy, ic.fit_all(noisy, OWN_REAL), EST_PERIOD, EST_PREVIOUS)
    e = m.estimates.set_index(["competitor_id", "metric"])
    d = m.derived.set_index(["competitor_id", "measure"])
    for shop, measure, num, den in (("A", "aov", "paid_amount", "paid_buyers"), ("A", "conversion_rate", "paid_buyers", "uv")):
        n, k = e.loc[(shop, num)], e.loc[(shop, den)]
        row = d.loc[(shop, measure)]
        # low = num.low / den.high < estimate = num / den < high = num.high / den.low
        assert row["low"] == pytest.approx(n["low"] / k["high"]) and row["high"] == pytest.approx(n["high"] / k["low"])
        assert row["estimate"] == pytest.approx(n["estimate"] / k["estimate"])
        assert row["low"] < row["estimate"] < row["high"]


def test_weekly_paid_amount_per_iso_week():
    daily = estimate_rows()
    m = cm.momentum(daily, ic.fit_all(daily, OWN_REAL), EST_PERIOD, EST_PREVIOUS, own_real=OWN_REAL)
    assert list(m.weekly.columns) == cm.WEEKLY_COLUMNS
    w = m.weekly.set_index(["competitor_id", "week_start"])
    # the period starts on Sunday 11-01: weekly starts at the first whole week, Monday 11-02 (11-02..05 have data)
    assert sorted(set(m.weekly.week_start)) == [D(2026, 11, 2)]
    assert w.loc[("A", D(2026, 11, 2)), "estimate"] == pytest.approx(44_600, rel=1e-9)  # 14,400 + 8,100 + 12,100 + 10,000
    assert w.loc[("A", D(2026, 11, 2)), "days"] == 4


def test_weekly_reaches_back_to_weeks_from():
    daily = estimate_rows()
    m = cm.momentum(daily, ic.fit_all(daily, OWN_REAL), EST_PERIOD, EST_PREVIOUS, own_real=OWN_REAL, weeks_from=D(2026, 10, 26))
    w = m.weekly.set_index(["competitor_id", "week_start"])
    assert sorted(set(m.weekly.week_start)) == [D(2026, 10, 26), D(2026, 11, 2)]
    # our week of Monday 10-26 is real: paid 5,000 + 400 i for i = 25..31 (10-26..11-01)
    # = 7 × 5,000 + 400 × (25 + ... + 31) = 35,000 + 400 × 196 = 113,400
    assert w.loc[(OWN_SHOP, D(2026, 10, 26)), "estimate"] == pytest.approx(113_400) and w.loc[(OWN_SHOP, D(2026, 10, 26)), "real"]
    # A has no row on 10-26, a day the export has (ours): its week's total is unknown, never a 6-day total
    assert math.isnan(w.loc[("A", D(2026, 10, 26)), "estimate"]) and w.loc[("A", D(2026, 10, 26)), "days"] == 6


def test_latest_holds_the_last_days_raw_indices():
    m = cm.momentum(RANK_ROWS, {}, PERIOD, PREVIOUS)
    assert m.latest.to_dict("list") == {"competitor_id": [OWN_SHOP, "A", "B"], "date": [D(2026, 11, 5)] * 3,
                                        "trade_index": [400.0, 350.0, 100.0]}


def test_without_a_curve_estimates_are_unknown():
    m = cm.momentum(RANK_ROWS, {}, PERIOD, PREVIOUS)
    e = m.estimates
    assert (e["metric"] == "paid_amount").all() and not e["known"].any() and e["estimate"].isna().all()
    assert m.weekly["estimate"].isna().all() and m.derived.empty


def invariance_rows(seed=9):
    """60 days of ours (noisy power-law indices) and three competitors, every index column."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-09-24", periods=60, freq="D")  # .. 2026-11-22
    real = pd.DataFrame({"date": days, "paid_amount": rng.uniform(20_000, 60_000, 60), "uv": rng.uniform(3_000, 9_000, 60),
                         "search_uv": rng.uniform(800, 3_000, 60), "fav_users": rng.uniform(100, 400, 60),
                         "cart_users": rng.uniform(200, 700, 60), "paid_buyers": rng.uniform(100, 400, 60)})
    real["conversion_rate"] = real["paid_buyers"] / real["uv"]
    powers = {"trade_index": 0.6, "traffic_index": 0.7, "search_index": 0.8, "fav_index": 0.5, "cart_index": 0.55,
              "buyer_index": 0.65, "conversion_index": 0.9}
    frames = []
    for shop, scale in ((OWN_SHOP, 1.0), ("A", 0.7), ("B", 1.3), ("C", 3.0)):
        f = pd.DataFrame({"date": days, "competitor_id": shop})
        for column, k in powers.items():
            base = real[ic.INDEX_OF[column]] * (1.0 if shop == OWN_SHOP else scale * rng.uniform(0.8, 1.2, 60))
            if shop == "A":
                base = base * np.linspace(0.2, 4.0, 60)  # A grows fast: several of its trends are 'up'
            f[column] = 50 * base**k * np.exp(rng.normal(0, 0.03, 60))
        frames.append(f)
    return pd.concat(frames, ignore_index=True), real


def test_every_number_but_raw_indices_is_invariant_under_a_power_transform():
    daily, real = invariance_rows()
    period, previous = (D(2026, 11, 1), D(2026, 11, 22)), (D(2026, 10, 10), D(2026, 10, 31))
    base = cm.momentum(daily, ic.fit_all(daily, real), period, previous, own_real=real)
    moved_daily = daily.copy()
    for column in ic.INDEX_OF:
        moved_daily[column] = 3 * moved_daily[column] ** 1.7  # ours and theirs alike
    moved = cm.momentum(moved_daily, ic.fit_all(moved_daily, real), period, previous, own_real=real)
    for name in ("ranks", "estimates", "derived", "weekly"):
        pd.testing.assert_frame_equal(getattr(base, name), getattr(moved, name), rtol=1e-9, obj=name)
    # the test has teeth: the estimates are finite, some extrapolated (C is 3× us), trends non-trivial
    e = base.estimates.set_index(["competitor_id", "metric"])
    assert e["estimate"].notna().all() and e.loc["C", "extrapolated_share"].gt(0).any()
    assert (base.ranks.loc[base.ranks["competitor_id"] == "A", "trend"] == "up").sum() >= 2
    assert base.ranks["rank"].nunique() == 4  # four places taken, not a tie everywhere
    assert len(base.derived) == 8 and len(base.weekly) == 4 * 3  # 4 shops × whole ISO weeks of 11-02, 11-09, 11-16
    assert not base.latest.equals(moved.latest)  # raw indices, shown as they are


def test_bad_input_names_what_is_wrong():
    with pytest.raises(ContractError, match="competitor_id"):
        cm.momentum(RANK_ROWS.drop(columns="competitor_id"), {}, PERIOD, PREVIOUS)
    with pytest.raises(ContractError, match="no index column"):
        cm.momentum(RANK_ROWS.drop(columns="trade_index"), {}, PERIOD, PREVIOUS)
    with pytest.raises(ContractError, match="A on 2026-11-02 twice"):
        cm.momentum(pd.concat([RANK_ROWS, RANK_ROWS.iloc[[1]]]), {}, PERIOD, PREVIOUS)
    with pytest.raises(ContractError, match="negative"):
        cm.momentum(RANK_ROWS.assign(trade_index=-1.0), {}, PERIOD, PREVIOUS)
    with pytest.raises(ParamsError, match="period"):
        cm.momentum(RANK_ROWS, {}, (D(2026, 11, 5), D(2026, 11, 2)), PREVIOUS)
    with pytest.raises(ParamsError, match="curves"):
        cm.momentum(RANK_ROWS, {"trade_index": 1.0}, PERIOD, PREVIOUS)
    with pytest.raises(DataNotFoundError, match="2026-12-01"):
        cm.momentum(RANK_ROWS, {}, (D(2026, 12, 1), D(2026, 12, 5)), PREVIOUS)
