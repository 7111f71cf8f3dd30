"""Real lift of a promotion: actual sales against what the shop would have sold without it.

The counterfactual baseline is an ordinary least-squares regression (statsmodels ``OLS``) of
the daily series on a constant, a linear time index and six day-of-week dummies:

    y_t = a + b × t + d_weekday(t) + e_t,    e_t independent, mean 0, constant variance σ²

fitted ONLY on the last whole weeks before the promotion (``fit_weeks``, default 8, at least 4),
ending the day before the pre-dip window so that a pull-forward dip does not lower the
baseline. Whole weeks are used so that every weekday appears equally often and the trend is not
confused with the weekday pattern. The fitted line is then projected over the pre-dip,
promotion and hangover days:

    lift (per day) = actual − baseline
    promotion lift = Σ over the promotion days; lift share = promotion lift / Σ baseline
    pre-promotion dip = Σ over the pre-dip days (usually negative: purchases pulled forward)
    hangover = Σ over the days after the end (usually negative: demand already served)
    net lift = promotion lift + dip + hangover

Intervals. A day's baseline band is the regression's prediction interval for a new
observation (parameter uncertainty plus σ²). The interval of a sum over a window of n days is
exact for this model rather than a sum of daily variances: with a = the sum of the window's
design rows, Var(Σ actual − Σ baseline) = a' Cov(β̂) a + n × σ̂², because the days share the
same estimated parameters (their baseline errors are correlated, so adding daily variances
would understate the uncertainty of the total) while their noise is independent. The bounds use
Student's t with the fit's residual degrees of freedom (n_fit − 8). The net lift's interval is
computed the same way over all its days together.

Why this model. With the four to eight weeks a retrospective can rely on (older weeks belong
to another season, another promotion or another assortment), a regression with eight
parameters is well determined, has no optimiser to fail, and can be stated in one line. The
state-space and seasonal tools in statsmodels (``UnobservedComponents``, ``ETSModel``, SARIMAX)
estimate extra variance parameters that 28–56 points identify poorly, let the level wander so
the projected band widens quickly, and their assumptions are harder to state in an appendix.

Assumptions. Without the promotion, the weeks before would have continued along the same
straight line with the same additive weekday pattern; daily deviations are independent with one
variance; the fit weeks hold no other promotion, stockout, outage or data gap.

Limits.
- Daily deviations of real GMV are positively autocorrelated (a good week stays good); then the
  intervals are too narrow. ``residual_autocorrelation`` (lag 1 of the fit residuals) is
  returned: above about 0.3, read the interval as optimistic.
- A linear trend extrapolated far overstates or understates the baseline: keep the promotion and
  hangover short compared with the fit (days, not weeks).
- Weekday effects are additive (yuan, not percent); with a level steady over the fit weeks the
  two differ little, and additive keeps lift in yuan and makes the daily parts add up.
- Seasonality longer than a week (month-end paydays, holidays, the platform's own traffic for a
  festival such as Double 11) is not modelled: the baseline carries none of it, and the lift
  absorbs it. Pre-sale deposits paid before the start count where the series puts them.
- Lift is "vs the shop's own trend", not causal proof; a competitor's event at the same time is
  in the lift too.

Cannibalisation applies the same baseline to the daily GMV of the non-promoted SKUs of the
promoted categories: their promotion "lift" is the sales the promotion took from them (negative)
or brought them (positive, a halo). It is reported beside the lift, not subtracted with a
combined interval: the two series' deviations are correlated, so their errors do not add up
independently.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataNotFoundError, ParamsError

#: Fewest whole weeks before the promotion the baseline is fitted on.
MIN_FIT_WEEKS = 4
#: Whole weeks fitted by default (the most recent ones before the pre-dip window).
FIT_WEEKS = 8
PHASES = ("fit", "pre_dip", "promotion", "hangover")
_SHOWN = 5  # dates named in an error before "(and N more)"


@dataclass(frozen=True)
class Estimate:
    """A lift figure (yuan) with its interval at the result's ``level``."""

    value: float
    lower: float
    upper: float

    def contains(self, x: float) -> bool:
        return self.lower <= x <= self.upper


