"""Promotion phases: per-phase summary, day assignment and pace curve, on toy phases computed by hand."""

import datetime as dt
import math

import pandas as pd
import pytest

from opsreport.analyses import promo_pace, promo_phases as pp
from opsreport.errors import ContractError, DataNotFoundError, ParamsError

NAN = float("nan")


def phases(*rows):
    frame = pd.DataFrame(rows, columns=["phase", "start_at", "end_at", "target_gmv"])
    frame["start_at"] = pd.to_datetime(frame.start_at)
    frame["end_at"] = pd.to_datetime(frame.end_at)
    return frame


# Promotion 2026-11-08 .. 11-13; the warm-up starts at 20:00 on the first day.
PHASES = phases(
    ("warmup", "2026-11-08 20:00:00", "2026-11-09 11:59:59", 1_000.0),
    ("deposit", "2026-11-09 12:00:00", "2026-11-09 23:59:59", NAN),  # deposits: no GMV target
    ("balance", "2026-11-10 00:00:00", "2026-11-10 19:59:59", 2_000.0),
    ("burst", "2026-11-10 20:00:00", "2026-11-12 23:59:59", 6_000.0),
    ("encore", "2026-11-13 00:00:00", "2026-11-13 23:59:59", 500.0),
)


def orders(*rows):
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "paid_at", "paid_amount"])
    frame["paid_at"] = pd.to_datetime(frame.paid_at, format="ISO8601")
    return frame


ORDERS = orders(
    ("o1", "A", "2026-11-08 19:59:59", 100.0),  # a second before the warm-up: not counted
    ("o2", "A", "2026-11-08 20:00:00", 200.0),  # warmup
    ("o3", "B", "2026-11-09 11:59:59", 300.0),  # warmup's last instant
    ("o4", "B", "2026-11-09 12:00:00", 50.0),  # deposit phase (an ordinary order)
    ("o5", "C", "2026-11-10 10:00:00", 400.0),  # balance
    ("o6", "C", "2026-11-10 19:59:59.500", 100.0),  # balance: [start, end_at + 1 s) holds 19:59:59.5
    ("o7", "D", "2026-11-10 20:00:00", 600.0),  # burst
    ("o8", "D", "2026-11-11 09:00:00", 900.0),  # burst
    ("o9", "E", "2026-11-11 23:30:00", 500.0),  # burst
    ("o10", "F", "2026-11-12 10:00:00", 250.0),  # burst
    ("o11", "G", "2026-11-13 23:59:59", 80.0),  # encore
    ("o12", "H", "2026-11-14 00:00:00", 70.0),  # after the encore: not counted
)


def daily(*rows):
    return pd.DataFrame(rows, columns=["date", "uv", "paid_buyers"])


DAILY = daily(
    (dt.date(2026, 11, 8), 1_000, 10),  # 4 warm-up hours against 20 ordinary ones: an ordinary day
    (dt.date(2026, 11, 9), 2_000, 40),  # warmup 12 h, deposit 12 h: a tie goes to the later phase
    (dt.date(2026, 11, 10), 3_000, 90),  # balance 20 h, burst 4 h
    (dt.date(2026, 11, 11), 5_000, 200),  # burst
    (dt.date(2026, 11, 12), 3_000, 60),  # burst
    # 11-13 (encore) has no row
)


def summary():
    return pp.phase_summary(PHASES, ORDERS, DAILY).set_index("phase")


def test_days_go_to_the_phase_holding_most_of_their_hours():
    days = pp.phase_days(PHASES)
    assert list(days.date) == [dt.date(2026, 11, 8) + dt.timedelta(days=i) for i in range(6)]
    # 11-08: 4 h of warmup < 20 h outside → ordinary; 11-09: 12 h each → deposit (later); 11-10: 20 h balance
    assert days.phase.isna().tolist() == [True] + [False] * 5  # empty: an ordinary day
    assert list(days.phase[1:]) == ["deposit", "balance", "burst", "burst", "encore"]
    assert list(days.phase_hours) == [0, 12, 20, 24, 24, 24]


