"""A promotion's new and returning buyers and the new buyers' repurchase, on hand-made orders."""

import datetime as dt
import math

import pandas as pd
import pytest

from opsreport.analyses import promo_customers as pc
from opsreport.errors import ContractError, DataNotFoundError, ParamsError

START, END = pd.Timestamp("2026-11-01 00:00"), pd.Timestamp("2026-11-11 23:59:59")


def orders(*rows):
    """rows: (customer_id, paid_at, paid_amount); order ids o1, o2, ..."""
    frame = pd.DataFrame(rows, columns=["customer_id", "paid_at", "paid_amount"])
    frame.insert(0, "order_id", [f"o{i + 1}" for i in range(len(rows))])
    frame["paid_at"] = pd.to_datetime(frame.paid_at, format="mixed")
    return frame


PROMO = orders(
    ("A", "2026-11-01 10:00", 100.0),  # A: first order ever → new
    ("A", "2026-11-05 12:00", 150.0),
    ("B", "2026-11-02 09:00", 300.0),  # B: first paid 2025-06-01 → returning
    ("B", "2026-11-10 21:00", 300.0),
    ("C", "2026-11-11 23:59:59", 50.0),  # C: first order at the promotion's last instant → new
    ("E", "2026-11-03 08:00", 200.0),  # E: first paid one second before the start → returning
    ("F", "2026-11-01 00:00", 80.0),  # F: first paid at the start instant → new
    ("D", "2026-11-12 00:00", 80.0),  # after the end: excluded
    ("B", "2026-10-31 23:59:59", 70.0),  # before the start: excluded
)
FIRST_PAID = pd.Series(pd.to_datetime([
    "2026-11-01 10:00", "2025-06-01 10:00", "2026-11-11 23:59:59", "2026-11-12 00:00",
    "2026-10-31 23:59:59", "2026-11-01 00:00"], format="mixed"), index=["A", "B", "C", "D", "E", "F"])


def test_buyer_mix_by_hand():
    m = pc.buyer_mix(PROMO, FIRST_PAID, START, END)
    # buyers A, B, C, E, F; new A, C, F (first paid ≥ 11-01 00:00); returning B, E
    assert (m.buyers, m.new_buyers, m.returning_buyers) == (5, 3, 2)
    assert m.new_buyer_share == pytest.approx(3 / 5)
    assert m.new_buyer_ids == ("A", "C", "F")
    # GMV: new 100 + 150 + 50 + 80 = 380; returning 300 + 300 + 200 = 800; all 1,180
    assert (m.new_buyer_gmv, m.returning_buyer_gmv, m.gmv) == (380.0, 800.0, 1_180.0)
    assert m.new_customer_sales_share == pytest.approx(380 / 1_180)  # 0.322
    assert (m.orders, m.new_buyer_orders, m.returning_buyer_orders) == (7, 4, 3)
    assert m.aov_new == pytest.approx(380 / 3)  # per buyer (DOMAIN aov): 126.67
    assert m.aov_returning == pytest.approx(800 / 2)  # 400
    assert m.order_value_new == pytest.approx(380 / 4)  # per order: 95
    assert m.order_value_returning == pytest.approx(800 / 3)  # 266.67
    assert m.excluded_orders == 2 and m.excluded_amount == pytest.approx(150)  # D 80 + B 70


def test_a_date_as_end_means_the_whole_day():
    m = pc.buyer_mix(PROMO, FIRST_PAID, "2026-11-01", dt.date(2026, 11, 11))
    assert m.end == pd.Timestamp("2026-11-11 23:59:59.999999999") and m.buyers == 5
    # ending 2026-11-11 00:00 sharp drops C (23:59:59) and nothing else: 4 buyers, new A and F
    m = pc.buyer_mix(PROMO, FIRST_PAID, START, pd.Timestamp("2026-11-11 00:00"))
    assert (m.buyers, m.new_buyers) == (4, 2) and m.excluded_orders == 3


