"""Plans: the ``targets`` table and the ``promotions`` with their GMV targets and budgets.

Targets are set as an operations director sets them: last year's GMV of the same period times
the recent year-on-year trend (or, without a year of history, the recent GMV per unit of
expected demand applied to the period's expected demand), plus a stretch of 4-12%. Month gmv
(+ new_customer_sales_share 0.30), quarter gmv (complete quarters) and new_customer_sales_share
0.35, week gmv / conversion_rate / roi / new_buyer_share, for every period of the data and the
next one. Promotions: every event in the window, plus the upcoming Double 12 after the end.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from .calendar import FUTURE_DAYS, Calendar, Demand, iso_label
from .customers import Paid, new_buyer_flags
from .daily import Daily
from .sampling import distinct_count, stream
from .shops import ShopModel
from .write import Columns

if TYPE_CHECKING:
    from .build import SimulatedShop


class _Planner:
    """GMV targets of periods of the data or just after it (see the module docstring)."""

    def __init__(self, model: ShopModel, cal: Calendar, dem: Demand, gmv: np.ndarray, seed: int):
        self.cal, self.model = cal, model
        self.rng = stream(seed, model.index, "targets")
        self.expected = dem.w_det * dem.price_factor  # per ext day
        self.gmv = gmv

    def _expected(self, a: int, b: int) -> float:
        return float(self.expected[self.cal.burn + a:self.cal.burn + b + 1].sum())

    def _trend(self, a: int) -> float | None:
        """GMV of the 91 days before window day ``a`` vs the same days a year (364 days) earlier."""
        hi = min(a, self.cal.days)
        lo = hi - 91
        if lo - 364 < 0:
            return None
        return self.gmv[lo:hi].sum() / max(self.gmv[lo - 364:hi - 364].sum(), 1.0)

    def _level(self, a: int) -> float:
        hi = max(min(a, self.cal.days), min(91, self.cal.days))
        lo = max(0, hi - 91)
        return self.gmv[lo:hi].sum() / self._expected(lo, hi - 1) * self.model.growth ** (60 / 365.25)

    def gmv_target(self, first: dt.date, last: dt.date, last_year: tuple[dt.date, dt.date] | None = None) -> float:
        a, b = self.cal.win(first), self.cal.win(last)
        ly_a, ly_b = (self.cal.win(last_year[0]), self.cal.win(last_year[1])) if last_year else (a - 364, b - 364)
        trend = self._trend(a)
        if trend is not None and ly_a >= 0:
            base = self.gmv[ly_a:ly_b + 1].sum() * self._expected(a, b) / self._expected(ly_a, ly_b)
            value = base * trend
        else:
            value = self._level(a) * self._expected(a, b)
        return float(round(value * self.rng.uniform(1.04, 1.12), -2))


def set_targets(model: ShopModel, cal: Calendar, dem: Demand, paid: Paid, daily: Daily, ads: dict,
                seed: int) -> dict:
    """Rows of ``targets``: period_type, period, metric, value."""
    gmv = daily.shop["paid_cents"] / 100.0
    plan = _Planner(model, cal, dem, gmv, seed)
    rows = {"period_type": [], "period": [], "metric": [], "value": []}

    def add(kind, period, metric, value):
        rows["period_type"].append(kind)
        rows["period"].append(period)
        rows["metric"].append(metric)
        rows["value"].append(float(value))

    # months of the data plus the next month
    month = cal.start.replace(day=1)
    last_month = (cal.end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    months = []
    while month <= last_month:
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        ly = (month.replace(year=month.year - 1), nxt.replace(year=nxt.year - 1) - dt.timedelta(days=1))
        value = plan.gmv_target(month, nxt - dt.timedelta(days=1), ly)
        months.append((month, value))
        add("month", month.strftime("%Y-%m"), "gmv", value)
        add("month", month.strftime("%Y-%m"), "new_customer_sales_share", 0.30)
        month = nxt
    quarters: dict[str, list] = {}
    for m, v in months:
        quarters.setdefault(f"{m.year}-Q{(m.month - 1) // 3 + 1}", []).append(v)
    for q, values in quarters.items():
        if len(values) == 3:
            add("quarter", q, "gmv", round(sum(values), -2))
        add("quarter", q, "new_customer_sales_share", 0.35)
    # weeks: GMV, conversion, ROI and new-buyer share, each from the 8 weeks before the week
    new = new_buyer_flags(paid)
    spend = np.bincount(ads["day"], weights=ads["spend"], minlength=cal.days)
    attributed = np.bincount(ads["day"], weights=ads["amount"], minlength=cal.days)
    monday = cal.start - dt.timedelta(days=cal.start.weekday())
    wk_of_order = (paid.day + (cal.start - monday).days) // 7
    n_weeks = int(wk_of_order.max()) + 1 if paid.n else 0
    n_cust = int(paid.cust.max()) + 1
    buyers_w = distinct_count(wk_of_order, paid.cust, n_weeks, n_cust)
    new_w = distinct_count(wk_of_order[new], paid.cust[new], n_weeks, n_cust)
    week = monday
    while week <= cal.end + dt.timedelta(days=7):
        a = cal.win(week)
        lo, hi = max(0, a - 56), max(min(a, cal.days), min(56, cal.days))
        if hi <= lo:
            lo, hi = 0, min(56, cal.days)
        label = iso_label(week)
        add("week", label, "gmv", plan.gmv_target(week, week + dt.timedelta(days=6)))
        conv = daily.shop["paid_buyers"][lo:hi].sum() / max(daily.shop["uv"][lo:hi].sum(), 1)
        add("week", label, "conversion_rate", round(conv * plan.rng.uniform(1.03, 1.08), 4))
        roi = attributed[lo:hi].sum() / max(spend[lo:hi].sum(), 1e-9)
        add("week", label, "roi", round(roi * plan.rng.uniform(1.02, 1.06), 2))
        w_lo, w_hi = (lo + (cal.start - monday).days) // 7, (hi - 1 + (cal.start - monday).days) // 7 + 1
        share = new_w[w_lo:w_hi].sum() / max(buyers_w[w_lo:w_hi].sum(), 1)
        add("week", label, "new_buyer_share", round(min(0.95, share * plan.rng.uniform(1.03, 1.08)), 4))
        week += dt.timedelta(days=7)
    return rows


def promotion_rows(model: ShopModel, cal: Calendar, dem: Demand, daily: Daily, seed: int) -> dict:
    """Rows of ``promotions``: the events in the window and the ones starting in the next 75 days."""
    plan = _Planner(model, cal, dem, daily.shop["paid_cents"] / 100.0, seed + 1)
    last = cal.end + dt.timedelta(days=FUTURE_DAYS - 1)
    rows = {k: [] for k in ("promo_id", "name", "event", "start_at", "end_at", "target_gmv", "budget")}
    for p in sorted(dem.promos, key=lambda p: p.start_at):
        if p.end_at.date() < cal.start or p.start_at.date() > last:
            continue
        first_day = max(p.start_at.date(), cal.start)
        target = plan.gmv_target(first_day, p.end_at.date())
        rows["promo_id"].append(p.promo_id)
        rows["name"].append(p.name)
        rows["event"].append(p.event)
        rows["start_at"].append(p.start_at)
        rows["end_at"].append(p.end_at)
        rows["target_gmv"].append(target)
        rows["budget"].append(float(round(target * model.ad_spend_ratio * 1.1, -2)))
    return rows


def tables(sim: SimulatedShop) -> dict[str, Columns]:
    """``targets`` and ``promotions``."""
    model, cal, dem, daily = sim.model, sim.cal, sim.demand, sim.daily
    promos = promotion_rows(model, cal, dem, daily, sim.seed)
    return {
        "targets": set_targets(model, cal, dem, sim.paid, daily, sim.ads, sim.seed),
        "promotions": {
            **{k: promos[k] for k in ("promo_id", "name", "event", "target_gmv", "budget")},
            "start_at": pa.array(promos["start_at"], pa.timestamp("us")),
            "end_at": pa.array(promos["end_at"], pa.timestamp("us")),
        },
    }
