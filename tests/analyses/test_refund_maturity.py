"""Refund maturation curves and projected refund rates on hand-made orders; arithmetic beside each assertion."""

import datetime as dt
import math

import pandas as pd
import pytest

from opsreport.analyses import refund_maturity as rm
from opsreport.errors import ContractError, DataNotFoundError, ParamsError

AS_OF = dt.date(2026, 12, 31)
DAY = dt.timedelta(days=1)


def orders(*rows):
    """rows: (paid_at, paid_amount, refund_amount, refunded_at or None); order ids o1, o2, ..."""
    frame = pd.DataFrame(rows, columns=["paid_at", "paid_amount", "refund_amount", "refunded_at"])
    frame.insert(0, "order_id", [f"o{i + 1}" for i in range(len(rows))])
    frame["paid_at"] = pd.to_datetime(frame.paid_at)
    frame["refunded_at"] = pd.to_datetime(frame.refunded_at)
    return frame


def promo(paid_day: dt.date, refunds: dict[int, float], paid=100.0, extra_orders=0):
    """One order of ``paid`` per refund (refund of ``amount`` ``age`` days after payment at 10:00),
    plus ``extra_orders`` orders without a refund."""
    at = pd.Timestamp(paid_day) + pd.Timedelta(hours=10)
    rows = [(at, paid, amount, at + pd.Timedelta(days=age)) for age, amount in refunds.items()]
    rows += [(at, paid, 0.0, None)] * extra_orders
    return orders(*rows)


# Earlier promotions, paid 2026-09-01 (121 days before AS_OF: mature for 60 and for 10 days).
EARLY = dt.date(2026, 9, 1)
# P1: 20 of its 40 yuan refunded by day 3, all 40 by day 10 → F(3) = 0.5, F(10) = 1
P1 = {3: 20.0, 10: 20.0}
# P2: 10 of 40 by day 3 (a refund on the payment day), the rest on day 8 → F(0) = F(3) = 0.25, F(8) = 1
P2 = {0: 10.0, 8: 30.0}


def test_curve_counts_whole_days_and_only_mature_orders():
    frame = orders(
        ("2026-10-01 10:00", 100.0, 20.0, "2026-10-01 18:00"),  # age 0
        ("2026-10-01 23:30", 100.0, 30.0, "2026-10-04 00:10"),  # 10-01 → 10-04: age 3 (by date, not 50.7 h)
        ("2026-10-01 10:00", 100.0, 50.0, "2026-10-11 09:00"),  # age 10 = max age: counted
        ("2026-10-01 10:00", 100.0, 40.0, "2026-10-12 09:00"),  # age 11 > 10: not counted anywhere
        ("2026-12-21 10:00", 100.0, 60.0, "2026-12-22 10:00"),  # paid AS_OF − 10: mature, age 1
        ("2026-12-22 10:00", 100.0, 99.0, "2026-12-22 11:00"),  # paid AS_OF − 9: immature, ignored
        ("2026-10-02 10:00", 100.0, 0.0, None),  # no refund
    )
    curve = rm.maturation_curve(frame, AS_OF, max_age_days=10)
    assert list(curve.index) == list(range(11)) and curve.index.name == "age_days"
    # counted: 20 (age 0) + 60 (age 1) + 30 (age 3) + 50 (age 10) = 160
    assert curve[0] == pytest.approx(20 / 160)
    assert curve[1] == pytest.approx(80 / 160) and curve[2] == pytest.approx(80 / 160)
    assert curve[3] == pytest.approx(110 / 160) and curve[9] == pytest.approx(110 / 160)
    assert curve[10] == 1.0


def test_curve_default_max_age_is_60_days():
    curve = rm.maturation_curve(promo(EARLY, P1), AS_OF)
    assert len(curve) == 61 and curve[2] == 0.0  # nothing before day 3
    assert curve[3] == pytest.approx(0.5) and curve[60] == 1.0  # 20 / 40; 40 / 40


