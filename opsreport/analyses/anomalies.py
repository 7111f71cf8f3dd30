"""Anomaly rules of the weekly review. Each rule is a pure function of small frames that returns
the findings with the numbers behind them; wording lives in viz/narrative.py."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from ..metrics import compute
from ..metrics.registry import metric, ratio

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Anomaly:
    rule: str  # sku_conversion_drop, stockout, refund_spike, campaign_roi_below_target, ...
    subject: str  # what it is about: a SKU, category, campaign or metric
    severity: str  # high / medium / low
    evidence: dict = field(default_factory=dict)  # name -> number (units by name)
    score: float = 0.0  # ranks findings of one rule (e.g. money at stake)


def sku_conversion_drops(sku_weeks: pd.DataFrame, *, drop: float, min_uv: float, min_z: float) -> list[Anomaly]:
    """SKUs whose conversion this week fell by ``drop`` (relative) from their baseline, by more
    than chance explains.

    ``sku_weeks``: sku_id, product_name, uv, paid_buyers, paid_amount, baseline_conversion
    (median of the previous weeks' conversions, each from summed parts), baseline_uv.
    Chance: buyers are roughly Poisson, so the shortfall of observed buyers against those the
    baseline rate predicts must be at least ``min_z`` standard deviations (sqrt of expected);
    this keeps long-tail SKUs with a handful of buyers from firing.
    """
    out = []
    for r in sku_weeks.itertuples():
        conv = compute("conversion_rate", {"buyer_days": r.paid_buyers, "uv_sum": r.uv})["conversion_rate"]
        if r.uv < min_uv or r.baseline_uv < min_uv or not r.baseline_conversion > 0:
            continue
        expected = r.baseline_conversion * r.uv
        z = (expected - r.paid_buyers) / expected**0.5
        if conv <= (1 - drop) * r.baseline_conversion and z >= min_z:
            lost = (r.baseline_conversion - conv) * r.uv * ratio(r.paid_amount, r.paid_buyers or float("nan"))
            out.append(
                Anomaly(
                    "sku_conversion_drop",
                    f"{r.product_name} ({r.sku_id})",
                    "high",
                    {
                        "sku_id": r.sku_id,
                        "conversion_now": conv,
                        "conversion_baseline": r.baseline_conversion,
                        "uv_now": r.uv,
                        "paid_buyers_now": r.paid_buyers,
                        "paid_buyers_expected": expected,
                    },
                    score=0.0 if pd.isna(lost) else float(lost),
                )
            )
    return out


def with_competitor_moves(findings: list[Anomaly], moves: pd.DataFrame | None) -> list[Anomaly]:
    """The findings, each SKU conversion drop whose SKU has competitor moves carrying them as
    evidence (``competitor_moves``: a list of dicts with competitor_id, product_id, date, kind,
    before, after and cut, latest first, then deepest cut): a likely cause to name.

    ``moves``: `analyses.competitor_moves.moves_near` output (sku_id, date, competitor_id,
    product_id, kind, before, after, cut) for the window that can explain the week; None or empty
    leaves every finding as it is. Other findings are returned unchanged.
    """
    if moves is None or moves.empty:
        return list(findings)
    out = []
    for a in findings:
        mine = moves[moves.sku_id == a.evidence.get("sku_id")] if a.rule == "sku_conversion_drop" else moves.iloc[0:0]
        if mine.empty:
            out.append(a)
            continue
        mine = mine.sort_values(["date", "cut"], ascending=[False, False], kind="stable")
        listed = [
            {"competitor_id": m.competitor_id, "product_id": m.product_id, "date": pd.Timestamp(m.date).date(),
             "kind": m.kind, "before": float(m.before), "after": float(m.after), "cut": float(m.cut)}
            for m in mine.itertuples()
        ]
        out.append(replace(a, evidence={**a.evidence, "competitor_moves": listed}))
    return out


def stockouts(stock: pd.DataFrame, limit: int = 5) -> list[Anomaly]:
    """Top stockouts by 30-day GMV. ``stock``: sku_id, product_name, stockout_since, gmv_30d, avg_daily_units."""
    rows = stock.sort_values("gmv_30d", ascending=False).head(limit)
    return [
        Anomaly(
            "stockout",
            f"{r.product_name} ({r.sku_id})",
            "high",
            {"stockout_since": r.stockout_since, "gmv_30d": r.gmv_30d, "avg_daily_units": r.avg_daily_units},
            score=float(r.gmv_30d),
        )
        for r in rows.itertuples()
    ]


def refund_spikes(cat_weeks: pd.DataFrame, *, ratio_threshold: float, min_rate: float, immature: bool) -> list[Anomaly]:
    """Categories whose refund rate this week is ``ratio_threshold`` × their baseline and above ``min_rate``.

    ``cat_weeks``: category, gmv, refund_amount, baseline_refund_rate (median of previous weeks).
    ``immature``: the week's refunds are still arriving; the finding is then preliminary (its
    evidence says so) and the rate can only rise.
    """
    out = []
    for r in cat_weeks.itertuples():
        rate = compute("refund_rate", {"refund_amount": r.refund_amount, "gmv": r.gmv})["refund_rate"]
        if not rate >= min_rate:
            continue
        base = r.baseline_refund_rate
        if pd.isna(base) or rate >= ratio_threshold * base:
            out.append(
                Anomaly(
                    "refund_spike",
                    r.category,
                    "high",
                    {"refund_rate_now": rate, "refund_rate_baseline": base, "refund_amount": r.refund_amount, "gmv": r.gmv,
                     "immature": immature},
                    score=float(r.refund_amount),
                )
            )
    return out


NEAR_TARGET = 0.95  # ROI within 5% of the target, or improving: watch rather than cut


def campaigns_below_target(campaigns: pd.DataFrame, *, target: float, min_spend: float) -> list[Anomaly]:
    """Campaigns with ROI below target and enough spend. ``campaigns``: channel, campaign, spend,
    attributed_amount, roi, roi_prev.

    Severity follows the gap: high below 75% of the target; medium below 95% and not improving;
    low when close to the target or improving on last week (its action is to watch, not to cut).
    """
    out = []
    for r in campaigns.itertuples():
        if r.spend < min_spend or not r.roi < target:
            continue
        improving = pd.notna(r.roi_prev) and r.roi > r.roi_prev
        if r.roi < 0.75 * target:
            severity = "high"
        elif r.roi < NEAR_TARGET * target and not improving:
            severity = "medium"
        else:
            severity = "low"
        out.append(
            Anomaly(
                "campaign_roi_below_target",
                f"{r.channel} / {r.campaign}",
                severity,
                {"roi_now": r.roi, "roi_prev": r.roi_prev, "roi_target": target, "spend": r.spend},
                score=float((target - r.roi) * r.spend),
            )
        )
    return out


def dormant_rise(share_now: float, share_before: float, *, threshold_pp: float) -> list[Anomaly]:
    if pd.isna(share_now) or pd.isna(share_before) or share_now - share_before < threshold_pp:
        return []
    return [
        Anomaly(
            "dormant_share_rise",
            "dormant_share",
            "high",
            {"dormant_share_now": share_now, "dormant_share_4w_ago": share_before},
            score=share_now - share_before,
        )
    ]


def kpi_changes(kpis: pd.DataFrame, *, threshold: float, promotions: list[str], refund_spikes: list[str]) -> list[Anomaly]:
    """One finding listing the KPIs that moved the bad way by ``threshold`` or more (relative), in
    the KPI table's order (GMV first); none when no KPI did.

    ``kpis``: metric, this_week, last_week, and optionally normal (the level of ordinary weeks) and
    immature. The move is week on week, except after a promotion week (``promotions`` ran last
    week), when it is measured against the normal level: a fall from a promotion peak is no alarm.
    Immature refund metrics are skipped: they are not final. The evidence names what explains a
    refund move: a category refund spike (``refund_spikes``).
    """
    against_normal = bool(promotions) and "normal" in kpis.columns
    moves = []
    for r in kpis.itertuples():
        if getattr(r, "immature", False):
            continue
        before = r.normal if against_normal else r.last_week
        rel = ratio(r.this_week - before, abs(before)) if before else float("nan")
        if pd.isna(rel) or abs(rel) < threshold or metric(r.metric).judge(rel) != "bad":
            continue  # good news is in the headline, not in the alarms
        moves.append({"metric": r.metric, "now": r.this_week, "before": before, "relative_change": rel})
    if not moves:
        return []
    evidence = {"moves": moves, "basis": "normal" if against_normal else "last_week"}
    if refund_spikes and any(m["metric"] in ("refund_rate", "net_gmv", "refund_amount") for m in moves):
        evidence["refund_spikes"] = list(refund_spikes)
    if promotions:
        evidence["promotions"] = list(promotions)
    return [Anomaly("kpi_change", moves[0]["metric"], "medium", evidence, score=max(abs(m["relative_change"]) for m in moves))]


def pacing_behind(pacing) -> list[Anomaly]:
    """The month will miss its GMV target at the recent pace. ``pacing``: analyses.pacing.Pacing."""
    if pacing is None or pd.isna(pacing.projected_completion) or pacing.projected_completion >= 1:
        return []
    evidence = {
        "completion": pacing.completion, "time_elapsed": pacing.time_elapsed,
        "projected_completion": pacing.projected_completion, "days_remaining": pacing.days_remaining,
        "required_run_rate": pacing.required_run_rate, "run_rate_recent": pacing.run_rate_recent,
    }
    return [Anomaly("pacing_behind", pacing.month, "medium", evidence, score=1 - pacing.projected_completion)]


def ordered(findings: list[Anomaly]) -> list[Anomaly]:
    return sorted(findings, key=lambda a: (SEVERITY_ORDER[a.severity], -a.score))
