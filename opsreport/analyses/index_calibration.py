"""Platform indices (交易指数, 流量指数, ...) turned into estimated real values, calibrated on our shop.

Why. A competition tool shows every shop, ours included, as INDEX values: a proprietary, monotone,
non-linear transform of the real value (交易指数 of 支付金额, ...). Sums, means, ratios and growth
rates of indices mean nothing. Our own shop is the one shop whose index AND real value are both
known, day by day, so it calibrates the transform; the curve then reads a competitor's index as an
estimate of its real value.

Method. Per measure, an ordinary least-squares fit (statsmodels ``OLS``) on the days where both the
index and the real value are > 0:

    ln(real_d) = a + b × ln(index_d) + e_d,    e_d independent, mean 0, variance σ²

A power transform index = c × real^k (the usual shape of these indices) is exactly linear on this
scale (b = 1/k, a = −ln(c)/k), so a noise-free power law is recovered exactly. For a day's index
the estimate is exp(â + b̂ ln index) with the regression's prediction interval for a new
observation (parameter uncertainty plus σ²; ``get_prediction(...).summary_frame``
``obs_ci_lower``/``obs_ci_upper``) back-transformed with exp. Because the fit is on logs, the
estimate is the MEDIAN of the real value given the index, not its mean (the mean is higher by
about exp(σ²/2): 0.02 % at σ = 0.02, 0.5 % at σ = 0.1); the interval's bounds are exact quantiles.

Exactness and invariance. Replacing every index by c × index^k (k > 0) changes ln(index) affinely,
so the fitted line, its predictions and intervals are unchanged: estimates do not depend on the
index's scale or power, only on the order and the calibration. Nothing here adds, averages or
divides raw indices.

Limits.
- A transform that is not a power law (e.g. logarithmic) is not a straight line on this scale; the
  misfit becomes part of σ̂, so the intervals widen and still cover the truth for indices inside
  our range at about the stated level, but the error is systematic (it depends on where the index
  lies), not random.
- Outside our own range of indices the curve is extrapolated: such estimates are kept and flagged
  (``extrapolated``) when the index lies beyond [index_low, index_high] by more than
  ``EXTRAPOLATION_MARGIN`` of that range's width on the log scale (a margin that is itself
  invariant under c × index^k). A competitor much larger than us is always extrapolated.
- An index of 0 is read as a real value of 0 (the transform is monotone and shows 0 only for a day
  without activity); a missing index is a missing estimate (NaN), never 0.
- Daily errors of the calibration are largely shared by the days (they come from one curve), so the
  range of a period's total is the sum of the daily bounds (`period_total`): conservative, not the
  narrower range independent errors would give.

Bad arguments raise `ParamsError`, bad data `ContractError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ContractError, ParamsError
from ..schemas import OWN_SHOP
from ._checks import require_columns

#: Index column of competitor_daily -> the real measure it transforms.
INDEX_OF = {
    "trade_index": "paid_amount",
    "traffic_index": "uv",
    "search_index": "search_uv",
    "fav_index": "fav_users",
    "cart_index": "cart_users",
    "buyer_index": "paid_buyers",
    "conversion_index": "conversion_rate",
}
#: Share of the calibration range's width (log scale) an index may lie beyond it before its
#: estimate counts as extrapolated.
EXTRAPOLATION_MARGIN = 0.05
LEVEL = 0.9
MIN_DAYS = 28
ESTIMATE_COLUMNS = ["estimate", "low", "high", "extrapolated"]
REAL_COLUMNS = ["date", "paid_amount", "uv", "search_uv", "fav_users", "cart_users", "paid_buyers", "conversion_rate"]


def check_level(level) -> float:
    """``level`` as a float strictly between 0 and 1."""
    if isinstance(level, bool) or not isinstance(level, (int, float, np.floating)) or not 0 < level < 1:
        raise ParamsError(f"level must lie between 0 and 1, e.g. 0.9 (got {level!r}).")
    return float(level)


def _check_min_days(min_days) -> int:
    if isinstance(min_days, bool) or not isinstance(min_days, (int, np.integer)) or min_days < 3:
        raise ParamsError(f"min_days must be a whole number of at least 3 (got {min_days!r}).")
    return int(min_days)


def _numbers(values: pd.Series, what: str) -> pd.Series:
    """``values`` as floats; text that is not a number or a negative value raises ContractError."""
    out = pd.to_numeric(values, errors="coerce").astype(float)
    bad = out.isna() & values.notna()
    if bad.any():
        raise ContractError(f"{what}: {int(bad.sum())} value(s) are not numbers, e.g. {values[bad].iloc[0]!r}.")
    if (out < 0).any():
        raise ContractError(f"{what}: {int((out < 0).sum())} negative value(s), e.g. {out[out < 0].iloc[0]!r}; "
                            "indices and real measures are 0 or more.")
    return out


@dataclass(frozen=True)
class Curve:
    """A calibration ln(real) = intercept + slope × ln(index) fitted on our own shop.

    ``metric`` is the real measure estimated (e.g. 'paid_amount'); ``resid_sd`` σ̂ on the log
    scale; ``n_days`` the calibration pairs; ``index_low``/``index_high`` the range of our
    calibration indices; ``r2`` the fit's R²; ``level`` the prediction intervals' level.
    """

    metric: str
    slope: float
    intercept: float
    resid_sd: float
    n_days: int
    index_low: float
    index_high: float
    r2: float
    level: float
    model: object = field(repr=False, compare=False)  # the statsmodels results, for intervals

    def estimate(self, index: pd.Series) -> pd.DataFrame:
        """Estimated real values of ``index`` (same row index as the Series).

        Columns: ``estimate`` (the median, see the module), ``low``/``high`` (prediction interval at
        ``level``), ``extrapolated`` (the index lies outside our calibration range by more than the
        margin). Index 0 gives 0 with a 0-wide range; a missing index gives NaN and
        ``extrapolated`` False.
        """
        if not isinstance(index, pd.Series):
            raise ParamsError(f"index must be a pandas Series (got {type(index).__name__}).")
        x = _numbers(index, f"{self.metric} index")
        out = pd.DataFrame({c: np.nan for c in ESTIMATE_COLUMNS[:3]}, index=index.index)
        out["extrapolated"] = False
        positive = (x > 0).to_numpy()
        if positive.any():
            logs = np.log(x.to_numpy()[positive])
            pred = self.model.get_prediction(np.column_stack([np.ones(len(logs)), logs])).summary_frame(
                alpha=1 - self.level)
            out.loc[positive, "estimate"] = np.exp(pred["mean"].to_numpy())
            out.loc[positive, "low"] = np.exp(pred["obs_ci_lower"].to_numpy())
            out.loc[positive, "high"] = np.exp(pred["obs_ci_upper"].to_numpy())
            lo, hi = math.log(self.index_low), math.log(self.index_high)
            margin = EXTRAPOLATION_MARGIN * (hi - lo)
            out.loc[positive, "extrapolated"] = (logs < lo - margin) | (logs > hi + margin)
        out.loc[(x == 0).to_numpy(), ["estimate", "low", "high"]] = 0.0
        return out


def fit(index: pd.Series, real: pd.Series, metric: str, level: float = LEVEL, min_days: int = MIN_DAYS) -> Curve | None:
    """Calibrate ``metric`` on our shop's ``index`` and ``real`` values (Series aligned by their index,
    e.g. dates, or (date, source) pairs).

    Only pairs where both are > 0 are used. Returns None when there are fewer than ``min_days`` of
    them, when our index never changed (no slope to fit), or when the fitted slope is not positive
    (a curve that falls contradicts a monotone index): too little to calibrate.
    """
    from statsmodels.regression.linear_model import OLS

    level, min_days = check_level(level), _check_min_days(min_days)
    for name, series in (("index", index), ("real", real)):
        if not isinstance(series, pd.Series):
            raise ParamsError(f"{name} must be a pandas Series (got {type(series).__name__}).")
        if not series.index.is_unique:
            raise ContractError(f"The {name} values of {metric} have a date (key) twice; give one value per day.")
    pairs = pd.concat({"index": _numbers(index, f"{metric} index"), "real": _numbers(real, metric)},
                      axis=1, join="inner")
    pairs = pairs[(pairs["index"] > 0) & (pairs["real"] > 0)]
    if len(pairs) < min_days or pairs["index"].nunique() < 2:
        return None
    x, y = np.log(pairs["index"].to_numpy()), np.log(pairs["real"].to_numpy())
    result = OLS(y, np.column_stack([np.ones(len(x)), x])).fit()
    if not result.params[1] > 0:
        return None
    return Curve(metric=metric, slope=float(result.params[1]), intercept=float(result.params[0]),
                 resid_sd=math.sqrt(max(float(result.scale), 0.0)), n_days=len(pairs),
                 index_low=float(pairs["index"].min()), index_high=float(pairs["index"].max()),
                 r2=float(result.rsquared), level=level, model=result)


def _by_date(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """``frame`` indexed by its (day-normalised) dates; a date twice raises ContractError."""
    dates = pd.to_datetime(frame["date"], errors="coerce")
    if dates.isna().any():
        raise ContractError(f"{what}: {int(dates.isna().sum())} row(s) without a readable date.")
    out = frame.set_axis(pd.DatetimeIndex(dates).normalize(), axis=0)
    if not out.index.is_unique:
        twice = out.index[out.index.duplicated()][0].date()
        raise ContractError(f"{what} hold {twice} twice; give one row per day.")
    return out


def fit_all(own: pd.DataFrame, real: pd.DataFrame, level: float = LEVEL, min_days: int = MIN_DAYS) -> dict[str, Curve]:
    """One `Curve` per index column whose real measure (INDEX_OF) is also in ``real``.

    ``own``: date and index columns of our shop (competitor_daily rows; when it has a
    ``competitor_id`` column only the OWN_SHOP rows are used). ``real``: date and real measures
    (see `real_measures`). Keys are index columns ('trade_index', ...); a measure with too little
    data to calibrate (see `fit`) is left out.
    """
    require_columns(own, ["date"], "Our own index rows")
    require_columns(real, ["date"], "Our own real values")
    if "competitor_id" in own.columns:
        own = own[own["competitor_id"] == OWN_SHOP]
    own_d, real_d = _by_date(own, "Our own index rows"), _by_date(real, "Our own real values")
    curves = {}
    for column, measure in INDEX_OF.items():
        if column in own_d.columns and measure in real_d.columns:
            curve = fit(own_d[column], real_d[measure], measure, level=level, min_days=min_days)
            if curve is not None:
                curves[column] = curve
    return curves


def real_measures(shop_daily: pd.DataFrame, traffic_daily: pd.DataFrame | None = None) -> pd.DataFrame:
    """Our real daily measures in the names INDEX_OF uses, from shop_daily (and traffic_daily).

    Columns REAL_COLUMNS: paid_amount, uv, paid_buyers from the overview; fav_users and cart_users
    when the export has them (else NaN: unknown); conversion_rate = paid_buyers / uv of the day
    (NaN when uv is 0: the conversion index is a daily rate, so its calibration is daily);
    search_uv = the day's UV of source 'search' in traffic_daily (NaN without it).
    """
    require_columns(shop_daily, ["date", "uv", "paid_buyers", "paid_amount"], "shop_daily rows")
    out = _by_date(shop_daily, "shop_daily rows")
    frame = pd.DataFrame(index=out.index)
    for column in ("paid_amount", "uv", "paid_buyers", "fav_users", "cart_users"):
        frame[column] = _numbers(out[column], f"shop_daily {column}") if column in out.columns else np.nan
    frame["conversion_rate"] = (frame["paid_buyers"] / frame["uv"]).where(frame["uv"] > 0)
    frame["search_uv"] = np.nan
    if traffic_daily is not None:
        require_columns(traffic_daily, ["date", "source", "uv"], "traffic_daily rows")
        search = _by_date(traffic_daily[traffic_daily["source"] == "search"], "traffic_daily rows of source search")
        frame["search_uv"] = _numbers(search["uv"], "traffic_daily uv").reindex(frame.index)
    frame = frame.rename_axis("date").reset_index()
    return frame[REAL_COLUMNS]


@dataclass(frozen=True)
class Estimate:
    """An estimated real value and its range (low..high); NaN: unknown."""

    est: float
    low: float
    high: float

    @classmethod
    def exact(cls, value: float) -> Estimate:
        """A real (known) value: its range is the value itself."""
        return cls(float(value), float(value), float(value))

    @property
    def known(self) -> bool:
        return not math.isnan(self.est)


UNKNOWN = Estimate(math.nan, math.nan, math.nan)


def period_total(frame: pd.DataFrame) -> Estimate:
    """Sum of daily estimates (a frame from `Curve.estimate`); range = Σ daily lows .. Σ daily highs.

    The range treats the calibration error as shared by the days (it largely is: one curve), so it
    is conservative. Unknown (NaN) when the frame is empty or any day's estimate is missing: a total
    with a day left out is not the total.
    """
    require_columns(frame, ["estimate", "low", "high"], "Daily estimates")
    if frame.empty or frame[["estimate", "low", "high"]].isna().any().any():
        return UNKNOWN
    return Estimate(float(frame["estimate"].sum()), float(frame["low"].sum()), float(frame["high"].sum()))


def _div(a: float, b: float) -> float:
    return a / b if b > 0 and not math.isnan(a) else math.nan


def ratio(num: Estimate, den: Estimate) -> Estimate:
    """num / den with the widest range the two ranges allow: low = num.low / den.high,
    high = num.high / den.low. A bound whose denominator is 0 (or unknown) is NaN."""
    return Estimate(_div(num.est, den.est), _div(num.low, den.high), _div(num.high, den.low))


def growth(cur: Estimate, prev: Estimate) -> Estimate:
    """cur / prev − 1 with the range of `ratio` (conservative: the shared calibration error that
    moves both periods the same way largely cancels in a growth rate)."""
    r = ratio(cur, prev)
    return Estimate(r.est - 1, r.low - 1, r.high - 1)
