"""Competitor moves and their link to our SKUs, on frames of a few rows checked by hand."""

import datetime as dt

import pandas as pd
import pytest

import tiny
from opsreport.analyses import competitor_moves as cm
from opsreport.errors import ContractError, ParamsError
from opsreport.warehouse.connection import Warehouse
from opsreport.warehouse.store import write_warehouse

NOV = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(30)]


def snapshots(prices, promos=None, *, competitor="X", product="P", days=None):
    days = days or NOV[: len(prices)]
    promos = promos or [None] * len(prices)
    return pd.DataFrame({"observed_on": days, "competitor_id": competitor, "product_id": product,
                         "price": [float(p) for p in prices], "promo_price": promos})


# --- price_moves ------------------------------------------------------------------------------


def test_a_20pct_cut_is_found_on_its_first_day_with_before_and_after():
    # 11-01..11-07 at 100 (median 100); 80 from 11-08 on: 80 <= 0.9 x 100, and it holds on 11-09
    moves = cm.price_moves(snapshots([100] * 7 + [80] * 4))
    assert len(moves) == 1  # 11-09..11-11 still see 100 in their window but continue the same level
    m = moves.iloc[0]
    assert m.date == pd.Timestamp("2026-11-08")
    assert (m.competitor_id, m.product_id, m.kind) == ("X", "P", "price_cut")
    assert m.before == pytest.approx(100.0)
    assert m.after == pytest.approx(80.0)
    assert m.cut == pytest.approx(0.20)  # 1 - 80 / 100
    assert list(moves.columns) == cm.MOVE_COLUMNS


def test_a_9pct_cut_is_no_move_and_exactly_10pct_is():
    assert cm.price_moves(snapshots([100] * 7 + [91] * 3)).empty  # 91 > 0.9 x 100 = 90
    [cut] = cm.price_moves(snapshots([100] * 7 + [90] * 3)).cut  # 90 = 90: the threshold itself counts
    assert cut == pytest.approx(0.10)


def test_a_one_day_blip_is_no_move():
    # 80 on 11-08 only: the level held over 11-08..11-09 is max(80, 100) = 100, not 10% below 100
    assert cm.price_moves(snapshots([100] * 7 + [80, 100, 100, 100])).empty


def test_a_cut_on_the_last_observed_day_is_not_confirmed_yet():
    assert cm.price_moves(snapshots([100] * 7 + [80])).empty  # hold_days=2 needs 11-09
    [date] = cm.price_moves(snapshots([100] * 7 + [80]), hold_days=1).date  # with one day it is a move
    assert date == pd.Timestamp("2026-11-08")


def test_the_reference_is_the_median_of_the_window_not_the_mean():
    # window 100 x 6 and one 300: median 100 (the mean would be 900 / 7 = 128.6 and the cut 34%)
    [m] = cm.price_moves(snapshots([100] * 6 + [300] + [85] * 2)).itertuples()
    assert m.before == pytest.approx(100.0)
    assert m.cut == pytest.approx(0.15)  # 1 - 85 / 100


def test_the_level_is_the_highest_price_of_the_hold_days():
    # 70 then 85 over the hold days: the cut that held is 1 - 85 / 100 = 15%, not 30%
    [m] = cm.price_moves(snapshots([100] * 7 + [70, 85, 85])).itertuples()
    assert (m.after, m.cut) == (pytest.approx(85.0), pytest.approx(0.15))


def test_no_reference_before_a_full_window_of_observed_days():
    # 100 x 3 then 80: 11-04..11-07 have fewer than 7 days before them (no reference); from 11-08
    # on the window holds four 80s and three 100s: median 80, so no cut is left to find
    assert cm.price_moves(snapshots([100] * 3 + [80] * 6)).empty
    [m] = cm.price_moves(snapshots([100] * 3 + [80] * 6), window=3).itertuples()  # 11-04: median of 100 x 3
    assert (m.date, m.before) == (pd.Timestamp("2026-11-04"), 100.0)


def test_windows_count_observed_days_not_calendar_days():
    # observed every other day: 11-01, 11-03, ..., 11-13 (7 days) at 100, then 11-15 and 11-17 at 80
    days = NOV[0:18:2]
    [m] = cm.price_moves(snapshots([100] * 7 + [80] * 2, days=days)).itertuples()
    assert m.date == pd.Timestamp("2026-11-15")


