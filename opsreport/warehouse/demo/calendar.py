"""The demo calendar and demand: the data window, the promotions of every year, and a demand
index per day that drives customers, orders and the funnel.

Demand index per day: weekly pattern x yearly pattern (category specific, Spring Festival dip)
x promotions (618 with warm-up from May 20 and first wave May 31 20:00, 818 in August, Double 11
with pre-sale from Oct 20 and first wave Oct 31 20:00, Double 12, two 5-day shop events a year)
x AR(1) noise. The index covers a five-year burn-in before the window (customers acquired then
are the returning buyers of the first months) and 75 days after it (next month's targets, the
upcoming promotion).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .sampling import stream
from .shops import ShopModel

DEMO_END_DATE = dt.date(2026, 11, 22)  # a Sunday: ISO week 2026-W47 (Nov 16-22) is the last complete week

BURN_DAYS = 5 * 365  # customers acquired this long before the window still buy in it
FUTURE_DAYS = 75  # demand index beyond end_date: next month's targets, the upcoming promotion


def iso_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Calendar:
    start: dt.date
    end: dt.date
    days: int
    week_start: dt.date  # the planted week: last complete ISO week up to end
    week_end: dt.date
    ext_start: dt.date  # start - BURN_DAYS

    @classmethod
    def make(cls, end: dt.date, days: int) -> "Calendar":
        week_end = end - dt.timedelta(days=end.isoweekday() % 7)
        return cls(
            start=end - dt.timedelta(days=days - 1), end=end, days=days,
            week_start=week_end - dt.timedelta(days=6), week_end=week_end,
            ext_start=end - dt.timedelta(days=days - 1 + BURN_DAYS),
        )

    @property
    def burn(self) -> int:
        return BURN_DAYS

    @property
    def n_ext(self) -> int:
        return BURN_DAYS + self.days + FUTURE_DAYS

    def ext_dates(self) -> np.ndarray:
        return np.datetime64(self.ext_start, "D") + np.arange(self.n_ext)

    def win(self, day: dt.date) -> int:
        """Window index of ``day`` (0 = start)."""
        return (day - self.start).days

    def week_label(self) -> str:
        return iso_label(self.week_start)


SPRING_FESTIVAL = {
    2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10),
    2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23),
}


@dataclass(frozen=True)
class Promo:
    promo_id: str
    name: str
    event: str
    start_at: dt.datetime
    end_at: dt.datetime
    days: tuple[tuple[dt.date, float, float], ...]  # (day, demand multiplier, price factor)


def promotions(model: ShopModel, first_year: int, last_year: int) -> list[Promo]:
    """Platform promotions and shop events of every year in [first_year, last_year]."""
    sid = model.shop.shop_id
    out = []
    for y in range(first_year, last_year + 1):
        d = dt.date
        schedule = []
        # 618: warm-up / pre-sale from May 20, first wave May 31 20:00, peak June 18
        schedule += [(d(y, 5, k), 1.2, 0.92) for k in range(20, 31)]
        schedule += [(d(y, 5, 31), 1.9, 0.8), (d(y, 6, 1), 2.2, 0.78), (d(y, 6, 2), 1.7, 0.8), (d(y, 6, 3), 1.5, 0.82)]
        schedule += [(d(y, 6, k), 1.25, 0.85) for k in range(4, 16)]
        schedule += [(d(y, 6, 16), 1.5, 0.8), (d(y, 6, 17), 2.0, 0.78), (d(y, 6, 18), 5.0, 0.75),
                     (d(y, 6, 19), 1.5, 0.82), (d(y, 6, 20), 1.2, 0.88)]
        out.append(Promo(f"{sid}-{y}-618", f"{y}{model.promo_names['618']}", "618",
                         dt.datetime(y, 5, 20, 20), dt.datetime(y, 6, 20, 23, 59, 59), tuple(schedule)))
        after = tuple((d(y, 6, k), 0.88, 1.0) for k in range(21, 28))
        out.append(Promo("", "", "_after", dt.datetime(y, 6, 21), dt.datetime(y, 6, 27), after))
        # 818 mid-year festival (JD 818, Douyin 818, Tmall 88): ten days of deals, peak Aug 18
        schedule = tuple((d(y, 8, k), 1.25, 0.9) for k in range(8, 18)) + ((d(y, 8, 18), 2.6, 0.8),)
        out.append(Promo(f"{sid}-{y}-818", f"{y}{model.promo_names['818']}", "818",
                         dt.datetime(y, 8, 8), dt.datetime(y, 8, 18, 23, 59, 59), schedule))
        # Double 11: pre-sale from Oct 20, first wave Oct 31 20:00, peak Nov 11, encore to Nov 13
        schedule = [(d(y, 10, k), 1.15, 0.92) for k in range(20, 31)]
        schedule += [(d(y, 10, 31), 2.6, 0.8), (d(y, 11, 1), 2.3, 0.78), (d(y, 11, 2), 1.6, 0.8), (d(y, 11, 3), 1.4, 0.82)]
        schedule += [(d(y, 11, k), 1.2, 0.85) for k in range(4, 10)]
        schedule += [(d(y, 11, 10), 1.8, 0.78), (d(y, 11, 11), 6.0, 0.75), (d(y, 11, 12), 1.6, 0.8), (d(y, 11, 13), 1.3, 0.85)]
        out.append(Promo(f"{sid}-{y}-double11", f"{y}{model.promo_names['double11']}", "double11",
                         dt.datetime(y, 10, 20, 20), dt.datetime(y, 11, 13, 23, 59, 59), tuple(schedule)))
        after = tuple((d(y, 11, k), 0.88, 1.0) for k in range(14, 25))
        out.append(Promo("", "", "_after", dt.datetime(y, 11, 14), dt.datetime(y, 11, 24), after))
        # Double 12
        schedule = ((d(y, 12, 10), 1.25, 0.9), (d(y, 12, 11), 1.35, 0.88), (d(y, 12, 12), 2.0, 0.85))
        out.append(Promo(f"{sid}-{y}-double12", f"{y}{model.promo_names['double12']}", "double12",
                         dt.datetime(y, 12, 10), dt.datetime(y, 12, 12, 23, 59, 59), schedule))
        # shop events: 3 days build-up + 2 days burst
        for k, event in enumerate(model.shop_events):
            first = d(y, event.month, event.day)
            mults = ((1.15, 0.95), (1.25, 0.93), (1.35, 0.92), (2.0, 0.85), (1.6, 0.88))
            schedule = tuple((first + dt.timedelta(days=i), m, p) for i, (m, p) in enumerate(mults))
            out.append(Promo(f"{sid}-{y}-shop{k + 1}", f"{y}{model.brand}{event.name}", "shop_event",
                             dt.datetime.combine(first, dt.time()),
                             dt.datetime.combine(first + dt.timedelta(days=4), dt.time(23, 59, 59)), schedule))
    return out


@dataclass
class Demand:
    w: np.ndarray  # demand index per ext day (with noise)
    w_det: np.ndarray  # without noise
    promo: np.ndarray  # promotion multiplier per ext day
    intensity: np.ndarray  # promotion intensity, about -0.1 .. 1
    price_factor: np.ndarray  # promotion price factor per ext day
    hour_profile: np.ndarray  # 0 ordinary, 1 peak day (midnight rush), 2 launch evening (20:00)
    month: np.ndarray  # 1..12 per ext day
    weekday: np.ndarray  # 0 = Monday
    promos: list  # Promo of the years covered


def demand(model: ShopModel, cal: Calendar, seed: int) -> Demand:
    dates = cal.ext_dates()
    n = len(dates)
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    weekday = (dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    doy = (dates - dates.astype("datetime64[Y]")).astype(int)
    # yearly pattern: monthly factors interpolated between mid-months (periodic)
    mids = (np.arange(12) + 0.5) * 365.25 / 12
    yearly = np.interp(doy, np.r_[mids[-1] - 365.25, mids, mids[0] + 365.25],
                       np.r_[model.month_factors[-1], model.month_factors, model.month_factors[0]])
    weekly = np.asarray(model.weekday_factors)[weekday]
    # Spring Festival: logistics stop and holiday
    sf = np.ones(n)
    day_num = dates.astype(int)
    for y in range(int(years.min()), int(years.max()) + 1):
        m, d = SPRING_FESTIVAL.get(y, (2, 5))
        centre = np.datetime64(dt.date(y, m, d), "D").astype(int) - 2
        sf *= 1 - 0.45 * np.exp(-0.5 * ((day_num - centre) / 5.0) ** 2)
    promo = np.ones(n)
    price = np.ones(n)
    hour = np.zeros(n, dtype=np.int8)
    promos = promotions(model, int(years.min()), int(years.max()))
    first = dates[0].astype(int)
    for p in promos:
        for day, mult, pf in p.days:
            i = np.datetime64(day, "D").astype(int) - first
            if 0 <= i < n:
                promo[i] *= mult
                price[i] = min(price[i], pf)
    md = (month * 100 + (dates - dates.astype("datetime64[M]")).astype(int) + 1)
    hour[(md == 1111) | (md == 618)] = 1
    hour[(md == 1031) | (md == 531)] = 2
    w_det = yearly * weekly * sf * promo
    rng = stream(seed, model.index, "demand")
    eps = rng.standard_normal(n) * 0.06
    ar = np.empty(n)
    ar[0] = eps[0]
    for i in range(1, n):  # AR(1) over days (a loop over ~2,600 days, not over orders)
        ar[i] = 0.55 * ar[i - 1] + eps[i]
    w = w_det * np.exp(ar - 0.5 * 0.06**2 / (1 - 0.55**2))
    intensity = np.clip(np.log(promo) / np.log(6.0), -0.1, 1.0)
    return Demand(w, w_det, promo, intensity, price, hour, month, weekday,
                  [p for p in promos if p.event != "_after"])
