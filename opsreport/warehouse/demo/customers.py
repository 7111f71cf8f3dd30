"""Customers and their paid orders: who pays when, at what time of day, through which source.

Customers are acquired at a rate that grows year on year and follows the demand index; each has
a gamma-distributed purchase rate and an exponential lifetime; repeat orders are a Poisson
(renewal) process in "demand time", so promotions lift repeat buying too. Customers acquired
during a five-year burn-in before the window supply the returning buyers of the first months.
Time of day follows an hourly profile (midnight rush on 6.18 and 11.11, 20:00 launches); the
traffic source follows the shop's source shares (returning buyers come more often "direct").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import Calendar, Demand
from .sampling import SEC_BITS, argsort_unique, draw_rows, stream
from .shops import SOURCE_RETURNING, SOURCES, ShopModel


@dataclass
class Paid:
    """Paid orders of one shop, one element per order (times in seconds since window start)."""

    cust: np.ndarray  # int64 customer number
    day: np.ndarray  # int64 window day of payment
    tod: np.ndarray  # int64 second of the day of payment
    acq: np.ndarray  # bool: the customer's first order ever (acquisition)
    src: np.ndarray  # int64 index into SOURCES
    n_customers: int  # customer numbers in use are < n_customers

    def take(self, keep: np.ndarray) -> "Paid":
        return Paid(self.cust[keep], self.day[keep], self.tod[keep], self.acq[keep], self.src[keep], self.n_customers)

    @property
    def n(self) -> int:
        return len(self.cust)

    @property
    def t(self) -> np.ndarray:
        """Payment time in days since window start."""
        return self.day + self.tod / 86_400.0

    @property
    def sec(self) -> np.ndarray:
        """Payment time in seconds since window start."""
        return self.day * 86_400 + self.tod

    def by_time(self) -> "Paid":
        return self.take(argsort_unique(self.sec))


HOURS = np.array([1.2, 0.6, 0.3, 0.2, 0.15, 0.2, 0.4, 0.9, 1.6, 2.6, 3.2, 3.4,
                  3.0, 3.1, 3.4, 3.4, 3.3, 3.3, 3.6, 4.2, 5.0, 5.4, 5.0, 3.0])


def _hour_profiles() -> np.ndarray:
    peak = HOURS.copy()
    peak[0] *= 14
    peak[1] *= 4
    peak[2] *= 1.5
    peak[20:] *= 1.4
    launch = HOURS.copy()
    launch[20] *= 8
    launch[21] *= 3
    launch[22] *= 1.5
    launch[23] *= 1.3
    return np.stack([HOURS, peak, launch])


def time_of_day(day: np.ndarray, cal: Calendar, dem: Demand, rng: np.random.Generator) -> np.ndarray:
    prof = dem.hour_profile[cal.burn + day].astype(np.int64)
    hour = draw_rows(np.cumsum(_hour_profiles(), axis=1), prof, rng.random(len(day)))
    return hour * 3600 + rng.integers(0, 3600, size=len(day))


def source_matrix(model: ShopModel, cal: Calendar, dem: Demand, seed: int) -> np.ndarray:
    """Source shares of orders per window day, shape (2, days, 7): [0] new buyers, [1] returning."""
    rng = stream(seed, model.index, "sources")
    ext = np.arange(cal.burn, cal.burn + cal.days)
    years = (ext - (cal.burn + cal.days - 1)) / 365.25
    base = np.tile(np.asarray(model.source_share), (cal.days, 1))
    for source, factor in model.source_trend.items():
        base[:, SOURCES.index(source)] *= factor ** years
    inten = np.clip(dem.intensity[ext], 0, 1)
    base[:, SOURCES.index("paid_ads")] *= 1 + 0.3 * inten
    base[:, SOURCES.index("live_stream")] *= 1 + 0.4 * inten
    base *= np.exp(0.06 * rng.standard_normal(base.shape))
    returning = base * SOURCE_RETURNING
    both = np.stack([base, returning])
    return both / both.sum(axis=2, keepdims=True)


def draw_sources(day, acq, shares: np.ndarray, rng) -> np.ndarray:
    days = shares.shape[1]
    row = np.where(acq, day, days + day)
    return draw_rows(np.cumsum(shares.reshape(2 * days, -1), axis=1), row, rng.random(len(day)))


def simulate_paid_orders(model: ShopModel, cal: Calendar, dem: Demand, target: int, seed: int) -> Paid:
    """Acquisitions and repeat purchases inside the window (about ``target`` of them)."""
    rng = stream(seed, model.index, "customers")
    w = dem.w
    n_ext = cal.n_ext
    W = np.r_[0.0, np.cumsum(w)]  # demand time at the start of each ext day
    lo_w, hi_w = W[cal.burn], W[cal.burn + cal.days]
    years = (np.arange(n_ext) - (cal.burn + cal.days - 1)) / 365.25
    acq_weight = model.growth**years * w
    acq_weight[cal.burn + cal.days:] = 0.0
    p = acq_weight / acq_weight.sum()
    lam_mean = model.repeat_rate / 365.25
    L = model.lifetime_days

    def expected_len(a):
        inside = L * (1 - np.exp(-np.clip(hi_w - a, 0, None) / L))
        before = np.exp(-np.clip(lo_w - a, 0, None) / L) * L * (1 - np.exp(-(hi_w - lo_w) / L))
        return np.where(a >= lo_w, inside, before)

    a_mid = W[:-1] + 0.5 * w
    per_customer = (p * ((a_mid >= lo_w) + lam_mean * expected_len(a_mid))).sum()
    n_cust = max(1, int(round(target / per_customer)))
    day_ext = np.repeat(np.arange(n_ext), rng.multinomial(n_cust, p))
    a = W[day_ext] + rng.random(n_cust) * w[day_ext]
    lam = rng.gamma(model.repeat_shape, lam_mean / model.repeat_shape, n_cust)
    life = rng.exponential(L, n_cust)
    lo = np.maximum(a, lo_w)
    length = np.clip(np.minimum(a + life, hi_w) - lo, 0, None)
    k = rng.poisson(lam * length)
    rep_cust = np.repeat(np.arange(n_cust), k)
    rep_at = lo[rep_cust] + rng.random(len(rep_cust)) * length[rep_cust]
    rep_day = np.searchsorted(W, rep_at, side="right") - 1
    first = np.nonzero((a >= lo_w) & (a < hi_w))[0]
    cust = np.r_[first, rep_cust].astype(np.int64)
    day = np.r_[day_ext[first], rep_day].astype(np.int64) - cal.burn
    acq = np.r_[np.ones(len(first), bool), np.zeros(len(rep_cust), bool)]
    ok = (day >= 0) & (day < cal.days)
    cust, day, acq = cust[ok], day[ok], acq[ok]
    tod = time_of_day(day, cal, dem, rng)
    shares = source_matrix(model, cal, dem, seed)
    src = draw_sources(day, acq, shares, rng)
    return Paid(cust, day, tod, acq, src, n_cust)


def _previous_payment(paid: Paid) -> np.ndarray:
    """Each order's previous payment time (seconds) of the same customer; -1 if none."""
    key = (paid.cust << SEC_BITS) | paid.sec
    order = argsort_unique(key)
    sk = key[order]
    sc = sk >> SEC_BITS
    st = sk & ((1 << SEC_BITS) - 1)
    prev = np.full(len(order), -1, np.int64)
    same = np.r_[False, sc[1:] == sc[:-1]]
    prev[same] = st[np.nonzero(same)[0] - 1]
    out = np.empty(len(order), np.int64)
    out[order] = prev
    return out


def new_buyer_flags(paid: Paid) -> np.ndarray:
    """True for payments with no paid order of the same customer in the 365 days before."""
    prev = _previous_payment(paid)
    return (prev < 0) | (paid.sec - prev > 365 * 86_400)
