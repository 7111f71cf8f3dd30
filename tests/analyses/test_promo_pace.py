"""Promotion pace hour by hour and pre-sale completion, on toy orders computed by hand."""

import datetime as dt

import pandas as pd
import pytest

from opsreport.analyses import promo_pace
from opsreport.errors import ContractError, DataNotFoundError, ParamsError

# A 2-day promotion, Tue 2026-11-10 .. Wed 2026-11-11, target 10,000.
START, END = dt.date(2026, 11, 10), dt.date(2026, 11, 11)
TARGET = 10_000.0
# Flat curve: 48 hours, 10,000 / 48 = 208.33 per hour; each day's pace is 5,000.
PER_HOUR = TARGET / 48


def orders(*rows):
    frame = pd.DataFrame(rows, columns=["order_id", "paid_at", "paid_amount"])
    frame["paid_at"] = pd.to_datetime(frame.paid_at)
    return frame


def h(text):
    return pd.Timestamp(text)


def test_first_day_40_percent_behind_fires_and_names_the_hours():
    result = promo_pace.hourly_pace(orders(
        ("o1", "2026-11-10 00:10", 300.0),    # hour 00: 300 ≥ pace 208.33 → on pace
        ("o2", "2026-11-10 20:30", 2_700.0),  # day 1 total: 300 + 2,700 = 3,000
        ("o3", "2026-11-11 09:00", 6_000.0),  # day 2: 6,000 against its 5,000
        ("o4", "2026-11-09 23:59", 999.0),    # the evening before: not counted
    ), START, END, TARGET)
    assert result.curve_source == "flat"
    assert len(result.hourly) == 48
    first = result.first_day
    # day 1: 3,000 against 5,000 → gap −2,000, −40% → more than 30% behind → fires
    assert first.gmv == pytest.approx(3_000) and first.target_pace == pytest.approx(5_000)
    assert first.gap == pytest.approx(-2_000) and first.gap_share == pytest.approx(-0.40)
    assert first.fires and result.alert
    # hour 01: cumulative 300 < pace 2 × 208.33 = 416.67 → first hour behind
    assert first.first_hour_behind == h("2026-11-10 01:00")
    # hour 01: 300 ≥ 0.7 × 416.67 = 291.67 (not yet 30% behind); hour 02: 300 < 0.7 × 625 = 437.5
    assert first.first_hour_beyond_threshold == h("2026-11-10 02:00")

    hour = result.hourly.set_index("hour")
    row = hour.loc[h("2026-11-10 20:00")]  # 21 hours in: pace 21 × 208.33 = 4,375; cumulative 3,000
    assert row.gmv == pytest.approx(2_700) and row.cumulative_gmv == pytest.approx(3_000)
    assert row.target_pace == pytest.approx(4_375) and row.gap == pytest.approx(-1_375)
    assert row.gap_share == pytest.approx(-1_375 / 4_375)
    assert result.gmv == pytest.approx(9_000)
    assert result.excluded_orders == 1 and result.excluded_amount == pytest.approx(999)

    second = result.days[1]
    # day 2 on its own: 0 until 09:00 → behind (and > 30% behind) from 00:00; ends 6,000 ≥ 5,000
    assert second.day == END and second.gmv == pytest.approx(6_000) and not second.fires
    assert second.first_hour_behind == h("2026-11-11 00:00")
    assert second.first_hour_beyond_threshold == h("2026-11-11 00:00")
    # cumulative at the end: 9,000 against 10,000 → −10%
    assert second.cumulative_gap_share == pytest.approx(-0.10)
    days = result.days_frame()
    assert list(days.fires) == [True, False] and list(days.gap) == pytest.approx([-2_000, 1_000])


