"""Report parameters: one pydantic model per report, validated before any kernel starts.

The notebook's parameters cell holds the same names with the demo defaults; a test keeps
the two in step. Values reach papermill already typed, so an ID such as "0071" stays text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ParamsError


class ReportParams(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lang: Literal["zh", "en"] = Field("zh", description="report language")
    warehouse: str = Field("data/demo.duckdb", description="DuckDB warehouse file")
    excel_path: str | None = Field(None, description="set by the runner: where the notebook writes tables.xlsx")


class WeeklyReviewParams(ReportParams):
    shop_id: str = Field("0071", description="shop to review", min_length=1)
    week: str = Field("last", description="ISO week such as 2026-W47, or 'last' for the last complete week")
    top_n: int = Field(10, ge=1, le=100, description="rows in product rankings")
    trend_weeks: int = Field(8, ge=2, le=52, description="weeks shown in the daily trend")
    # anomaly thresholds
    kpi_change_alert: float = Field(0.2, gt=0, description="relative week-on-week change of a KPI that is reported")
    sku_conversion_drop: float = Field(0.4, gt=0, lt=1, description="relative fall of a SKU's conversion vs its 4-week baseline")
    sku_min_uv: int = Field(300, ge=0, description="weekly UV a SKU needs before its conversion is judged")
    sku_drop_min_z: float = Field(3.0, ge=0, description="buyers short of the baseline's prediction, in standard deviations")
    refund_spike_ratio: float = Field(2.0, gt=1, description="category refund rate vs its 4-week baseline")
    refund_spike_min_rate: float = Field(0.1, ge=0, le=1, description="category refund rate below which no spike is reported")
    roi_target: float | None = Field(None, gt=0, description="ad ROI target; default by shop category (rules.yaml)")
    min_campaign_spend: float = Field(1000.0, ge=0, description="weekly spend below which a campaign is not flagged")
    dormant_rise_pp: float = Field(0.02, gt=0, description="rise of the dormant share over 4 weeks that is reported")
    # customer and inventory rules
    repurchase_window_days: int = Field(90, ge=7, description="trailing window of the repurchase rate")
    dormant_days: int = Field(90, ge=7, description="a buyer unseen this long is dormant")
    rfm_lookback_days: int = Field(365, ge=30, description="buyers in the RFM base")
    cover_low_days: float = Field(7.0, ge=0, description="days of cover below which stock is low")
    cover_high_days: float = Field(90.0, gt=0, description="days of cover above which stock is overstocked")
    promo_uplift: float = Field(3.0, ge=1, description="daily sales multiple expected during the next promotion")
    new_product_days: int = Field(28, ge=3, description="products launched this recently are under test")
    new_product_hit_rate: float = Field(0.08, gt=0, lt=1, description="fav+cart rate in 3 days marking a potential hit")

    @field_validator("week")
    @classmethod
    def _week_format(cls, value: str) -> str:
        from .periods import iso_week

        if value != "last":
            iso_week(value)  # raises ParamsError with the reason
        return value


PARAMS_MODELS: dict[str, type[ReportParams]] = {
    "weekly_review": WeeklyReviewParams,
}


def model_for(report: str) -> type[ReportParams]:
    try:
        return PARAMS_MODELS[report]
    except KeyError:
        raise ParamsError(f"unknown report '{report}'; reports: {', '.join(PARAMS_MODELS)}") from None


def load(report: str, path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> ReportParams:
    """Parameters from a YAML file, then ``overrides`` (``--set``), validated as one."""
    values: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ParamsError(f"parameters file not found: {path}") from None
        except yaml.YAMLError as exc:
            raise ParamsError(f"parameters file {path} is not valid YAML: {exc}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ParamsError(f"parameters file {path} must hold a mapping of name: value")
        values.update(loaded or {})
    values.update(overrides or {})
    return validate(report, values, source=str(path) if path else "parameters")


def validate(report: str, values: dict[str, Any], source: str = "parameters") -> ReportParams:
    model = model_for(report)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ParamsError(_explain(exc, model, source)) from None
    except ParamsError as exc:
        raise ParamsError(f"{source}: {exc}") from None


def parse_set(items: list[str]) -> dict[str, Any]:
    """--set key=value pairs; the value is read as YAML except for keys kept as text."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ParamsError(f"--set expects key=value, got '{item}'")
        key, raw = item.split("=", 1)
        key = key.strip()
        out[key] = raw if key in _TEXT_KEYS else _scalar(raw)
    return out


# IDs and paths are text even when they look like numbers ("0071", "2026").
_TEXT_KEYS = {"shop_id", "week", "warehouse", "lang", "excel_path"}


def _scalar(raw: str) -> Any:
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw
    return value if isinstance(value, (int, float, bool, type(None))) else raw


def _explain(exc: ValidationError, model: type[ReportParams], source: str) -> str:
    lines = []
    known = ", ".join(model.model_fields)
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or "(root)"
        if err["type"] == "extra_forbidden":
            hint = _closest(name, model.model_fields)
            lines.append(f"unknown parameter '{name}'" + (f" (did you mean '{hint}'?)" if hint else ""))
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"parameter '{name}': {msg} (got {err.get('input')!r})")
    return f"Invalid {source} for {model.__name__}: " + "; ".join(lines) + f". Known parameters: {known}."


def _closest(name: str, names) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return match[0] if match else None
