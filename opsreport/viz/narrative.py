"""Generated sentences in zh and en: what moved, why, and what to do."""

from __future__ import annotations

import math

from ..analyses.anomalies import Anomaly
from ..i18n import t
from ..metrics.registry import format_change, format_value, metric


def _money(v) -> str:
    return format_value(v, "yuan")


def _rate(v) -> str:
    return format_value(v, "rate")


def _date(v) -> str:
    return str(v)[:10] if v is not None and not (isinstance(v, float) and math.isnan(v)) else "–"


# rule -> (zh, en) templates of the finding and of the action; fields come from describe()
TEMPLATES = {
    "sku_conversion_drop": (
        "{subject} 转化率由基线 {conversion_baseline} 降至 {conversion_now}（本周访客 {uv_now}）。",
        "{subject}: conversion fell from a baseline of {conversion_baseline} to {conversion_now} ({uv_now} visitors this week).",
        "排查竞品降价、新增差评和详情页/主图问题，当天处理。",
        "Check competitor price cuts, new bad reviews and the listing page today.",
    ),
    "stockout": (
        "{subject} 自 {stockout_since} 起缺货（近30天支付金额 {gmv_30d}，日均 {avg_daily_units} 件）。",
        "{subject} is out of stock since {stockout_since} (GMV {gmv_30d} in the last 30 days, {avg_daily_units} units a day).",
        "联系供应链加急补货，补货前暂停该商品的付费推广。",
        "Ask supply chain for an urgent restock and pause its paid ads until then.",
    ),
    "refund_spike": (
        "{subject} 类目退款率 {refund_rate_now}，基线 {refund_rate_baseline}（退款 {refund_amount}，数据未成熟，仍会上升）。",
        "Category {subject}: refund rate {refund_rate_now} vs a baseline of {refund_rate_baseline} (refunds {refund_amount}; immature, still rising).",
        "抽查该类目退款原因（质量、描述不符、物流），必要时下架问题批次。",
        "Sample the category's refund reasons (quality, description, logistics) and pull a faulty batch if needed.",
    ),
    "campaign_roi_below_target": (
        "推广计划 {subject} ROI {roi_now}，低于目标 {roi_target}（上周 {roi_prev}，本周花费 {spend}）。",
        "Campaign {subject}: ROI {roi_now}, below the target of {roi_target} (last week {roi_prev}, spend {spend}).",
        "下调出价、暂停低效关键词和人群，把预算转给达标计划。",
        "Lower bids, pause weak keywords and audiences, move budget to campaigns on target.",
    ),
    "dormant_share_rise": (
        "沉睡客占比升至 {dormant_share_now}（4周前 {dormant_share_4w_ago}）。",
        "Dormant-buyer share rose to {dormant_share_now} (4 weeks ago {dormant_share_4w_ago}).",
        "启动沉睡客召回：短信/会员券定向触达，并检查复购链路。",
        "Start a win-back campaign (SMS, member coupons) and review the repeat-purchase journey.",
    ),
    "kpi_change": (
        "{label} 环比 {relative_change}（{before} → {now}）{context}。",
        "{label} moved {relative_change} week on week ({before} → {now}){context}.",
        "",
        "",
    ),
    "pacing_behind": (
        "{subject} 月目标完成 {completion}（时间进度 {time_elapsed}），按当前日均预计完成 {projected_completion}；剩余 {days_remaining} 天需日均 {required_run_rate}。",
        "{subject}: {completion} of the monthly target with {time_elapsed} of the month gone; at the current pace {projected_completion}; {days_remaining} days left need {required_run_rate} a day.",
        "加大剩余天数的活动与投放力度，或与总监确认目标调整。",
        "Step up promotions and ads for the rest of the month, or agree a revised target with the director.",
    ),
}

_FORMATS = {
    "conversion_baseline": _rate, "conversion_now": _rate, "refund_rate_now": _rate, "refund_rate_baseline": _rate,
    "dormant_share_now": _rate, "dormant_share_4w_ago": _rate, "completion": _rate, "time_elapsed": _rate,
    "projected_completion": _rate,
    "gmv_30d": _money, "refund_amount": _money, "spend": _money, "required_run_rate": _money, "gmv": _money,
    "roi_now": lambda v: format_value(v, "ratio"), "roi_prev": lambda v: format_value(v, "ratio"),
    "roi_target": lambda v: format_value(v, "ratio"),
    "uv_now": lambda v: format_value(v, "count"), "avg_daily_units": lambda v: f"{v:,.1f}",
    "stockout_since": _date, "days_remaining": lambda v: f"{v:d}",
}


def fields(anomaly: Anomaly, lang: str) -> dict[str, str]:
    """The anomaly's evidence formatted for reading."""
    out = {"subject": anomaly.subject}
    for key, value in anomaly.evidence.items():
        fmt = _FORMATS.get(key)
        out[key] = fmt(value) if fmt else str(value)
    if anomaly.rule == "kpi_change":
        m = metric(anomaly.subject)
        out["label"] = m.label(lang)
        out["now"], out["before"] = m.format(anomaly.evidence["now"]), m.format(anomaly.evidence["before"])
        out["relative_change"] = format_change(anomaly.evidence["relative_change"], "yuan")
        ctx = anomaly.evidence.get("context")
        out["context"] = (f"，上周含{ctx}" if lang == "zh" else f"; last week included {ctx}") if ctx else ""
    return out


