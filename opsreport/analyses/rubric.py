"""Appraisal rubrics as data, and the scoring engine that applies one to a person's measures.

A rubric (``opsreport/rubrics/<role>.yaml``, format in ``opsreport/rubrics/README.md``) has
sections with point budgets (seed 001: performance 60, efficiency 20, teamwork 20) and rules.
Each rule reads one input (a `Measure`: value, reference, unit, known or not) and turns it into
points by one of four generic kinds, so a company changes its rubric without code:

``tiers``
    ``x`` (by ``basis``) falls in one of contiguous ``[from, to)`` bands, each with a formula:
    ``zero``; ``constant`` (points); ``proportional`` (factor × x: 60 × c); ``base_plus_steps``
    (base + per_step × full steps of ``step`` above the band's start, at most ``cap``:
    60 + 5 per full 10 % above 100 %, at most 80).
``steps``
    ``d`` = the difference from the reference (``absolute``: value − reference; ``relative``:
    (value − reference) / reference; ``value``: the value is already the difference). Full steps
    of ``size`` beyond ``allowance`` give ``above`` points each when d > 0 and ``below`` points
    each when d < 0, kept within [floor, cap].
``per_count``
    ``points`` per full ``unit`` of the count beyond ``allowance``; with ``from_items`` the
    measure's items (one number per event, e.g. an incident's hours) are counted one by one
    (an incident 2.5 h from start: 1 full hour beyond the first). At most ``cap`` points either way.
``threshold_then_steps``
    ``points`` when x reaches ``threshold`` (``at_least`` or ``at_most``); otherwise
    ``per_step`` for each full ``size`` short of it, never below ``floor`` (collaboration: ≥ 80
    gives 10, −2 per full 5 below, at least 0).

"Per full step" counts are floor(round(q, 9)): the quotient is rounded to 1e-9 before flooring,
so a completion of exactly 120 % is 2 full steps of 10 % ((1.2 − 1.0) / 0.1 is 1.9999999999999996
in floats), while 119.9 % is 1. Points are rounded to 1e-9 for the same reason.

A section's subtotal is ``start`` + the points of its scored rules, then kept within the
section's ``floor`` and ``cap`` (either may be absent); the total is the sum of the subtotals
within the rubric's ``total`` floor/cap. Missing data is never a zero: a rule whose input is
absent, unknown (``Measure.known`` False), not a number or lacks its reference is "not scored"
with the reason, adds nothing, and leaves the scorecard incomplete (``Scorecard.complete`` is
False). A rule whose input does not apply (a category without repurchase) is "not applicable":
it adds nothing and does not make the scorecard incomplete. A rule may ``require`` other inputs
to have reached their reference (budget saved counts only with targets met): when it would give
points and a required input is below its reference it gives 0 ("condition_not_met"); when a
required input is unknown it is not scored.

Everything returned is language-free: codes (``tiers.proportional``, ``steps.below``,
``not_scored``) and structured arithmetic; the words live in the rubric's ``reading`` texts and
the family's catalogue.

Rubrics are looked up like import mappings: the built-in folder < ``OPSREPORT_RUBRICS`` (folders
separated by ``os.pathsep``) < the ``rubrics_dir`` argument; a later folder overrides a role of the
same name. Every problem of a file is reported at once, each naming the file and the field path
(``rubrics/x.yaml: rules[2].steps.size: must be > 0``).
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from ..errors import ParamsError

BUILTIN_DIR = Path(__file__).resolve().parents[1] / "rubrics"
ENV_VAR = "OPSREPORT_RUBRICS"

#: The measures a rule can read, and the unit of their value. What value and reference hold:
#: ``opsreport/rubrics/README.md``.
INPUTS: dict[str, str] = {
    "sales_completion": "yuan",  # value: sales amount; reference: the target amount
    "conversion_vs_industry": "rate",  # value: our conversion; reference: the industry's average
    "roi_vs_target": "ratio",  # value: paid ROI; reference: the ROI target
    "new_customer_share_vs_target": "rate",  # value: new-customer sales share; reference: its target
    "repurchase_vs_industry": "rate",  # value: repurchase rate; reference: the industry's average
    "late_responses": "count",  # value: promotion-prep requests answered after more than 24 h
    "incident_delay_hours": "hours",  # items: hours from each incident to its response
    "compliance_violations": "count",
    "platform_penalties": "count",  # violations that caused a platform penalty
    "budget_overrun": "yuan",  # value: ad spend; reference: the ad budget
    "budget_saved": "yuan",  # value: ad spend; reference: the ad budget
    "collaboration_score": "score",  # value: partner teams' average score, 0-100
    "sop_documents": "count",
    "innovations": "count",
    "cost_savings": "count",
}
KINDS = ("tiers", "steps", "per_count", "threshold_then_steps")

SCORED, NOT_SCORED, NOT_APPLICABLE = "scored", "not_scored", "not_applicable"
_DIGITS = 9  # quotients and points are rounded to 1e-9 before flooring and comparing


def full_steps(quotient: float) -> int:
    """How many full steps ``quotient`` holds: floor after rounding to 1e-9 (2.0 for 1.9999999999999996)."""
    return math.floor(round(quotient, _DIGITS))


def _r(x: float) -> float:
    return round(x, _DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _g(x: float | None) -> str:
    return "inf" if x is None else f"{x:g}"


# --- the rubric file ---------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class Text(_Model):
    """A text in both report languages."""

    zh: str
    en: str


def _problems(lines: list[str]) -> None:
    """Raise the problems of a validator at once; a line '@field: message' names a field of the model."""
    if lines:
        raise ValueError("\n".join(lines))


def _bounds(floor: float | None, cap: float | None, where: str = "") -> list[str]:
    if floor is not None and cap is not None and cap < floor:
        return [f"@{where}cap: {cap:g} is below the floor {floor:g}"]
    return []


class Section(_Model):
    """A section: its point budget, the points it starts from, and the bounds of its subtotal."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    budget: float = Field(gt=0)
    start: float = 0.0
    floor: float | None = 0.0
    cap: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Section":
        lines = _bounds(self.floor, self.cap)
        if not lines and self.floor is not None and self.start < self.floor:
            lines.append(f"@start: {self.start:g} is below the section's floor {self.floor:g}")
        if not lines and self.cap is not None and self.start > self.cap:
            lines.append(f"@start: {self.start:g} is above the section's cap {self.cap:g}")
        _problems(lines)
        return self


