"""Report parameters: one pydantic model per report, validated before any kernel starts.

The notebook's parameters cell holds the same names with the demo defaults; a test keeps
the two in step. Values reach papermill already typed, so an ID such as "0071" stays text.
"""

from __future__ import annotations

import codecs
import errno
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from .errors import ParamsError

#: Parameters the runner sets itself: the notebook takes them, a user may not (``excel_path``
#: would write a workbook anywhere, outside ``--out``).
RUNNER_PARAMS = frozenset({"excel_path", "output_dir"})

#: Encodings a parameters file may be saved in, besides UTF-8 (Windows editors in China).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ReportParams(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lang: Literal["zh", "en"] = Field("zh", description="report language")
    warehouse: str = Field("data/demo.duckdb", description="warehouse: a DuckDB file, a postgresql:// URL without "
                           "password (PGPASSWORD or ~/.pgpass give it), env:VARIABLE holding a path or URL, or a name "
                           "of ~/.config/opsreport/warehouses.yaml")
    excel_path: str | None = Field(None, description="set by the runner: where the notebook writes tables.xlsx")
    timezone: str = Field("Asia/Shanghai", description="time zone of the shop: generation times are shown in it")

    @field_validator("warehouse")
    @classmethod
    def _warehouse_without_secret(cls, value: str) -> str:
        """A URL with a password is refused: parameters are written into the notebook and run.json."""
        from .warehouse.location import check_parameter

        return check_parameter(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (an IANA name such as Asia/Shanghai)") from None
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """A yes/no is not a number: pydantic's lax mode would read ``top_n: yes`` as 1."""
        if isinstance(value, bool) and info.field_name in cls.model_fields:
            annotation = cls.model_fields[info.field_name].annotation
            if _takes_number(annotation) and not _takes(annotation, bool):
                raise ValueError("takes a number, not yes/no or true/false")
        return value


def _takes(annotation: Any, kind: type) -> bool:
    return annotation is kind or any(_takes(a, kind) for a in get_args(annotation))


def _takes_number(annotation: Any) -> bool:
    return _takes(annotation, int) or _takes(annotation, float)


def model_for(report: str) -> type[ReportParams]:
    """The parameters model of a report family (from the family registry)."""
    from .families import get

    return get(report).params_model


def load(report: str, path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> ReportParams:
    """Parameters from a YAML file, then ``overrides`` (``--set``, see :func:`parse_set`), validated as one.

    Every error names where the bad value came from: the file, or ``--set``. The runner's own
    parameters (:data:`RUNNER_PARAMS`) are refused from both.
    """
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    raw: dict[str, str] = {}
    if path is not None:
        path = Path(path)
        loaded, raw = _read_yaml(path)
        values.update(loaded)
        origins.update(dict.fromkeys(loaded, str(path)))
    values.update(overrides or {})
    origins.update(dict.fromkeys(overrides or {}, "--set"))
    runner = sorted(RUNNER_PARAMS & set(values))
    if runner:
        where = " and ".join(sorted({origins[k] for k in runner}))
        raise ParamsError(
            f"'{runner[0]}' (in {where}) is not a parameter you can set: the runner sets it "
            "(the Excel workbook always goes to the report folder under --out; choose that with --out "
            "and --formats)."
        )
    return validate(report, values, source=str(path) if path else "parameters", origins=origins, raw=raw)


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The mapping in ``path``, and the source text of its top-level numbers (for hints)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParamsError(f"parameters file not found: {path}") from None
    except IsADirectoryError:
        raise ParamsError(f"parameters file {path} is a folder: give the YAML file inside it") from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise ParamsError(f"parameters file name is too long for the file system: {_short(path)}") from None
        raise ParamsError(f"parameters file {_short(path)} cannot be read: {exc.strerror or exc}") from None
    text = _decode(data, path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParamsError(f"parameters file {path} is not valid YAML: {exc}") from None
    if loaded is not None and not isinstance(loaded, dict):
        raise ParamsError(f"parameters file {path} must hold a mapping of name: value")
    raw = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(value, yaml.ScalarNode) and value.tag.endswith((":int", ":float")):
                raw[str(key.value)] = value.value
    return loaded or {}, raw


def _decode(data: bytes, path: Path) -> str:
    """Text of a parameters file: UTF-8 (with or without BOM), UTF-16/32 with a BOM, UTF-16
    without one (NUL bytes between ASCII letters), else GB18030."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, path)
    if b"\0" in data[:4096]:
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        return _strict(data, "utf-16-be" if even > odd else "utf-16-le", path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ParamsError(
            f"parameters file {path} is neither UTF-8, UTF-16 nor GB18030 text: save it as UTF-8"
        ) from None


def _strict(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ParamsError(
            f"parameters file {path} looks like {encoding.upper()} but is not valid {encoding.upper()} "
            f"(byte {exc.start}): save it as UTF-8"
        ) from None


def _short(path: Path, width: int = 80) -> str:
    text = str(path)
    return text if len(text) <= width else f"{text[:40]}…{text[-30:]} ({len(text)} characters)"


def validate(
    report: str,
    values: dict[str, Any],
    source: str = "parameters",
    *,
    origins: dict[str, str] | None = None,
    raw: dict[str, str] | None = None,
) -> ReportParams:
    """``values`` checked against the family's model; ``origins`` names where each value came
    from (a file or ``--set``), ``raw`` the file's text of numbers (to hint at quoting IDs)."""
    model = model_for(report)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ParamsError(_explain(exc, model, source, origins or {}, raw or {})) from None
    except ParamsError as exc:  # raised inside a validator (e.g. the ISO week)
        key = next((k for k in values if str(exc).startswith(f"{k} ")), None)
        where = (origins or {}).get(key, source) if key else source
        raise ParamsError(f"{where}: {exc}") from None


def parse_set(items: list[str], model: type[ReportParams] = ReportParams) -> dict[str, Any]:
    """--set key=value pairs. A parameter the model types as text stays text ("0071", "2026-11");
    other values are read as YAML scalars (7, 2.5, true, null)."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ParamsError(f"--set expects key=value, got '{item}'")
        key, raw = item.split("=", 1)
        key = key.strip()
        if not key:
            raise ParamsError(f"--set expects key=value, got '{item}' (no parameter name before '=')")
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


def _explain(
    exc: ValidationError,
    model: type[ReportParams],
    source: str,
    origins: dict[str, str] | None = None,
    raw: dict[str, str] | None = None,
) -> str:
    origins, raw = origins or {}, raw or {}
    lines, seen = [], []
    known = ", ".join(k for k in model.model_fields if k not in RUNNER_PARAMS)
    for err in exc.errors():
        top = str(err["loc"][0]) if err["loc"] else ""
        name = ".".join(str(p) for p in err["loc"]) or "(root)"
        where = origins.get(top, source)
        seen.append(where)
        tag = f" (in {where})" if origins else ""
        if err["type"] == "extra_forbidden":
            hint = _closest(name, model.model_fields)
            lines.append(f"unknown parameter '{name}'{tag}" + (f" (did you mean '{hint}'?)" if hint else ""))
            continue
        msg = err["msg"].removeprefix("Value error, ")
        line = f"parameter '{name}'{tag}: {msg} (got {err.get('input')!r})"
        field = model.model_fields.get(top)
        if top in raw and field is not None and _is_text(field.annotation):
            line += (f"; YAML read the unquoted {raw[top]} as a number: IDs are text, "
                     f"write it in quotes: {top}: \"{raw[top]}\"")
        lines.append(line)
    header = source if not origins else "parameters from " + " and ".join(dict.fromkeys(seen))
    return f"Invalid {header} for {model.__name__}: " + "; ".join(lines) + f". Known parameters: {known}."


def _closest(name: str, names) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return match[0] if match else None