@dataclass(frozen=True)
class Lift:
    """Real lift of a promotion against a baseline fitted on the weeks before it.

    ``daily`` has one row per day from the first fit day to the last hangover day: date, phase
    (one of PHASES), actual_amount, baseline_amount, baseline_lower, baseline_upper (the
    prediction interval), lift_amount = actual − baseline, lift_lower, lift_upper. On fit days
    the baseline is the fitted value and the lift is the residual.
    """

    daily: pd.DataFrame
    promotion: Estimate  # Σ (actual − baseline) over the promotion days
    pre_dip: Estimate  # the same over the days before the start (0 when no window)
    hangover: Estimate  # the same over the days after the end (0 when no window)
    net: Estimate  # promotion + pre_dip + hangover, interval over all those days together
    baseline_amount: float  # Σ baseline over the promotion days
    lift_share: float  # promotion.value / baseline_amount (NaN when the baseline is not positive)
    level: float  # confidence level of every interval
    fit_start: dt.date
    fit_end: dt.date
    trend_per_day: float  # fitted slope b (yuan per day)
    residual_sd: float  # σ̂, yuan per day
    residual_autocorrelation: float  # lag-1 autocorrelation of the fit residuals (see Limits)

    def frame(self) -> pd.DataFrame:
        """part, lift_amount, lift_lower, lift_upper: one row each for pre_dip, promotion,
        hangover and net."""
        rows = [{"part": name, "lift_amount": e.value, "lift_lower": e.lower, "lift_upper": e.upper}
                for name, e in (("pre_dip", self.pre_dip), ("promotion", self.promotion),
                                ("hangover", self.hangover), ("net", self.net))]
        return pd.DataFrame(rows, columns=["part", "lift_amount", "lift_lower", "lift_upper"])


