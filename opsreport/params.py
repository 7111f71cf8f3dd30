"""Report parameters: one pydantic model per report, validated before any kernel starts.

The notebook's parameters cell holds the same names with the demo defaults; a test keeps
the two in step. Values reach papermill already typed, so an ID such as "0071" stays text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ParamsError


class ReportParams(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lang: Literal["zh", "en"] = Field("zh", description="report language")
    warehouse: str = Field("data/demo.duckdb", description="DuckDB warehouse file")
    excel_path: str | None = Field(None, description="set by the runner: where the notebook writes tables.xlsx")
    timezone: str = Field("Asia/Shanghai", description="time zone of the shop: generation times are shown in it")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (an IANA name such as Asia/Shanghai)") from None
        return value


def model_for(report: str) -> type[ReportParams]:
    """The parameters model of a report family (from the family registry)."""
    from .families import get

    return get(report).params_model


def load(report: str, path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> ReportParams:
    """Parameters from a YAML file, then ``overrides`` (``--set``, see :func:`parse_set`), validated as one."""
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


def parse_set(items: list[str], model: type[ReportParams] = ReportParams) -> dict[str, Any]:
    """--set key=value pairs. A parameter the model types as text stays text ("0071", "2026-11");
    other values are read as YAML scalars (7, 2.5, true, null)."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ParamsError(f"--set expects key=value, got '{item}'")
        key, raw = item.split("=", 1)
        key = key.strip()
        field = model.model_fields.get(key)
        out[key] = raw if field is not None and _is_text(field.annotation) else _scalar(raw)
    return out


def _is_text(annotation: Any) -> bool:
    """True for str, str | None and Literal["a", "b"]."""
    if annotation is str:
        return True
    args = get_args(annotation)
    if get_origin(annotation) is Literal:
        return all(isinstance(a, str) for a in args)
    return any(_is_text(a) for a in args if a is not type(None))


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
