"""Promotion products: Pareto, stockouts with lost sales, allocation sell-through, computed by hand."""

import datetime as dt
import math

import pandas as pd
import pytest

from opsreport.analyses import promo_products as pr
from opsreport.errors import ContractError, DataNotFoundError, ParamsError

D = dt.date
START, END = D(2026, 11, 10), D(2026, 11, 12)


def sku_gmv(**gmv):
    return pd.DataFrame({"sku_id": list(gmv), "gmv": list(gmv.values())})


# --------------------------------------------------------------------------- Pareto

def test_pareto_shares_and_the_skus_for_80_percent():
    result = pr.pareto(sku_gmv(C=100.0, A=500.0, F=0.0, B=300.0, E=40.0, D=60.0), top_n=3)
    f = result.frame
    assert list(f.sku_id) == ["A", "B", "C", "D", "E", "F"] and list(f["rank"]) == [1, 2, 3, 4, 5, 6]
    assert result.total_gmv == pytest.approx(1_000)  # 500 + 300 + 100 + 60 + 40 + 0
    assert list(f.share) == pytest.approx([0.5, 0.3, 0.1, 0.06, 0.04, 0.0])
    assert list(f.cumulative_share) == pytest.approx([0.5, 0.8, 0.9, 0.96, 1.0, 1.0])
    assert result.skus_for_80 == 2  # A + B = 800 / 1,000 = exactly 80 % reaches it
    assert result.selling_skus == 5  # F sold nothing: in the frame, not in the base
    assert result.share_of_skus_for_80 == pytest.approx(2 / 5)
    assert list(result.top.sku_id) == ["A", "B", "C"]
    assert list(f.columns) == pr.PARETO_COLUMNS


def test_pareto_just_below_80_needs_one_more_and_float_rounding_is_allowed():
    # A 500 + B 299.99 = 799.99 / 1,000 < 80 %: C is needed too → 3 SKUs
    assert pr.pareto(sku_gmv(A=500.0, B=299.99, C=100.01, D=100.0)).skus_for_80 == 3
    # ten SKUs of 0.1 yuan: eight make 0.8, which floats sum to 0.7999999999999999 → still 8, 8 / 10
    ten = pr.pareto(sku_gmv(**{f"S{i}": 0.1 for i in range(10)}))
    assert ten.skus_for_80 == 8 and ten.share_of_skus_for_80 == pytest.approx(0.8)
    # equal GMV: ranked by sku_id
    assert list(pr.pareto(sku_gmv(Y=5.0, X=5.0)).frame.sku_id) == ["X", "Y"]


def test_pareto_refusals():
    with pytest.raises(DataNotFoundError, match="no SKU has sales"):
        pr.pareto(sku_gmv(A=0.0, B=0.0))
    with pytest.raises(ContractError, match="negative gmv for SKU B"):
        pr.pareto(sku_gmv(A=1.0, B=-1.0))
    with pytest.raises(ContractError, match="SKU A more than once"):
        pr.pareto(pd.DataFrame({"sku_id": ["A", "A"], "gmv": [1.0, 2.0]}))
    with pytest.raises(ParamsError, match="top_n"):
        pr.pareto(sku_gmv(A=1.0), top_n=0)


# --------------------------------------------------------------------------- stockouts

def inventory():
    # end-of-day on_hand; P never runs out; Q sells out on 11-11; R is out all along; Z is a dead SKU
    # (out, never sold); T is out at the end of 11-10, restocked on 11-11
    levels = {
        D(2026, 11, 9): {"P": 100, "Q": 20, "R": 0, "Z": 0, "T": 5},
        D(2026, 11, 10): {"P": 80, "Q": 12, "R": 0, "Z": 0, "T": 0},
        D(2026, 11, 11): {"P": 50, "Q": 0, "R": 0, "Z": 0, "T": 10},
        D(2026, 11, 12): {"P": 30, "Q": 0, "R": 0, "Z": 0, "T": 4},
    }
    return pd.DataFrame([{"date": d, "sku_id": s, "on_hand": n} for d, row in levels.items() for s, n in row.items()])


