"""GMV bridge: which of traffic, conversion and order value moved GMV.

GMV of a period factors exactly as

    GMV = days × avg daily UV × conversion × GMV per buyer-day

where conversion = Σ daily paid buyers / Σ daily UV and GMV per buyer-day = GMV / Σ daily
paid buyers (the order value behind the daily conversion; it equals AOV when no buyer pays
on two days of the period). The change between two periods is split with the additive
log-mean Divisia index (LMDI-I): each factor x contributes L(G1, G0) × ln(x1 / x0), with
L(a, b) = (a − b) / (ln a − ln b). The contributions add up exactly to G1 − G0, do not depend
on the order of the factors, and leave no residual. When a factor is zero in either period
the log is undefined and the bridge falls back to sequential substitution in the order
days, UV, conversion, order value (also exact).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FACTORS = ("days", "uv", "conversion_rate", "gmv_per_buyer_day")


@dataclass(frozen=True)
class BridgeInput:
    days: float
    uv_sum: float
    buyer_days: float
    gmv: float

    def factors(self) -> dict[str, float]:
        """The four factors; a factor whose denominator is 0 is 0 here (the bridge then falls back
        to sequential substitution)."""
        from ..metrics import compute

        kpis = compute(["uv", "conversion_rate"], {"uv_sum": self.uv_sum, "days": self.days, "buyer_days": self.buyer_days})
        value = self.gmv / self.buyer_days if self.buyer_days else 0.0  # GMV per buyer-day: the bridge's own factor
        zero_if_nan = lambda v: 0.0 if math.isnan(v) else v  # noqa: E731 - local shorthand
        return {"days": float(self.days), "uv": zero_if_nan(kpis["uv"]),
                "conversion_rate": zero_if_nan(kpis["conversion_rate"]), "gmv_per_buyer_day": value}


def _log_mean(a: float, b: float) -> float:
    if a == b:
        return a
    return (a - b) / (math.log(a) - math.log(b))


def decompose(before: BridgeInput, after: BridgeInput) -> dict[str, float]:
    """Contribution of each factor (yuan) to after.gmv − before.gmv; the values sum to that change."""
    x0, x1 = before.factors(), after.factors()
    g0 = math.prod(x0.values())
    g1 = math.prod(x1.values())
    if all(v > 0 for v in (*x0.values(), *x1.values())):
        weight = _log_mean(g1, g0)
        parts = {k: weight * math.log(x1[k] / x0[k]) for k in FACTORS}
    else:
        parts, current = {}, dict(x0)
        for k in FACTORS:
            prev = math.prod(current.values())
            current[k] = x1[k]
            parts[k] = math.prod(current.values()) - prev
    # the factor product equals GMV up to float rounding; pin the total to the observed change
    residual = (after.gmv - before.gmv) - sum(parts.values())
    parts["gmv_per_buyer_day"] += residual
    return parts


@dataclass(frozen=True)
class Bridge:
    """GMV of two periods and each factor's contribution to the change (factor keys of FACTORS;
    'days' only when the periods differ in length). Empty contributions: nothing to compare."""

    start: float  # GMV before (NaN when the earlier period has none)
    end: float
    contributions: dict[str, float]

    @property
    def change(self) -> float:
        return self.end - self.start

    @property
    def empty(self) -> bool:
        return not self.contributions

    def main_factor(self) -> str:
        return max(self.contributions, key=lambda k: abs(self.contributions[k]))

    def frame(self):
        """factor, contribution, share_of_change: one row per factor shown."""
        import pandas as pd

        rows = [{"factor": k, "contribution": v,
                 "share_of_change": v / self.change if self.change else float("nan")}
                for k, v in self.contributions.items()]
        return pd.DataFrame(rows, columns=["factor", "contribution", "share_of_change"])


def gmv_bridge(before: BridgeInput | None, after: BridgeInput) -> Bridge:
    """The bridge from ``before`` to ``after``; empty when ``before`` is missing or had no GMV."""
    if before is None or not before.gmv:
        return Bridge(float("nan") if before is None else before.gmv, after.gmv, {})
    parts = decompose(before, after)
    shown = {k: v for k, v in parts.items() if k != "days" or abs(v) > 1e-9}
    return Bridge(before.gmv, after.gmv, shown)
