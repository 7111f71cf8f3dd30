"""Index calibration on synthetic indices made from KNOWN real values through KNOWN curves."""

import math

import numpy as np
import pandas as pd
import pytest

from opsreport.analyses import index_calibration as ic
from opsreport.errors import ContractError, ParamsError
from opsreport.schemas import OWN_SHOP

DAYS = pd.date_range("2026-10-01", periods=60, freq="D")


def series(values, days=None):
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=DAYS[: len(values)] if days is None else days)


def power_index(real, c=40.0, k=0.62):
    """The platform's transform in these tests: index = c × real^k."""
    return c * np.asarray(real, dtype=float) ** k


def test_noise_free_power_law_is_recovered_exactly():
    real = 1000.0 * np.arange(1, 29)  # 1,000 .. 28,000 yuan on 28 days
    curve = ic.fit(series(power_index(real)), series(real), "paid_amount")
    # ln index = ln 40 + 0.62 ln real  =>  ln real = (ln index − ln 40) / 0.62:
    # slope = 1 / 0.62 = 1.6129, intercept = −ln 40 / 0.62 = −3.68888 / 0.62 = −5.94981
    assert curve.slope == pytest.approx(1 / 0.62, rel=1e-9)
    assert curve.intercept == pytest.approx(-math.log(40) / 0.62, rel=1e-9)
    assert curve.r2 == pytest.approx(1.0, abs=1e-12) and curve.resid_sd == pytest.approx(0.0, abs=1e-6)
    assert (curve.n_days, curve.metric, curve.level) == (28, "paid_amount", 0.9)
    # our range of indices: 40 × 1000^0.62 = 2,880.4 .. 40 × 28000^0.62 = 22,681
    assert curve.index_low == pytest.approx(40 * 1000**0.62) and curve.index_high == pytest.approx(40 * 28000**0.62)
    # a competitor selling 5,000 and one selling 23,456.7 have indices the curve reads back exactly
    out = curve.estimate(pd.Series(power_index([5000.0, 23456.7]), index=["A", "B"]))
    assert list(out.columns) == ic.ESTIMATE_COLUMNS and list(out.index) == ["A", "B"]
    assert out["estimate"].to_numpy() == pytest.approx([5000.0, 23456.7], rel=1e-9)
    assert out["low"].to_numpy() == pytest.approx([5000.0, 23456.7], rel=1e-6)  # σ̂ = 0: no width
    assert out["high"].to_numpy() == pytest.approx([5000.0, 23456.7], rel=1e-6)
    assert not out["extrapolated"].any()


def test_hand_computed_fit_and_prediction_interval():
    # ln index x = 0, 1, 2, 3 and ln real y = 0.1, 0.9, 2.1, 2.9 (4 days; min_days lowered to 4)
    x, y = np.array([0.0, 1, 2, 3]), np.array([0.1, 0.9, 2.1, 2.9])
    curve = ic.fit(series(np.exp(x)), series(np.exp(y)), "uv", min_days=4)
    # x̄ = ȳ = 1.5; dx = −1.5, −0.5, 0.5, 1.5; dy = −1.4, −0.6, 0.6, 1.4
    # slope = Σ dx dy / Σ dx² = (2.1 + 0.3 + 0.3 + 2.1) / 5 = 4.8 / 5 = 0.96; intercept = 1.5 − 0.96 × 1.5 = 0.06
    assert curve.slope == pytest.approx(0.96) and curve.intercept == pytest.approx(0.06)
    # residuals 0.04, −0.12, 0.12, −0.04: SSR = 0.032, σ̂² = 0.032 / (4 − 2) = 0.016
    assert curve.resid_sd == pytest.approx(math.sqrt(0.016))
    # R² = 1 − SSR / SST = 1 − 0.032 / (1.96 + 0.36 + 0.36 + 1.96 = 4.64) = 0.993103
    assert curve.r2 == pytest.approx(1 - 0.032 / 4.64)
    assert (curve.index_low, curve.index_high) == pytest.approx((1.0, math.exp(3)))
    # at x0 = 1.5 (index e^1.5): prediction 0.06 + 0.96 × 1.5 = 1.5; variance of a new day
    # σ̂² (1 + 1/4 + (x0 − x̄)² / Σ dx² = 0) = 0.016 × 1.25 = 0.02; t(0.95, 2 df) = 2.919986
    out = curve.estimate(pd.Series([math.exp(1.5)]))
    half = 2.919986 * math.sqrt(0.02)  # 0.41295
    assert out.loc[0, "estimate"] == pytest.approx(math.exp(1.5))  # 4.4817, the median
    assert out.loc[0, "low"] == pytest.approx(math.exp(1.5 - half), rel=1e-6)  # e^1.08705 = 2.9655
    assert out.loc[0, "high"] == pytest.approx(math.exp(1.5 + half), rel=1e-6)  # e^1.91295 = 6.7730


