"""The weekly review's 3-5 headline sentences, ranked by severity.

1. GMV against last week, last year and the target (and against a normal week when last week
   had a promotion, in the same sentence); 2. every high-severity finding, most money at stake first (a short form:
   the full evidence is in the anomalies table); 3. what moved GMV, when there is room;
   4. the month's pacing. On a quiet week: the drivers and a no-alert line.

`action` words what to do about a finding, for the headlines and the anomalies table alike: a SKU
conversion drop with a competitor move in its evidence names the move as the likely cause
(messages.yaml ``cause``); every other finding keeps its rule's action (glossary ``anomaly``).
"""

from __future__ import annotations

import math

from ...i18n import Messages
from ...metrics.registry import metric
from ...viz import narrative, numbers

LIMIT = 5
ALERTS_ALONE = 3  # high alerts with a sentence each; more are listed together
CAUSES_NAMED = 3  # competitor moves named in one action; more are counted


def action(anomaly, say: Messages) -> str:
    """What to do about ``anomaly``; the competitor moves in its evidence (latest first) named as
    the likely cause of a SKU conversion drop."""
    moves = anomaly.evidence.get("competitor_moves") if anomaly.rule == "sku_conversion_drop" else None
    if not moves:
        return narrative.action(anomaly, say)
    named = [say(f"cause.{m['kind']}", competitor=m["competitor_id"], date=numbers.format_date(m["date"], say.lang, short=True),
                 cut=numbers.format_percent(m["cut"], 0, say.lang)) for m in moves[:CAUSES_NAMED]]
    causes = say("cause.sep").join(named)
    if len(moves) > CAUSES_NAMED:
        causes += say("cause.more", count=len(moves) - CAUSES_NAMED)
    return say("cause.action", causes=causes)


def headlines(review, say: Messages, num: numbers.Numbers | None = None) -> list[str]:
    num = num or numbers.Numbers(say.lang, review.shop.get("currency") or "CNY")
    k = review.kpis.set_index("metric")
    gmv = k.loc["gmv"]
    out = [_gmv(review, gmv, say, num)]
    high = [a for a in review.anomalies if a.severity == "high"]
    for a in high[:ALERTS_ALONE]:
        out.append(say("headline.alert", rule=say.word("rule", a.rule), finding=narrative.short(a, say, num),
                       action=action(a, say).rstrip("。.")))
    if len(high) > ALERTS_ALONE:
        items = say("headline.sep").join(narrative.short(a, say, num) for a in high[ALERTS_ALONE:])
        out.append(say("headline.more_alerts", items=items))
    if not high:
        out.append(_drivers(k, say, num))
        rest = review.anomalies[:1]
        tail = say("headline.quiet_other", finding=narrative.describe(rest[0], say, num)) if rest else say("headline.quiet_none")
        out.append(say("headline.quiet", rest=tail))
    if len(out) < LIMIT and not review.bridge.empty:
        b = review.bridge
        main = b.main_factor()
        out.append(say("headline.bridge", change=num.money(b.change, plus=True), factor=say.word("factor", main),
                       contribution=num.money(b.contributions[main], plus=True)))
    p = review.pacing
    if len(out) < LIMIT and not math.isnan(p.target):
        money, rate = num.money, (lambda v: num.value(v, "rate"))
        out.append(say("headline.pacing", month=p.month, gmv_mtd=money(p.gmv_mtd), completion=rate(p.completion),
                       time_elapsed=rate(p.time_elapsed), recent_days=p.recent_days, run_rate=money(p.run_rate_recent),
                       projected=rate(p.projected_completion), days_remaining=p.days_remaining,
                       required=money(p.required_run_rate)))
    return out[:LIMIT]


def _gmv(review, gmv, say: Messages, num: numbers.Numbers) -> str:
    text = say("headline.gmv", gmv=num.money(gmv.this_week), wow=num.change(gmv.wow, "yuan"), yoy=num.change(gmv.yoy, "yuan"))
    if not math.isnan(gmv.target):
        text += say("headline.gmv_target", achieved=num.value(gmv.this_week / gmv.target, "rate"))
    if review.promotions_last_week and not math.isnan(gmv.vs_normal):  # week on week says little after a promotion
        text += say("headline.normal", promotions=say.join(p.name for p in review.promotions_last_week),
                    weeks=len(review.normal_weeks), amount=num.change(abs(gmv.vs_normal), "yuan").lstrip("+"),
                    relation=say("headline.below" if gmv.vs_normal < 0 else "headline.above"))
    return text + say("headline.gmv_end")


def _drivers(k, say: Messages, num: numbers.Numbers) -> str:
    items = []
    for key in ("uv", "conversion_rate", "aov"):
        if math.isnan(k.loc[key, "this_week"]):  # unknown (no traffic data): not worth a sentence
            continue
        m = metric(key)
        items.append(say("headline.driver", label=m.label(say.lang),
                         value=num.value(k.loc[key, "this_week"], m.unit), change=num.change(k.loc[key, "wow"], m.unit)))
    return say("headline.drivers", items=say.join(items))