def test_first_day_25_percent_behind_does_not_fire():
    # day 1: 3,750 against 5,000 → −25%: behind, but not more than 30%
    result = promo_pace.hourly_pace(orders(("o1", "2026-11-10 00:00", 3_750.0)), START, END, TARGET)
    assert result.first_day.gap_share == pytest.approx(-0.25)
    assert not result.alert
    # 3,750 covers the pace until 3,750 / 208.33 = 18 hours: behind from hour 18 (pace 19 × 208.33 = 3,958)
    assert result.first_day.first_hour_behind == h("2026-11-10 18:00")
    # 0.7 × pace > 3,750 ⇔ pace > 5,357: never reached on day 1 (pace ends at 5,000)
    assert result.first_day.first_hour_beyond_threshold is None
    # the threshold is a parameter: 25% behind is more than 20%
    assert promo_pace.hourly_pace(orders(("o1", "2026-11-10 00:00", 3_750.0)), START, END, TARGET, threshold=0.20).alert


def test_exactly_30_percent_behind_does_not_fire():
    # 3,500 against 5,000 is exactly −30%: "more than 30%" is strict (float rounding allowed for)
    result = promo_pace.hourly_pace(orders(("o1", "2026-11-10 00:00", 3_500.0)), START, END, TARGET)
    assert result.first_day.gap_share == pytest.approx(-0.30)
    assert not result.alert


def test_baseline_curve_from_three_orders():
    baseline = orders(
        ("b1", "2026-10-01 09:15", 100.0),
        ("b2", "2026-10-02 09:45", 100.0),
        ("b3", "2026-10-03 20:05", 200.0),
    )
    # hour-of-day profile: 09h = 200 / 400 = 0.5, 20h = 200 / 400 = 0.5, every other hour 0
    profile = promo_pace.hour_of_day_profile(baseline)
    assert profile[9] == pytest.approx(0.5) and profile[20] == pytest.approx(0.5) and profile.sum() == pytest.approx(1)
    curve = promo_pace.baseline_curve(baseline, START, END)
    # two equal days of 1/2 each: share by the end of day d, hour k = (d + Σ profile up to k) / 2
    expected = {
        "2026-11-10 08:00": 0.0, "2026-11-10 09:00": 0.25, "2026-11-10 19:00": 0.25,
        "2026-11-10 20:00": 0.5, "2026-11-10 23:00": 0.5, "2026-11-11 08:00": 0.5,
        "2026-11-11 09:00": 0.75, "2026-11-11 20:00": 1.0, "2026-11-11 23:00": 1.0,
    }
    for hour, share in expected.items():
        assert curve[h(hour)] == pytest.approx(share), hour

    # used as the pace: 1,000 paid at 09:30 on day 1 against 0.25 × 10,000 = 2,500 → −60%
    result = promo_pace.hourly_pace(orders(("o1", "2026-11-10 09:30", 1_000.0)), START, END, TARGET, baseline=baseline)
    assert result.curve_source == "baseline"
    row = result.hourly.set_index("hour").loc[h("2026-11-10 09:00")]
    assert row.target_pace == pytest.approx(2_500) and row.gap_share == pytest.approx(-0.60)
    # before 09:00 the pace is 0: neither behind nor a share; 09:00 is the first hour behind and beyond 30%
    assert pd.isna(result.hourly.gap_share.iloc[0])
    assert result.first_day.first_hour_behind == h("2026-11-10 09:00")
    assert result.first_day.first_hour_beyond_threshold == h("2026-11-10 09:00")
    # day 1 ends at 1,000 against 5,000 → −80% → fires
    assert result.alert and result.first_day.gap_share == pytest.approx(-0.80)


def test_a_given_curve_is_checked():
    hours = promo_pace.promotion_hours(START, END)
    with pytest.raises(ParamsError, match="reach 1"):
        promo_pace.hourly_pace(orders(("o1", "2026-11-10 00:00", 1.0)), START, END, TARGET,
                               curve=pd.Series(0.5, index=hours))
    with pytest.raises(ParamsError, match="48 hours"):
        promo_pace.hourly_pace(orders(("o1", "2026-11-10 00:00", 1.0)), START, END, TARGET,
                               curve=pd.Series(1.0, index=hours[:24]))