def calibrate_and_cover(transform, seed, noise=0.02, n_comp=1_000):
    """Fit on 60 of our days (real 2,000..20,000, index = transform(real) × lognormal noise), then
    the share of n_comp noisy competitor days in our range whose interval holds the true value."""
    rng = np.random.default_rng(seed)
    real = np.exp(rng.uniform(math.log(2_000), math.log(20_000), 60))
    curve = ic.fit(series(transform(real) * np.exp(rng.normal(0.0, noise, 60))), series(real), "paid_amount")
    comp = np.exp(rng.uniform(math.log(2_000), math.log(20_000), n_comp))
    est = curve.estimate(pd.Series(transform(comp) * np.exp(rng.normal(0.0, noise, n_comp))))
    inside = ~est["extrapolated"].to_numpy()
    held = ((est["low"] <= comp) & (comp <= est["high"])).to_numpy()
    return curve, held[inside].mean(), np.median(np.abs(est["estimate"] / comp - 1)[inside])


def test_noisy_power_law_recovers_competitors_and_covers_at_the_stated_level():
    rng = np.random.default_rng(1)
    real = np.exp(rng.uniform(math.log(2_000), math.log(20_000), 60))
    index = power_index(real) * np.exp(rng.normal(0.0, 0.02, 60))  # lognormal noise sd 0.02
    curve = ic.fit(series(index), series(real), "paid_amount")
    # noise sd 0.02 on ln index is 0.02 / 0.62 = 0.032 on ln real; the slope comes back near 1/0.62
    assert curve.slope == pytest.approx(1 / 0.62, rel=0.03)
    assert curve.resid_sd == pytest.approx(0.02 / 0.62, rel=0.25)
    # competitors' noise-free indices: only the fit's error is left (well under 2 %)
    truth = np.array([2_500.0, 6_000.0, 11_000.0, 18_000.0])
    out = curve.estimate(pd.Series(power_index(truth)))
    assert out["estimate"].to_numpy() == pytest.approx(truth, rel=0.02)
    assert ((out["low"] < truth) & (truth < out["high"])).all()
    # over 20 calibrations × 1,000 noisy competitor days in our range, the 90 % intervals hold the
    # truth about 90 % of the time (one calibration alone varies: its σ̂ is itself an estimate)
    runs = [calibrate_and_cover(power_index, seed) for seed in range(20)]
    assert np.mean([r[1] for r in runs]) == pytest.approx(0.90, abs=0.02)
    assert max(r[2] for r in runs) < 0.03  # typical error: 0.032 × 0.67 ≈ 2 %


def test_a_non_power_curve_is_fitted_with_its_error_reported():
    def log_curve(real):  # index = 1000 × ln(1 + real / 500): monotone, not straight on log-log
        return 1000 * np.log1p(np.asarray(real, dtype=float) / 500)

    # without noise a power law leaves σ̂ = 0 (test above); this curve leaves its misfit in σ̂
    curve, _, _ = calibrate_and_cover(log_curve, seed=0, noise=0.0)
    assert curve.resid_sd > 0.03 and curve.r2 < 0.999
    # with noise, the misfit is reported: intervals in our range still hold the truth about 90 %
    runs = [calibrate_and_cover(log_curve, seed) for seed in range(20)]
    assert np.mean([r[1] for r in runs]) == pytest.approx(0.90, abs=0.03)
    assert max(r[2] for r in runs) < 0.08  # median error a few percent


