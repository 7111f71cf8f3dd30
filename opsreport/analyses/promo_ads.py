"""A promotion's paid ads: ROI and budget use by channel, ROI by campaign, and whether attribution
is final yet.

Definitions (the pinned metrics; one attribution window throughout, never mixed):

- ``roi`` = attributed_amount / spend (NaN when spend is 0); ``ctr`` = clicks / impressions;
  ``cpc`` = spend / clicks (NaN when the denominator is 0). Sums first, ratios after.
- ``below_target``: roi < roi_target. Exactly on target is not below (float rounding allowed); a
  NaN ROI (no spend) is never below. For campaigns, only those spending at least ``min_spend``
  are flagged (a tiny test budget says little).
- Budget use (`channel_budgets`): ``overrun_rate`` = spend / budget − 1; ``over_budget`` when
  overrun_rate > ``overrun_tolerance`` strictly (the seeds: an overrun ≤ 5 % is allowed, so exactly
  5 % over passes; float rounding allowed). A channel in ``budgets`` without ads keeps its row with
  spend 0 (overrun_rate −1). A channel with spend but no budget (absent, or empty): budget NaN,
  overrun_rate NaN, never flagged: there is nothing to overrun (neither spend nor budget: no
  row). Budget 0 with spend: overrun_rate inf, over budget.
- Totals (`budget_total`): spend, attributed_amount and roi over every channel; budget use only
  over the channels that have a budget (their spend against their budgets), so unbudgeted spend
  never looks like an overrun.
- Attribution (`attribution_mature`): attributed amounts keep arriving for ``window_days`` after a
  click (orders placed later are credited back to the click's day). A click in the last instant of
  the promotion's last day E is final at the end of E + window_days, so the ads data is mature when
  it runs to that day (``attribution_final_day``); before, every ROI is a lower bound.

Ads rows: channel, campaign, spend, attributed_amount, clicks, impressions (any number of days).
Bad rows raise `ContractError` naming them, bad arguments `ParamsError`, no data `DataNotFoundError`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ContractError, DataNotFoundError, ParamsError
from ._checks import as_date, require_columns

OVERRUN_TOLERANCE = 0.05  # the seeds: ad budget overrun ≤ 5 %
ATTRIBUTION_DAYS = 15
_EPS = 1e-9  # relative float tolerance for "exactly on target / on the tolerance"
_SHOWN = 5
MEASURES = ["spend", "attributed_amount", "clicks", "impressions"]
CHANNEL_COLUMNS = ["channel", *MEASURES, "ctr", "cpc", "roi", "below_target", "budget", "overrun_rate", "over_budget"]
CAMPAIGN_COLUMNS = ["channel", "campaign", *MEASURES, "ctr", "cpc", "roi", "below_target"]


def _rows(frame: pd.DataFrame, mask) -> str:
    mask = np.asarray(mask, dtype=bool)
    names = [f"row {i} (channel {c})" for i, c in zip(frame.index[mask], frame.channel[mask])]
    return ", ".join(names[:_SHOWN]) + (f" (and {len(names) - _SHOWN} more)" if len(names) > _SHOWN else "")


def _frame(frame, columns: list[str], what: str) -> pd.DataFrame:
    require_columns(frame, columns, what)
    out = frame[columns].copy()
    for key in ("channel", "campaign"):
        empty = out[key].isna() | (out[key].astype(str).str.strip() == "") if key in out else pd.Series(False)
        if empty.any():
            raise ContractError(f"{what}: {key} is empty in row {', '.join(map(str, out.index[empty][:_SHOWN]))}.")
    return out


def _numbers(out: pd.DataFrame, columns: list[str], what: str, *, nullable: bool = False) -> pd.DataFrame:
    for col in columns:
        values = pd.to_numeric(out[col], errors="coerce").astype(float)
        bad = values.isna() & (out[col].notna() if nullable else True)
        if bad.any():
            raise ContractError(f"{what}: {col} is missing or not a number in {_rows(out, bad)}.")
        if (values < 0).any():
            raise ContractError(f"{what}: negative {col} in {_rows(out, values < 0)}; it must be 0 or more.")
        out[col] = values
    return out


def _ads(ads) -> pd.DataFrame:
    return _numbers(_frame(ads, ["channel", "campaign", *MEASURES], "Ads rows"), MEASURES, "Ads rows")


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value) or value <= 0:
        raise ParamsError(f"{name} must be a positive number, e.g. 3 (got {value!r}).")
    return float(value)


def _rates(frame: pd.DataFrame, roi_target: float) -> pd.DataFrame:
    frame["ctr"] = (frame.clicks / frame.impressions).where(frame.impressions > 0)
    frame["cpc"] = (frame.spend / frame.clicks).where(frame.clicks > 0)
    frame["roi"] = (frame.attributed_amount / frame.spend).where(frame.spend > 0)
    frame["below_target"] = (frame.roi < roi_target * (1 - _EPS)).fillna(False).astype(bool)
    return frame


def _order(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(["spend", *keys], ascending=[False, *[True] * len(keys)], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- channels and budgets

def channel_budgets(ads: pd.DataFrame, budgets: pd.DataFrame | None, roi_target: float,
                    overrun_tolerance: float = OVERRUN_TOLERANCE) -> pd.DataFrame:
    """One row per channel (CHANNEL_COLUMNS), most spend first; ``budgets``: channel, budget (yuan)
    or None. Rules: module docstring."""
    roi_target = _positive(roi_target, "roi_target")
    if isinstance(overrun_tolerance, bool) or not isinstance(overrun_tolerance, (int, float)) or not 0 <= overrun_tolerance < 1:
        raise ParamsError(f"overrun_tolerance must be a share between 0 and 1, e.g. 0.05 (got {overrun_tolerance!r}).")
    a = _ads(ads)
    spent = a.groupby("channel")[MEASURES].sum()
    if budgets is None:
        b = pd.Series(dtype=float, name="budget")
    else:
        bf = _numbers(_frame(budgets, ["channel", "budget"], "Channel budgets"), ["budget"], "Channel budgets", nullable=True)
        twice = bf.channel.duplicated(keep=False)
        if twice.any():
            raise ContractError(f"Channel budgets: a channel is listed more than once in {_rows(bf, twice)}.")
        b = bf.set_index("channel").budget
    if spent.empty and b.dropna().empty:
        raise DataNotFoundError("Ads rows: none given and no channel budget: nothing to report on paid ads.")
    channels = spent.index.union(b.dropna().index)
    out = spent.reindex(channels, fill_value=0.0).rename_axis("channel").reset_index()
    out = _rates(out, roi_target)
    out["budget"] = out.channel.map(b).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["overrun_rate"] = np.where(out.budget > 0, out.spend / out.budget - 1,
                                       np.where((out.budget == 0) & (out.spend > 0), np.inf, np.nan))
    out["over_budget"] = (out.spend - out.budget * (1 + overrun_tolerance) > _EPS * out.budget.clip(lower=1)).astype(bool)
    return _order(out, ["channel"])[CHANNEL_COLUMNS]


@dataclass(frozen=True)
class BudgetTotal:
    spend: float
    attributed_amount: float
    roi: float  # attributed / spend over every channel; NaN without spend
    budget: float  # Σ budgets given (NaN when none)
    budgeted_spend: float  # spend of the channels that have a budget
    overrun_rate: float  # budgeted_spend / budget − 1
    over_budget: bool  # overrun_rate > the tolerance
    over_budget_channels: tuple[str, ...]


def budget_total(channels: pd.DataFrame, overrun_tolerance: float = OVERRUN_TOLERANCE) -> BudgetTotal:
    """The totals of a `channel_budgets` frame (budget use over the budgeted channels only)."""
    spend, amount = float(channels.spend.sum()), float(channels.attributed_amount.sum())
    budgeted = channels[channels.budget.notna()]
    budget = float(budgeted.budget.sum()) if len(budgeted) else math.nan
    used = float(budgeted.spend.sum())
    rate = used / budget - 1 if budget > 0 else (math.inf if budget == 0 and used > 0 else math.nan)
    over = bool(len(budgeted)) and used - budget * (1 + overrun_tolerance) > _EPS * max(budget, 1.0)
    return BudgetTotal(spend=spend, attributed_amount=amount, roi=amount / spend if spend > 0 else math.nan,
                       budget=budget, budgeted_spend=used, overrun_rate=rate, over_budget=bool(over),
                       over_budget_channels=tuple(channels.channel[channels.over_budget]))


# --------------------------------------------------------------------------- campaigns

def campaign_roi(ads: pd.DataFrame, roi_target: float, min_spend: float = 0.0) -> pd.DataFrame:
    """One row per (channel, campaign) (CAMPAIGN_COLUMNS), most spend first; ``below_target`` only
    for campaigns spending at least ``min_spend``."""
    roi_target = _positive(roi_target, "roi_target")
    if isinstance(min_spend, bool) or not isinstance(min_spend, (int, float)) or not min_spend >= 0:
        raise ParamsError(f"min_spend must be an amount ≥ 0 in yuan (got {min_spend!r}).")
    a = _ads(ads)
    if a.empty:
        raise DataNotFoundError("Ads rows: none given for the promotion; import the ads report (table ads_daily).")
    out = _rates(a.groupby(["channel", "campaign"], as_index=False)[MEASURES].sum(), roi_target)
    out["below_target"] = out.below_target & (out.spend >= min_spend)
    return _order(out, ["channel", "campaign"])[CAMPAIGN_COLUMNS]


# --------------------------------------------------------------------------- attribution

def attribution_final_day(promo_end, window_days: int = ATTRIBUTION_DAYS) -> dt.date:
    """The first day whose end closes the attribution window of the promotion's last click."""
    if isinstance(window_days, bool) or not isinstance(window_days, (int, np.integer)) or window_days < 0:
        raise ParamsError(f"window_days must be a whole number of days ≥ 0, e.g. 15 (got {window_days!r}).")
    return as_date(promo_end, "promo_end") + dt.timedelta(days=int(window_days))


def attribution_mature(promo_end, data_end, window_days: int = ATTRIBUTION_DAYS) -> bool:
    """True when the ads data runs to the end of the last click's attribution window."""
    return as_date(data_end, "data_end") >= attribution_final_day(promo_end, window_days)


def attribution_days_remaining(promo_end, data_end, window_days: int = ATTRIBUTION_DAYS) -> int:
    """Days of data still to come before attribution is final (0 once mature)."""
    return max((attribution_final_day(promo_end, window_days) - as_date(data_end, "data_end")).days, 0)