def real_lift(series: pd.Series, start, end, *, pre_dip_days: int = 0, hangover_days: int = 0,
              fit_weeks: int = FIT_WEEKS, level: float = 0.95) -> Lift:
    """Lift of the promotion running ``start``..``end`` (dates, inclusive) in a daily series.

    Parameters
    ----------
    series
        Daily amounts (e.g. GMV) indexed by date, covering at least ``MIN_FIT_WEEKS`` whole weeks
        before the pre-dip window, and every day through the last hangover day, without gaps.
    start, end
        First and last day of the promotion (date, Timestamp or ISO text).
    pre_dip_days
        Days just before ``start`` kept out of the fit and measured as the pull-forward dip.
    hangover_days
        Days just after ``end`` measured as the hangover.
    fit_weeks
        Most whole weeks the baseline is fitted on (fewer when the series is shorter, never
        fewer than ``MIN_FIT_WEEKS``).
    level
        Confidence level of the intervals.

    Raises
    ------
    ParamsError
        Dates in the wrong order, negative windows, a level outside (0, 1), a series that is not
        numeric or has a date twice.
    DataNotFoundError
        Fewer than ``MIN_FIT_WEEKS`` whole weeks before the pre-dip window, or a day missing (or
        empty) in the fit weeks or the measured windows.
    """
    y = _daily(series)
    start, end = _day(start, "start"), _day(end, "end")
    if end < start:
        raise ParamsError(f"The promotion ends ({end.date()}) before it starts ({start.date()}): swap start and end.")
    for name, value in (("pre_dip_days", pre_dip_days), ("hangover_days", hangover_days)):
        if not isinstance(value, (int, np.integer)) or value < 0:
            raise ParamsError(f"{name} must be a whole number of days, 0 or more (got {value!r}).")
    if not isinstance(fit_weeks, (int, np.integer)) or fit_weeks < MIN_FIT_WEEKS:
        raise ParamsError(f"fit_weeks must be a whole number of at least {MIN_FIT_WEEKS} (got {fit_weeks!r}).")
    if not 0 < level < 1:
        raise ParamsError(f"level must lie between 0 and 1, e.g. 0.95 (got {level!r}).")

    day = pd.Timedelta(days=1)
    dip_start = start - pre_dip_days * day
    fit_end = dip_start - day
    first = y.index.min() if len(y) else fit_end + day
    available = (fit_end - first).days + 1
    weeks = min(fit_weeks, max(available, 0) // 7)
    if weeks < MIN_FIT_WEEKS:
        what = f" and its {pre_dip_days}-day pre-dip window" if pre_dip_days else ""
        raise DataNotFoundError(
            f"The baseline needs at least {MIN_FIT_WEEKS} full weeks ({MIN_FIT_WEEKS * 7} days) before the "
            f"promotion starting {start.date()}{what}, but the series has {max(available, 0)} day(s) before "
            f"{dip_start.date()}. Load daily data from {(fit_end - (MIN_FIT_WEEKS * 7 - 1) * day).date()} on."
        )
    fit_start = fit_end - (weeks * 7 - 1) * day
    last = end + hangover_days * day
    fit_days = pd.date_range(fit_start, fit_end, freq="D")
    out_days = pd.date_range(dip_start, last, freq="D")
    _require_days(y, fit_days, "the baseline's fit weeks")
    _require_days(y, out_days, "the pre-dip, promotion and hangover days")

    from statsmodels.regression.linear_model import OLS
    from scipy import stats

    x_fit, x_out = _design(fit_days, fit_start), _design(out_days, fit_start)
    y_fit, y_out = y.reindex(fit_days).to_numpy(), y.reindex(out_days).to_numpy()
    fit = OLS(y_fit, x_fit).fit()
    alpha = 1 - level
    in_sample = fit.get_prediction(x_fit).summary_frame(alpha=alpha)
    projected = fit.get_prediction(x_out).summary_frame(alpha=alpha)

    phase = np.where(out_days < start, "pre_dip", np.where(out_days <= end, "promotion", "hangover"))
    daily = pd.concat([_rows(fit_days, "fit", y_fit, in_sample), _rows(out_days, phase, y_out, projected)],
                      ignore_index=True)

    t = stats.t.ppf(1 - alpha / 2, fit.df_resid)
    cov, scale = np.asarray(fit.cov_params()), float(fit.scale)

    def window(mask: np.ndarray) -> Estimate:
        n = int(mask.sum())
        if n == 0:
            return Estimate(0.0, 0.0, 0.0)
        a = x_out[mask].sum(axis=0)  # Σ baseline = a · β̂
        value = float(y_out[mask].sum() - a @ fit.params)
        half = float(t) * math.sqrt(float(a @ cov @ a) + n * scale)
        return Estimate(value, value - half, value + half)

    promo_mask = phase == "promotion"
    promotion = window(promo_mask)
    baseline_amount = float(projected["mean"].to_numpy()[promo_mask].sum())
    resid = np.asarray(fit.resid)
    exact = resid.std() <= 1e-9 * max(1.0, float(np.abs(y_fit).mean()))  # an exact fit leaves float rounding only
    rho = float("nan") if exact else float(np.corrcoef(resid[:-1], resid[1:])[0, 1])
    return Lift(
        daily=daily,
        promotion=promotion,
        pre_dip=window(phase == "pre_dip"),
        hangover=window(phase == "hangover"),
        net=window(np.ones(len(out_days), dtype=bool)),
        baseline_amount=baseline_amount,
        lift_share=promotion.value / baseline_amount if baseline_amount > 0 else float("nan"),
        level=level,
        fit_start=fit_start.date(),
        fit_end=fit_end.date(),
        trend_per_day=float(fit.params[1]),
        residual_sd=math.sqrt(scale),
        residual_autocorrelation=rho,
    )


def cannibalisation(non_promoted: pd.Series, start, end, *, pre_dip_days: int = 0, hangover_days: int = 0,
                    fit_weeks: int = FIT_WEEKS, level: float = 0.95) -> Lift:
    """Cannibalisation: the real lift of the daily GMV of the promoted categories' non-promoted SKUs.

    The same baseline as `real_lift` (same fit weeks when given the same windows);
    ``result.promotion.value`` is the GMV those SKUs lost during the promotion (negative) or
    gained from it (positive: a halo), with its interval. Pass the promotion's ``pre_dip_days``
    so that the fit weeks are the same as the lift's. Raises as `real_lift`.
    """
    return real_lift(non_promoted, start, end, pre_dip_days=pre_dip_days, hangover_days=hangover_days,
                     fit_weeks=fit_weeks, level=level)


def _design(days: pd.DatetimeIndex, origin: pd.Timestamp) -> np.ndarray:
    """Constant, days since ``origin``, and a dummy for each weekday Tuesday..Sunday (Monday is
    the reference)."""
    t = np.asarray((days - origin).days, dtype=float)
    weekday = np.asarray(days.day_of_week)
    dummies = [(weekday == k).astype(float) for k in range(1, 7)]
    return np.column_stack([np.ones(len(days)), t, *dummies])


def _rows(days: pd.DatetimeIndex, phase, actual: np.ndarray, pred: pd.DataFrame) -> pd.DataFrame:
    base, lower, upper = (pred[c].to_numpy() for c in ("mean", "obs_ci_lower", "obs_ci_upper"))
    return pd.DataFrame({
        "date": days.date, "phase": phase, "actual_amount": actual,
        "baseline_amount": base, "baseline_lower": lower, "baseline_upper": upper,
        "lift_amount": actual - base, "lift_lower": actual - upper, "lift_upper": actual - lower,
    })


def _day(value, name: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(value).normalize()
    except (TypeError, ValueError) as exc:
        raise ParamsError(f"{name} must be a date such as 2026-11-11 (got {value!r}).") from exc


def _daily(series: pd.Series) -> pd.Series:
    """The series as floats on a sorted, day-normalised DatetimeIndex; a date twice is an error."""
    if not isinstance(series, pd.Series):
        raise ParamsError(f"The daily series must be a pandas Series indexed by date (got {type(series).__name__}).")
    try:
        index = pd.DatetimeIndex(pd.to_datetime(series.index))
    except (TypeError, ValueError) as exc:
        raise ParamsError("The daily series must be indexed by date; its index has values that are not dates.") from exc
    if index.tz is not None:
        index = index.tz_localize(None)
    index = index.normalize()
    if index.has_duplicates:
        twice = sorted({d.date().isoformat() for d in index[index.duplicated()]})
        raise ParamsError(f"The daily series has more than one value for {_listed(twice)}: sum it to one row per day first.")
    try:
        values = pd.to_numeric(pd.Series(series.to_numpy(), index=index), errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise ParamsError(f"The daily series must hold numbers: {exc}.") from exc
    return values.sort_index()


def _require_days(y: pd.Series, days: pd.DatetimeIndex, what: str) -> None:
    missing = [d.date().isoformat() for d, v in zip(days, y.reindex(days).to_numpy()) if not np.isfinite(v)]
    if missing:
        raise DataNotFoundError(
            f"The daily series has no value for {_listed(missing)}, needed for {what} "
            f"({days[0].date()} to {days[-1].date()}). Fill the day(s) (0 if the shop truly sold nothing) "
            "or load the missing data; a gap is not read as zero."
        )


def _listed(dates: list[str]) -> str:
    shown = ", ".join(dates[:_SHOWN])
    return shown + (f" (and {len(dates) - _SHOWN} more)" if len(dates) > _SHOWN else "")