def test_gmv_orders_buyers_and_achievement_per_phase():
    s = summary()
    assert list(s.index) == ["warmup", "deposit", "balance", "burst", "encore"]  # time order
    w = s.loc["warmup"]
    assert w.gmv == pytest.approx(500)  # o2 200 + o3 300; o1 is a second early
    assert (w.orders, w.paid_buyers) == (2, 2)  # A, B
    assert w.aov == pytest.approx(500 / 2) and w.gmv_per_order == pytest.approx(500 / 2)
    assert w.achievement_rate == pytest.approx(500 / 1_000)
    d = s.loc["deposit"]
    assert d.gmv == pytest.approx(50) and math.isnan(d.target_gmv) and math.isnan(d.achievement_rate)  # no target
    b = s.loc["balance"]
    assert b.gmv == pytest.approx(500) and (b.orders, b.paid_buyers) == (2, 1)  # o5 400 + o6 100, both C
    assert b.aov == pytest.approx(500 / 1)  # per buyer
    assert b.gmv_per_order == pytest.approx(500 / 2)  # per order
    assert b.achievement_rate == pytest.approx(500 / 2_000)
    u = s.loc["burst"]
    assert u.gmv == pytest.approx(2_250)  # 600 + 900 + 500 + 250
    assert (u.orders, u.paid_buyers) == (4, 3)  # D twice, E, F
    assert u.aov == pytest.approx(2_250 / 3) and u.gmv_per_order == pytest.approx(2_250 / 4)
    assert u.achievement_rate == pytest.approx(2_250 / 6_000)
    e = s.loc["encore"]
    assert e.gmv == pytest.approx(80) and e.achievement_rate == pytest.approx(80 / 500)  # o12 is after its end
    assert s.gmv.sum() == pytest.approx(3_380)  # 500 + 50 + 500 + 2,250 + 80


def test_traffic_from_the_assigned_days():
    s = summary()
    b, u, d = s.loc["balance"], s.loc["burst"], s.loc["deposit"]
    assert (d.days, d.uv, d.buyer_days) == (1, 2_000, 40)  # 11-09 only
    assert d.conversion_rate == pytest.approx(40 / 2_000)
    assert (b.days, b.first_day, b.last_day) == (1, dt.date(2026, 11, 10), dt.date(2026, 11, 10))
    assert b.conversion_rate == pytest.approx(90 / 3_000)
    # burst: 11-11 and 11-12 → uv_sum 5,000 + 3,000 = 8,000, average daily UV 4,000, buyer-days 260
    assert (u.days, u.first_day, u.last_day) == (2, dt.date(2026, 11, 11), dt.date(2026, 11, 12))
    assert u.uv_sum == 8_000 and u.uv == pytest.approx(4_000) and u.buyer_days == 260
    assert u.conversion_rate == pytest.approx(260 / 8_000)  # 0.0325, not the mean of 0.04 and 0.02
    w = s.loc["warmup"]  # no day of its own (11-08 ordinary, 11-09 to deposit): unknown, not 0
    assert w.days == 0 and math.isnan(w.uv) and math.isnan(w.conversion_rate)
    e = s.loc["encore"]  # its day 11-13 has no daily row: unknown, not 0
    assert e.days == 1 and math.isnan(e.uv) and math.isnan(e.uv_sum) and math.isnan(e.conversion_rate)
    assert list(pp.phase_summary(PHASES, ORDERS, DAILY).columns) == pp.SUMMARY_COLUMNS


def test_phase_curve_spreads_each_target_by_the_hour_profile():
    profile = pd.Series(0.0, index=range(24))
    profile[10], profile[20] = 0.5, 0.5
    curve = pp.phase_curve(PHASES, profile, "2026-11-08", "2026-11-13")
    assert len(curve) == 6 * 24
    # targets 1,000 + 2,000 + 6,000 + 500 = 9,500 (deposit: none)
    # warmup: hours 11-08 20:00 .. 11-09 11:00 hold weights 0.5 (20:00) and 0.5 (10:00) → 500 each
    # balance: 11-10 00:00 .. 19:00 holds only 10:00 → 2,000 there
    # burst: 11-10 20:00 .. 11-12 23:00 holds five weighted hours of 0.5 → 6,000 / 5 = 1,200 each
    # encore: 11-13 10:00 and 20:00 → 250 each
    expected = {
        "2026-11-08 19:00": 0, "2026-11-08 20:00": 500, "2026-11-09 10:00": 1_000,
        "2026-11-10 10:00": 3_000, "2026-11-10 19:00": 3_000, "2026-11-10 20:00": 4_200,
        "2026-11-11 10:00": 5_400, "2026-11-12 20:00": 9_000, "2026-11-13 10:00": 9_250,
        "2026-11-13 20:00": 9_500, "2026-11-13 23:00": 9_500,
    }
    for hour, amount in expected.items():
        assert curve[pd.Timestamp(hour)] == pytest.approx(amount / 9_500), hour
    assert curve.iloc[-1] == 1.0 and curve.is_monotonic_increasing
    # accepted by promo_pace as the pace: by 11-10 10:00 the pace is 3,000 of a 9,500 target
    result = promo_pace.hourly_pace(ORDERS, "2026-11-08", "2026-11-13", 9_500.0, curve=curve)
    row = result.hourly.set_index("hour").loc[pd.Timestamp("2026-11-10 10:00")]
    assert row.target_pace == pytest.approx(3_000)
    # the promotion's hours start at 00:00 of 11-08, so o1 (19:59:59) counts here though before the warm-up:
    assert row.cumulative_gmv == pytest.approx(1_050)  # o1 100 + o2 200 + o3 300 + o4 50 + o5 400