def test_extrapolation_is_flagged_beyond_the_margin():
    real = 1000.0 * np.arange(1, 29)
    curve = ic.fit(series(power_index(real)), series(real), "paid_amount")
    # ln range of ours: ln 2,880.4 .. ln 22,681 = 7.9656 .. 10.0293, width 2.0637; margin 5 % = 0.1032
    lo, hi = math.log(curve.index_low), math.log(curve.index_high)
    margin = 0.05 * (hi - lo)
    index = pd.Series(np.exp([hi + 0.9 * margin, hi + 1.1 * margin, lo - 0.9 * margin, lo - 1.1 * margin, (lo + hi) / 2]))
    out = curve.estimate(index)
    assert out["extrapolated"].tolist() == [False, True, False, True, False]
    # kept, not dropped: a competitor 4× our largest day still gets its (exact here) estimate
    big = curve.estimate(pd.Series(power_index([112_000.0])))
    assert bool(big.loc[0, "extrapolated"]) and big.loc[0, "estimate"] == pytest.approx(112_000.0, rel=1e-9)


def test_too_few_days_or_no_movement_gives_no_curve():
    real = 1000.0 * np.arange(1, 29)
    assert ic.fit(series(power_index(real[:27])), series(real[:27]), "uv") is None  # 27 < 28 days
    index = power_index(real)
    index[5] = 0.0  # a day with index 0 is not a calibration pair: 27 usable pairs
    assert ic.fit(series(index), series(real), "uv") is None
    assert ic.fit(series(index), series(real), "uv", min_days=27) is not None
    real_gap = real.copy()
    real_gap[3] = np.nan  # a missing real value neither
    assert ic.fit(series(power_index(real)), series(real_gap), "uv") is None
    assert ic.fit(series(np.full(30, 500.0)), series(1000.0 * np.arange(1, 31)), "uv") is None  # index never moved
    # only days on both sides pair up: 28 index days but real values on days 10..39 → 19 pairs
    assert ic.fit(series(power_index(real)), pd.Series(real[:28] + 1, index=DAYS[9:37]), "uv") is None


def test_a_falling_curve_contradicts_a_monotone_index():
    real = 1000.0 * np.arange(1, 29)
    assert ic.fit(series(1e6 / real), series(real), "uv") is None


def test_zero_index_reads_zero_and_missing_index_reads_unknown():
    real = 1000.0 * np.arange(1, 29)
    curve = ic.fit(series(power_index(real)), series(real), "paid_amount")
    out = curve.estimate(pd.Series([0.0, np.nan]))
    assert out.loc[0, ["estimate", "low", "high"]].tolist() == [0.0, 0.0, 0.0]
    assert out.loc[1, ["estimate", "low", "high"]].isna().all()
    assert not out["extrapolated"].any()


def test_estimates_do_not_depend_on_the_index_transform():
    rng = np.random.default_rng(3)
    real = np.exp(rng.uniform(math.log(2_000), math.log(20_000), 40))
    index = power_index(real) * np.exp(rng.normal(0.0, 0.05, 40))
    comp = pd.Series(power_index([1_500.0, 7_000.0, 60_000.0]))
    base = ic.fit(series(index), series(real), "paid_amount").estimate(comp)
    # every index (ours and theirs) through 3 × index^1.7: the log-log line absorbs it
    moved = ic.fit(series(3 * index**1.7), series(real), "paid_amount").estimate(3 * comp**1.7)
    pd.testing.assert_frame_equal(base, moved, rtol=1e-9)


def own_rows(n=30):
    real = pd.DataFrame({"date": DAYS[:n], "paid_amount": 1000.0 * np.arange(1, n + 1),
                         "uv": 100.0 * np.arange(1, n + 1)})
    own = pd.DataFrame({"date": DAYS[:n], "competitor_id": OWN_SHOP,
                        "trade_index": power_index(real["paid_amount"]),
                        "traffic_index": power_index(real["uv"], c=5.0, k=0.8),
                        "search_index": 7.0 * np.arange(1, n + 1)})
    rival = own.assign(competitor_id="RivalShop", trade_index=1.0, traffic_index=1.0)
    return pd.concat([own, rival], ignore_index=True), real


def test_fit_all_calibrates_measures_present_on_both_sides_on_our_rows_only():
    daily, real = own_rows()
    curves = ic.fit_all(daily, real)
    # search_index has no search_uv on the real side; the rival's rows (all 1.0) are not ours
    assert set(curves) == {"trade_index", "traffic_index"}
    assert curves["trade_index"].metric == "paid_amount" and curves["traffic_index"].metric == "uv"
    assert curves["trade_index"].slope == pytest.approx(1 / 0.62) and curves["traffic_index"].slope == pytest.approx(1 / 0.8)
    assert curves["trade_index"].n_days == 30
    assert ic.fit_all(daily, real, min_days=31) == {}  # 30 days < 31