def test_curve_without_refunds_is_nan_and_without_mature_orders_is_refused():
    curve = rm.maturation_curve(promo(EARLY, {}, extra_orders=2), AS_OF, max_age_days=10)
    assert len(curve) == 11 and curve.isna().all()  # timing unknown, not 0
    with pytest.raises(DataNotFoundError, match="no order paid on or before 2026-12-21"):
        rm.maturation_curve(promo(AS_OF - 9 * DAY, {1: 5.0}), AS_OF, max_age_days=10)


def test_half_the_refunds_in_at_day_3_projects_twice_the_observed_rate():
    # earlier: 50% of refunds within 3 days, 100% within 10 (default max age 60)
    # current: paid 2026-12-28 (age 3), 10 orders of 100 = 1,000; 30 refunded by AS_OF, 25 more later
    current = orders(*[("2026-12-28 10:00", 100.0, 0.0, None)] * 8,
                     ("2026-12-28 10:00", 100.0, 30.0, "2026-12-30 12:00"),
                     ("2026-12-28 10:00", 100.0, 25.0, "2027-01-04 12:00"))  # after AS_OF: not yet known
    r = rm.project_refund_rate(current, {"p1": promo(EARLY, P1), "p1b": promo(EARLY, P1, paid=50.0)}, AS_OF)
    assert r.gmv == pytest.approx(1_000) and r.observed_refund_amount == pytest.approx(30)
    assert r.observed_rate == pytest.approx(30 / 1_000)  # 0.03
    assert r.projected_rate == pytest.approx(2 * 30 / 1_000)  # 30 / F(3) = 30 / 0.5 = 60 → 0.06
    assert r.low == pytest.approx(0.06) and r.high == pytest.approx(0.06)  # both curves have F(3) = 0.5
    assert r.projected_refund_amount == pytest.approx(60)
    assert (r.oldest_age_days, r.youngest_age_days, r.mature, r.reason) == (3, 3, False, None)
    assert r.promotions_used == ("p1", "p1b") and r.skipped == ()
    assert r.curve[3] == pytest.approx(0.5) and r.max_age_days == 60
    day = r.days.iloc[0]
    assert day.day == dt.date(2026, 12, 28) and day.curve_share == pytest.approx(0.5)
    assert day.projected_refund_amount == pytest.approx(60)


def test_low_and_high_come_from_each_promotions_own_curve():
    # pooled: P1 20 + P2 10 = 30 of 80 by day 3 → F(3) = 0.375
    current = orders(("2026-12-28 10:00", 1_000.0, 30.0, "2026-12-29 10:00"))  # age 3, 30 on 1,000
    r = rm.project_refund_rate(current, {"p1": promo(EARLY, P1), "p2": promo(EARLY, P2)}, AS_OF, max_age_days=10)
    assert r.curve[3] == pytest.approx(30 / 80)
    assert r.projected_rate == pytest.approx(80 / 1_000)  # 30 / 0.375 = 80
    assert r.by_promotion == {"p1": pytest.approx(60 / 1_000),  # 30 / 0.5
                              "p2": pytest.approx(120 / 1_000)}  # 30 / 0.25
    assert (r.low, r.high) == (pytest.approx(0.06), pytest.approx(0.12))


