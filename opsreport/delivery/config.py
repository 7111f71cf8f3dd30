"""The delivery config: who receives which report, through which server or group bot.

One YAML file kept outside the repository (``--deliver PATH`` or ``OPSREPORT_DELIVERY``);
``example.yaml`` beside this module shows every key with fake values. It holds no secret
itself: the SMTP password, the webhook URLs (their token is a credential) and the signing
secrets are *names of environment variables*, read when a message is sent, so the file can be
reviewed, copied and logged freely.

Everything is checked when the file is loaded, before a batch renders anything, and every
problem is reported at once with file, line and field:

- unknown keys and wrong types (pydantic, ``extra="forbid"``);
- routes naming a family that does not exist (:func:`opsreport.families.names`) or a webhook
  the file does not define;
- an appraisal (a family whose spec has ``private=True``) routed to anyone but its person and the
  director: a route of a private family may choose teams and the workbook, never recipients or
  webhooks; the addresses come from the ``appraisal`` section only;
- environment variables the file names but that are not set (their values are never shown).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import DeliveryConfigError

__all__ = [
    "ENV_VAR", "AppraisalRecipients", "DeliveryConfig", "Retry", "Route", "Sender", "Smtp", "Webhook",
    "find_config", "load_config", "parse_config", "private_families",
]

ENV_VAR = "OPSREPORT_DELIVERY"
SHOWN_PROBLEMS = 20  # problems listed per file; the rest are counted

# One plain address (what an SMTP server takes in RCPT TO); display names belong to the sender only.
_ADDRESS = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[^@\s<>,;\"'.]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WEBHOOK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _address(value: str) -> str:
    value = value.strip()
    if not _ADDRESS.match(value):
        raise ValueError(f"'{value}' is not an email address (name@example.com)")
    return value


def _env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        raise ValueError(f"'{value}' is not the name of an environment variable (letters, digits and _): "
                         "give the variable's name, not its value")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sender(_Model):
    """The From of every message: ``运营报告 <reports@example.com>``."""

    name: str = Field(description="display name, in any language (sent RFC 2047-encoded)")
    address: str

    @field_validator("address")
    @classmethod
    def _check_address(cls, value: str) -> str:
        return _address(value)


class Smtp(_Model):
    """The SMTP server that sends the mail: STARTTLS then AUTH, certificate verified."""

    host: str
    port: int = Field(587, ge=1, le=65535)
    username: str | None = None
    password_env: str | None = Field(None, description="environment variable holding the password")
    sender: Sender
    security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="starttls (port 587), tls (implicit TLS, port 465) or none (a local relay "
                                "without login only)")
    ca_file: Path | None = Field(None, description="PEM file of a private CA that signed the server's certificate")
    timeout_s: float = Field(30.0, gt=0)

    @field_validator("password_env")
    @classmethod
    def _check_env(cls, value: str | None) -> str | None:
        return value if value is None else _env_name(value)

    @model_validator(mode="after")
    def _login_needs_tls(self) -> "Smtp":
        if self.security == "none" and (self.username or self.password_env):
            raise ValueError("security 'none' would send the password in clear text: use starttls (default) or "
                             "tls, or drop username/password_env for a local relay")
        if bool(self.username) != bool(self.password_env):
            raise ValueError("give both username and password_env (the variable holding the password), or neither")
        return self


class Webhook(_Model):
    """A group bot: its URL (holding its token) and signing secret come from the environment."""

    kind: Literal["wecom", "dingtalk", "feishu"]
    url_env: str = Field(description="environment variable holding the webhook URL (it contains the token)")
    secret_env: str | None = Field(None, description="dingtalk/feishu: variable holding the signing secret")
    timeout_s: float = Field(10.0, gt=0)

    @field_validator("url_env", "secret_env")
    @classmethod
    def _check_env(cls, value: str | None) -> str | None:
        return value if value is None else _env_name(value)

    @model_validator(mode="after")
    def _signing(self) -> "Webhook":
        if self.secret_env and self.kind == "wecom":
            raise ValueError("WeCom group bots are not signed: drop secret_env (the key in the URL is the credential)")
        return self


class Route(_Model):
    """Which reports of one family go where."""

    family: str
    shops: list[str] | Literal["*"] = Field(
        "*", description="report keys (shop ids; teams for appraisals), or '*' for all")
    email: list[str] = Field(default_factory=list, description="recipients, all in To of one message")
    attach_workbook: bool = False
    webhooks: list[str] = Field(default_factory=list, description="names of group bots under 'webhooks'")

    @field_validator("shops", mode="before")
    @classmethod
    def _keys_are_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            bad = [v for v in value if not isinstance(v, str)]
            if bad:  # YAML reads 0071 as the number 71: refuse instead of guessing
                raise ValueError(f"shop ids are text: write them in quotes (\"0071\"); unquoted, YAML reads them "
                                 f"as numbers (0071 even as the octal number 57), here {bad[0]!r}")
        return value

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: list[str]) -> list[str]:
        return [_address(a) for a in value]

    def matches(self, family: str, key: str) -> bool:
        return self.family == family and (self.shops == "*" or key in self.shops)


class Retry(_Model):
    """Attempts per delivery; attempt k waits ``backoff_s * 2**(k-2)`` seconds before it starts."""

    attempts: int = Field(3, ge=1, le=20)
    backoff_s: float = Field(30.0, ge=0)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before ``attempt`` (1-based): none before the first."""
        return 0.0 if attempt <= 1 else self.backoff_s * 2 ** (attempt - 2)


