"""Promotion ads: channel ROI and budget use, campaign ROI, attribution maturity, computed by hand."""

import datetime as dt
import math

import pandas as pd
import pytest

from opsreport.analyses import promo_ads as pa
from opsreport.errors import ContractError, DataNotFoundError, ParamsError

TARGET = 3.0  # ROI target


def ads():
    rows = [
        # channel, campaign, spend, attributed, clicks, impressions (two days of s1)
        ("search", "s1", 600.0, 2_400.0, 300, 10_000),
        ("search", "s1", 400.0, 1_200.0, 200, 10_000),
        ("search", "s2", 50.0, 100.0, 40, 1_000),
        ("feed", "f1", 2_000.0, 5_000.0, 1_000, 100_000),
        ("live", "l1", 0.1, 0.3, 1, 10),  # 0.3 / 0.1 = 2.9999999999999996 in floats: on target
        ("affiliate", "a1", 0.0, 0.0, 0, 0),  # no spend
    ]
    return pd.DataFrame(rows, columns=["channel", "campaign", "spend", "attributed_amount", "clicks", "impressions"])


def budgets(**b):
    return pd.DataFrame({"channel": list(b), "budget": list(b.values())})


BUDGETS = budgets(search=1_000.0, feed=1_800.0, brand=500.0)  # brand: a budget, no ads


def test_channel_roi_and_budget_use():
    out = pa.channel_budgets(ads(), BUDGETS, TARGET)
    assert list(out.columns) == pa.CHANNEL_COLUMNS
    # most spend first; equal spend (0) by channel name
    assert list(out.channel) == ["feed", "search", "live", "affiliate", "brand"]
    c = out.set_index("channel")
    s = c.loc["search"]
    assert s.spend == pytest.approx(1_050) and s.attributed_amount == pytest.approx(3_700)  # 600 + 400 + 50
    assert s.roi == pytest.approx(3_700 / 1_050) and not s.below_target  # 3.52 ≥ 3
    assert s.ctr == pytest.approx(540 / 21_000) and s.cpc == pytest.approx(1_050 / 540)
    # 1,050 against 1,000 is exactly 5 % over: allowed (1,050 / 1,000 − 1 is 0.050000000000000044 in floats)
    assert s.overrun_rate == pytest.approx(0.05) and not s.over_budget
    f = c.loc["feed"]
    assert f.roi == pytest.approx(2.5) and f.below_target  # 5,000 / 2,000 < 3
    assert f.overrun_rate == pytest.approx(2_000 / 1_800 - 1) and f.over_budget  # 11.1 % over
    live = c.loc["live"]
    assert live.roi == pytest.approx(3.0) and not live.below_target  # on target up to float rounding
    assert math.isnan(live.budget) and math.isnan(live.overrun_rate) and not live.over_budget  # no budget: not flagged
    a = c.loc["affiliate"]
    assert math.isnan(a.roi) and not a.below_target  # no spend: no ROI, not below
    assert math.isnan(a.ctr) and math.isnan(a.cpc)
    b = c.loc["brand"]  # budget but no ads: kept with spend 0
    assert (b.spend, b.budget, b.overrun_rate) == (0, 500, -1) and not b.over_budget and math.isnan(b.roi)


def test_one_cent_beyond_the_tolerance_is_over_and_the_tolerance_is_a_parameter():
    rows = ads()
    rows.loc[2, "spend"] = 50.01  # search: 1,050.01 against 1,000 → 5.001 % over
    assert pa.channel_budgets(rows, BUDGETS, TARGET).set_index("channel").loc["search"].over_budget
    # with a 10 % tolerance feed's 11.1 % is still over, search's 5 % is not
    c = pa.channel_budgets(ads(), BUDGETS, TARGET, overrun_tolerance=0.10).set_index("channel")
    assert c.loc["feed"].over_budget and not c.loc["search"].over_budget
    # without budgets: every budget NaN, nothing flagged, brand absent
    none = pa.channel_budgets(ads(), None, TARGET)
    assert none.budget.isna().all() and not none.over_budget.any() and "brand" not in set(none.channel)