def test_a_promotion_price_appearing_is_a_promotion():
    # everyday price stays 100; a promo price of 80 shows on 11-08 and 11-09: effective 80
    moves = cm.price_moves(snapshots([100] * 10, [None] * 7 + [80.0, 80.0, None]))
    [m] = moves.itertuples()
    assert (m.kind, m.date, m.before, m.after) == ("promotion", pd.Timestamp("2026-11-08"), 100.0, 80.0)
    assert m.cut == pytest.approx(0.20)  # 1 - 80 / 100


def test_a_price_cut_right_after_a_promotion_ended_is_a_price_cut():
    # promo price 60 on 11-01..11-07, everyday price 100 until 11-09, then 80 from 11-10: on 11-10 the
    # effective window 11-03..11-09 (60 x 5, 100, 100) has median 60, so only the everyday price
    # shows the cut: 80 <= 0.9 x 100 (the median of 11-03..11-09's everyday prices)
    [m] = cm.price_moves(snapshots([100] * 9 + [80] * 3, [60.0] * 7 + [None] * 5)).itertuples()
    assert (m.date, m.kind, m.before, m.after) == (pd.Timestamp("2026-11-10"), "price_cut", 100.0, 80.0)
    assert m.cut == pytest.approx(0.20)  # 1 - 80 / 100


def test_a_promotion_made_lasting_is_a_second_move():
    # promo 80 on 11-08 and 11-09, then the everyday price itself is 80 from 11-10
    moves = cm.price_moves(snapshots([100] * 9 + [80] * 3, [None] * 7 + [80.0, 80.0] + [None] * 3))
    assert list(zip(moves.date.dt.day, moves.kind)) == [(8, "promotion"), (10, "price_cut")]
    assert list(moves.cut) == pytest.approx([0.20, 0.20])  # 1 - 80 / 100 each


def test_a_second_step_down_inside_a_run_is_a_new_move():
    # 100 x 7, 80 on 11-08 and 11-09, 60 from 11-10: 60 <= 0.9 x 80 is a step below the first move's level
    moves = cm.price_moves(snapshots([100] * 7 + [80, 80] + [60] * 4))
    assert list(moves.date) == [pd.Timestamp("2026-11-08"), pd.Timestamp("2026-11-10")]
    assert list(moves.cut) == pytest.approx([0.20, 0.40])  # each against its window's median, 100


def test_products_are_judged_apart():
    frame = pd.concat([snapshots([100] * 9, product="P"), snapshots([100] * 7 + [80] * 2, product="Q")])
    assert list(cm.price_moves(frame).product_id) == ["Q"]


def test_bad_snapshots_and_parameters_are_named():
    with pytest.raises(ContractError, match="promo_price"):
        cm.price_moves(snapshots([100] * 9).drop(columns="promo_price"))
    doubled = pd.concat([snapshots([100] * 2), snapshots([90])])
    with pytest.raises(ContractError, match="X / P / 2026-11-01"):
        cm.price_moves(doubled)
    with pytest.raises(ContractError, match="price must be a number"):
        cm.price_moves(snapshots([100] * 2).assign(price=["100", "abc"]))
    with pytest.raises(ParamsError, match="min_cut"):
        cm.price_moves(snapshots([100] * 9), min_cut=1.5)
    with pytest.raises(ParamsError, match="hold_days"):
        cm.price_moves(snapshots([100] * 9), hold_days=0)
    with pytest.raises(ParamsError, match="DataFrame"):
        cm.price_moves([1, 2, 3])


# --- link_to_ours ------------------------------------------------------------------------------


MOVE = pd.DataFrame([{"date": pd.Timestamp("2026-11-08"), "competitor_id": "X", "product_id": "P", "kind": "price_cut",
                      "before": 100.0, "after": 80.0, "cut": 0.2}])
MATCHES = pd.DataFrame([("S1", "X", "P"), ("S2", "X", "P"), ("S3", "X", "P"), ("S4", "X", "P"), ("S9", "Y", "Q")],
                       columns=["sku_id", "competitor_id", "product_id"])


def ours() -> pd.DataFrame:
    """Baseline 11-04..11-07 (4 days), after 11-08..11-10 (lag_days=3)."""
    rows = [
        # S1: conversion and traffic both fall
        ("2026-11-03", "S1", 1000, 500),  # outside the 4-day baseline
        ("2026-11-04", "S1", 100, 10),
        ("2026-11-05", "S1", 300, 6),
        # 11-06: no row (unknown, not 0 visitors)
        ("2026-11-07", "S1", 200, 8),
        ("2026-11-08", "S1", 100, 1),
        ("2026-11-09", "S1", 100, 2),
        ("2026-11-10", "S1", 100, 0),
        ("2026-11-11", "S1", 5000, 1000),  # outside the 3 days after
    ]
    for day in ("2026-11-04", "2026-11-05", "2026-11-06", "2026-11-07"):
        rows += [(day, "S2", 100, 5), (day, "S3", 200, 10), (day, "S4", 100, 5)]
    for day in ("2026-11-08", "2026-11-09", "2026-11-10"):
        rows += [(day, "S2", 100, 5), (day, "S3", 100, 5), (day, "S4", 100, 2)]
    return pd.DataFrame(rows, columns=["date", "sku_id", "uv", "paid_buyers"])