class AppraisalRecipients(_Model):
    """Where personal outputs go: the team report to the director, each scorecard to its person and
    the director. Nobody else ever receives them."""

    director: str
    people: dict[str, str] = Field(default_factory=dict, description="staff_id -> that person's address")

    @field_validator("director")
    @classmethod
    def _check_director(cls, value: str) -> str:
        return _address(value)

    @field_validator("people", mode="before")
    @classmethod
    def _people(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): _address(str(v)) if isinstance(v, str) else v for k, v in value.items()}
        return value


class DeliveryConfig(_Model):
    """The whole file. ``source`` is where it was read from (for messages)."""

    smtp: Smtp | None = None
    webhooks: dict[str, Webhook] = Field(default_factory=dict)
    routes: list[Route] = Field(default_factory=list)
    link_base: str | None = Field(None, description="URL under which the output root is served; "
                                                    "without it, messages carry no link")
    retry: Retry = Field(default_factory=Retry)
    appraisal: AppraisalRecipients | None = None
    source: str = Field("the delivery config", exclude=True)

    @field_validator("link_base")
    @classmethod
    def _link_base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"'{value}' is not an http(s) URL, e.g. https://reports.example.com/outputs")
        if "?" in value or "#" in value:
            raise ValueError("link_base is a URL prefix: no query (?) or fragment (#); a token in a link "
                             "would be forwarded with every message")
        return value.rstrip("/")

    @field_validator("webhooks")
    @classmethod
    def _webhook_names(cls, value: dict[str, Webhook]) -> dict[str, Webhook]:
        bad = [name for name in value if not _WEBHOOK_NAME.match(name)]
        if bad:
            raise ValueError(f"webhook name '{bad[0]}': use letters, digits, '-', '_' or '.'")
        return value


def private_families() -> set[str]:
    """Families whose outputs are personal (``FamilySpec.private``)."""
    from .. import families

    return {name for name, spec in families.registry().items() if spec.private}


