"""Promotion price-rule audit: is each promoted SKU's promotion price a real, allowed cut?

Three rules are checked for every promoted SKU, with the promotion starting on day ``start``
(defaults from the seeds, all parameters of `PriceRuleParams`):

1. ``daily_price`` (seeds): promo price ≤ ``max_share_of_daily_price`` (0.80) × the daily
   (list) price. Exactly 80 % passes; 80.01 % fails.
2. ``window_low`` (seeds): promo price ≤ the lowest selling price of the ``low_window_days``
   (30) days before the start, i.e. of the days start − 30 .. start − 1 (both included; the
   start day itself and start − 31 are outside). Equal to the low passes; one cent above fails.
3. ``reference_price`` (规范促销行为暂行规定, in force 2020-12-01): where no base price is stated,
   an advertised discount is measured against the lowest price of the ``reference_window_days``
   (7) days before the start (start − 7 .. start − 1). The reference price and the real discount
   ``1 − promo / reference`` are reported; the rule fails when the promo price is not below the
   reference (no real discount, so no discount may be advertised). With the defaults a SKU that
   passes rule 2 can fail rule 3 only when its promo price equals the 7-day low.

Each rule's status is ``"pass"``, ``"fail"`` or ``"unknown"``. Unknown means the evidence is
missing: no list price for rule 1 (no row, or an empty value), no price row in the window for
rules 2 and 3. An unknown is never counted as a pass or as a fail; the SKU's ``unknown`` column
names those rules and `PriceRuleResult.complete` is False while any remain.

Comparisons allow ``PRICE_TOLERANCE`` (a millionth of a yuan) so that float arithmetic such as
0.8 × 99.9 does not turn an exact 80 % into a fail; anything a cent or more apart is decided
as written. Several price rows for one SKU and day (an intraday change) are allowed: the lowest
counts. History rows without a price are ignored (as missing, not as 0). Evidence dates are the
most recent day at the window's low.

Violations are the SKUs failing at least one rule, worst first: by ``worst_excess_rate``, the
largest (promo price − threshold) / threshold over the failed rules, where the thresholds are
80 % of the list price, the 30-day low and the 7-day reference price.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from ..errors import ContractError, ParamsError

DAILY_PRICE = "daily_price"
WINDOW_LOW = "window_low"
REFERENCE_PRICE = "reference_price"
RULES = (DAILY_PRICE, WINDOW_LOW, REFERENCE_PRICE)

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"

PRICE_TOLERANCE = 1e-6  # yuan; far below a cent, above float rounding of prices
_SHOWN = 5  # SKUs named in an error message before "(and N more)"

#: Columns of `PriceRuleResult.skus`, in order.
SKU_COLUMNS = [
    "sku_id", "promo_price",
    # rule 1: the daily (list) price
    "list_price", "daily_price_threshold", "share_of_daily_price", "daily_price_status",
    # rule 2: the low of the days start - low_window_days .. start - 1
    "window_low_price", "window_low_date", "window_low_status",
    # rule 3: the reference price of the days start - reference_window_days .. start - 1
    "reference_price", "reference_price_date", "real_discount_rate", "reference_price_status",
    # summary
    "violations", "unknown", "worst_excess_rate",
]


@dataclass(frozen=True)
class PriceRuleParams:
    """The rules' thresholds (defaults from the seeds and the 2020 regulation)."""

    max_share_of_daily_price: float = 0.80
    low_window_days: int = 30
    reference_window_days: int = 7

    def __post_init__(self) -> None:
        share = self.max_share_of_daily_price
        if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 < share <= 1:
            raise ParamsError(f"max_share_of_daily_price must be a fraction in (0, 1], e.g. 0.8; got {share!r}.")
        for name in ("low_window_days", "reference_window_days"):
            days = getattr(self, name)
            if not isinstance(days, int) or isinstance(days, bool) or days < 1:
                raise ParamsError(f"{name} must be a whole number of days ≥ 1; got {days!r}.")


@dataclass(frozen=True)
class RuleCount:
    """SKUs per status of one rule; the three add up to the promoted SKUs."""

    passed: int
    failed: int
    unknown: int


