"""The metric registry, read from registry.yaml: the parts metrics are made of, each metric's
form (a part, a difference, or a ratio of summed parts), and its label, unit, direction,
formatting and definition.

Forming values from parts is `opsreport.metrics.compute`; reading parts from the warehouse at a
grain is `opsreport.metrics.query`.
"""

from __future__ import annotations

import difflib
import math
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ..errors import MetricError, UnknownMetricError

_REEXPORTED = (MetricError, UnknownMetricError)  # defined with the other errors; callers import them from here too

UNITS = ("yuan", "count", "rate", "ratio", "seconds", "days")
PART_KINDS = ("sum", "distinct", "snapshot")


@dataclass(frozen=True)
class Part:
    key: str
    kind: str  # sum | distinct | snapshot
    desc: str

    @property
    def additive(self) -> bool:
        return self.kind == "sum"


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
    # the form: exactly one of part / difference / numerator+denominator
    part: str | None = None
    difference: tuple[str, str] | None = None
    numerator: tuple[str, ...] = ()  # summed parts
    denominator: tuple[str, ...] = ()  # summed parts
    scale: float = 1.0

    @property
    def kind(self) -> str:
        """'part', 'difference' or 'ratio'."""
        if self.part is not None:
            return "part"
        return "difference" if self.difference is not None else "ratio"

    @property
    def parts(self) -> tuple[str, ...]:
        """Every part this metric is formed from, without repeats."""
        found = (self.part,) if self.part else self.difference or (*self.numerator, *self.denominator)
        return tuple(dict.fromkeys(found))

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def description(self, lang: str, params: Any = None) -> str:
        """The definition in ``lang`` with parameter placeholders filled from ``params`` (a report's
        parameters model or a mapping; the registry's defaults for any it lacks)."""
        return fill(self.zh_desc if lang == "zh" else self.en_desc, params)

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
def _raw() -> dict:
    text = resources.files("opsreport.metrics").joinpath("registry.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def parameters() -> dict[str, Any]:
    """Defaults of the parameters that definitions quote ({dormant_days}, ...)."""
    return dict(_raw()["parameters"])


@cache
def parts() -> dict[str, Part]:
    out = {}
    for key, spec in _raw()["parts"].items():
        if spec["kind"] not in PART_KINDS:
            raise ValueError(f"registry part {key}: unknown kind {spec['kind']!r} (one of {', '.join(PART_KINDS)})")
        out[key] = Part(key, spec["kind"], spec["desc"])
    return out


@cache
def metrics() -> dict[str, Metric]:
    return {key: _metric(key, spec) for key, spec in _raw()["metrics"].items()}


def _metric(key: str, spec: dict) -> Metric:
    def problem(text: str) -> ValueError:
        return ValueError(f"registry.yaml, metric {key}: {text}")

    if spec["unit"] not in UNITS:
        raise problem(f"unknown unit {spec['unit']!r}")
    forms = [f for f in ("part", "difference", "numerator") if f in spec]
    if len(forms) != 1 or ("numerator" in spec) != ("denominator" in spec):
        raise problem("declare exactly one of part, difference, or numerator with denominator")
    as_tuple = lambda v: tuple(v) if isinstance(v, list) else (v,)  # noqa: E731 - one part or a list
    m = Metric(
        key=key,
        zh=spec["zh"],
        en=spec["en"],
        unit=spec["unit"],
        higher_is_better=spec.get("higher_is_better"),
        formula=spec["formula"],
        en_desc=spec["en_desc"],
        zh_desc=spec["zh_desc"],
        part=spec.get("part"),
        difference=tuple(spec["difference"]) if "difference" in spec else None,
        numerator=as_tuple(spec.get("numerator", [])),
        denominator=as_tuple(spec.get("denominator", [])),
        scale=float(spec.get("scale", 1.0)),
    )
    if m.difference is not None and len(m.difference) != 2:
        raise problem("difference takes two parts: [minuend, subtrahend]")
    unknown = [p for p in m.parts if p not in parts()]
    if unknown:
        raise problem(f"unknown part(s) {', '.join(unknown)}; declare them under parts:")
    for text in (m.en_desc, m.zh_desc):
        fill(text)  # every placeholder names a declared parameter
    return m


def metric(key: str) -> Metric:
    try:
        return metrics()[key]
    except KeyError:
        raise UnknownMetricError(unknown_metric_message(key)) from None


def unknown_metric_message(key: str) -> str:
    hint = closest_metric(key)
    return (
        f"metric {key!r} is not in the registry (opsreport/metrics/registry.yaml)"
        + (f"; did you mean {hint!r}?" if hint else "")
        + f" Metrics: {', '.join(metrics())}."
    )


def closest_metric(word: str) -> str | None:
    """The registry key nearest to ``word``, matched against keys and zh/en labels."""
    names: dict[str, str] = {}
    for m in metrics().values():
        for name in (m.key, m.zh, m.en.lower()):
            names.setdefault(name, m.key)
    word = str(word).strip()
    for candidate in (word, word.lower()):
        if candidate in names:
            return names[candidate]
    low = word.lower()
    prefix = [m for m in metrics() if len(low) >= 3 and (m.startswith(low) or low.startswith(m))]
    if prefix:
        return prefix[0]
    scores = {name: difflib.SequenceMatcher(None, low, name).ratio() for name in names}
    best = max(scores.values(), default=0.0)
    if best >= 0.5:  # ties go to the metric listed first in the registry
        return next(names[name] for name, score in scores.items() if score == best)
    return None


def resolve(keys: str | Iterable[str]) -> list[Metric]:
    """Metrics for one key or a list of keys, in order; an unknown key raises UnknownMetricError."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    if not keys:
        raise MetricError("no metric asked for; pass a key such as 'gmv' or a list of keys.")
    return [metric(k) for k in dict.fromkeys(keys)]


# --- definitions ------------------------------------------------------------------------------


class _Values(Mapping):
    """Parameter values for placeholders: the report's, then the registry's defaults."""

    def __init__(self, params: Any):
        self.params = params

    def __getitem__(self, name: str):
        if isinstance(self.params, Mapping) and name in self.params:
            return self.params[name]
        if self.params is not None and not isinstance(self.params, Mapping) and hasattr(self.params, name):
            return getattr(self.params, name)
        return parameters()[name]

    def __iter__(self):
        return iter(parameters())

    def __len__(self):
        return len(parameters())


def fill(text: str, params: Any = None) -> str:
    """``text`` with its {placeholders} filled from ``params``, else the registry's defaults."""
    names = [field for _, field, _, _ in string.Formatter().parse(text) if field]
    unknown = [n for n in names if n not in parameters()]
    if unknown:
        raise ValueError(f"{text!r}: placeholder(s) {', '.join(unknown)} are not declared under parameters:")
    return text.format_map(_Values(params)) if names else text


def definitions(keys: Iterable[str] | None = None, lang: str = "zh", params: Any = None):
    """The appendix table: one row per metric of ``keys`` (default: all), in that order.

    Columns: key, label, unit, definition (placeholders filled from ``params``), formula.
    """
    import pandas as pd

    chosen = resolve(keys) if keys is not None else list(metrics().values())
    rows = [
        {"key": m.key, "label": m.label(lang), "unit": m.unit, "definition": m.description(lang, params), "formula": m.formula}
        for m in chosen
    ]
    return pd.DataFrame(rows, columns=["key", "label", "unit", "definition", "formula"])


# --- values -----------------------------------------------------------------------------------


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


def format_value(value, unit: str, lang: str = "zh") -> str:
    """A value in its unit, as every report shows it (opsreport.viz.numbers: Babel, one minus sign)."""
    from ..viz import numbers  # presentation lives in viz; the registry only names the unit

    return numbers.format_value(value, unit, lang)


def format_change(value, unit: str, lang: str = "zh") -> str:
    """+1.23 pp for rates, +4.5% for everything else (opsreport.viz.numbers)."""
    from ..viz import numbers

    return numbers.format_change(value, unit, lang)