def test_first_paid_times_first_ever_or_after_a_365_day_gap():
    history = orders(
        ("A", "2026-11-01 10:00", 100.0), ("A", "2026-11-05 12:00", 150.0),
        ("G", "2025-10-01 10:00", 90.0), ("G", "2026-11-03 10:00", 90.0),  # 398 days apart > 365
        ("H", "2025-11-04 10:00", 60.0), ("H", "2026-11-04 10:00", 60.0),  # exactly 365 days: not more
        ("K", "2026-10-01 10:00", 10.0),  # no payment from START on: not listed
        ("L", None, 30.0),  # unpaid order: ignored
    )
    ever = pc.first_paid_times(history, START, new_buyer_days=None)
    assert ever.to_dict() == {"A": pd.Timestamp("2026-11-01 10:00"), "G": pd.Timestamp("2025-10-01 10:00"),
                              "H": pd.Timestamp("2025-11-04 10:00")}
    pinned = pc.first_paid_times(history, START)  # 365 days (DOMAIN new_buyer)
    assert pinned["G"] == pd.Timestamp("2026-11-03 10:00")  # the run restarts after 398 days
    assert pinned["H"] == pd.Timestamp("2025-11-04 10:00")  # still the same run
    promo = history[history.paid_at >= START]
    # first ever: only A is new; DOMAIN's 365 days: G is new too
    assert pc.buyer_mix(promo, ever, START, END).new_buyer_ids == ("A",)
    assert pc.buyer_mix(promo, pinned, START, END).new_buyer_ids == ("A", "G")


def test_buyer_mix_bad_input():
    with pytest.raises(ContractError, match="no first payment .* for customer C, E"):
        pc.buyer_mix(PROMO, FIRST_PAID.drop(["C", "E"]), START, END)
    late = FIRST_PAID.copy()
    late["A"] = pd.Timestamp("2026-11-02")  # A paid in the promotion on 11-01 10:00
    with pytest.raises(ContractError, match="first_paid is after a promotion payment of customer A"):
        pc.buyer_mix(PROMO, late, START, END)
    bad = PROMO.copy()
    bad.loc[2, "paid_amount"] = -300.0
    with pytest.raises(ContractError, match=r"negative in row 2 \(order o3\)"):
        pc.buyer_mix(bad, FIRST_PAID, START, END)
    bad = PROMO.copy()
    bad.loc[1, "customer_id"] = None
    with pytest.raises(ContractError, match=r"customer_id is missing in row 1 \(order o2\)"):
        pc.buyer_mix(bad, FIRST_PAID, START, END)
    with pytest.raises(ContractError, match="lack the column.*paid_amount"):
        pc.buyer_mix(PROMO.drop(columns="paid_amount"), FIRST_PAID, START, END)
    with pytest.raises(DataNotFoundError, match=r"none paid .* \(9 rows given, all outside\)"):
        pc.buyer_mix(PROMO, FIRST_PAID, "2026-12-01", "2026-12-12")
    with pytest.raises(ParamsError, match="ends .* before it starts"):
        pc.buyer_mix(PROMO, FIRST_PAID, END, START)
    with pytest.raises(ParamsError, match="start"):
        pc.buyer_mix(PROMO, FIRST_PAID, "first of November", END)
    with pytest.raises(ParamsError, match="first_paid must be a Series"):
        pc.buyer_mix(PROMO, FIRST_PAID.to_dict(), START, END)
    with pytest.raises(ContractError, match="first_paid lists customer A more than once"):
        pc.buyer_mix(PROMO, pd.concat([FIRST_PAID, FIRST_PAID[["A"]]]), START, END)
    with pytest.raises(ParamsError, match="new_buyer_days"):
        pc.first_paid_times(PROMO, START, new_buyer_days=0)


