"""The metric registry: labels, units, direction and formatting of every metric, read from YAML."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

UNITS = ("yuan", "count", "rate", "ratio", "seconds", "days")


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: str
    higher_is_better: bool | None
    formula: str
    en_desc: str
    zh_desc: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def description(self, lang: str) -> str:
        return self.zh_desc if lang == "zh" else self.en_desc

    def format(self, value) -> str:
        return format_value(value, self.unit)

    def change(self, current, previous):
        """The change shown for this metric: pp difference for rates, relative change otherwise."""
        return change(current, previous, self.unit)

    def format_change(self, value) -> str:
        return format_change(value, self.unit)

    def judge(self, delta) -> str:
        """'good', 'bad' or 'neutral' for a change of ``delta``."""
        if delta is None or _missing(delta) or delta == 0 or self.higher_is_better is None:
            return "neutral"
        return "good" if (delta > 0) == self.higher_is_better else "bad"


@cache
def metrics() -> dict[str, Metric]:
    text = resources.files("opsreport.metrics").joinpath("registry.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    out = {}
    for key, spec in raw.items():
        if spec["unit"] not in UNITS:
            raise ValueError(f"metric {key}: unknown unit {spec['unit']!r}")
        out[key] = Metric(
            key=key,
            zh=spec["zh"],
            en=spec["en"],
            unit=spec["unit"],
            higher_is_better=spec.get("higher_is_better"),
            formula=spec["formula"],
            en_desc=spec["en_desc"],
            zh_desc=spec["zh_desc"],
        )
    return out


def metric(key: str) -> Metric:
    try:
        return metrics()[key]
    except KeyError:
        raise KeyError(f"metric {key!r} is not in the registry (opsreport/metrics/registry.yaml)") from None


def _missing(value) -> bool:
    try:
        return value is None or math.isnan(value)
    except TypeError:
        return False


def ratio(numerator, denominator):
    """numerator / denominator, NaN when the denominator is zero or missing."""
    if _missing(numerator) or _missing(denominator) or denominator == 0:
        return float("nan")
    return numerator / denominator


def change(current, previous, unit: str):
    if _missing(current) or _missing(previous):
        return float("nan")
    if unit == "rate":
        return current - previous
    return ratio(current - previous, abs(previous))


def format_value(value, unit: str) -> str:
    if _missing(value):
        return "–"
    if unit == "yuan":
        return f"¥{value:,.0f}" if abs(value) >= 100 else f"¥{value:,.2f}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "rate":
        return f"{value:.2%}"
    if unit == "ratio":
        return f"{value:,.2f}"
    if unit == "seconds":
        return f"{value:,.1f} s"
    if unit == "days":
        return f"{value:,.1f}"
    raise ValueError(f"unknown unit {unit!r}")


def format_change(value, unit: str) -> str:
    """+1.23 pp for rates, +4.5% for everything else."""
    if _missing(value):
        return "–"
    text = f"{value * 100:+.2f} pp" if unit == "rate" else f"{value:+.1%}"
    return text.replace("-0.00 pp", "0.00 pp").replace("-0.0%", "0.0%")  # no signed zero after rounding