def test_budget_total_compares_budgeted_spend_with_budgets():
    total = pa.budget_total(pa.channel_budgets(ads(), BUDGETS, TARGET))
    assert total.spend == pytest.approx(3_050.1)  # 2,000 + 1,050 + 0.1 + 0 + 0
    assert total.attributed_amount == pytest.approx(8_700.3)  # 5,000 + 3,700 + 0.3
    assert total.roi == pytest.approx(8_700.3 / 3_050.1)
    assert total.budget == pytest.approx(3_300)  # 1,000 + 1,800 + 500
    assert total.budgeted_spend == pytest.approx(3_050)  # search 1,050 + feed 2,000 + brand 0; live's 0.1 has no budget
    assert total.overrun_rate == pytest.approx(3_050 / 3_300 - 1) and not total.over_budget  # 7.6 % under
    assert total.over_budget_channels == ("feed",)
    # without brand's budget: 3,050 against 2,800 → 8.9 % over
    over = pa.budget_total(pa.channel_budgets(ads(), budgets(search=1_000.0, feed=1_800.0), TARGET))
    assert over.overrun_rate == pytest.approx(3_050 / 2_800 - 1) and over.over_budget
    unbudgeted = pa.budget_total(pa.channel_budgets(ads(), None, TARGET))
    assert math.isnan(unbudgeted.budget) and math.isnan(unbudgeted.overrun_rate) and not unbudgeted.over_budget


def test_campaign_roi_flags_only_campaigns_spending_enough():
    out = pa.campaign_roi(ads(), TARGET, min_spend=100)
    assert list(out.columns) == pa.CAMPAIGN_COLUMNS
    assert list(out.campaign) == ["f1", "s1", "s2", "l1", "a1"]  # most spend first
    c = out.set_index("campaign")
    s1 = c.loc["s1"]
    assert (s1.spend, s1.attributed_amount, s1.clicks, s1.impressions) == (1_000, 3_600, 500, 20_000)  # two days summed
    assert s1.roi == pytest.approx(3.6) and s1.ctr == pytest.approx(500 / 20_000) and s1.cpc == pytest.approx(1_000 / 500)
    assert c.loc["f1"].below_target  # 2.5 < 3 with 2,000 spent
    assert c.loc["s2"].roi == pytest.approx(2.0) and not c.loc["s2"].below_target  # 100 / 50 < 3, but 50 < 100 spent
    assert not c.loc["l1"].below_target and not c.loc["a1"].below_target
    assert pa.campaign_roi(ads(), TARGET).set_index("campaign").loc["s2"].below_target  # min_spend 0: flagged


def test_attribution_window():
    end = dt.date(2026, 11, 11)
    # a click late on 11-11 keeps earning for 15 days: final at the end of 11-26
    assert pa.attribution_final_day(end) == dt.date(2026, 11, 26)
    assert not pa.attribution_mature(end, dt.date(2026, 11, 25))
    assert pa.attribution_days_remaining(end, dt.date(2026, 11, 25)) == 1
    assert pa.attribution_mature(end, "2026-11-26") and pa.attribution_days_remaining(end, "2026-11-26") == 0
    assert pa.attribution_days_remaining(end, dt.date(2026, 12, 31)) == 0
    assert pa.attribution_days_remaining(end, dt.date(2026, 11, 12), window_days=7) == 6  # final 11-18
    assert pa.attribution_mature(end, end, window_days=0)


def test_bad_input_is_refused():
    neg = ads()
    neg.loc[3, "spend"] = -1.0
    with pytest.raises(ContractError, match=r"negative spend in row 3 \(channel feed\)"):
        pa.channel_budgets(neg, BUDGETS, TARGET)
    with pytest.raises(ContractError, match="listed more than once"):
        pa.channel_budgets(ads(), pd.concat([BUDGETS, BUDGETS.iloc[[0]]], ignore_index=True), TARGET)
    with pytest.raises(ContractError, match="negative budget"):
        pa.channel_budgets(ads(), budgets(search=-5.0), TARGET)
    with pytest.raises(ContractError, match="channel is empty in row 1"):
        pa.campaign_roi(ads().assign(channel=["search", None, "search", "feed", "live", "affiliate"]), TARGET)
    with pytest.raises(ContractError, match="lack the column"):
        pa.campaign_roi(ads().drop(columns="clicks"), TARGET)
    with pytest.raises(ParamsError, match="roi_target"):
        pa.channel_budgets(ads(), BUDGETS, 0)
    with pytest.raises(ParamsError, match="overrun_tolerance"):
        pa.channel_budgets(ads(), BUDGETS, TARGET, overrun_tolerance=5)
    with pytest.raises(ParamsError, match="min_spend"):
        pa.campaign_roi(ads(), TARGET, min_spend=-1)
    with pytest.raises(DataNotFoundError, match="nothing to report"):
        pa.channel_budgets(ads().iloc[0:0], None, TARGET)
    with pytest.raises(DataNotFoundError, match="none given"):
        pa.campaign_roi(ads().iloc[0:0], TARGET)
    with pytest.raises(ParamsError, match="window_days"):
        pa.attribution_mature("2026-11-11", "2026-11-30", window_days=-1)
    with pytest.raises(ParamsError, match="data_end must be a date"):
        pa.attribution_mature("2026-11-11", "soon")