def test_real_measures_from_the_overview_and_the_search_source():
    shop = pd.DataFrame({"date": ["2026-11-01", "2026-11-02"], "uv": [200, 0], "paid_buyers": [10, 0],
                         "paid_amount": [1500.0, 0.0], "cart_users": [30, 0]})
    traffic = pd.DataFrame({"date": ["2026-11-01", "2026-11-01", "2026-11-02"],
                            "source": ["search", "paid_ads", "paid_ads"], "uv": [120, 80, 0]})
    out = ic.real_measures(shop, traffic)
    assert list(out.columns) == ic.REAL_COLUMNS
    assert out.loc[0, "conversion_rate"] == pytest.approx(10 / 200)  # 0.05
    assert math.isnan(out.loc[1, "conversion_rate"])  # 0 visitors: no rate, not 0
    assert out.loc[0, "search_uv"] == 120 and math.isnan(out.loc[1, "search_uv"])  # no search row on day 2
    assert out["fav_users"].isna().all() and out["cart_users"].tolist() == [30, 0]  # not exported: unknown
    assert ic.real_measures(shop)["search_uv"].isna().all()


def test_period_total_ratio_and_growth_by_hand():
    days = pd.DataFrame({"estimate": [100.0, 200.0, 300.0], "low": [90.0, 180.0, 270.0], "high": [110.0, 220.0, 330.0]})
    total = ic.period_total(days)
    assert total == ic.Estimate(600.0, 540.0, 660.0)  # 100+200+300; 90+180+270; 110+220+330
    buyers = ic.Estimate(30.0, 25.0, 36.0)
    aov = ic.ratio(total, buyers)
    assert aov.est == pytest.approx(20.0)  # 600 / 30
    assert aov.low == pytest.approx(15.0)  # 540 / 36
    assert aov.high == pytest.approx(26.4)  # 660 / 25
    g = ic.growth(total, ic.Estimate(500.0, 450.0, 550.0))
    assert g.est == pytest.approx(0.2)  # 600 / 500 − 1
    assert g.low == pytest.approx(540 / 550 - 1)  # −1.8 %
    assert g.high == pytest.approx(660 / 450 - 1)  # +46.7 %
    assert ic.Estimate.exact(5.0) == ic.Estimate(5.0, 5.0, 5.0)


def test_unknowns_stay_unknown():
    gap = pd.DataFrame({"estimate": [100.0, np.nan], "low": [90.0, np.nan], "high": [110.0, np.nan]})
    assert not ic.period_total(gap).known  # a day missing: no total
    assert not ic.period_total(gap.iloc[0:0]).known  # no days: no total, not 0
    r = ic.ratio(ic.Estimate(10.0, 5.0, 15.0), ic.Estimate(0.0, 0.0, 0.0))
    assert all(math.isnan(v) for v in (r.est, r.low, r.high))  # nothing to divide by


def test_bad_input_names_what_is_wrong():
    real = 1000.0 * np.arange(1, 29)
    with pytest.raises(ParamsError, match="Series"):
        ic.fit(list(real), series(real), "uv")
    with pytest.raises(ParamsError, match="level"):
        ic.fit(series(real), series(real), "uv", level=90)
    with pytest.raises(ParamsError, match="min_days"):
        ic.fit(series(real), series(real), "uv", min_days=2)
    with pytest.raises(ContractError, match="negative"):
        ic.fit(series(-real), series(real), "uv")
    with pytest.raises(ContractError, match="not numbers"):
        ic.fit(pd.Series(["a"] * 28, index=DAYS[:28]), series(real), "uv")
    daily, own_real = own_rows()
    with pytest.raises(ContractError, match="date"):
        ic.fit_all(daily.drop(columns="date"), own_real)
    with pytest.raises(ContractError, match="twice"):
        ic.fit_all(daily, pd.concat([own_real, own_real.iloc[:1]]))
    with pytest.raises(ContractError, match="paid_amount"):
        ic.real_measures(pd.DataFrame({"date": [], "uv": [], "paid_buyers": []}))