def sales():
    rows = [
        (D(2026, 10, 20), "R", 5, 250.0),  # before the promotion: R is an active SKU
        (D(2026, 11, 10), "P", 20, 2_000.0), (D(2026, 11, 10), "Q", 8, 400.0), (D(2026, 11, 10), "T", 5, 250.0),
        (D(2026, 11, 11), "P", 30, 3_000.0), (D(2026, 11, 11), "Q", 12, 600.0), (D(2026, 11, 11), "T", 2, 100.0),
        (D(2026, 11, 12), "P", 20, 2_000.0), (D(2026, 11, 12), "T", 6, 300.0),
    ]
    return pd.DataFrame(rows, columns=["date", "sku_id", "units", "paid_amount"])


# shop units: 11-10 20 + 8 + 5 = 33; 11-11 30 + 12 + 2 = 44; 11-12 20 + 6 = 26


def test_stockouts_and_lost_sales_by_share():
    out = pr.stockouts(inventory(), sales(), START, END)
    assert list(out.sku_id) == ["Q", "T", "R"]  # P never out, Z never sold; largest lost GMV first, unknown last
    assert list(out.columns) == pr.STOCKOUT_COLUMNS
    q = out.set_index("sku_id").loc["Q"]
    assert (q.first_out, q.days_out) == (D(2026, 11, 11), 2)  # 0 at the end of 11-11 and 11-12
    # in stock all day: 11-10 only (20 at the end of 11-09, 12 at the end of 11-10): 8 of the shop's 33 units
    assert q.units_in_stock_days == 8 and q.units_share == pytest.approx(8 / 33)
    assert q.unit_price == pytest.approx(400 / 8)  # 50 yuan
    # expected 11-11: 8/33 × 44 = 10.67 < 12 sold → 0 lost; 11-12: 8/33 × 26 = 6.30, 0 sold → 6.30 lost
    assert q.expected_units == pytest.approx(8 / 33 * (44 + 26)) and q.actual_units == 12
    assert q.lost_units == pytest.approx(8 / 33 * 26)
    assert q.lost_gmv == pytest.approx(8 / 33 * 26 * 50)  # 315.15 yuan
    assert q.basis == "share"
    t = out.set_index("sku_id").loc["T"]
    # out at the end of 11-10; 11-11 restocked (0 the night before): neither side; in stock all day 11-12: 6 of 26
    assert (t.first_out, t.days_out, t.units_in_stock_days) == (D(2026, 11, 10), 1, 6)
    assert t.units_share == pytest.approx(6 / 26) and t.unit_price == pytest.approx(300 / 6)
    assert t.lost_units == pytest.approx(6 / 26 * 33 - 5)  # expected 7.62 on 11-10, sold 5 → 2.62
    assert t.lost_gmv == pytest.approx((6 / 26 * 33 - 5) * 50)  # 130.77 yuan
    r = out.set_index("sku_id").loc["R"]
    # out for the whole promotion: no in-stock day to take a share from → unknown, not 0
    assert (r.first_out, r.days_out, r.actual_units) == (D(2026, 11, 10), 3, 0)
    assert r.basis == "unknown" and math.isnan(r.lost_units) and math.isnan(r.lost_gmv)
    assert math.isnan(r.expected_units) and math.isnan(r.unit_price)


def test_the_day_before_the_start_is_needed_for_the_first_in_stock_day():
    inv = inventory()
    inv = inv[inv.date != D(2026, 11, 9)]
    q = pr.stockouts(inv, sales(), START, END).set_index("sku_id").loc["Q"]
    assert q.basis == "unknown"  # 11-10 can no longer be shown in stock all day, and Q has no other