def presale():
    rows = [
        # order, customer, deposit paid, deposit, balance paid, balance, quantity
        ("p1", "A", "2026-11-01 10:00", 100.0, "2026-11-11 00:30", 400.0, 1),
        ("p2", "B", "2026-11-02 12:00", 50.0, "2026-11-11 20:00", 200.0, 2),
        ("p3", "B", "2026-11-03 08:00", 30.0, "2026-11-12 09:00", 120.0, 1),
        ("p4", "C", "2026-11-04 21:00", 80.0, None, 320.0, 4),  # never paid its balance
    ]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "deposit_paid_at", "deposit_amount",
                                        "balance_paid_at", "balance_amount", "quantity"])
    frame["deposit_paid_at"] = pd.to_datetime(frame.deposit_paid_at)
    frame["balance_paid_at"] = pd.to_datetime(frame.balance_paid_at)
    return frame


def test_presale_completion_by_amount_units_and_buyers():
    result = promo_pace.presale_completion(presale())
    # deposits: 4 orders, 100 + 50 + 30 + 80 = 260, units 1 + 2 + 1 + 4 = 8, buyers A, B, C = 3
    assert (result.deposit_orders, result.deposit_amount, result.deposit_units, result.deposit_buyers) == (4, 260, 8, 3)
    # balances paid: p1, p2, p3 → 400 + 200 + 120 = 720, units 1 + 2 + 1 = 4, buyers A, B = 2
    assert (result.balance_orders, result.balance_amount, result.balance_units, result.balance_buyers) == (3, 720, 4, 2)
    # due: 400 + 200 + 120 + 320 = 1,040
    assert result.balance_due_amount == 1_040
    assert result.amount_completion_rate == pytest.approx(720 / 1_040)  # 0.692
    assert result.units_completion_rate == pytest.approx(4 / 8)
    assert result.buyers_completion_rate == pytest.approx(2 / 3)
    # recognised: (100 + 400) + (50 + 200) + (30 + 120) = 900; p4's deposit of 80 is not GMV
    assert result.recognised_gmv == pytest.approx(900)


def test_presale_gmv_is_recognised_on_the_balance_day():
    daily = promo_pace.presale_recognised_gmv(presale())
    # 11-11: p1 100 + 400 and p2 50 + 200 = 750 (2 orders, 3 units); 11-12: p3 30 + 120 = 150
    # nothing on the deposit days 11-01 .. 11-04, nothing for p4
    assert list(daily.day) == [dt.date(2026, 11, 11), dt.date(2026, 11, 12)]
    assert list(daily.gmv) == pytest.approx([750, 150])
    assert list(daily.orders) == [2, 1] and list(daily.units) == [3, 1]


def test_a_negative_amount_names_the_row():
    bad = orders(("o1", "2026-11-10 00:00", 100.0), ("o2", "2026-11-10 01:00", -5.0))
    with pytest.raises(ContractError, match=r"negative paid_amount in row 1 \(order o2\)"):
        promo_pace.hourly_pace(bad, START, END, TARGET)
    neg = presale()
    neg.loc[2, "deposit_amount"] = -30.0
    with pytest.raises(ContractError, match=r"negative deposit_amount in row 2 \(order p3\)"):
        promo_pace.presale_completion(neg)


def test_a_balance_paid_before_its_deposit_names_the_row():
    bad = presale()
    bad.loc[1, "balance_paid_at"] = pd.Timestamp("2026-11-01 09:00")  # deposit paid 11-02 12:00
    with pytest.raises(ContractError, match=r"balance paid before the deposit .* in row 1 \(order p2\)"):
        promo_pace.presale_recognised_gmv(bad)


def test_an_empty_promotion_is_refused():
    with pytest.raises(DataNotFoundError, match="none paid between 2026-11-10 00:00:00 and 2026-11-12 00:00:00"):
        promo_pace.hourly_pace(orders(), START, END, TARGET)
    with pytest.raises(DataNotFoundError, match="all outside"):
        promo_pace.hourly_pace(orders(("o1", "2026-11-12 00:00", 10.0)), START, END, TARGET)
    with pytest.raises(DataNotFoundError, match="Pre-sale orders: none given"):
        promo_pace.presale_completion(presale().iloc[0:0])
    with pytest.raises(ParamsError, match="ends .* before it starts"):
        promo_pace.hourly_pace(orders(("o1", "2026-11-10 00:00", 10.0)), END, START, TARGET)
    with pytest.raises(ParamsError, match="target"):
        promo_pace.hourly_pace(orders(("o1", "2026-11-10 00:00", 10.0)), START, END, 0)
