"""What the teardown finds, and the responses its rules recommend.

A finding is a competitor's move or a standing of ours that matters, as a code with its evidence
(numbers, dates, ids); the view words it. ``RULES`` says which response each finding calls for;
every rule's condition and response are written out in the report's appendix (messages.yaml,
``rule.<code>`` and ``response.<code>``), so a reader can check why a response was given.

The rules (thresholds are parameters of the report):

* ``move_hurt``: a competitor made a product matched to our SKU cheaper (by ``min_cut`` or more)
  and our SKU's conversion or traffic then fell (by ``conversion_fall`` or more over ``lag_days``
  against the ``baseline_days`` before) -> ``defend_sku``: defend that SKU (price-match only the
  matched SKU for the length of their cut, or add a gift / bundle) rather than cutting shop-wide.
* ``move``: the same cut with no measurable effect (or too little traffic to tell) -> ``watch_price``.
* ``leans_paid`` / ``paid_rising``: a competitor's paid share of visitors is ``paid_gap`` above
  ours, or rose by ``paid_rise`` -> ``lean_content_search``: do not chase it in the same ad
  auctions; put effort into content (short video, live) and search (titles, keywords).
* ``undercut_promo``: a competitor promotion overlapping ours was ``undercut_margin`` deeper ->
  ``avoid_head_on``: keep our depth, move the push to the days outside their promotion, aim
  coupons at our returning buyers rather than matching their depth shop-wide.
* ``rating_drop``: a competitor's rating fell by ``rating_drop`` after a wave of bad reviews on a
  tag -> ``win_on_concern``: show proof on exactly that concern (the tag) on our matched listings
  and bid on the shared search terms while their buyers hesitate.
* ``outgrowing``: a competitor's estimated sales grew faster than ours, even at the low end of
  its range (by OUTGROWING_PP) -> ``study_growth``: read its traffic mix, launches and
  promotions in this report for what drives it.
* ``priced_above`` / ``priced_below``: our matched-basket effective price index is at least
  PRICE_GAP above / below parity -> ``justify_premium`` / ``price_headroom``.
* ``launch_wave``: a competitor launched LAUNCH_WAVE or more products in the period ->
  ``watch_launches``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...schemas import OWN_SHOP

if TYPE_CHECKING:
    from .analysis import CompetitorTeardown

OUTGROWING_PP = 0.10  # estimated growth at least this far above ours, at the low end of its range
PRICE_GAP = 10.0  # index points from parity (100) that call for a response
LAUNCH_WAVE = 5  # launches in the period that make a wave (1-3 a month is ordinary)
MOVES_IN_SUMMARY = 5  # competitor moves named in the summary

#: finding code -> the response it calls for
RULES: dict[str, str] = {
    "move_hurt": "defend_sku",
    "move": "watch_price",
    "leans_paid": "lean_content_search",
    "paid_rising": "lean_content_search",
    "undercut_promo": "avoid_head_on",
    "rating_drop": "win_on_concern",
    "outgrowing": "study_growth",
    "priced_above": "justify_premium",
    "priced_below": "price_headroom",
    "launch_wave": "watch_launches",
}
SEVERITY = {"high": 0, "medium": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # high, medium, info
    competitor_id: str | None
    fields: dict = field(default_factory=dict)
    weight: float = 0.0  # orders findings of one severity (larger first)


@dataclass(frozen=True)
class Response:
    code: str
    findings: tuple[Finding, ...]


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def findings_of(r: CompetitorTeardown) -> list[Finding]:
    out: list[Finding] = []
    out += _move_findings(r)
    out += _traffic_findings(r)
    out += _promo_findings(r)
    out += _review_findings(r)
    out += _growth_findings(r)
    out += _price_findings(r)
    out += _launch_findings(r)
    return sorted(out, key=lambda f: (SEVERITY[f.severity], -f.weight))


def responses_to(findings: list[Finding]) -> list[Response]:
    """One response per rule that fired, with every finding behind it, in the findings' order."""
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(RULES[f.code], []).append(f)
    return [Response(code, tuple(fs)) for code, fs in grouped.items()]


def same_move(f: Finding) -> tuple:
    """Findings with the same key are one move for the summary: one promotion cutting many products,
    a competitor leaning on paid traffic and its paid share rising."""
    return (f.competitor_id, RULES[f.code], f.fields.get("date"))


def competitor_moves(findings: list[Finding]) -> list[Finding]:
    """The competitors' moves that matter most (the summary names these)."""
    seen, out = set(), []
    for f in findings:
        key = same_move(f)
        if f.competitor_id is not None and key not in seen:
            seen.add(key)
            out.append(f)
    return out[:MOVES_IN_SUMMARY]