def link(**kw) -> pd.DataFrame:
    kw = {"lag_days": 3, "baseline_days": 4, **kw}
    return cm.link_to_ours(MOVE, MATCHES, ours(), **kw).set_index("sku_id")


def test_conversion_before_and_after_from_summed_buyers_and_visitors():
    s1 = link().loc["S1"]
    assert (s1.days_before, s1.days_after) == (3, 3)  # 11-04, 11-05, 11-07 | 11-08..11-10
    # before: 600 visitors over 3 days, 10 + 6 + 8 = 24 buyers: 24 / 600 = 4%
    # (the mean of the daily rates would be (10% + 2% + 4%) / 3 = 5.33%)
    assert s1.conversion_before == pytest.approx(0.04)
    assert s1.paid_buyers_before == 24
    assert s1.uv_before == pytest.approx(200.0)  # 600 / 3 days with a row
    # after: 300 visitors, 1 + 2 + 0 = 3 buyers: 1%; 100 a day
    assert s1.conversion_after == pytest.approx(0.01)
    assert s1.uv_after == pytest.approx(100.0)
    assert s1.conversion_change == pytest.approx(-0.75)  # 1% / 4% - 1
    assert s1.uv_change == pytest.approx(-0.5)  # 100 / 200 - 1
    assert s1.effect == "both"
    assert (s1.date, s1.competitor_id, s1.product_id, s1.kind, s1.cut) == (pd.Timestamp("2026-11-08"), "X", "P", "price_cut", 0.2)


def test_each_effect():
    found = link()
    assert found.loc["S2", "effect"] == "none"  # 20 / 400 = 5% and 15 / 300 = 5%; 100 a day both times
    assert found.loc["S3", "effect"] == "traffic_fell"  # 200 -> 100 a day (-50%); 40 / 800 = 5% -> 15 / 300 = 5%
    assert found.loc["S3", "uv_change"] == pytest.approx(-0.5)
    assert found.loc["S4", "effect"] == "conversion_fell"  # 20 / 400 = 5% -> 6 / 300 = 2% (-60%); 100 a day
    assert found.loc["S4", "conversion_change"] == pytest.approx(-0.6)
    assert "S9" not in found.index  # its product made no move
    assert list(cm.link_to_ours(MOVE, MATCHES, ours(), lag_days=3, baseline_days=4).columns) == cm.LINK_COLUMNS


def test_our_promotion_days_are_left_out_and_the_baseline_reaches_back_for_ordinary_days():
    # 11-05 and 11-09 are days of our own promotion: out of both windows. The baseline wants 4
    # ordinary days before 11-08: 11-07, 11-06, 11-04, 11-03 (11-05 skipped), so it starts on 11-03.
    found = link(exclude_days=[dt.date(2026, 11, 5), dt.date(2026, 11, 9)])
    s1 = found.loc["S1"]
    assert (s1.days_before, s1.days_after) == (3, 2)  # 11-03, 11-04, 11-07 (11-06 has no row) | 11-08, 11-10
    # before: 1000 + 100 + 200 = 1,300 visitors, 500 + 10 + 8 = 518 buyers
    assert s1.conversion_before == pytest.approx(518 / 1300)
    # after: 100 + 100 = 200 visitors, 1 + 0 = 1 buyer
    assert s1.conversion_after == pytest.approx(1 / 200)
    s2 = found.loc["S2"]  # 11-04, 11-06, 11-07: 15 / 300 = 5% | 11-08, 11-10: 10 / 200 = 5%
    assert (s2.conversion_before, s2.conversion_after, s2.effect) == (pytest.approx(0.05), pytest.approx(0.05), "none")
    assert cm.EXCLUDED_REACH == 3  # the baseline looked back at most 3 x 4 = 12 days (from 10-27)