def test_a_phase_starting_mid_hour_and_a_profile_empty_over_a_phase():
    one_day = phases(("warmup", "2026-11-11 00:00:00", "2026-11-11 20:29:59", 100.0),
                     ("burst", "2026-11-11 20:30:00", "2026-11-11 23:59:59", 300.0))
    profile = pd.Series(0.0, index=range(24))
    profile[9] = 1.0
    curve = pp.phase_curve(one_day, profile, dt.date(2026, 11, 11), dt.date(2026, 11, 11))
    # warmup holds hours 00..20 (20:00 starts inside it): all its 100 at 09:00 → 100 / 400
    assert curve[pd.Timestamp("2026-11-11 08:00")] == 0
    assert curve[pd.Timestamp("2026-11-11 09:00")] == pytest.approx(100 / 400)
    assert curve[pd.Timestamp("2026-11-11 20:00")] == pytest.approx(100 / 400)
    # burst holds 21:00, 22:00, 23:00, where the profile is 0 → spread evenly, 100 each
    assert curve[pd.Timestamp("2026-11-11 21:00")] == pytest.approx(200 / 400)
    assert curve[pd.Timestamp("2026-11-11 22:00")] == pytest.approx(300 / 400)
    assert curve[pd.Timestamp("2026-11-11 23:00")] == 1.0


def test_curve_refusals():
    flat = pd.Series(1 / 24, index=range(24))
    no_target = phases(("deposit", "2026-11-11 00:00:00", "2026-11-11 23:59:59", NAN))
    with pytest.raises(DataNotFoundError, match="No phase has a GMV target"):
        pp.phase_curve(no_target, flat, "2026-11-11", "2026-11-11")
    with pytest.raises(ParamsError, match="burst .* hours outside the promotion"):
        pp.phase_curve(PHASES, flat, "2026-11-08", "2026-11-11")  # burst runs to 11-12
    with pytest.raises(ParamsError, match="summing to 1"):
        pp.phase_curve(PHASES, flat * 2, "2026-11-08", "2026-11-13")
    with pytest.raises(ParamsError, match="0..23"):
        pp.phase_curve(PHASES, flat.iloc[:23], "2026-11-08", "2026-11-13")


def test_bad_phases_are_refused_naming_the_rows():
    bad = PHASES.copy()
    bad.loc[2, "phase"] = "presale"
    with pytest.raises(ContractError, match=r"unknown phase code in row 2 \(phase presale\)"):
        pp.phase_days(bad)
    overlap = PHASES.copy()
    overlap.loc[2, "start_at"] = pd.Timestamp("2026-11-09 23:00")  # balance starts inside deposit
    with pytest.raises(ContractError, match="deposit .* overlaps balance"):
        pp.phase_days(overlap)
    negative = PHASES.copy()
    negative.loc[4, "target_gmv"] = -1.0
    with pytest.raises(ContractError, match=r"negative target_gmv in row 4 \(phase encore\)"):
        pp.phase_days(negative)
    backwards = PHASES.copy()
    backwards.loc[0, "end_at"] = pd.Timestamp("2026-11-08 19:00")
    with pytest.raises(ContractError, match=r"end_at before start_at in row 0 \(phase warmup\)"):
        pp.phase_days(backwards)
    with pytest.raises(ContractError, match="listed more than once"):
        pp.phase_days(pd.concat([PHASES, PHASES.iloc[[0]]]))
    with pytest.raises(DataNotFoundError, match="none given"):
        pp.phase_days(PHASES.iloc[0:0])
    with pytest.raises(ContractError, match="lack the column"):
        pp.phase_days(PHASES.drop(columns="target_gmv"))


def test_bad_orders_and_days_are_refused():
    neg = ORDERS.copy()
    neg.loc[3, "paid_amount"] = -50.0
    with pytest.raises(ContractError, match=r"negative paid_amount in row 3 \(order_id o4\)"):
        pp.phase_summary(PHASES, neg, DAILY)
    with pytest.raises(ContractError, match=r"listed more than once in row 0 \(order_id o1\), row 12"):
        pp.phase_summary(PHASES, pd.concat([ORDERS, ORDERS.iloc[[0]]], ignore_index=True), DAILY)
    with pytest.raises(DataNotFoundError, match="none paid in any phase"):
        pp.phase_summary(PHASES, ORDERS.iloc[[0, 11]], DAILY)  # o1 and o12 are both outside
    with pytest.raises(ContractError, match="a date is listed more than once"):
        pp.phase_summary(PHASES, ORDERS, pd.concat([DAILY, DAILY.iloc[[0]]], ignore_index=True))
    with pytest.raises(ParamsError, match="time zone"):
        pp.phase_summary(PHASES, ORDERS.assign(paid_at=ORDERS.paid_at.dt.tz_localize("Asia/Shanghai")), DAILY)