# --------------------------------------------------------------------------------------------

def _move_findings(r: CompetitorTeardown) -> list[Finding]:
    if r.moves is None or r.moves.empty:
        return []
    out = []
    for m in r.moves.itertuples():
        fields = dict(competitor=m.competitor_id, product_id=m.product_id, product_name=getattr(m, "product_name", None),
                      sku_id=m.sku_id, date=m.date, kind=m.kind, cut=m.cut, before=m.before, after=m.after,
                      conversion_before=m.conversion_before, conversion_after=m.conversion_after,
                      conversion_change=m.conversion_change, uv_change=m.uv_change, effect=m.effect,
                      days_after=m.days_after, uv_after=m.uv_after)
        hurt = m.effect in ("conversion_fell", "traffic_fell", "both")
        out.append(Finding("move_hurt" if hurt else "move", "high" if hurt else "medium", m.competitor_id, fields,
                           weight=float(m.cut)))
    return out


def _traffic_findings(r: CompetitorTeardown) -> list[Finding]:
    if r.traffic is None or r.traffic.flags is None or r.traffic.flags.empty:
        return []
    out = []
    for row in r.traffic.flags.to_dict("records"):
        if row["flag"] in ("leans_paid", "paid_rising"):
            out.append(Finding(row["flag"], "medium", row["competitor_id"], row, weight=float(row.get("share", 0) or 0)))
    return out


def _promo_findings(r: CompetitorTeardown) -> list[Finding]:
    if r.promos is None or r.promos.overlaps is None or r.promos.overlaps.empty:
        return []
    under = r.promos.overlaps[r.promos.overlaps.undercut.astype("boolean").fillna(False).astype(bool)]
    return [Finding("undercut_promo", "high", row["competitor_id"], row,
                    weight=float(row["their_depth"] - (0 if _nan(row["our_depth"]) else row["our_depth"])))
            for row in under.to_dict("records")]


def _review_findings(r: CompetitorTeardown) -> list[Finding]:
    if r.reviews is None or r.reviews.rating_after_wave is None or r.reviews.rating_after_wave.empty:
        return []
    w = r.reviews.rating_after_wave
    fell = w[w.rating_fell.astype("boolean").fillna(False).astype(bool)]
    return [Finding("rating_drop", "medium", row["competitor_id"], row,
                    weight=float(row["rating_before"] - row["rating_end"]))
            for row in fell.to_dict("records")]


def _growth_findings(r: CompetitorTeardown) -> list[Finding]:
    if r.momentum is None or r.momentum.estimates is None:
        return []
    e = r.momentum.estimates
    sales = e[e.metric == "paid_amount"].set_index("competitor_id")
    if OWN_SHOP not in sales.index or _nan(sales.loc[OWN_SHOP, "growth"]):
        return []
    ours = float(sales.loc[OWN_SHOP, "growth"])
    out = []
    for cid, row in sales.drop(index=OWN_SHOP).iterrows():
        low = _growth_low(row)
        if not _nan(low) and low >= ours + OUTGROWING_PP:
            out.append(Finding("outgrowing", "medium", cid, dict(competitor=cid, growth=row["growth"], low=low, ours=ours),
                               weight=float(row["growth"])))
    return out


def _growth_low(row) -> float:
    """The low end of a competitor's growth: this period's low estimate against the previous
    period's estimate (both from the same curve)."""
    if "growth_low" in row.index:
        return row["growth_low"]
    prev = row.get("previous_estimate")
    if _nan(prev) or not prev:
        return float("nan")
    return row["low"] / prev - 1


def _price_findings(r: CompetitorTeardown) -> list[Finding]:
    if r.price_index is None:
        return []
    overall = r.price_index.overall
    value = overall["effective_index"] if isinstance(overall, dict) else float(overall.effective_index.iloc[0])
    if _nan(value):
        return []
    fields = dict(index=value)
    if value >= 100 + PRICE_GAP:
        return [Finding("priced_above", "medium", None, fields, weight=value - 100)]
    if value <= 100 - PRICE_GAP:
        return [Finding("priced_below", "info", None, fields, weight=100 - value)]
    return []


def _launch_findings(r: CompetitorTeardown) -> list[Finding]:
    if r.assortment is None or r.assortment.launches is None or r.assortment.launches.empty:
        return []
    counts = r.assortment.launches[r.assortment.launches.competitor_id != OWN_SHOP].groupby("competitor_id").size()
    return [Finding("launch_wave", "info", cid, dict(competitor=cid, launches=int(n)), weight=float(n))
            for cid, n in counts.items() if n >= LAUNCH_WAVE]
