"""Competitors' traffic mix on hand-made frames; the arithmetic is written beside each assertion.

The platform's transform here is traffic_index = 10 × √uv, so uv = (index / 10)² exactly."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from opsreport.analyses import competitor_traffic as ct
from opsreport.errors import ContractError, ParamsError
from opsreport.schemas import OWN_SHOP

D = dt.date
PREVIOUS_DAYS = [D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 3)]
PERIOD_DAYS = [D(2026, 11, 4), D(2026, 11, 5), D(2026, 11, 6)]
PERIOD, PREVIOUS = (PERIOD_DAYS[0], PERIOD_DAYS[-1]), (PREVIOUS_DAYS[0], PREVIOUS_DAYS[-1])
# our visitors per source, every day: search 400, paid 200, content 100, live 100, other 100 + 50 + 50
OWN_UV = {"search": 400, "paid_ads": 200, "short_video": 100, "live_stream": 100, "recommendation": 100,
          "direct": 50, "external": 50}


def index_of(uv):
    return 10 * math.sqrt(uv)


def own_frames(days=PREVIOUS_DAYS + PERIOD_DAYS, scale=None):
    """Our traffic_daily rows and our own competitor_traffic rows (7 sources × 6 days = 42 pairs).
    ``scale`` multiplies day i's visitors by scale[i] (gives the calibration a wider range)."""
    rows, index_rows = [], []
    for i, day in enumerate(days):
        for source, uv in OWN_UV.items():
            uv = uv * (scale[i] if scale is not None else 1)
            rows.append((day, source, uv))
            index_rows.append((day, OWN_SHOP, source, index_of(uv)))
    return pd.DataFrame(rows, columns=["date", "source", "uv"]), index_rows


def shop_rows(shop, previous, current):
    """competitor_traffic rows of ``shop``: per-day visitors by source in each window, as indices."""
    rows = []
    for days, uv in ((PREVIOUS_DAYS, previous), (PERIOD_DAYS, current)):
        rows += [(day, shop, source, index_of(v)) for day in days for source, v in uv.items()]
    return rows


def comp_frame(*groups):
    return pd.DataFrame([r for g in groups for r in g], columns=["date", "competitor_id", "source", "traffic_index"])


# A: paid 300 of 1,000 a day before, 400 of 1,000 now (a live index of 0: no live visitors)
A = shop_rows("A", previous={"search": 400, "paid_ads": 300, "short_video": 200, "recommendation": 100},
              current={"search": 400, "paid_ads": 400, "short_video": 100, "live_stream": 0, "recommendation": 100})
# B: exactly at the paid thresholds, just under the content ones
B = shop_rows("B", previous={"search": 380, "paid_ads": 220, "short_video": 120, "live_stream": 180, "direct": 100},
              current={"search": 300, "paid_ads": 300, "short_video": 199, "live_stream": 101, "direct": 100})


def run(comp_extra=(A, B), own_scale=(1.0, 1.1, 1.2, 1.3, 1.4, 1.5), **kw):
    own, own_index = own_frames(scale=own_scale)
    return ct.traffic_mix(comp_frame(own_index, *comp_extra), own, PERIOD, PREVIOUS, **kw)


def test_shares_from_estimated_visitors_by_hand():
    mix = run()
    assert mix.curve.slope == pytest.approx(2.0) and mix.curve.n_days == 42  # uv = (index / 10)²: ln uv = 2 ln index − 2 ln 10
    s = mix.shares.set_index(["competitor_id", "group"])
    assert list(mix.shares.columns) == ct.SHARE_COLUMNS
    assert list(mix.shares["competitor_id"].unique()) == [OWN_SHOP, "A", "B"]
    # A now: 400 + 400 + 100 + 0 + 100 = 1,000 a day → search 0.4, paid 0.4, content 0.1, live 0, other 0.1
    a = s.loc["A"]
    assert a["share"].to_dict() == pytest.approx({"search": 0.4, "paid": 0.4, "content": 0.1, "live": 0.0, "other": 0.1})
    # before: 400, 300, 200, 0, 100 of 1,000 → paid 0.3, content 0.2; change paid +0.1, content −0.1
    assert a["previous_share"].to_dict() == pytest.approx({"search": 0.4, "paid": 0.3, "content": 0.2, "live": 0.0, "other": 0.1})
    assert a["change"].to_dict() == pytest.approx({"search": 0.0, "paid": 0.1, "content": -0.1, "live": 0.0, "other": 0.0})
    assert a["estimated"].all() and (a["days"] == 3).all()
    # an exact curve leaves no width: low = high = share
    assert a["low"].to_numpy() == pytest.approx(a["share"].to_numpy(), abs=1e-6)
    assert a["high"].to_numpy() == pytest.approx(a["share"].to_numpy(), abs=1e-6)