def test_days_of_different_ages_and_skipped_promotions():
    current = orders(
        ("2026-12-19 09:00", 200.0, 10.0, "2026-12-20 09:00"),  # age 12 > 10: taken as observed, 10
        ("2026-12-28 09:00", 300.0, 6.0, "2026-12-30 09:00"),  # age 3: 6 / F(3) = 6 / 0.5 = 12
    )
    earlier = {
        "p1": promo(EARLY, P1),
        "p3": promo(AS_OF - 6 * DAY, {1: 5.0}),  # last paid 6 days before AS_OF < 10: immature
        "p4": promo(EARLY, {}),  # no orders at all
        "p5": promo(EARLY, {}, extra_orders=3),  # mature, but not one refund
    }
    r = rm.project_refund_rate(current, earlier, AS_OF, max_age_days=10)
    assert r.observed_rate == pytest.approx(16 / 500)  # (10 + 6) / (200 + 300)
    assert r.projected_rate == pytest.approx(22 / 500)  # (10 + 12) / 500 = 0.044
    assert (r.oldest_age_days, r.youngest_age_days) == (12, 3)
    assert r.promotions_used == ("p1",)
    assert r.skipped == (rm.Skipped("p3", "immature"), rm.Skipped("p4", "no_orders"), rm.Skipped("p5", "no_refunds"))
    assert list(r.days.columns) == rm.DAY_COLUMNS
    assert list(r.days.curve_share) == pytest.approx([1.0, 0.5])
    assert list(r.days.projected_refund_amount) == pytest.approx([10, 12])


def test_a_day_with_f_zero_falls_back_to_the_pooled_curve_then_to_the_other_days_rate():
    # P1: F(0) = 0, F(3) = 0.5; P2: F(0) = F(3) = 0.25; pooled F(0) = 10 / 80 = 0.125, F(3) = 0.375
    current = orders(
        ("2026-12-28 10:00", 500.0, 15.0, "2026-12-29 10:00"),  # age 3
        ("2026-12-31 10:00", 500.0, 5.0, "2026-12-31 12:00"),  # age 0 (paid on AS_OF)
    )
    r = rm.project_refund_rate(current, {"p1": promo(EARLY, P1), "p2": promo(EARLY, P2)}, AS_OF, max_age_days=10)
    # central: 15 / 0.375 = 40 and 5 / 0.125 = 40 → 80 / 1,000
    assert r.projected_rate == pytest.approx(80 / 1_000)
    # p1: 15 / 0.5 = 30; its F(0) = 0 → pooled 0.125: 5 / 0.125 = 40 → 70 / 1,000
    # p2: 15 / 0.25 = 60 and 5 / 0.25 = 20 → 80 / 1,000
    assert r.by_promotion == {"p1": pytest.approx(0.07), "p2": pytest.approx(0.08)}
    assert (r.low, r.high) == (pytest.approx(0.07), pytest.approx(0.08))

    # only P1: F(0) = 0 in the pooled curve too → the age-0 day at the other days' rate
    # age 3: 15 / 0.5 = 30 on 500 → 6%; age 0: max(500 × 0.06 = 30, 5 known) = 30 → 60 / 1,000
    r = rm.project_refund_rate(current, {"p1": promo(EARLY, P1)}, AS_OF, max_age_days=10)
    assert r.projected_rate == pytest.approx(60 / 1_000)
    assert math.isnan(r.days.curve_share.iloc[1]) and r.days.projected_refund_amount.iloc[1] == pytest.approx(30)
    # never below what is known: 500 × (15 / 0.5 / 2,000) = 7.5 on the 500 of day 0, but 20 are in already
    small = orders(("2026-12-28 10:00", 2_000.0, 15.0, "2026-12-29 10:00"), ("2026-12-31 10:00", 500.0, 20.0, "2026-12-31 12:00"))
    r = rm.project_refund_rate(small, {"p1": promo(EARLY, P1)}, AS_OF, max_age_days=10)
    assert r.projected_rate == pytest.approx((30 + 20) / 2_500)  # 30 + max(7.5, 20)


def test_too_young_to_project():
    # P1 never refunds before day 3; the promotion was paid on AS_OF (age 0) only
    current = orders(("2026-12-31 10:00", 500.0, 0.0, None))
    r = rm.project_refund_rate(current, {"p1": promo(EARLY, P1)}, AS_OF, max_age_days=10)
    assert math.isnan(r.projected_rate) and math.isnan(r.low) and math.isnan(r.high)
    assert r.reason == "too_young" and r.observed_rate == 0.0