def test_a_sku_selling_more_than_expected_loses_nothing_and_no_stockout_is_an_empty_frame():
    inv = inventory()
    s = sales()
    s.loc[len(s)] = (D(2026, 11, 12), "Q", 20, 1_000.0)  # Q "sold" 20 on 11-12 too (end-of-day snapshot 0)
    # shop units 11-12 become 46; expected 8/33 × 46 = 11.15 < 20 → 0 lost; 11-11 lost 0 as before
    q = pr.stockouts(inv, s, START, END).set_index("sku_id").loc["Q"]
    assert q.lost_units == 0 and q.lost_gmv == 0 and q.basis == "share"
    healthy = pr.stockouts(inv[inv.sku_id == "P"], s, START, END)
    assert healthy.empty and list(healthy.columns) == pr.STOCKOUT_COLUMNS


def test_stockout_refusals():
    inv = inventory()
    inv.loc[3, "on_hand"] = -1  # Z on 11-09
    with pytest.raises(ContractError, match="negative on_hand for SKU Z"):
        pr.stockouts(inv, sales(), START, END)
    with pytest.raises(ContractError, match="SKU P more than once per date and sku_id"):
        pr.stockouts(pd.concat([inventory(), inventory().iloc[[0]]]), sales(), START, END)
    with pytest.raises(ContractError, match="units is missing or not a number for SKU Q"):
        pr.stockouts(inventory(), sales().assign(units=lambda f: f.units.where(f.sku_id != "Q")), START, END)
    with pytest.raises(DataNotFoundError, match="none for the promotion days"):
        pr.stockouts(inventory(), sales(), D(2026, 12, 12), D(2026, 12, 12))
    with pytest.raises(ParamsError, match="before it starts"):
        pr.stockouts(inventory(), sales(), END, START)
    with pytest.raises(ParamsError, match="promo_start must be a date"):
        pr.stockouts(inventory(), sales(), None, END)


# --------------------------------------------------------------------------- sell-through

def promo_skus():
    return pd.DataFrame({"sku_id": ["P", "Q", "T", "W", "R"], "promo_price": [100.0, 50.0, 50.0, 30.0, 50.0],
                         "stock_allocated": [80, 16, None, 10, 5]})


def test_sell_through_of_the_allocation():
    out = pr.sell_through(promo_skus(), sales(), START, END)
    assert list(out.sku_id) == ["P", "Q", "T", "W", "R"] and list(out.columns) == pr.SELL_THROUGH_COLUMNS
    p, q, t, w, r = (row for _, row in out.iterrows())
    assert (p.units, p.gmv) == (70, 7_000)  # 20 + 30 + 20 units; 2,000 + 3,000 + 2,000 yuan
    assert p.sell_through == pytest.approx(70 / 80) and p.leftover == 10 and not p.oversold
    assert q.sell_through == pytest.approx(20 / 16)  # 8 + 12 sold of 16: 125 %, kept
    assert q.leftover == -4 and q.oversold  # 4 beyond the allocation: flagged
    assert t.units == 13 and math.isnan(t.sell_through) and math.isnan(t.leftover) and not t.oversold  # no allocation
    assert (w.units, w.gmv, w.sell_through, w.leftover) == (0, 0, 0, 10)  # promoted, nothing sold
    assert r.units == 0  # its 5 units of 10-20 are before the promotion
    # without start/end every row given counts: R's 10-20 sale too, 5 of 5 → 100 %
    assert pr.sell_through(promo_skus(), sales()).set_index("sku_id").loc["R"].sell_through == pytest.approx(1.0)


def test_sell_through_refusals():
    twice = pd.concat([promo_skus(), promo_skus().iloc[[1]]])
    with pytest.raises(ContractError, match="SKU Q more than once"):
        pr.sell_through(twice, sales())
    with pytest.raises(ContractError, match="negative stock_allocated for SKU W"):
        pr.sell_through(promo_skus().assign(stock_allocated=[80, 16, None, -10, 5]), sales())
    with pytest.raises(ContractError, match="lack the column"):
        pr.sell_through(promo_skus().drop(columns="stock_allocated"), sales())
    with pytest.raises(DataNotFoundError, match="none given"):
        pr.sell_through(promo_skus().iloc[0:0], sales())