def test_our_shares_are_real_visitors():
    s = run().shares.set_index(["competitor_id", "group"]).loc[OWN_SHOP]
    # days 4..6 scaled 1.3, 1.4, 1.5: the same mix each day, 1,000 × 4.2 visitor-days in all
    # search 400 / 1,000 = 0.4; paid 0.2; content 0.1; live 0.1; other (100 + 50 + 50) / 1,000 = 0.2
    assert s["share"].to_dict() == pytest.approx({"search": 0.4, "paid": 0.2, "content": 0.1, "live": 0.1, "other": 0.2})
    assert (s["low"] == s["share"]).all() and (s["high"] == s["share"]).all() and not s["estimated"].any()
    assert s["change"].to_numpy() == pytest.approx([0.0] * 5)


def test_flags_at_and_around_the_thresholds():
    flags = run().flags
    assert list(flags.columns) == ct.FLAG_COLUMNS
    got = {(r.competitor_id, r.flag): r for r in flags.itertuples()}
    # A paid 0.4 vs ours 0.2: +0.2 ≥ 0.10; paid 0.3 → 0.4: +0.1 ≥ 0.08
    assert got[("A", "leans_paid")].difference == pytest.approx(0.2) and got[("A", "leans_paid")].firm
    assert got[("A", "paid_rising")].difference == pytest.approx(0.1)
    # B paid 0.3 vs ours 0.2: exactly +0.10 counts; 0.22 → 0.30: exactly +0.08 counts
    assert got[("B", "leans_paid")].difference == pytest.approx(0.10) and got[("B", "leans_paid")].threshold == 0.10
    assert got[("B", "paid_rising")].reference == pytest.approx(0.22)
    # B content 0.199 vs ours 0.1 = +0.099 < 0.10; 0.12 → 0.199 = +0.079 < 0.08; live 0.101 vs 0.1: no
    assert set(got) == {("A", "leans_paid"), ("A", "paid_rising"), ("B", "leans_paid"), ("B", "paid_rising")}
    # lowering the content thresholds by a hair flags B's content
    got = set(map(tuple, run(content_gap=0.099, content_rise=0.079).flags[["competitor_id", "flag"]].to_numpy()))
    assert {("B", "leans_content"), ("B", "content_rising")} <= got
    # raising the paid gap above 0.2 leaves only the rises
    got = set(map(tuple, run(paid_gap=0.21).flags[["competitor_id", "flag"]].to_numpy()))
    assert got == {("A", "paid_rising"), ("B", "paid_rising")}


def test_ranges_come_from_the_estimates_ranges():
    # noisy calibration: σ̂ > 0, every competitor share gets a range
    rng = np.random.default_rng(4)
    own, own_index = own_frames(scale=(1.0, 1.1, 1.2, 1.3, 1.4, 1.5))
    noisy = [(d, c, s, i * math.exp(rng.normal(0, 0.05))) for d, c, s, i in own_index]
    mix = ct.traffic_mix(comp_frame(noisy, A), own, PERIOD, PREVIOUS)
    est = mix.curve.estimate(comp_frame(A).query("date >= @PERIOD_DAYS[0]")["traffic_index"].reset_index(drop=True))
    rows = comp_frame(A).query("date >= @PERIOD_DAYS[0]").reset_index(drop=True)
    paid, other_than_paid = rows["source"] == "paid_ads", rows["source"] != "paid_ads"
    # paid: low = L_paid / (L_paid + Σ H of the other groups); high = H_paid / (H_paid + Σ L of the others)
    low = est["low"][paid].sum() / (est["low"][paid].sum() + est["high"][other_than_paid].sum())
    high = est["high"][paid].sum() / (est["high"][paid].sum() + est["low"][other_than_paid].sum())
    share = est["estimate"][paid].sum() / est["estimate"].sum()
    row = mix.shares.set_index(["competitor_id", "group"]).loc[("A", "paid")]
    assert (row["share"], row["low"], row["high"]) == pytest.approx((share, low, high))
    assert row["low"] < row["share"] < row["high"]
    assert row["share"] == pytest.approx(0.4, abs=0.02)  # the truth, within the calibration's error