def test_a_move_whose_days_after_are_all_our_promotion_is_masked():
    # the after window 11-08..11-10 lies inside our promotion: nothing after the move can be read
    found = link(exclude_days=[dt.date(2026, 11, 8), dt.date(2026, 11, 9), dt.date(2026, 11, 10)])
    assert set(found.effect) == {"masked"} and (found.days_after == 0).all()


def test_unknown_with_too_few_visitors_or_no_day_after_yet():
    found = link(min_uv=350)
    assert found.loc["S1", "effect"] == "unknown"  # 300 visitors after the move < 350
    assert found.loc["S1", "conversion_after"] == pytest.approx(0.01)  # the numbers are still shown
    assert link(min_uv=300).loc["S1", "effect"] == "both"  # 600 and 300 visitors: both windows reach 300
    late = MOVE.assign(date=pd.Timestamp("2026-11-12"))  # after the data's last day (11-11)
    s1 = cm.link_to_ours(late, MATCHES, ours(), lag_days=3, baseline_days=4).set_index("sku_id").loc["S1"]
    assert s1.days_after == 0 and s1.effect == "unknown" and pd.isna(s1.conversion_after) and pd.isna(s1.uv_change)


def test_link_checks_its_inputs():
    with pytest.raises(ContractError, match="paid_buyers"):
        cm.link_to_ours(MOVE, MATCHES, ours().drop(columns="paid_buyers"))
    with pytest.raises(ParamsError, match="conv_fall"):
        cm.link_to_ours(MOVE, MATCHES, ours(), conv_fall=0)


# --- moves_near -------------------------------------------------------------------------------


def competitor_tables(shop=tiny.SHOP) -> dict[str, pd.DataFrame]:
    """X cuts P (matched to S1) from 100 to 80 on 11-16 and Q (matched to S2) from 50 to 40 on
    11-05; Y's R (not matched) from 100 to 50 on 11-16."""
    rows = []
    for i in range(22):  # 11-01..11-22
        day = NOV[i]
        rows.append(("X", "P", day, 100.0 if day < dt.date(2026, 11, 16) else 80.0))
        rows.append(("X", "Q", day, 50.0 if day < dt.date(2026, 11, 5) else 40.0))
        rows.append(("Y", "R", day, 100.0 if day < dt.date(2026, 11, 16) else 50.0))
    cp = pd.DataFrame([{"shop_id": shop, "observed_on": d, "competitor_id": c, "product_id": p, "product_name": p,
                        "category": None, "price": price, "promo_price": None, "monthly_sales": None, "sales_index": None,
                        "rating": None, "reviews": None} for c, p, d, price in rows])
    matches = pd.DataFrame([{"shop_id": shop, "sku_id": s, "competitor_id": c, "product_id": p, "note": None}
                            for s, c, p in (("S1", "X", "P"), ("S2", "X", "Q"))])
    return {"competitor_products": cp, "sku_matches": matches}


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    root = tmp_path_factory.mktemp("moves")
    return (Warehouse.open(write_warehouse(root / "with.duckdb", {**tiny.tables(), **competitor_tables()})),
            Warehouse.open(write_warehouse(root / "without.duckdb", tiny.tables())))


def test_moves_near_reads_the_matched_moves_of_the_window(warehouses):
    wh, _ = warehouses
    # week 11-16..11-22 with 7 days of lag: from 11-09; Q's cut on 11-05 is too early, R is not matched
    near = cm.moves_near(wh, tiny.SHOP, ["S1", "S2"], "2026-11-16", "2026-11-22")
    assert list(near.columns) == cm.NEAR_COLUMNS
    [m] = near.itertuples()
    assert (m.sku_id, m.competitor_id, m.product_id, m.date) == ("S1", "X", "P", pd.Timestamp("2026-11-16"))
    assert m.cut == pytest.approx(0.2)  # 1 - 80 / 100
    # with 12 days of lag (from 11-04) Q's cut explains the week too
    assert list(cm.moves_near(wh, tiny.SHOP, None, "2026-11-16", "2026-11-22", lag_days=12).sku_id) == ["S2", "S1"]
    assert cm.moves_near(wh, tiny.SHOP, ["S3"], "2026-11-16", "2026-11-22").empty  # S3 has no match
    assert list(cm.moves_near(wh, tiny.SHOP, "S1", "2026-11-16", "2026-11-22").sku_id) == ["S1"]  # one id alone


def test_moves_near_is_empty_without_competitor_data(warehouses):
    _, bare = warehouses
    near = cm.moves_near(bare, tiny.SHOP, ["S1"], "2026-11-16", "2026-11-22")
    assert near.empty and list(near.columns) == cm.NEAR_COLUMNS