def test_times_given_as_text_are_read():
    raw = pd.DataFrame({"customer_id": ["A", "B"], "paid_at": ["2026-11-01 10:00", "2026-11-02 23:59:59"],
                        "paid_amount": [10.0, 20.0]})
    first = pd.Series(["2026-11-01 10:00", "2025-01-01"], index=["A", "B"])
    m = pc.buyer_mix(raw, first, "2026-11-01", "2026-11-11")
    assert m.new_buyer_ids == ("A",) and m.new_customer_sales_share == pytest.approx(10 / 30)


# Repurchase: the promotion ends 2026-11-11; 30-day window 11-12 .. 12-11
AFTER = orders(
    ("A", "2026-11-11 20:00", 100.0),  # the promotion's last day: not a repurchase
    ("A", "2026-12-11 23:00", 100.0),  # the window's last day: counts
    ("C", "2026-12-12 00:10", 100.0),  # one day after the window: does not count
    ("F", "2026-11-12 00:00", 100.0),  # the window's first instant: counts
    ("F", "2026-11-20 10:00", 100.0),  # F's second repurchase: still one buyer
    ("B", "2026-11-15 10:00", 100.0),  # B is not a new buyer
)


def test_repurchase_when_the_window_is_complete():
    r = pc.new_buyer_repurchase(AFTER, ("A", "C", "F"), dt.date(2026, 11, 11), dt.date(2026, 12, 11))
    assert (r.window_start, r.window_end) == (dt.date(2026, 11, 12), dt.date(2026, 12, 11))
    assert r.mature and r.days_to_maturity == 0 and r.reason is None
    assert r.repurchased == 2 and r.repurchased_so_far == 2  # A and F; not C
    assert r.rate == pytest.approx(2 / 3)


def test_repurchase_before_the_window_is_complete_is_not_a_rate():
    # data to 11-30: 12-11 − 11-30 = 11 days to go; only F has come back so far (A comes on 12-11)
    r = pc.new_buyer_repurchase(AFTER, ["A", "C", "F"], "2026-11-11 23:59:59", dt.date(2026, 11, 30))
    assert not r.mature and r.days_to_maturity == 11 and r.reason == "immature"
    assert math.isnan(r.rate) and r.repurchased is None
    assert r.repurchased_so_far == 1  # F
    # one day short: data to 12-10 → 1 day to go, A's 12-11 order not yet seen
    r = pc.new_buyer_repurchase(AFTER, ["A", "C", "F"], dt.date(2026, 11, 11), dt.date(2026, 12, 10))
    assert (r.mature, r.days_to_maturity, r.repurchased_so_far) == (False, 1, 1)
    # a 7-day window (11-12 .. 11-18) is complete on 11-30: F only → 1 / 3
    r = pc.new_buyer_repurchase(AFTER, ["A", "C", "F"], dt.date(2026, 11, 11), dt.date(2026, 11, 30), window_days=7)
    assert r.mature and r.rate == pytest.approx(1 / 3)


def test_repurchase_from_a_buyer_mix_and_without_new_buyers():
    m = pc.buyer_mix(PROMO, FIRST_PAID, START, END)
    r = pc.new_buyer_repurchase(AFTER, m.new_buyer_ids, END, dt.date(2026, 12, 31))
    assert r.new_buyers == 3 and r.rate == pytest.approx(2 / 3)  # A, F of A, C, F
    r = pc.new_buyer_repurchase(AFTER, [], END, dt.date(2026, 12, 31))
    assert r.new_buyers == 0 and math.isnan(r.rate) and r.reason == "no_new_buyers"


def test_repurchase_bad_arguments():
    with pytest.raises(ParamsError, match="window_days"):
        pc.new_buyer_repurchase(AFTER, ["A"], END, "2026-12-31", window_days=0)
    with pytest.raises(ParamsError, match="new_buyers"):
        pc.new_buyer_repurchase(AFTER, "A", END, "2026-12-31")
    with pytest.raises(ParamsError, match="data_end"):
        pc.new_buyer_repurchase(AFTER, ["A"], END, "later")
    with pytest.raises(ContractError, match="lack the column.*customer_id"):
        pc.new_buyer_repurchase(AFTER.drop(columns="customer_id"), ["A"], END, "2026-12-31")
