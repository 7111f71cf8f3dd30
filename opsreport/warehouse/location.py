"""Where a warehouse is: a DuckDB file (the default) or a PostgreSQL server, and how it is shown.

A ``warehouse`` value (the report parameter, every ``--warehouse`` option, ``Warehouse.open``) is
one of:

- a DuckDB file path: ``data/demo.duckdb`` (the default);
- a database URL: ``postgresql://user@host:5432/db`` (also ``postgres://``; any libpq URL, e.g.
  ``?sslmode=require`` or ``?host=/run/postgresql`` for a unix socket). Leave the password out:
  libpq reads it from ``PGPASSWORD`` or ``~/.pgpass``;
- ``env:NAME``: the path or URL held by the environment variable NAME (e.g.
  ``env:OPSREPORT_WAREHOUSE_URL``, a URL with its password, set by the scheduler or a secret store);
- a bare name (letters, digits, ``_``, ``-``): the URL of that name in the warehouses file,
  ``$OPSREPORT_WAREHOUSES`` or else ``~/.config/opsreport/warehouses.yaml`` (``team:
  postgresql://ops:secret@db:5432/opsreport``), a file kept outside the repository (chmod 600).
  A file of that name in the working directory wins, as it always did.

Why the indirections: a report's parameters are written into the executed notebook and its
run.json, so the parameter must name the warehouse without holding its secret. The password is
read where the connection is made and only there: what is shown anywhere (run.json's
``data_fingerprint.location``, errors, logs) is :attr:`Location.shown`, the URL without its
password (``postgresql://ops@db:5432/opsreport``), and ``repr`` never shows the secret either.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from ..errors import WarehouseError

#: URL schemes of database servers opsreport can use as a warehouse (libpq's two spellings).
SERVER_SCHEMES = ("postgresql", "postgres")
ENV_PREFIX = "env:"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
# libpq query parameters that carry a secret: never shown
_SECRET_PARAMS = {"password", "sslpassword"}


@dataclass(frozen=True)
class Location:
    """A resolved warehouse: ``kind`` (duckdb or postgres), ``target`` (the path, or the URL the
    connection uses, possibly with its password; never shown) and ``shown`` (safe to print)."""

    kind: str
    target: str = field(repr=False)
    shown: str

    @property
    def is_server(self) -> bool:
        return self.kind != "duckdb"

    @property
    def path(self) -> Path:
        """The DuckDB file (only for ``kind == "duckdb"``)."""
        if self.is_server:
            raise WarehouseError(f"{self.shown} is a database server, not a DuckDB file")
        return Path(self.target)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secrets inside ``target`` (its password), to scrub from a driver's error text."""
        return _secrets(self.target) if self.is_server else ()

    def scrub(self, text: str) -> str:
        """``text`` with every secret of this location (plain or URL-quoted) replaced by ***."""
        for secret in self.secrets:
            for form in {secret, quote(secret, safe=""), quote(secret)}:
                if form:
                    text = text.replace(form, "***")
        return text.replace(self.target, self.shown) if self.is_server else text

    def __str__(self) -> str:
        return self.shown


def is_url(value: str | Path) -> bool:
    """True for anything written as ``scheme://...`` (supported or not)."""
    return not isinstance(value, Path) and bool(_SCHEME.match(str(value).strip()))


def resolve(value: str | Path) -> Location:
    """The warehouse ``value`` names (see the module docstring); WarehouseError when it names
    nothing usable: an unsupported URL scheme, an unset variable, an unknown name."""
    if isinstance(value, Path):
        return Location("duckdb", str(value), str(value))
    text = str(value).strip()
    if text.startswith(ENV_PREFIX):
        name = text[len(ENV_PREFIX):].strip()
        held = os.environ.get(name, "").strip() if name else ""
        if not held:
            raise WarehouseError(
                f"warehouse '{text}': the environment variable {name or '(no name)'} is "
                f"{'not set or empty' if name else 'missing'}; set it to a DuckDB file or a "
                "postgresql://user:password@host:5432/db URL.")
        if held.startswith(ENV_PREFIX):
            raise WarehouseError(f"warehouse '{text}': {name} names another variable ({redact(held)}); "
                                 "it must hold a DuckDB file or a database URL.")
        return _direct(held, f"{name} (from '{text}')")
    if _NAME.match(text) and not Path(text).exists():
        return _named(text)
    return _direct(text, None)


def _direct(text: str, origin: str | None) -> Location:
    match = _SCHEME.match(text)
    if not match:
        return Location("duckdb", text, text)
    scheme = match.group(1).lower()
    if scheme not in SERVER_SCHEMES:
        where = f" in {origin}" if origin else ""
        raise WarehouseError(
            f"warehouse URL scheme '{scheme}://'{where} is not supported; a warehouse is a DuckDB file path "
            f"(data/demo.duckdb) or a PostgreSQL URL ({', '.join(s + '://user@host:5432/db' for s in SERVER_SCHEMES)}).")
    return Location("postgres", text, redact(text))


