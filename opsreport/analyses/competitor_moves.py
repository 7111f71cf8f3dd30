"""Competitor moves: a matched competitor product made cheaper, and what followed on our SKU.

Method (exact; no estimate is involved: prices are yuan, not platform indices)

1. Effective price of an observation = ``promo_price`` when the page showed one, else ``price``
   (coalesce). Observations are the rows of competitor_products; "days" below are OBSERVED days
   of one (competitor_id, product_id), in date order: a tracking sheet that skips a day does not
   shorten a window. An observation without any price is dropped (unknown, not 0).
2. Reference level on observed day i: the median effective price of the ``window`` (7) observed
   days before it. A day with fewer than ``window`` earlier observations has no reference: a
   median of two days is not a level, so no move is found there.
3. Held level on day i: the highest effective price of days i .. i + hold_days - 1 (``hold_days``,
   2). Day i qualifies when the held level is at least ``min_cut`` (0.10) below the reference:
   held <= (1 - min_cut) * reference. A one-day blip fails (the next day is back up), and a cut
   in the last hold_days - 1 observed days is not confirmed yet.
4. Kind: ``price_cut`` when the everyday price alone passes step 3 (its held level ``min_cut``
   below the median everyday price of the same window); ``promotion`` when only the effective
   price does (a promotion price appeared). The everyday test also finds a price cut made right
   after a promotion ended, when the effective window still holds promotion prices. ``before`` /
   ``after`` are the reference and the held level of the series that made the move (everyday
   price for a price cut, effective price for a promotion); ``cut`` = 1 - after / before, the
   smallest cut that held over the hold days.
5. A move is the first day of a run of consecutive qualifying observed days (each later day of
   the run still sees the old level in its window). Inside a run a new move starts when the
   effective price steps down again by ``min_cut`` below the level of the move just found, or
   when the everyday price follows a promotion down (a promotion, then a price cut).

Linking a move to our SKU (`link_to_ours`): the SKU's product_daily rows in the ``baseline_days``
(14) days before the move's date against the move's date and the ``lag_days`` - 1 days after it
(clipped to the data). Conversion is summed paid buyers / summed UV of each window (the
registry's definition, never a mean of daily rates); UV is shown as the average daily UV over
the days the SKU has a row (a week's UV is not the sum of its days). A window's days are the
days with a row: a day without a row is unknown, not zero visitors.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import ContractError, ParamsError
from ..metrics import compute
from ..metrics.queries import has_rows
from ._checks import as_date, require_columns

PRICE_CUT, PROMOTION = "price_cut", "promotion"
KINDS = (PRICE_CUT, PROMOTION)
CONVERSION_FELL, TRAFFIC_FELL, BOTH, NONE, UNKNOWN = "conversion_fell", "traffic_fell", "both", "none", "unknown"
MASKED = "masked"  # every day after the move is an excluded day (our own promotion or its aftermath)
EFFECTS = (CONVERSION_FELL, TRAFFIC_FELL, BOTH, NONE, UNKNOWN, MASKED)

SNAPSHOT_COLUMNS = ["observed_on", "competitor_id", "product_id", "price", "promo_price"]
MATCH_COLUMNS = ["sku_id", "competitor_id", "product_id"]
OURS_COLUMNS = ["date", "sku_id", "uv", "paid_buyers"]

#: How far back (times baseline_days) a baseline may reach past excluded days for its ordinary days.
EXCLUDED_REACH = 3

#: Columns of `price_moves`.
MOVE_COLUMNS = ["date", "competitor_id", "product_id", "kind", "before", "after", "cut"]
#: Columns of `moves_near`: one row per move and matched SKU.
NEAR_COLUMNS = ["sku_id", *MOVE_COLUMNS]
#: Columns of `link_to_ours`.
LINK_COLUMNS = [
    *MOVE_COLUMNS, "sku_id", "days_before", "days_after", "uv_before", "uv_after", "paid_buyers_before",
    "paid_buyers_after", "conversion_before", "conversion_after", "conversion_change", "uv_change", "effect",
]

_TOLERANCE = 1e-9  # yuan: a cut of exactly min_cut counts despite float rounding (0.9 * 99.9)
_SHOWN = 5  # keys named in an error before "(and N more)"


def price_moves(snapshots: pd.DataFrame, *, min_cut: float = 0.10, window: int = 7, hold_days: int = 2) -> pd.DataFrame:
    """Every move in ``snapshots`` (method in the module docstring).

    Parameters
    ----------
    snapshots
        ``observed_on``, ``competitor_id``, ``product_id``, ``price``, ``promo_price`` (empty:
        no promotion), at most one row per product and day; other columns are ignored.
    min_cut
        Relative fall of the effective price below its reference that makes a move, in (0, 1).
    window
        Observed days before a day whose median is its reference level (≥ 1).
    hold_days
        Observed days, from the first, the lower level must hold (≥ 1).

    Returns
    -------
    DataFrame
        `MOVE_COLUMNS`: ``date`` (Timestamp, the first day of the new level), ``competitor_id``,
        ``product_id``, ``kind`` (``price_cut`` / ``promotion``), ``before`` and ``after`` (yuan),
        ``cut`` (fraction, 1 - after / before); sorted by date, competitor and product.

    Raises
    ------
    ContractError
        A column is missing, a date or a price cannot be read, or a product has two rows on one day.
    ParamsError
        ``snapshots`` is not a DataFrame or a parameter is out of range.
    """
    _check_params(min_cut=min_cut, window=window, hold_days=hold_days)
    require_columns(snapshots, SNAPSHOT_COLUMNS, "competitor product snapshots")
    frame = snapshots[SNAPSHOT_COLUMNS].copy()
    frame["observed_on"] = _dates(frame.observed_on, "competitor product snapshots", "observed_on")
    for col in ("price", "promo_price"):
        frame[col] = _numbers(frame[col], "competitor product snapshots", col)
    _unique(frame, ["competitor_id", "product_id", "observed_on"], "competitor product snapshots")
    frame["effective"] = frame.promo_price.fillna(frame.price)
    frame = frame[frame.effective.notna()].sort_values(["competitor_id", "product_id", "observed_on"], kind="stable")

    rows = []
    for (competitor, product), series in frame.groupby(["competitor_id", "product_id"], sort=True):
        rows += _moves_of(series, competitor, product, min_cut, window, hold_days)
    moves = pd.DataFrame(rows, columns=MOVE_COLUMNS)
    moves["date"] = pd.to_datetime(moves.date)
    return moves.sort_values(["date", "competitor_id", "product_id"], kind="stable").reset_index(drop=True)


def _moves_of(series: pd.DataFrame, competitor, product, min_cut: float, window: int, hold_days: int) -> list[dict]:
    days = series.observed_on.reset_index(drop=True)
    keep = 1 - min_cut
    # step 3 on the effective price (any cut a buyer sees) and on the everyday price alone (a price
    # cut right after a promotion ended: the effective window is still at promotion prices)
    eff_ref, eff_held = _levels(series.effective, window, hold_days)
    day_ref, day_held = _levels(series.price, window, hold_days)
    by_price = (day_held <= keep * day_ref + _TOLERANCE).to_numpy()  # NaN (no everyday price) -> False
    by_promo = (eff_held <= keep * eff_ref + _TOLERANCE).to_numpy()
    qualifies = by_price | by_promo

    out: list[dict] = []
    level, kind = None, None  # effective level and kind of the current run's last move
    for i in np.flatnonzero(qualifies):
        now = PRICE_CUT if by_price[i] else PROMOTION
        new_run = i == 0 or not qualifies[i - 1]
        step_down = level is not None and eff_held[i] <= keep * level + _TOLERANCE
        made_lasting = kind == PROMOTION and now == PRICE_CUT  # the everyday price follows a promotion down
        if not (new_run or step_down or made_lasting):
            continue  # the level of the move already found
        before, after = (day_ref[i], day_held[i]) if now == PRICE_CUT else (eff_ref[i], eff_held[i])
        out.append({"date": days[i], "competitor_id": competitor, "product_id": product, "kind": now,
                    "before": float(before), "after": float(after), "cut": 1 - float(after) / float(before)})
        level, kind = float(eff_held[i]), now
    return out


def _levels(prices: pd.Series, window: int, hold_days: int) -> tuple[pd.Series, pd.Series]:
    """Per observed day: the median of the ``window`` days before it (a full window only) and the
    highest price of it and the ``hold_days`` - 1 days after it (the level that held)."""
    prices = prices.reset_index(drop=True)
    reference = prices.shift(1).rolling(window, min_periods=window).median()
    held = prices[::-1].rolling(hold_days, min_periods=hold_days).max().sort_index()  # a rolling max read backwards
    return reference, held


def link_to_ours(moves: pd.DataFrame, matches: pd.DataFrame, ours: pd.DataFrame, *, lag_days: int = 7,
                 baseline_days: int = 14, min_uv: float = 200, conv_fall: float = 0.25,
                 uv_fall: float = 0.25, exclude_days=None) -> pd.DataFrame:
    """Our matched SKU's conversion and traffic before and after each move.

    Parameters
    ----------
    moves
        `price_moves` output (``date``, ``competitor_id``, ``product_id`` and the move columns).
    matches
        ``sku_id``, ``competitor_id``, ``product_id`` (sku_matches): which of our SKUs each
        competitor product is the counterpart of.
    ours
        ``date``, ``sku_id``, ``uv``, ``paid_buyers`` (product_daily), one row per SKU and day.
    lag_days
        Days from the move's date that may show its effect (the move's day included).
    baseline_days
        Days before the move's date that give the level it is compared with.
    min_uv
        Visitors (summed over a window's days) below which that window's conversion says too
        little: the effect is then ``unknown``.
    conv_fall, uv_fall
        Relative falls of conversion and of average daily UV that count as an effect.
    exclude_days
        Days left out of both windows (our own promotions: their traffic and conversion are not
        the SKU's ordinary level, so a move right after a promotion would read as a fall). The
        baseline then reaches further back, up to EXCLUDED_REACH times ``baseline_days``, for
        ``baseline_days`` ordinary days; the after window just loses the excluded days.

    Returns
    -------
    DataFrame
        `LINK_COLUMNS`, one row per move and matched SKU (moves without a matched SKU are left
        out): the move's columns, ``sku_id``, ``days_before`` / ``days_after`` (days with a row
        in each window; the after window is clipped to the data), ``uv_before`` / ``uv_after``
        (average daily UV), ``paid_buyers_before`` / ``paid_buyers_after`` (sums),
        ``conversion_before`` / ``conversion_after`` (summed buyers / summed UV),
        ``conversion_change`` and ``uv_change`` (relative: after / before - 1) and ``effect``:
        ``conversion_fell``, ``traffic_fell``, ``both``, ``none``, ``unknown`` when a window has
        fewer than ``min_uv`` visitors or no day after the move has data yet, or ``masked`` when
        every day of the after window is one of ``exclude_days``. Unknown values are NaN.
    """
    _check_params(lag_days=lag_days, baseline_days=baseline_days)
    for name, value in (("conv_fall", conv_fall), ("uv_fall", uv_fall)):
        _check_fraction(name, value)
    if isinstance(min_uv, bool) or not isinstance(min_uv, (int, float)) or not min_uv >= 0:
        raise ParamsError(f"min_uv must be a number of visitors ≥ 0, e.g. 200; got {min_uv!r}.")
    require_columns(moves, MOVE_COLUMNS, "competitor moves")
    require_columns(matches, MATCH_COLUMNS, "SKU matches")
    require_columns(ours, OURS_COLUMNS, "our product days")
    daily = ours[OURS_COLUMNS].copy()
    daily["date"] = _dates(daily.date, "our product days", "date")
    for col in ("uv", "paid_buyers"):
        daily[col] = _numbers(daily[col], "our product days", col)
    _unique(daily, ["sku_id", "date"], "our product days")

    pairs = moves[MOVE_COLUMNS].assign(date=_dates(moves.date, "competitor moves", "date")).merge(
        matches[MATCH_COLUMNS].drop_duplicates(), on=["competitor_id", "product_id"])
    if exclude_days is not None and len(exclude_days):
        skipped = set(_dates(pd.Series(list(exclude_days)), "excluded days", "date"))
        daily = daily[~daily.date.isin(skipped)]
    else:
        skipped = set()
    rows = []
    for move in pairs.itertuples(index=False):
        sku = daily[daily.sku_id == move.sku_id]
        start = move.date - pd.Timedelta(days=baseline_days)
        if skipped:  # reach back past our promotions for as many ordinary days as asked
            ordinary = [d for d in pd.date_range(move.date - pd.Timedelta(days=baseline_days * EXCLUDED_REACH),
                                                 move.date - pd.Timedelta(days=1)) if d not in skipped]
            start = ordinary[-baseline_days] if len(ordinary) >= baseline_days else (ordinary[0] if ordinary else move.date)
        end = move.date + pd.Timedelta(days=lag_days - 1)
        before = sku[(sku.date >= start) & (sku.date < move.date)]
        after = sku[(sku.date >= move.date) & (sku.date <= end)]
        found = _compare(before, after, min_uv, conv_fall, uv_fall)
        if skipped and all(d in skipped for d in pd.date_range(move.date, end)):
            found["effect"] = MASKED
        rows.append({**move._asdict(), **found})
    return pd.DataFrame(rows, columns=LINK_COLUMNS).reset_index(drop=True)


def _compare(before: pd.DataFrame, after: pd.DataFrame, min_uv: float, conv_fall: float, uv_fall: float) -> dict:
    out = {"days_before": len(before), "days_after": len(after)}
    for label, window in (("before", before), ("after", after)):
        uv_sum = window.uv.sum(min_count=1)
        buyers = window.paid_buyers.sum(min_count=1)
        out[f"uv_{label}"] = uv_sum / len(window) if len(window) else np.nan  # average daily UV
        out[f"paid_buyers_{label}"] = buyers
        out[f"conversion_{label}"] = compute("conversion_rate", {"buyer_days": buyers, "uv_sum": uv_sum})["conversion_rate"]
        out[f"_uv_sum_{label}"] = uv_sum
    enough = all(out[f"_uv_sum_{label}"] >= min_uv for label in ("before", "after"))  # NaN (no day) -> False
    del out["_uv_sum_before"], out["_uv_sum_after"]
    out["conversion_change"] = _relative(out["conversion_after"], out["conversion_before"])
    out["uv_change"] = _relative(out["uv_after"], out["uv_before"])
    if not enough:
        out["effect"] = UNKNOWN
        return out
    conv = out["conversion_change"] <= -conv_fall + _TOLERANCE  # NaN (no buyer before) -> False
    uv = out["uv_change"] <= -uv_fall + _TOLERANCE
    out["effect"] = BOTH if conv and uv else CONVERSION_FELL if conv else TRAFFIC_FELL if uv else NONE
    return out


def moves_near(wh, shop_id: str, sku_ids, start, end, lag_days: int = 7, *, min_cut: float = 0.10, window: int = 7,
               hold_days: int = 2) -> pd.DataFrame:
    """The moves on competitor products matched to ``sku_ids`` dated ``start - lag_days`` ..
    ``end`` (a cut a few days before a week still explains the week), one row per move and SKU,
    sorted by date and SKU.

    Reads sku_matches and competitor_products of ``shop_id`` from the warehouse ``wh`` (only the
    matched products, observed up to ``end``, so a cut in the last hold_days - 1 days is not
    confirmed yet). ``sku_ids``: our SKU ids (one id or a list), or None for every matched SKU.
    Returns an empty frame with `NEAR_COLUMNS` (not an error) when either table is absent or has
    no row for the shop: a report runs without competitor data.
    """
    start, end = as_date(start, "start"), as_date(end, "end")
    _check_params(lag_days=lag_days)
    empty = pd.DataFrame(columns=NEAR_COLUMNS)
    if not (has_rows(wh, "sku_matches", shop_id) and has_rows(wh, "competitor_products", shop_id)):
        return empty
    matches = wh.shop_rows("sku_matches", shop_id).select(*MATCH_COLUMNS).execute().drop_duplicates()
    if sku_ids is not None:
        matches = matches[matches.sku_id.isin([sku_ids] if isinstance(sku_ids, str) else list(sku_ids))]
    if matches.empty:
        return empty
    cp = wh.shop_rows("competitor_products", shop_id)
    cp = cp.filter(cp.product_id.isin(list(matches.product_id.unique())) & (cp.observed_on <= end))
    snapshots = cp.select(*SNAPSHOT_COLUMNS).execute()
    snapshots = snapshots.merge(matches[["competitor_id", "product_id"]].drop_duplicates(), on=["competitor_id", "product_id"])
    moves = price_moves(snapshots, min_cut=min_cut, window=window, hold_days=hold_days)
    first = pd.Timestamp(start - dt.timedelta(days=lag_days))
    moves = moves[(moves.date >= first) & (moves.date <= pd.Timestamp(end))]
    near = moves.merge(matches, on=["competitor_id", "product_id"])[NEAR_COLUMNS]
    return near.sort_values(["date", "sku_id", "competitor_id", "product_id"], kind="stable").reset_index(drop=True)


# --- helpers -----------------------------------------------------------------------------------


def _relative(now: float, before: float) -> float:
    return now / before - 1 if pd.notna(now) and pd.notna(before) and before > 0 else np.nan


def _check_params(**days_or_cut) -> None:
    for name, value in days_or_cut.items():
        if name == "min_cut":
            _check_fraction(name, value)
        elif isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ParamsError(f"{name} must be a whole number of days ≥ 1; got {value!r}.")


def _check_fraction(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ParamsError(f"{name} must be a fraction in (0, 1), e.g. 0.1; got {value!r}.")


def _dates(column: pd.Series, what: str, name: str) -> pd.Series:
    parsed = pd.to_datetime(column, errors="coerce")
    bad = column[parsed.isna()]
    if len(bad):
        raise ContractError(f"{what}: {name} must be a date; {len(bad)} row(s) are not, e.g. {_listed(bad.astype(str))}.")
    return parsed.dt.normalize()


def _numbers(column: pd.Series, what: str, name: str) -> pd.Series:
    parsed = pd.to_numeric(column, errors="coerce")
    bad = column[parsed.isna() & column.notna()]
    if len(bad):
        raise ContractError(f"{what}: {name} must be a number; {len(bad)} row(s) are not, e.g. {_listed(bad.astype(str))}.")
    return parsed.astype(float)


def _unique(frame: pd.DataFrame, keys: list[str], what: str) -> None:
    twice = frame[frame.duplicated(keys, keep=False)].drop_duplicates(keys)
    if len(twice):
        named = [" / ".join(str(v)[:10] if isinstance(v, pd.Timestamp) else str(v) for v in row)
                 for row in twice[keys].itertuples(index=False)]
        raise ContractError(f"{what} hold more than one row per {', '.join(keys)}: {_listed(named)}.")


def _listed(values) -> str:
    values = list(values)
    more = f" (and {len(values) - _SHOWN} more)" if len(values) > _SHOWN else ""
    return ", ".join(values[:_SHOWN]) + more
