"""Coupon redemption and cost on hand-made coupons; the arithmetic is written beside each assertion."""

import math

import pandas as pd
import pytest

from opsreport.analyses import coupons as cp
from opsreport.errors import ContractError, ParamsError


def coupons(*rows):
    """rows: (coupon_id, threshold, discount, issued, redeemed)."""
    return pd.DataFrame(rows, columns=cp.COUPON_COLUMNS)


# 满300减30, 满500减60, and one never issued
CURRENT = coupons(("c300", 300.0, 30.0, 1_000, 200), ("c500", 500.0, 60.0, 500, 50), ("c999", 999.0, 100.0, 0, 0))


def test_per_coupon_and_totals():
    s = cp.coupon_summary(CURRENT, gmv=90_000.0)
    per = s.per_coupon.set_index("coupon_id")
    assert list(s.per_coupon.columns) == cp.PER_COUPON_COLUMNS and list(per.index) == ["c300", "c500", "c999"]
    assert per.loc["c300", "redemption_rate"] == pytest.approx(200 / 1_000)  # 0.20
    assert per.loc["c300", "discount_cost"] == pytest.approx(6_000)  # 200 × 30
    assert per.loc["c500", "redemption_rate"] == pytest.approx(50 / 500)  # 0.10
    assert per.loc["c500", "discount_cost"] == pytest.approx(3_000)  # 50 × 60
    assert math.isnan(per.loc["c999", "redemption_rate"]) and per.loc["c999", "discount_cost"] == 0  # 0 issued
    assert (s.coupons, s.issued, s.redeemed) == (3, 1_500, 250)
    # total rate from summed parts: 250 / 1,500 = 0.1667, not the mean of 0.20 and 0.10
    assert s.redemption_rate == pytest.approx(250 / 1_500)
    assert s.discount_cost == pytest.approx(9_000)  # 6,000 + 3,000
    assert s.effective_discount == pytest.approx(9_000 / 99_000)  # pre-coupon value 90,000 + 9,000 → 9.09%
    assert s.cost_share_of_gmv == pytest.approx(9_000 / 90_000)  # 10%
    assert s.reason is None and s.far_below_previous is None and math.isnan(s.redemption_ratio)


def test_against_the_previous_promotion():
    previous = coupons(("p300", 300.0, 30.0, 800, 320), ("p500", 500.0, 50.0, 200, 80))  # 400 / 1,000 = 0.40
    s = cp.coupon_summary(CURRENT, 90_000.0, previous)
    assert s.previous_redemption_rate == pytest.approx(400 / 1_000)
    assert s.redemption_ratio == pytest.approx((250 / 1_500) / 0.40)  # 0.1667 / 0.40 = 0.4167
    assert s.far_below_previous is True  # 0.4167 < 0.5
    assert cp.coupon_summary(CURRENT, 90_000.0, previous, far_below=0.4).far_below_previous is False  # 0.4167 ≥ 0.4


def test_exactly_half_the_previous_rate_is_not_far_below():
    now = coupons(("a", 100.0, 10.0, 100, 20))  # 0.20
    before = coupons(("b", 100.0, 10.0, 100, 40))  # 0.40 → ratio 0.20 / 0.40 = 0.5 exactly
    s = cp.coupon_summary(now, 1_000.0, before)
    assert s.redemption_ratio == 0.5 and s.far_below_previous is False


def test_no_comparison_when_a_rate_is_undefined():
    # previous issued nothing: its rate is NaN → ratio NaN → unknown, not False
    s = cp.coupon_summary(CURRENT, 90_000.0, coupons(("p", 100.0, 10.0, 0, 0)))
    assert math.isnan(s.previous_redemption_rate) and math.isnan(s.redemption_ratio) and s.far_below_previous is None
    # previous redeemed nothing: rate 0, a ratio to 0 is undefined
    s = cp.coupon_summary(CURRENT, 90_000.0, coupons(("p", 100.0, 10.0, 50, 0)))
    assert s.previous_redemption_rate == 0 and s.far_below_previous is None


def test_a_promotion_without_coupons_says_so():
    s = cp.coupon_summary(coupons(), 50_000.0, previous=coupons(("p", 100.0, 10.0, 100, 40)))
    assert s.reason == "no_coupons" and s.coupons == 0 and s.per_coupon.empty
    assert (s.issued, s.redeemed, s.discount_cost) == (0, 0, 0.0)
    assert math.isnan(s.redemption_rate)  # 0 / 0
    assert s.effective_discount == 0.0 and s.cost_share_of_gmv == 0.0  # nothing given away: 0 / 50,000
    assert s.previous_redemption_rate == pytest.approx(0.4) and s.far_below_previous is None


def test_zero_gmv_gives_nan_shares():
    s = cp.coupon_summary(coupons(("a", 100.0, 10.0, 10, 0)), 0.0)
    assert math.isnan(s.effective_discount) and math.isnan(s.cost_share_of_gmv)  # 0 / (0 + 0), 0 / 0


def test_bad_coupons_are_named():
    with pytest.raises(ContractError, match="redeemed exceeds issued for coupon c2, c3"):
        cp.coupon_summary(coupons(("c1", 100.0, 10.0, 10, 5), ("c2", 100.0, 10.0, 10, 11), ("c3", 1.0, 1.0, 0, 1)), 1.0)
    with pytest.raises(ContractError, match="discount is negative for coupon c1"):
        cp.coupon_summary(coupons(("c1", 100.0, -10.0, 10, 5)), 1.0)
    with pytest.raises(ContractError, match="issued is missing or not a number for coupon c1"):
        cp.coupon_summary(coupons(("c1", 100.0, 10.0, None, 5)), 1.0)
    with pytest.raises(ContractError, match="redeemed is not a whole number of coupons for coupon c1"):
        cp.coupon_summary(coupons(("c1", 100.0, 10.0, 10, 2.5)), 1.0)
    with pytest.raises(ContractError, match="coupon c1 is listed more than once"):
        cp.coupon_summary(coupons(("c1", 100.0, 10.0, 10, 5), ("c1", 200.0, 20.0, 10, 5)), 1.0)
    with pytest.raises(ContractError, match="previous promotion: redeemed exceeds issued for coupon p1"):
        cp.coupon_summary(CURRENT, 1.0, coupons(("p1", 100.0, 10.0, 1, 2)))
    with pytest.raises(ContractError, match="lack the column.*redeemed"):
        cp.coupon_summary(pd.DataFrame({"coupon_id": ["c1"], "threshold": [1], "discount": [1], "issued": [1]}), 1.0)
    with pytest.raises(ContractError, match=r"coupon_id is missing in row\(s\) 1"):
        cp.coupon_summary(coupons(("c1", 100.0, 10.0, 10, 5), (None, 100.0, 10.0, 10, 5)), 1.0)
    names = coupons(*[(f"c{i}", 1.0, 1.0, 0, 1) for i in range(7)])
    with pytest.raises(ContractError, match=r"c0, c1, c2, c3, c4 \(and 2 more\)"):
        cp.coupon_summary(names, 1.0)


def test_bad_arguments():
    with pytest.raises(ParamsError, match="gmv"):
        cp.coupon_summary(CURRENT, -1.0)
    with pytest.raises(ParamsError, match="gmv"):
        cp.coupon_summary(CURRENT, "90000")
    with pytest.raises(ParamsError, match="far_below"):
        cp.coupon_summary(CURRENT, 1.0, far_below=50)
    with pytest.raises(ParamsError, match="DataFrame"):
        cp.coupon_summary([("c1", 1.0, 1.0, 1, 1)], 1.0)