class Band(_Model):
    """One ``[from, to)`` band of a tiers rule and its formula (empty from/to: unbounded)."""

    from_: float | None = Field(None, alias="from")
    to: float | None = None
    formula: Literal["zero", "constant", "proportional", "base_plus_steps"]
    points: float | None = None  # constant
    factor: float | None = None  # proportional
    base: float | None = None  # base_plus_steps
    step: float | None = Field(None, gt=0)
    per_step: float | None = None
    cap: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Band":
        needs = {"zero": set(), "constant": {"points"}, "proportional": {"factor"},
                 "base_plus_steps": {"base", "step", "per_step"}}[self.formula]
        allowed = needs | ({"cap"} if self.formula == "base_plus_steps" else set())
        lines = []
        for name in ("points", "factor", "base", "step", "per_step", "cap"):
            given = getattr(self, name) is not None
            if name in needs and not given:
                lines.append(f"@{name}: required by formula {self.formula}")
            elif given and name not in allowed:
                lines.append(f"@{name}: not used by formula {self.formula}")
        if self.formula == "base_plus_steps" and self.base is not None and self.cap is not None and self.cap < self.base:
            lines.append(f"@cap: {self.cap:g} is below the base {self.base:g}")
        if self.from_ is not None and self.to is not None and self.to <= self.from_:
            lines.append(f"@to: {self.to:g} must be above from ({self.from_:g})")
        if self.formula == "base_plus_steps" and self.from_ is None:
            lines.append("@from: formula base_plus_steps counts steps from the band's start: give 'from'")
        _problems(lines)
        return self


Basis = Literal["value", "ratio", "absolute", "relative"]
RATIO_DIGITS = 6  # ratios and relative differences are read to 0.0001%


class Tiers(_Model):
    """Bands that together cover one interval without gaps or overlaps."""

    basis: Basis = "value"
    symbol: str = "x"  # the variable's name in the formula text ("60 x c")
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _contiguous(self) -> "Tiers":
        lines = []
        for i, band in enumerate(self.bands):
            if i > 0 and band.from_ is None:
                lines.append(f"@bands[{i}].from: only the first band may start unbounded")
            if i < len(self.bands) - 1 and band.to is None:
                lines.append(f"@bands[{i}].to: only the last band may end unbounded")
        for i, (a, b) in enumerate(zip(self.bands, self.bands[1:]), start=1):
            if a.to is None or b.from_ is None:
                continue
            if b.from_ < a.to:
                lines.append(f"@bands[{i}].from: {b.from_:g} overlaps the band before, which ends at {a.to:g}")
            elif b.from_ > a.to:
                lines.append(f"@bands[{i}].from: {b.from_:g} leaves a gap after the band before, which ends at {a.to:g}")
        _problems(lines)
        return self