def _semantic_problems(config: DeliveryConfig) -> list[tuple[tuple, str]]:
    """(location, message) for what the models alone cannot see: names across sections, privacy."""
    from .. import families

    known = families.names()
    private = private_families()
    problems: list[tuple[tuple, str]] = []
    for i, route in enumerate(config.routes):
        if route.family not in known:
            import difflib

            close = difflib.get_close_matches(route.family, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append((("routes", i, "family"),
                             f"unknown report family '{route.family}'{hint}; families: {', '.join(known)}"))
        for j, name in enumerate(route.webhooks):
            if name not in config.webhooks:
                defined = ", ".join(config.webhooks) or "none"
                problems.append((("routes", i, "webhooks", j),
                                 f"webhook '{name}' is not defined under 'webhooks' (defined: {defined})"))
        if route.family in private:
            why = (f"'{route.family}' reports are personal: they go only to each person and the director "
                   "listed under 'appraisal'")
            if route.email:
                problems.append((("routes", i, "email"), f"{why}, never to route recipients; remove 'email' "
                                 "(a route of this family may only choose teams in 'shops' and 'attach_workbook')"))
            if route.webhooks:
                problems.append((("routes", i, "webhooks"), f"{why}, never to a group bot; remove 'webhooks'"))
            if config.appraisal is None:
                problems.append((("routes", i), f"{why}: add an 'appraisal' section with the director's address "
                                 "(and each person's under 'people')"))
        elif route.email and config.smtp is None:
            problems.append((("routes", i, "email"), "email recipients need an 'smtp' section (the server that sends)"))
    if config.appraisal is not None and config.smtp is None:
        problems.append((("appraisal",), "appraisals are sent by email: add an 'smtp' section"))
    return problems


def _env_problems(config: DeliveryConfig, env: Mapping[str, str]) -> list[tuple[tuple, str]]:
    """Variables the file names but the environment lacks (only their names are ever shown)."""
    wanted: list[tuple[tuple, str]] = []
    if config.smtp is not None and config.smtp.password_env:
        wanted.append((("smtp", "password_env"), config.smtp.password_env))
    used = {name for route in config.routes for name in route.webhooks}
    for name, hook in config.webhooks.items():
        if name not in used:
            continue  # a bot no route uses is never called: its variables may be absent
        wanted.append((("webhooks", name, "url_env"), hook.url_env))
        if hook.secret_env:
            wanted.append((("webhooks", name, "secret_env"), hook.secret_env))
    return [(loc, f"environment variable {var} is not set (it should hold the "
                  f"{'password' if loc[-1] == 'password_env' else 'URL' if loc[-1] == 'url_env' else 'signing secret'})")
            for loc, var in wanted if not env.get(var)]


def parse_config(data: Any, *, source: str | None = None, node: yaml.Node | None = None,
                 env: Mapping[str, str] | None = None) -> DeliveryConfig:
    """``data`` (the loaded YAML) checked as a :class:`DeliveryConfig`; every problem in one
    :class:`DeliveryConfigError`. ``env`` (default ``os.environ``) is checked for the variables
    the file names; pass ``{}``-like mappings in tests."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DeliveryConfigError(f"delivery config {source or ''} must hold a mapping (smtp:, webhooks:, routes: ...)")
    if "source" in data:
        raise DeliveryConfigError(_explain([(("source",), "unknown key 'source'")], source, node))
    try:
        config = DeliveryConfig.model_validate({**data, "source": source or "the delivery config"})
    except ValidationError as exc:
        raise DeliveryConfigError(_explain([(e["loc"], _pydantic_message(e)) for e in exc.errors()], source, node)) from None
    problems = _semantic_problems(config)
    problems += _env_problems(config, os.environ if env is None else env)
    if problems:
        raise DeliveryConfigError(_explain(problems, source, node))
    return config


def load_config(path: str | Path, *, env: Mapping[str, str] | None = None, origin: str | None = None) -> DeliveryConfig:
    """The config in the YAML file ``path``; ``origin`` says where the path came from (for the
    message when the file is missing), e.g. ``--deliver`` or ``OPSREPORT_DELIVERY``."""
    path = Path(path)
    given = f" (given by {origin})" if origin else ""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DeliveryConfigError(f"delivery config file not found: {path}{given}") from None
    except IsADirectoryError:
        raise DeliveryConfigError(f"delivery config {path}{given} is a folder: give the YAML file") from None
    except UnicodeDecodeError:
        raise DeliveryConfigError(f"delivery config {path} is not UTF-8 text: save it as UTF-8") from None
    except OSError as exc:
        raise DeliveryConfigError(f"delivery config {path}{given} cannot be read: {exc.strerror or exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DeliveryConfigError(f"delivery config {path} is not valid YAML: {' '.join(str(exc).split())}") from None
    return parse_config(data, source=str(path), node=node, env=env)


def find_config(option: str | Path | None, env: Mapping[str, str] | None = None) -> tuple[Path, str] | None:
    """(path, where it came from) of the config to use: ``--deliver`` first, then
    ``OPSREPORT_DELIVERY``; None when neither is given (deliver nothing)."""
    env = os.environ if env is None else env
    if option:
        return Path(option), "--deliver"
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR]), ENV_VAR
    return None


# ----------------------------------------------------------------------------------------- messages

def _pydantic_message(err: dict) -> str:
    if err["type"] == "extra_forbidden":
        name = str(err["loc"][-1])
        return f"unknown key '{name}'" + _did_you_mean(err["loc"])
    if err["type"] == "missing":
        return "is required"
    if err["type"] == "value_error":  # our own checks name the value themselves
        return err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = "" if isinstance(value, (dict, list)) or value is None else f" (got {value!r})"
    return f"{err['msg']}{shown}"


def _did_you_mean(loc: tuple) -> str:
    import difflib

    model: Any = DeliveryConfig
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = getattr(model, "model_fields", {}).get(part)
        model = _model_of(field.annotation) if field is not None else None
    if model is None or not hasattr(model, "model_fields"):
        return ""
    names = [n for n in model.model_fields if n != "source"]
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(names)})"


def _model_of(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _explain(problems: list[tuple[tuple, str]], source: str | None, node: yaml.Node | None) -> str:
    lines = []
    for loc, message in problems[:SHOWN_PROBLEMS]:
        loc = tuple(p for p in loc if p not in ("function-after", "function-before"))
        field = _dotted(loc)
        line = _line_of(node, loc)
        where = f"line {line}, " if line else ""
        lines.append(f"{where}{field}: {message}" if field else f"{where}{message}")
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"(and {len(problems) - SHOWN_PROBLEMS} more)")
    return f"Invalid delivery config{' ' + source if source else ''}: " + "; ".join(lines) + "."


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("list[str]", "literal['*']", "str"):
            continue  # pydantic's names of union members
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """1-based line of the YAML node at ``loc`` (the deepest one found)."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if match is None:
                break
            node = match[1]
            line = match[0].start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