def test_a_mature_promotion_is_its_observed_rate_even_without_earlier_promotions():
    current = orders(("2026-10-01 10:00", 400.0, 12.0, "2026-10-20 10:00"),  # 91 days old ≥ 60
                     ("2026-10-02 10:00", 100.0, 0.0, None))
    r = rm.project_refund_rate(current, {}, AS_OF)
    assert r.mature and r.reason is None and r.youngest_age_days == 90
    assert r.projected_rate == r.low == r.high == r.observed_rate == pytest.approx(12 / 500)
    assert r.curve.empty and r.promotions_used == ()


def test_no_mature_earlier_promotion_gives_nan_and_a_reason_not_a_number():
    current = orders(("2026-12-28 10:00", 1_000.0, 30.0, "2026-12-29 10:00"))
    r = rm.project_refund_rate(current, {"p3": promo(AS_OF - 6 * DAY, {1: 5.0})}, AS_OF, max_age_days=10)
    assert math.isnan(r.projected_rate) and math.isnan(r.low) and math.isnan(r.high)
    assert r.reason == "no_mature_earlier_promotion" and r.skipped == (rm.Skipped("p3", "immature"),)
    assert r.observed_rate == pytest.approx(0.03)  # still reported: 30 / 1,000
    assert rm.project_refund_rate(current, None, AS_OF).reason == "no_mature_earlier_promotion"


def test_bad_rows_are_named():
    with pytest.raises(ContractError, match=r"refund_amount without refunded_at in row 1 \(order o2\)"):
        rm.maturation_curve(orders(("2026-10-01", 10.0, 0.0, None), ("2026-10-01", 10.0, 5.0, None)), AS_OF)
    with pytest.raises(ContractError, match=r"refund_amount above the paid_amount in row 0 \(order o1\)"):
        rm.maturation_curve(orders(("2026-10-01", 10.0, 10.01, "2026-10-02")), AS_OF)
    with pytest.raises(ContractError, match=r"refunded_at before paid_at in row 0"):
        rm.maturation_curve(orders(("2026-10-02", 10.0, 5.0, "2026-10-01")), AS_OF)
    with pytest.raises(ContractError, match=r"negative paid_amount in row 0"):
        rm.maturation_curve(orders(("2026-10-02", -1.0, 0.0, None)), AS_OF)
    with pytest.raises(ContractError, match=r"paid_at is missing or not a date and time in row 0"):
        rm.maturation_curve(orders((None, 1.0, 0.0, None)), AS_OF)
    with pytest.raises(ContractError, match="lack the column.*refunded_at"):
        rm.maturation_curve(pd.DataFrame({"paid_at": [], "paid_amount": [], "refund_amount": []}), AS_OF)
    with pytest.raises(ContractError, match=r"paid after the as-of date 2026-12-31 in row 1 \(order o2\)"):
        rm.project_refund_rate(orders(("2026-12-30", 1.0, 0.0, None), ("2027-01-01", 1.0, 0.0, None)), {}, AS_OF)
    with pytest.raises(ContractError, match="earlier promotion p9: negative refund_amount"):
        rm.project_refund_rate(orders(("2026-12-30", 1.0, 0.0, None)),
                               {"p9": orders(("2026-09-01", 1.0, -1.0, None))}, AS_OF)


def test_bad_arguments_and_nothing_to_project():
    current = orders(("2026-12-30", 10.0, 0.0, None))
    with pytest.raises(ParamsError, match="max_age_days"):
        rm.project_refund_rate(current, {}, AS_OF, max_age_days=0)
    with pytest.raises(ParamsError, match="as_of"):
        rm.project_refund_rate(current, {}, "end of year")
    with pytest.raises(ParamsError, match="earlier must map"):
        rm.project_refund_rate(current, [promo(EARLY, P1)], AS_OF)
    with pytest.raises(DataNotFoundError, match="none given"):
        rm.project_refund_rate(current.iloc[0:0], {}, AS_OF)
    with pytest.raises(DataNotFoundError, match="no GMV"):
        rm.project_refund_rate(orders(("2026-12-30", 0.0, 0.0, None)), {}, AS_OF)