def describe(anomaly: Anomaly, lang: str) -> str:
    zh, en, *_ = TEMPLATES[anomaly.rule]
    return (zh if lang == "zh" else en).format(**fields(anomaly, lang))


def action(anomaly: Anomaly, lang: str) -> str:
    _, _, zh, en = TEMPLATES[anomaly.rule]
    return zh if lang == "zh" else en


def rule_name(rule: str, lang: str) -> str:
    return t("rule", rule, lang)


def headlines(review, limit: int = 5) -> list[str]:
    """3-5 sentences: GMV and its comparisons, which factor moved it, the most urgent findings
    with their actions, and the month's pacing."""
    lang = review.lang
    k = review.kpis.set_index("metric")
    gmv = k.loc["gmv"]
    out = []
    if lang == "zh":
        s = f"本周支付金额 {_money(gmv.this_week)}，环比 {format_change(gmv.wow, 'yuan')}，同比 {format_change(gmv.yoy, 'yuan')}"
        if not math.isnan(gmv.target):
            s += f"，周目标达成 {_rate(gmv.this_week / gmv.target)}"
        if review.events_last_week:
            s += f"（上周含{'、'.join(review.events_last_week)}）"
        out.append(s + "。")
    else:
        s = f"GMV this week was {_money(gmv.this_week)}, {format_change(gmv.wow, 'yuan')} week on week and {format_change(gmv.yoy, 'yuan')} year on year"
        if not math.isnan(gmv.target):
            s += f", {_rate(gmv.this_week / gmv.target)} of the weekly target"
        if review.events_last_week:
            s += f" (last week included {', '.join(review.events_last_week)})"
        out.append(s + ".")
    if len(review.bridge):
        out.append(bridge_sentence(review))
    urgent = [a for a in review.anomalies if a.severity == "high"][:2]
    for a in urgent:
        out.append(f"{describe(a, lang)} {action(a, lang)}")
    if not urgent:
        out.append(drivers_sentence(k, lang))
        out.append(quiet_sentence(review, lang))
    p = review.pacing
    if p and not math.isnan(p.get("target", math.nan)):
        if lang == "zh":
            out.append(
                f"{p['month']} 月累计 {_money(p['gmv_mtd'])}，完成月目标 {_rate(p['completion'])}（时间进度 {_rate(p['time_elapsed'])}），"
                f"剩余 {p['days_remaining']} 天需日均 {_money(p['required_run_rate'])}（当前日均 {_money(p['run_rate'])}）。"
            )
        else:
            out.append(
                f"Month to date {_money(p['gmv_mtd'])}: {_rate(p['completion'])} of the {p['month']} target with "
                f"{_rate(p['time_elapsed'])} of the month gone; the {p['days_remaining']} days left need {_money(p['required_run_rate'])} "
                f"a day (current pace {_money(p['run_rate'])})."
            )
    return out[:limit]


def drivers_sentence(k, lang: str) -> str:
    """Traffic, conversion and order value this week with their week-on-week change."""
    parts = []
    for key in ("uv", "conversion_rate", "aov"):
        m = metric(key)
        parts.append(f"{m.label(lang)} {m.format(k.loc[key, 'this_week'])}（{format_change(k.loc[key, 'wow'], m.unit)}）"
                     if lang == "zh" else f"{m.label(lang).lower()} {m.format(k.loc[key, 'this_week'])} ({format_change(k.loc[key, 'wow'], m.unit)})")
    return ("，".join(parts) + "。") if lang == "zh" else ("This week: " + ", ".join(parts) + ".")


def quiet_sentence(review, lang: str) -> str:
    """No high-severity finding: say so, and name the first other finding if any."""
    rest = review.anomalies[:1]
    if lang == "zh":
        tail = f"其余预警：{describe(rest[0], lang)}" if rest else "所有预警规则均未触发。"
        return "本周没有高优先级预警；" + tail
    tail = f"Other finding: {describe(rest[0], lang)}" if rest else "No anomaly rule fired."
    return "No high-priority alert this week. " + tail


def bridge_sentence(review) -> str:
    lang = review.lang
    b = review.bridge
    change = b.attrs["end"] - b.attrs["start"]
    main = b.loc[b.contribution.abs().idxmax()]
    parts = "，".join if lang == "zh" else ", ".join
    pieces = [f"{row.factor_label} {'+' if row.contribution >= 0 else '−'}{_money(abs(row.contribution))}" for row in b.itertuples()]
    if lang == "zh":
        return (f"支付金额变化 {'+' if change >= 0 else '−'}{_money(abs(change))}，主要来自{main.factor_label}"
                f"（{parts(pieces)}）。")
    return (f"Of the {'+' if change >= 0 else '−'}{_money(abs(change))} change in GMV, {main.factor_label} did the most "
            f"({parts(pieces)}).")