class Steps(_Model):
    """Points per full step of the difference from the reference, above and below."""

    basis: Literal["value", "absolute", "relative"]
    size: float = Field(gt=0)
    above: float = 0.0  # points per full step above the reference
    below: float = 0.0  # points per full step below it (signed: -3 deducts)
    allowance: float = Field(0.0, ge=0)  # a difference this large is free; steps count beyond it
    floor: float | None = None
    cap: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Steps":
        lines = _bounds(self.floor, self.cap)
        if self.above == 0 and self.below == 0:
            lines.append("@above: give points per step above or below (both are 0)")
        _problems(lines)
        return self


class PerCount(_Model):
    """Points per counted unit (an event, a full hour) beyond an allowance."""

    points: float
    unit: float = Field(1.0, gt=0)
    allowance: float = Field(0.0, ge=0)  # per item with from_items, else of the whole value
    count: Literal["full", "started"] = "full"  # a part of a unit counts only when 'started'
    from_items: bool = False  # count the measure's items one by one (hours of each incident)
    cap: float | None = Field(None, gt=0)  # at most this many points either way

    @field_validator("points")
    @classmethod
    def _not_zero(cls, value: float) -> float:
        if value == 0:
            raise ValueError("must not be 0")
        return value


class ThresholdThenSteps(_Model):
    """``points`` when the threshold is reached, else ``per_step`` per full ``size`` short of it."""

    basis: Basis = "value"
    threshold: float
    direction: Literal["at_least", "at_most"] = "at_least"
    points: float
    size: float = Field(gt=0)
    per_step: float
    floor: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "ThresholdThenSteps":
        if self.floor is not None and self.floor > self.points:
            # the points at the threshold are this kind's cap
            _problems([f"@floor: {self.floor:g} is above the points at the threshold ({self.points:g})"])
        return self


