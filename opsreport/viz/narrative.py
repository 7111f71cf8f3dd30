"""Anomaly findings in words: the evidence sentence, a short form for headlines, and the action.

Templates live in glossary.yaml (``anomaly.<rule>``); this module only formats the evidence.
"""

from __future__ import annotations

import math

from ..analyses.anomalies import Anomaly
from ..i18n import Messages
from ..metrics.registry import metric
from .numbers import Numbers


def _date(v) -> str:
    return str(v)[:10] if v is not None and not (isinstance(v, float) and math.isnan(v)) else "–"


_UNITS = {  # evidence name -> unit it is shown in
    "conversion_baseline": "rate", "conversion_now": "rate", "refund_rate_now": "rate", "refund_rate_baseline": "rate",
    "dormant_share_now": "rate", "dormant_share_4w_ago": "rate", "completion": "rate", "time_elapsed": "rate",
    "projected_completion": "rate",
    "gmv_30d": "yuan", "refund_amount": "yuan", "spend": "yuan", "required_run_rate": "yuan", "gmv": "yuan",
    "run_rate_recent": "yuan",
    "roi_now": "ratio", "roi_prev": "ratio", "roi_target": "ratio",
    "uv_now": "count", "avg_daily_units": "days",
}


def fields(anomaly: Anomaly, say: Messages, num: Numbers | None = None) -> dict[str, str]:
    """The anomaly's evidence formatted for reading (``num``: the report's number formats)."""
    num = num or Numbers(say.lang)
    out = {"subject": anomaly.subject}
    for key, value in anomaly.evidence.items():
        if key in _UNITS:
            out[key] = num.value(value, _UNITS[key])
        elif key == "stockout_since":
            out[key] = _date(value)
        else:
            out[key] = str(value)
    if anomaly.rule == "refund_spike":
        out["maturity"] = say("anomaly.refund_spike.immature") if anomaly.evidence.get("immature") else ""
    if anomaly.rule == "kpi_change":
        out["basis"] = say(f"anomaly.kpi_change.{anomaly.evidence.get('basis', 'last_week')}")
        moves = []
        for move in anomaly.evidence["moves"]:
            m = metric(move["metric"])
            moves.append(say("anomaly.kpi_change.move", label=m.label(say.lang), before=num.value(move["before"], m.unit),
                             now=num.value(move["now"], m.unit), relative_change=num.change(move["relative_change"], "yuan")))
        first = anomaly.evidence["moves"][0]
        out["label"] = metric(first["metric"]).label(say.lang)
        out["relative_change"] = num.change(first["relative_change"], "yuan")
        out["moves"] = say("anomaly.kpi_change.sep").join(moves)
        out["context"] = ""
        if anomaly.evidence.get("refund_spikes"):
            out["context"] = say("anomaly.kpi_change.refund_spike", names=say.join(anomaly.evidence["refund_spikes"]))
        elif anomaly.evidence.get("promotions"):
            out["context"] = say("anomaly.kpi_change.after_promotion", names=say.join(anomaly.evidence["promotions"]))
    return out


def describe(anomaly: Anomaly, say: Messages, num: Numbers | None = None) -> str:
    """The finding with its evidence (the anomalies table)."""
    return say(f"anomaly.{anomaly.rule}.finding", **fields(anomaly, say, num))


def short(anomaly: Anomaly, say: Messages, num: Numbers | None = None) -> str:
    """The finding in a few words (headlines)."""
    return say(f"anomaly.{anomaly.rule}.short", **fields(anomaly, say, num))


def action(anomaly: Anomaly, say: Messages) -> str:
    """What to do; a low-severity finding takes its rule's milder ``action_low`` when it has one."""
    if anomaly.severity == "low":
        try:
            return say(f"anomaly.{anomaly.rule}.action_low")
        except KeyError:
            pass
    return say(f"anomaly.{anomaly.rule}.action")