def test_unknown_sources_fold_into_other():
    c = shop_rows("C", previous={"search": 100}, current={"search": 100, "tv_ads": 100})
    s = run(comp_extra=(c,)).shares.set_index(["competitor_id", "group"]).loc["C"]
    assert s.loc["search", "share"] == pytest.approx(0.5) and s.loc["other", "share"] == pytest.approx(0.5)  # 100 / 200
    assert ct.SOURCE_GROUPS.get("tv_ads") is None


def test_shares_do_not_depend_on_the_index_transform():
    own, own_index = own_frames(scale=(1.0, 1.1, 1.2, 1.3, 1.4, 1.5))
    rng = np.random.default_rng(8)
    noisy = [(d, c, s, i * math.exp(rng.normal(0, 0.05))) for d, c, s, i in own_index]
    comp = comp_frame(noisy, A, B)
    base = ct.traffic_mix(comp, own, PERIOD, PREVIOUS)
    for c, k in ((3.0, 1.7), (0.5, 0.6)):
        moved = ct.traffic_mix(comp.assign(traffic_index=c * comp["traffic_index"] ** k), own, PERIOD, PREVIOUS)
        pd.testing.assert_frame_equal(base.shares, moved.shares, rtol=1e-9)
        pd.testing.assert_frame_equal(base.flags, moved.flags, rtol=1e-9)
    assert len(base.flags) >= 2 and (base.shares["high"] > base.shares["low"]).any()


def test_too_little_of_our_data_leaves_competitor_shares_unknown():
    own, own_index = own_frames(days=PERIOD_DAYS)  # 7 sources × 3 days = 21 pairs < 28
    mix = ct.traffic_mix(comp_frame(own_index, A), own, PERIOD, PREVIOUS)
    assert mix.curve is None
    s = mix.shares.set_index(["competitor_id", "group"])
    assert s.loc["A", "share"].isna().all() and s.loc[OWN_SHOP, "share"].notna().all()
    assert mix.flags.empty  # no share, no flag
    assert ct.traffic_mix(comp_frame(own_index, A), own, PERIOD, PREVIOUS, min_days=21).curve is not None


def test_a_period_without_rows_has_unknown_shares():
    only_now = [r for r in A if r[0] in PERIOD_DAYS]
    s = run(comp_extra=(only_now,)).shares.set_index(["competitor_id", "group"]).loc["A"]
    assert s["previous_share"].isna().all() and s["change"].isna().all() and s["share"].notna().all()


def test_bad_input_names_what_is_wrong():
    own, own_index = own_frames()
    comp = comp_frame(own_index, A)
    with pytest.raises(ContractError, match="traffic_index"):
        ct.traffic_mix(comp.drop(columns="traffic_index"), own, PERIOD, PREVIOUS)
    with pytest.raises(ContractError, match="uv"):
        ct.traffic_mix(comp, own.drop(columns="uv"), PERIOD, PREVIOUS)
    with pytest.raises(ContractError, match="twice"):
        ct.traffic_mix(pd.concat([comp, comp.iloc[[0]]]), own, PERIOD, PREVIOUS)
    with pytest.raises(ParamsError, match="paid_gap"):
        ct.traffic_mix(comp, own, PERIOD, PREVIOUS, paid_gap=10)
    with pytest.raises(ParamsError, match="previous"):
        ct.traffic_mix(comp, own, PERIOD, "2026-11")