class Rule(_Model):
    """One rule: the input it reads, its kind and that kind's parameters (a block named after it)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    section: str
    input: str
    kind: Literal["tiers", "steps", "per_count", "threshold_then_steps"]
    title: Text
    reading: Text  # the pinned interpretation, printed by reports
    requires: list[str] = Field(default_factory=list)  # inputs that must have reached their reference
    tiers: Tiers | None = None
    steps: Steps | None = None
    per_count: PerCount | None = None
    threshold_then_steps: ThresholdThenSteps | None = None

    @field_validator("input")
    @classmethod
    def _known_input(cls, value: str) -> str:
        if value not in INPUTS:
            raise ValueError(f"unknown input '{value}'{_close(value, INPUTS)} (inputs: {', '.join(INPUTS)})")
        return value

    @field_validator("requires")
    @classmethod
    def _known_required(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if v not in INPUTS]
        if bad:
            raise ValueError(f"unknown input '{bad[0]}'{_close(bad[0], INPUTS)} (inputs: {', '.join(INPUTS)})")
        return value

    @model_validator(mode="after")
    def _one_block(self) -> "Rule":
        lines = []
        if getattr(self, self.kind) is None:
            lines.append(f"@{self.kind}: kind {self.kind} needs a '{self.kind}:' block of parameters")
        for other in KINDS:
            if other != self.kind and getattr(self, other) is not None:
                lines.append(f"@{other}: a '{other}:' block does not belong to a rule of kind {self.kind}")
        _problems(lines)
        return self

    @property
    def params(self) -> Tiers | Steps | PerCount | ThresholdThenSteps:
        return getattr(self, self.kind)


class Bounds(_Model):
    """Bounds of the total (none: the sum of the sections as it is)."""

    floor: float | None = None
    cap: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Bounds":
        _problems(_bounds(self.floor, self.cap))
        return self


class Results(_Model):
    """How scores are used (seed 001's defaults); read by `opsreport.analyses.appraisal_results`."""

    bonus_full_at: float = 80.0  # a total at or above it earns the full bonus
    bonus_partial_at: float = 60.0  # from here to bonus_full_at: bonus x total / 100
    promotion_min: float = 85.0  # a quarter's or year's total at or above it ...
    promotion_top_share: float = Field(0.2, gt=0, le=1)  # ... and ranked in this top share of the team
    improvement_below: float = 60.0  # a total below it ...
    improvement_quarters: int = Field(2, ge=1)  # ... in this many consecutive quarters: a plan

    @model_validator(mode="after")
    def _consistent(self) -> "Results":
        if self.bonus_partial_at > self.bonus_full_at:
            _problems([f"@bonus_partial_at: {self.bonus_partial_at:g} is above bonus_full_at {self.bonus_full_at:g}"])
        return self


class Rubric(_Model):
    """A role's rubric: sections, rules, the total's bounds and how results are used."""

    role: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    source: str | None = None  # where the rubric comes from (free text)
    description: Text | None = None
    sections: list[Section] = Field(min_length=1)
    total: Bounds = Bounds()
    results: Results = Results()
    rules: list[Rule] = Field(min_length=1)

    _path: Path | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _references(self) -> "Rubric":
        _problems(_reference_problems([s.key for s in self.sections], [(r.key, r.section) for r in self.rules]))
        return self

    @property
    def path(self) -> Path | None:
        return self._path

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def rule(self, key: str) -> Rule:
        for r in self.rules:
            if r.key == key:
                return r
        raise ParamsError(f"rubric {self.role} has no rule '{key}' (rules: {', '.join(r.key for r in self.rules)})")

    @property
    def inputs(self) -> list[str]:
        """Every input the rubric reads (rules and their conditions), in rule order."""
        out: dict[str, None] = {}
        for r in self.rules:
            out.setdefault(r.input, None)
            for q in r.requires:
                out.setdefault(q, None)
        return list(out)


def _reference_problems(keys: list, rules: list[tuple]) -> list[str]:
    """Duplicate section and rule keys, and rules in an unknown section ('@field: message' lines)."""
    lines = []
    for i, key in enumerate(keys):
        if key in keys[:i]:
            lines.append(f"@sections[{i}].key: '{key}' appears twice")
    seen: set = set()
    for i, (key, section) in enumerate(rules):
        if key is not None and key in seen:
            lines.append(f"@rules[{i}].key: '{key}' appears twice")
        seen.add(key)
        if isinstance(section, str) and section not in keys:
            known = [k for k in keys if isinstance(k, str)]
            lines.append(f"@rules[{i}].section: unknown section '{section}'{_close(section, known)} "
                         f"(sections: {', '.join(known)})")
    return lines


def _raw_reference_problems(data: dict) -> list[str]:
    """The same checks on the raw data, for a file whose other problems stop the model before them."""
    sections = data.get("sections") if isinstance(data.get("sections"), list) else []
    rules = data.get("rules") if isinstance(data.get("rules"), list) else []
    keys = [s.get("key") for s in sections if isinstance(s, dict)]
    pairs = [(r.get("key"), r.get("section")) if isinstance(r, dict) else (None, None) for r in rules]
    return _reference_problems(keys, pairs)


def _close(word: str, choices) -> str:
    choices = [c for c in choices if isinstance(c, str)]
    # a shortened name ('roi', 'sales') is a prefix of the one meant; otherwise the closest spelling
    match = [c for c in choices if word and c.startswith(word)][:1] or difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean '{match[0]}'?" if match else ""


# --- loading -----------------------------------------------------------------------------------

_MESSAGES = {
    "greater_than": "must be > {gt:g}",
    "greater_than_equal": "must be >= {ge:g}",
    "less_than_equal": "must be <= {le:g}",
    "missing": "required field is missing",
    "float_type": "must be a number, got {input!r}",
    "int_type": "must be a whole number, got {input!r}",
    "string_type": "must be text, got {input!r}",
    "bool_type": "must be true or false, got {input!r}",
    "list_type": "must be a list, got {input!r}",
    "too_short": "must not be empty",
    "string_pattern_mismatch": "must be snake_case (a-z, 0-9, _), got {input!r}",
}


def _message(err: dict) -> list[tuple[str, str]]:
    """(extra path, message) pairs of one pydantic error; a validator's '@field: ...' lines name the field."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        return [("", "unknown field")]
    if kind == "literal_error":
        return [("", f"must be one of {ctx.get('expected', '')}, got {err.get('input')!r}")]
    if kind == "model_type" or kind == "model_attributes_type" or kind == "dict_type":
        return [("", f"must be a mapping of fields, got {type(err.get('input')).__name__}")]
    if kind in _MESSAGES:
        try:
            return [("", _MESSAGES[kind].format(input=err.get("input"), **ctx))]
        except (KeyError, IndexError):
            pass
    out = []
    for line in str(err["msg"]).removeprefix("Value error, ").splitlines():
        if line.startswith("@") and ": " in line:
            where, msg = line[1:].split(": ", 1)
            out.append((where, msg))
        else:
            out.append(("", line))
    return out


def _loc(parts: tuple) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _join(loc: str, extra: str) -> str:
    if not extra:
        return loc
    if not loc or extra.startswith("["):
        return loc + extra
    return f"{loc}.{extra}"


def parse_rubric(data: Any, source: str | Path = "<rubric>") -> Rubric:
    """Check a rubric given as data (a parsed YAML file); every problem at once, each as
    ``<source>: <field path>: <what is wrong>``."""
    if not isinstance(data, dict):
        raise ParamsError(f"{source}: a rubric is a mapping of fields (role, title, sections, rules), "
                          f"got {type(data).__name__}")
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = _loc(tuple(p for p in err["loc"] if p != "from_"))
            loc = loc.replace("from_", "from")
            for extra, msg in _message(err):
                where = _join(loc, extra)
                lines.append(f"  {source}: {where}: {msg}" if where else f"  {source}: {msg}")
        # the rubric-wide checks run only once every field is valid: add them here
        for extra, msg in _message({"type": "value_error", "msg": "\n".join(_raw_reference_problems(data))}):
            if msg:
                lines.append(f"  {source}: {extra}: {msg}")
        lines = list(dict.fromkeys(lines))
        raise ParamsError(f"rubric {source} is invalid ({len(lines)} problem{'s' if len(lines) != 1 else ''}):\n"
                          + "\n".join(lines)) from None
    return rubric


def load_rubric_file(path: str | Path) -> Rubric:
    """Read and check one rubric file; its ``role`` must equal the file name."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ParamsError(f"rubric {path}: cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        raise ParamsError(f"rubric {path}: not valid YAML ({str(exc).splitlines()[0]}; "
                          f"{getattr(exc, 'problem_mark', '')})") from None
    if isinstance(data, dict):
        data.setdefault("role", path.stem)
        if data["role"] != path.stem:
            raise ParamsError(f"{path}: role: '{data['role']}' must equal the file name '{path.stem}'")
    rubric = parse_rubric(data, path)
    rubric._path = path
    return rubric


def rubric_dirs(rubrics_dir: str | Path | None = None) -> list[Path]:
    """Where rubrics are looked up, lowest precedence first: built-in, OPSREPORT_RUBRICS, the argument."""
    dirs = [BUILTIN_DIR]
    for part in os.environ.get(ENV_VAR, "").split(os.pathsep):
        if part.strip():
            dirs.append(Path(part.strip()).expanduser())
    if rubrics_dir is not None:
        dirs.append(Path(rubrics_dir).expanduser())
    for d in dirs[1:]:
        if not d.is_dir():
            source = ENV_VAR if rubrics_dir is None or d != dirs[-1] else "rubrics_dir"
            raise ParamsError(f"rubrics folder not found: {d} (from {source})")
    return dirs


def load_rubrics(rubrics_dir: str | Path | None = None) -> dict[str, Rubric]:
    """Every rubric by role; a later folder's file overrides an earlier one of the same role."""
    out: dict[str, Rubric] = {}
    for d in rubric_dirs(rubrics_dir):
        for path in sorted([*d.glob("*.yaml"), *d.glob("*.yml")]):
            rubric = load_rubric_file(path)
            out[rubric.role] = rubric
    return out


def get_rubric(role: str, rubrics_dir: str | Path | None = None) -> Rubric:
    """The rubric of ``role`` (a staff row's role), or an error naming the roles there are."""
    rubrics = load_rubrics(rubrics_dir)
    if role not in rubrics:
        raise ParamsError(f"no rubric for role '{role}'{_close(role, rubrics)}; rubrics: {', '.join(sorted(rubrics))} "
                          f"(folders: {', '.join(str(d) for d in rubric_dirs(rubrics_dir))})")
    return rubrics[role]


# --- the measures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One input of a person's appraisal, computed elsewhere and carried here.

    ``value`` and ``reference`` (target or industry average) mean what `INPUTS` says for the
    input; ``unit`` (when given) must be that input's unit. ``known`` False: the value could not
    be computed, ``reason`` says why (a code). ``applicable`` False: the rule does not apply
    (a category without repurchase). ``items``: one number per event (hours of each incident).
    ``flags`` (e.g. ``not_conclusive`` from a Wilson interval) are carried to the scorecard.
    """

    value: float | None = None
    reference: float | None = None
    unit: str = ""
    known: bool = True
    reason: str | None = None
    applicable: bool = True
    flags: frozenset[str] = frozenset()
    items: tuple[float, ...] | None = None

    @classmethod
    def unknown(cls, reason: str, **kw) -> "Measure":
        return cls(known=False, reason=reason, **kw)

    @classmethod
    def not_applicable(cls, reason: str, **kw) -> "Measure":
        return cls(applicable=False, reason=reason, **kw)

    @classmethod
    def count(cls, n: float, **kw) -> "Measure":
        return cls(value=n, unit="count", **kw)

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value}
        if self.reference is not None:
            out["reference"] = self.reference
        if self.items is not None:
            out["items"] = list(self.items)
        return out


def _missing(x: float | None) -> bool:
    return x is None or isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x)


class _NotScored(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _x(basis: str, m: Measure) -> tuple[float, dict[str, Any]]:
    """The number a rule works on, from the measure by ``basis``, and its evidence."""
    if _missing(m.value):
        raise _NotScored("value_missing")
    ev = m.evidence()
    if basis == "value":
        return float(m.value), ev
    if _missing(m.reference):
        raise _NotScored("reference_missing")
    if basis == "absolute":
        x = m.value - m.reference
    else:
        if m.reference <= 0:
            raise _NotScored("reference_not_positive")
        # read to RATIO_DIGITS: amounts in cents cannot make a ratio exact (a target written to the
        # cent for 120% gives 1.1999999996), and a step must not be lost to that
        x = round(m.value / m.reference if basis == "ratio" else (m.value - m.reference) / m.reference, RATIO_DIGITS)
    ev[basis] = x
    return x, ev


# --- scoring a rule ----------------------------------------------------------------------------


def _tiers(t: Tiers, m: Measure) -> tuple[float, str, dict]:
    x, ev = _x(t.basis, m)
    xr = round(x, _DIGITS)
    band = next((b for b in t.bands if (b.from_ is None or xr >= round(b.from_, _DIGITS))
                 and (b.to is None or xr < round(b.to, _DIGITS))), None)
    ev["x"] = x
    if band is None:
        raise _NotScored("outside_bands")
    ev["band"] = [band.from_, band.to]
    s = t.symbol
    if band.formula == "zero":
        ev.update(formula="0", points=0.0)
        return 0.0, "tiers.zero", ev
    if band.formula == "constant":
        ev.update(formula=_g(band.points), points=band.points)
        return band.points, "tiers.constant", ev
    if band.formula == "proportional":
        points = _r(band.factor * x)
        ev.update(formula=f"{band.factor:g} x {s}", factor=band.factor, points=points)
        return points, "tiers.proportional", ev
    n = full_steps((x - band.from_) / band.step)
    raw = _r(band.base + band.per_step * n)
    points = raw if band.cap is None else min(raw, band.cap)
    ev.update(formula=f"{band.base:g} + {band.per_step:g} x floor(({s} - {band.from_:g}) / {band.step:g})",
              steps=n, uncapped=raw, cap=band.cap, points=points)
    return points, ("tiers.capped" if points < raw else "tiers.base_plus_steps"), ev


def _clamp(x: float, floor: float | None, cap: float | None) -> float:
    if cap is not None:
        x = min(x, cap)
    if floor is not None:
        x = max(x, floor)
    return x


def _steps(p: Steps, m: Measure) -> tuple[float, str, dict]:
    d, ev = _x(p.basis, m)
    beyond = abs(d) - p.allowance
    n = full_steps(beyond / p.size) if round(beyond, _DIGITS) > 0 else 0
    direction = "above" if d > 0 else "below" if d < 0 else "on_reference"
    per_step = p.above if d > 0 else p.below if d < 0 else 0.0
    raw = _r(n * per_step)
    points = _clamp(raw, p.floor, p.cap)
    ev.update(difference=d, allowance=p.allowance, size=p.size, steps=n, direction=direction, per_step=per_step,
              formula=f"{per_step:g} x floor((|d| - {p.allowance:g}) / {p.size:g})",
              uncapped=raw, floor=p.floor, cap=p.cap, points=points)
    if points != raw:
        code = "steps.capped"
    elif n == 0:
        code = "steps.within_step"
    elif per_step == 0:
        code = "steps.no_effect"  # a full step on a side that gives no points (spend under budget)
    else:
        code = f"steps.{direction}"
    return points, code, ev


def _per_count(p: PerCount, m: Measure) -> tuple[float, str, dict]:
    rounding = math.floor if p.count == "full" else math.ceil

    def units(amount: float) -> int:
        beyond = round((amount - p.allowance) / p.unit, _DIGITS)
        return rounding(beyond) if beyond > 0 else 0

    if p.from_items:
        if m.items is None:
            raise _NotScored("items_missing")
        if any(_missing(i) for i in m.items):
            raise _NotScored("value_missing")
        per_item = [units(i) for i in m.items]
        n = sum(per_item)
        ev: dict[str, Any] = {"items": list(m.items), "units": per_item}
    else:
        if _missing(m.value):
            raise _NotScored("value_missing")
        n = units(m.value)
        ev = {"value": m.value}
    raw = _r(n * p.points)
    points = raw if p.cap is None else _clamp(raw, -p.cap, p.cap)
    ev.update(allowance=p.allowance, unit=p.unit, count=n, per_unit=p.points,
              formula=f"{p.points:g} x {n}", uncapped=raw, cap=p.cap, points=points)
    code = "per_count.capped" if points != raw else ("per_count.none" if n == 0 else "per_count.counted")
    return points, code, ev


def _threshold(p: ThresholdThenSteps, m: Measure) -> tuple[float, str, dict]:
    x, ev = _x(p.basis, m)
    short = (p.threshold - x) if p.direction == "at_least" else (x - p.threshold)
    ev.update(x=x, threshold=p.threshold, direction=p.direction)
    if round(short, _DIGITS) <= 0:
        ev.update(steps=0, formula=_g(p.points), points=p.points)
        return p.points, "threshold.met", ev
    n = full_steps(short / p.size)
    raw = _r(p.points + n * p.per_step)
    points = _clamp(raw, p.floor, None)
    ev.update(shortfall=short, size=p.size, steps=n, per_step=p.per_step,
              formula=f"{p.points:g} + {p.per_step:g} x floor({_g(abs(short))} / {p.size:g})",
              uncapped=raw, floor=p.floor, points=points)
    return points, ("threshold.floored" if points != raw else "threshold.below"), ev


_KIND = {"tiers": _tiers, "steps": _steps, "per_count": _per_count, "threshold_then_steps": _threshold}


@dataclass(frozen=True)
class RuleScore:
    """One rule's result. ``points`` is None unless ``status`` is scored; ``code`` names the case
    the explanation prints (``tiers.proportional``, ``steps.below``, ``not_scored`` ...);
    ``reason`` why a rule was not scored or not applicable (``input_missing``,
    ``reference_missing``, the measure's own reason ...); ``evidence`` the arithmetic
    ({"value": 900000, "reference": 1000000, "ratio": 0.9, "formula": "60 x c", "points": 54.0})."""

    key: str
    section: str
    input: str
    kind: str
    status: str
    points: float | None
    code: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    reason: str | None = None
    flags: tuple[str, ...] = ()

    @property
    def scored(self) -> bool:
        return self.status == SCORED


def _check_unit(name: str, m: Measure) -> None:
    if not isinstance(m, Measure):
        raise ParamsError(f"input '{name}': expected a Measure, got {type(m).__name__}")
    if m.unit and m.unit != INPUTS[name]:
        raise ParamsError(f"input '{name}': unit '{m.unit}' given, the rubric reads it in '{INPUTS[name]}'")


def _condition(rule: Rule, inputs: Mapping[str, Measure]) -> tuple[bool | None, dict]:
    """Did every required input reach its reference? None when one of them is unknown. A required
    input that does not apply to the person (a sub-category operator's ROI) is no condition."""
    ev: dict[str, Any] = {}
    met: bool | None = True
    for name in rule.requires:
        m = inputs.get(name)
        if m is not None and not m.applicable:
            ev[name] = {"applicable": False}
            continue
        if m is None or not m.known or _missing(m.value) or _missing(m.reference):
            ev[name] = {"known": False}
            met = None
            continue
        ok = round(m.value - m.reference, _DIGITS) >= 0
        ev[name] = {"value": m.value, "reference": m.reference, "met": ok}
        if not ok and met is not None:
            met = False
    return met, ev


def score_rule(rule: Rule, inputs: Mapping[str, Measure]) -> RuleScore:
    """One rule applied to the measures (see the module docstring for the cases)."""
    base = dict(key=rule.key, section=rule.section, input=rule.input, kind=rule.kind)
    m = inputs.get(rule.input)
    if m is None:
        return RuleScore(**base, status=NOT_SCORED, points=None, code="not_scored", reason="input_missing")
    _check_unit(rule.input, m)
    flags = tuple(sorted(m.flags))
    if not m.applicable:
        return RuleScore(**base, status=NOT_APPLICABLE, points=None, code="not_applicable",
                         reason=m.reason or "not_applicable", flags=flags)
    if not m.known:
        return RuleScore(**base, status=NOT_SCORED, points=None, code="not_scored", reason=m.reason or "unknown",
                         flags=flags)
    try:
        points, code, ev = _KIND[rule.kind](rule.params, m)
    except _NotScored as exc:
        return RuleScore(**base, status=NOT_SCORED, points=None, code="not_scored", reason=exc.reason,
                         evidence=m.evidence(), flags=flags)
    if rule.requires and points != 0:
        met, cond = _condition(rule, inputs)
        ev["requires"] = cond
        if met is None:
            return RuleScore(**base, status=NOT_SCORED, points=None, code="not_scored", reason="condition_unknown",
                             evidence=ev, flags=flags)
        if not met:
            ev["points"] = 0.0
            points, code = 0.0, "condition_not_met"
    return RuleScore(**base, status=SCORED, points=points, code=code, evidence=ev, flags=flags)


# --- the scorecard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionScore:
    """A section's subtotal: start + the scored rules' points (``raw``), kept within floor and cap.
    ``code``: section.within, section.floored or section.capped."""

    key: str
    budget: float
    start: float
    rules_points: float
    raw: float
    floor: float | None
    cap: float | None
    points: float
    code: str
    complete: bool  # no rule of the section is "not scored"


@dataclass(frozen=True)
class Scorecard:
    """A person's scores under one rubric: per rule, per section, the total and what was not scored."""

    role: str
    rules: tuple[RuleScore, ...]
    sections: tuple[SectionScore, ...]
    total: float  # of the scored rules; provisional while not complete
    total_raw: float  # before the rubric's total floor/cap
    total_code: str  # total.within, total.floored, total.capped

    @property
    def not_scored(self) -> tuple[tuple[str, str], ...]:
        """(rule key, reason) of every rule whose input was missing or unknown."""
        return tuple((r.key, r.reason or "") for r in self.rules if r.status == NOT_SCORED)

    @property
    def not_applicable(self) -> tuple[tuple[str, str], ...]:
        return tuple((r.key, r.reason or "") for r in self.rules if r.status == NOT_APPLICABLE)

    @property
    def complete(self) -> bool:
        """Every rule was scored or does not apply: the total is final, not provisional."""
        return not self.not_scored

    def rule(self, key: str) -> RuleScore:
        for r in self.rules:
            if r.key == key:
                return r
        raise ParamsError(f"scorecard ({self.role}) has no rule '{key}' (rules: {', '.join(r.key for r in self.rules)})")

    def section(self, key: str) -> SectionScore:
        for s in self.sections:
            if s.key == key:
                return s
        raise ParamsError(f"scorecard ({self.role}) has no section '{key}' "
                          f"(sections: {', '.join(s.key for s in self.sections)})")

    def frame(self):
        """One row per rule: rule, section, input, kind, status, points, code, reason, flags, evidence."""
        import pandas as pd

        cols = ["rule", "section", "input", "kind", "status", "points", "code", "reason", "flags", "evidence"]
        rows = [{"rule": r.key, "section": r.section, "input": r.input, "kind": r.kind, "status": r.status,
                 "points": float("nan") if r.points is None else r.points, "code": r.code, "reason": r.reason,
                 "flags": list(r.flags), "evidence": dict(r.evidence)} for r in self.rules]
        return pd.DataFrame(rows, columns=cols)

    def sections_frame(self):
        """One row per section: section, budget, start, rules_points, raw, floor, cap, points, code, complete."""
        import pandas as pd

        cols = ["section", "budget", "start", "rules_points", "raw", "floor", "cap", "points", "code", "complete"]
        rows = [{"section": s.key, "budget": s.budget, "start": s.start, "rules_points": s.rules_points, "raw": s.raw,
                 "floor": s.floor, "cap": s.cap, "points": s.points, "code": s.code, "complete": s.complete}
                for s in self.sections]
        return pd.DataFrame(rows, columns=cols)


def _bound_code(prefix: str, raw: float, points: float) -> str:
    if points > raw:
        return f"{prefix}.floored"
    if points < raw:
        return f"{prefix}.capped"
    return f"{prefix}.within"


def score(rubric: Rubric, inputs: Mapping[str, Measure]) -> Scorecard:
    """Apply ``rubric`` to one person's measures (input name -> `Measure`). Pure.

    An input the rubric does not know is an error (a misspelt name would otherwise score as
    missing); an input it knows but is absent makes its rules "not scored"."""
    unknown = [k for k in inputs if k not in INPUTS]
    if unknown:
        raise ParamsError(f"unknown input '{unknown[0]}'{_close(unknown[0], INPUTS)} for rubric {rubric.role} "
                          f"(inputs: {', '.join(INPUTS)})")
    rules = tuple(score_rule(rule, inputs) for rule in rubric.rules)
    sections = []
    for s in rubric.sections:
        mine = [r for r in rules if r.section == s.key]
        got = _r(sum(r.points for r in mine if r.scored))
        raw = _r(s.start + got)
        points = _clamp(raw, s.floor, s.cap)
        sections.append(SectionScore(key=s.key, budget=s.budget, start=s.start, rules_points=got, raw=raw,
                                     floor=s.floor, cap=s.cap, points=points,
                                     code=_bound_code("section", raw, points),
                                     complete=all(r.status != NOT_SCORED for r in mine)))
    total_raw = _r(sum(s.points for s in sections))
    total = _clamp(total_raw, rubric.total.floor, rubric.total.cap)
    return Scorecard(role=rubric.role, rules=rules, sections=tuple(sections), total=total, total_raw=total_raw,
                     total_code=_bound_code("total", total_raw, total))