def redact(url: str) -> str:
    """``url`` without its password (in the user part or as a query parameter); a value that is
    not a URL is returned as it is."""
    if not _SCHEME.match(url):
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k.lower() not in _SECRET_PARAMS], safe="/")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _secrets(url: str) -> tuple[str, ...]:
    parts = urlsplit(url)
    found = []
    if "@" in parts.netloc:
        user = parts.netloc.rpartition("@")[0]
        if ":" in user:
            found.append(user.split(":", 1)[1])
    found += [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() in _SECRET_PARAMS]
    out = []
    for s in found:
        out += [s, unquote(s)]
    return tuple(dict.fromkeys(s for s in out if s))


def warehouses_file() -> Path:
    """The file of named warehouse URLs: ``$OPSREPORT_WAREHOUSES``, else
    ``$XDG_CONFIG_HOME/opsreport/warehouses.yaml`` (``~/.config/...`` by default)."""
    if os.environ.get("OPSREPORT_WAREHOUSES"):
        return Path(os.environ["OPSREPORT_WAREHOUSES"]).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "opsreport" / "warehouses.yaml"


def named_warehouses() -> dict[str, str]:
    """The warehouses file's name -> URL (or path); empty when there is no such file."""
    import yaml

    path = warehouses_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise WarehouseError(f"warehouses file {path} cannot be read ({type(exc).__name__}).") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        raise WarehouseError(f"warehouses file {path} is not valid YAML{at}; it maps a name to a URL, "
                             "e.g. team: postgresql://ops@db:5432/opsreport") from None
    if not isinstance(data, dict):
        raise WarehouseError(f"warehouses file {path} must map names to URLs (team: postgresql://...).")
    bad = [str(k) for k, v in data.items() if not isinstance(k, str) or not isinstance(v, str) or not v.strip()]
    if bad:  # never quote a value: it may hold a password
        raise WarehouseError(f"warehouses file {path}: the entries {', '.join(bad)} are not name: URL text pairs.")
    return {k: v.strip() for k, v in data.items()}


def _named(name: str) -> Location:
    known = named_warehouses()
    if name not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise WarehouseError(
            f"warehouse '{name}' is neither a file nor a name in {warehouses_file()} (names there: {listed}). "
            "Give a DuckDB file (its name ends in .duckdb), a postgresql:// URL, env:VARIABLE, or add the name "
            "to that file.")
    return _direct(known[name], f"'{name}' of {warehouses_file()}")


def names_a_file(value: str | Path) -> bool:
    """True when ``value`` is a DuckDB file path, not a URL, ``env:`` or a name of the warehouses
    file (a file by that name in the working directory is a file)."""
    if isinstance(value, Path):
        return True
    text = str(value).strip()
    return not (is_url(text) or text.startswith(ENV_PREFIX) or (_NAME.match(text) and not Path(text).exists()))


def locate(value: str | Path) -> str | Path:
    """``paths.locate`` for a warehouse value: a DuckDB path is looked for from the project root
    too (JupyterLab kernels run in notebooks/); a URL, ``env:`` or a name is returned as given
    (``Path()`` would fold the ``//`` of a URL)."""
    from ..paths import locate as locate_path

    return locate_path(value) if names_a_file(value) else str(value).strip()


def for_parameters(value: str | Path) -> str:
    """The form of ``value`` to pass on to a notebook and record in run.json: a DuckDB path made
    absolute (the kernel runs in another folder); a URL, ``env:`` or a name as given, since they
    resolve the same way in the kernel and hold no password (``check_parameter`` refuses one)."""
    text = str(value).strip()
    return str(Path(text).resolve()) if names_a_file(text) else text


def check_parameter(value: str) -> str:
    """The ``warehouse`` report parameter: refuses a URL that holds a password (the parameters are
    written into the executed notebook and run.json) or has an unsupported scheme.

    Raises ParamsError, not ValueError: pydantic would quote the rejected value (the password)
    in its message."""
    from ..errors import ParamsError

    text = str(value).strip()
    if is_url(text):
        scheme = _SCHEME.match(text).group(1).lower()
        if scheme not in SERVER_SCHEMES:
            raise ParamsError(f"warehouse: URL scheme '{scheme}://' is not supported; use a DuckDB file path "
                              f"or {' or '.join(s + '://' for s in SERVER_SCHEMES)}")
        if _secrets(text):
            raise ParamsError(
                "warehouse: the URL holds a password, which would be written into the report's notebook and run.json: "
                f"use {redact(text)} with PGPASSWORD or ~/.pgpass, or env:OPSREPORT_WAREHOUSE_URL, or a name "
                f"from {warehouses_file()}")
    return text