@dataclass(frozen=True)
class PriceRuleResult:
    """The audit of one promotion's prices.

    Attributes
    ----------
    skus
        One row per promoted SKU (columns `SKU_COLUMNS`), in the promo list's order. Statuses are
        ``"pass"``/``"fail"``/``"unknown"``; ``violations`` and ``unknown`` are lists of rule codes.
    violations
        The rows of ``skus`` failing at least one rule, worst ``worst_excess_rate`` first.
    counts
        Rule code -> `RuleCount`, for every code in `RULES`.
    """

    start: dt.date
    params: PriceRuleParams
    skus: pd.DataFrame
    violations: pd.DataFrame
    counts: dict[str, RuleCount] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every rule could be decided for every SKU (no ``unknown``)."""
        return all(c.unknown == 0 for c in self.counts.values())

    def window(self, days: int) -> tuple[dt.date, dt.date]:
        """First and last day of the ``days`` days before the start (both included)."""
        return self.start - dt.timedelta(days=days), self.start - dt.timedelta(days=1)


def price_rules(
    promo: pd.DataFrame,
    list_prices: pd.DataFrame,
    history: pd.DataFrame,
    start: dt.date,
    params: PriceRuleParams | None = None,
) -> PriceRuleResult:
    """Audit the promotion prices of ``promo`` against the three rules of the module docstring.

    Parameters
    ----------
    promo
        ``sku_id``, ``promo_price``: one row per promoted SKU; the price is required and ≥ 0.
    list_prices
        ``sku_id``, ``list_price``: the daily price, at most one row per SKU; empty = unknown.
    history
        ``date``, ``sku_id``, ``price``: the daily selling prices; other SKUs and days are ignored.
    start
        The promotion's first day (the windows end the day before).
    params
        Thresholds; `PriceRuleParams()` (0.80, 30 days, 7 days) when None.

    Raises
    ------
    ContractError
        A frame lacks a column, a SKU is listed twice in ``promo`` or ``list_prices``, a price is
        negative, a promo price is empty or a date cannot be read; the message names the SKUs.
    ParamsError
        ``start`` is not a date, or a parameter is out of range.
    """
    params = params or PriceRuleParams()
    start = _day(start)
    promo, list_prices, history = _checked(promo, list_prices, history)

    frame = promo.merge(list_prices, on="sku_id", how="left")
    threshold = params.max_share_of_daily_price * frame.list_price
    frame["daily_price_threshold"] = threshold
    frame["share_of_daily_price"] = (frame.promo_price / frame.list_price).where(frame.list_price > 0)
    frame["daily_price_status"] = _status(frame.promo_price <= threshold + PRICE_TOLERANCE, threshold.notna())

    low = _window_low(history, start, params.low_window_days)
    frame = frame.merge(low.rename(columns={"price": "window_low_price", "date": "window_low_date"}), on="sku_id", how="left")
    frame["window_low_status"] = _status(frame.promo_price <= frame.window_low_price + PRICE_TOLERANCE,
                                         frame.window_low_price.notna())

    ref = _window_low(history, start, params.reference_window_days)
    frame = frame.merge(ref.rename(columns={"price": "reference_price", "date": "reference_price_date"}), on="sku_id", how="left")
    frame["real_discount_rate"] = (1 - frame.promo_price / frame.reference_price).where(frame.reference_price > 0)
    frame["reference_price_status"] = _status(frame.promo_price < frame.reference_price - PRICE_TOLERANCE,
                                              frame.reference_price.notna())

    statuses = {DAILY_PRICE: "daily_price_status", WINDOW_LOW: "window_low_status", REFERENCE_PRICE: "reference_price_status"}
    thresholds = {DAILY_PRICE: "daily_price_threshold", WINDOW_LOW: "window_low_price", REFERENCE_PRICE: "reference_price"}
    frame["violations"] = [[r for r in RULES if row[statuses[r]] == FAIL] for _, row in frame.iterrows()]
    frame["unknown"] = [[r for r in RULES if row[statuses[r]] == UNKNOWN] for _, row in frame.iterrows()]
    frame["worst_excess_rate"] = [
        max((_excess_rate(row.promo_price, row[thresholds[r]]) for r in row.violations), default=math.nan)
        for _, row in frame.iterrows()
    ]
    frame = frame[SKU_COLUMNS].reset_index(drop=True)

    failing = frame[frame.violations.str.len() > 0]
    violations = failing.sort_values(["worst_excess_rate", "sku_id"], ascending=[False, True], na_position="last",
                                     kind="stable").reset_index(drop=True)
    counts = {
        r: RuleCount(passed=int((frame[col] == PASS).sum()), failed=int((frame[col] == FAIL).sum()),
                     unknown=int((frame[col] == UNKNOWN).sum()))
        for r, col in statuses.items()
    }
    return PriceRuleResult(start=start, params=params, skus=frame, violations=violations, counts=counts)


# --- helpers -----------------------------------------------------------------------------------


def _status(ok: pd.Series, known: pd.Series) -> pd.Series:
    """"pass"/"fail" where the evidence is known, else "unknown" (never a pass or a fail)."""
    out = pd.Series(FAIL, index=ok.index, dtype=object)
    out[ok.fillna(False).astype(bool)] = PASS
    out[~known.astype(bool)] = UNKNOWN
    return out


def _excess_rate(price: float, threshold: float) -> float:
    """How far above ``threshold`` the price is, as a fraction of it (inf above a 0 threshold)."""
    if threshold > 0:
        return (price - threshold) / threshold
    return math.inf if price > threshold else 0.0


def _window_low(history: pd.DataFrame, start: dt.date, days: int) -> pd.DataFrame:
    """sku_id, price (the lowest of start - days .. start - 1), date (the latest day at that low)."""
    first, last = pd.Timestamp(start - dt.timedelta(days=days)), pd.Timestamp(start - dt.timedelta(days=1))
    rows = history[history.date.between(first, last)]
    if rows.empty:
        return pd.DataFrame({"sku_id": pd.Series(dtype=history.sku_id.dtype), "price": pd.Series(dtype=float),
                             "date": pd.Series(dtype=object)})
    low = rows.groupby("sku_id", sort=False).price.min().rename("low")
    at_low = rows.merge(low, left_on="sku_id", right_index=True)
    at_low = at_low[at_low.price <= at_low.low]
    dates = at_low.groupby("sku_id", sort=False).date.max()
    out = pd.DataFrame({"price": low, "date": dates.reindex(low.index).dt.date}).reset_index()
    return out


def _day(value) -> dt.date:
    try:
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        if isinstance(value, dt.datetime) or isinstance(value, pd.Timestamp):
            return pd.Timestamp(value).date()
        if isinstance(value, dt.date):
            return value
    except ValueError:
        pass
    raise ParamsError(f"The promotion start must be a date such as 2026-11-11; got {value!r}.")


def _named(skus) -> str:
    skus = list(dict.fromkeys(str(s) for s in skus))
    text = ", ".join(skus[:_SHOWN])
    return text + (f" (and {len(skus) - _SHOWN} more)" if len(skus) > _SHOWN else "")


def _require(frame: pd.DataFrame, name: str, columns: list[str]) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ContractError(f"Price audit: {name} lacks column(s) {', '.join(missing)}; it needs {', '.join(columns)}.")
    return frame[columns].copy()


def _prices(frame: pd.DataFrame, name: str, column: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    unreadable = frame[values.isna() & frame[column].notna()]
    if len(unreadable):
        raise ContractError(f"Price audit: {name} has a {column} that is not a number for SKU {_named(unreadable.sku_id)}.")
    negative = frame[values < 0]
    if len(negative):
        raise ContractError(f"Price audit: {name} has a negative {column} for SKU {_named(negative.sku_id)}; "
                            "prices are yuan ≥ 0.")
    return values.astype(float)


def _unique(frame: pd.DataFrame, name: str) -> None:
    dup = frame[frame.sku_id.duplicated(keep=False)]
    if len(dup):
        raise ContractError(f"Price audit: {name} lists SKU {_named(dup.sku_id)} more than once; keep one row per SKU.")


def _checked(promo: pd.DataFrame, list_prices: pd.DataFrame, history: pd.DataFrame):
    promo = _require(promo, "the promo list", ["sku_id", "promo_price"])
    list_prices = _require(list_prices, "the list prices", ["sku_id", "list_price"])
    history = _require(history, "the price history", ["date", "sku_id", "price"])

    _unique(promo, "the promo list")
    promo["promo_price"] = _prices(promo, "the promo list", "promo_price")
    empty = promo[promo.promo_price.isna()]
    if len(empty):
        raise ContractError(f"Price audit: the promo list has no promo_price for SKU {_named(empty.sku_id)}.")

    _unique(list_prices, "the list prices")
    list_prices["list_price"] = _prices(list_prices, "the list prices", "list_price")

    history["price"] = _prices(history, "the price history", "price")
    dates = pd.to_datetime(history.date, errors="coerce")
    bad = history[dates.isna()]
    if len(bad):
        raise ContractError(f"Price audit: the price history has an empty or unreadable date for SKU {_named(bad.sku_id)}.")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    history["date"] = dates.dt.normalize()
    history = history[history.price.notna()]
    return promo, list_prices, history
