"""A real PostgreSQL server for the tests of warehouse servers, started once per session.

Debian's ``postgresql`` package (``apt-get install postgresql``; the CI's ``.ci/run`` installs it)
provides the binaries under /usr/lib/postgresql/<version>/bin. The server runs from a temporary
folder on a free port of 127.0.0.1 with its unix socket beside it, with password (SCRAM) logins,
and is stopped at the end of the session. PostgreSQL refuses to run as root: as root, initdb and
pg_ctl run as the package's ``postgres`` user.

Without the binaries the tests FAIL (not skip), saying how to install them.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "opsreport"
PASSWORD = "s3cret-Pa55-word"  # grep for it in outputs: it must never appear


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3].split(".")[0]))
    if not found:
        pytest.fail("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/pg_ctl): install Debian's "
                    "package with `sudo apt-get install -y postgresql` (the CI's .ci/run does) and run again.",
                    pytrace=False)
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    password: str
    bin: Path
    socket_dir: Path

    def url(self, database: str) -> str:
        """The URL without its password (the tests give it through PGPASSWORD)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                             dbname="postgres", autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        pytest.fail(f"{' '.join(command)} failed ({done.returncode}): {done.stderr or done.stdout}", pytrace=False)


@pytest.fixture(scope="session")
def pg_server():
    bin_ = _binaries()
    # not under pytest's basetemp: as root that is private to root, and the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="opsreport-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD + "\n")
    as_root = os.geteuid() == 0
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres")
        for p in (sockets, pwfile):
            shutil.chown(p, "postgres")
    port = _free_port()
    _run([*run_as, str(bin_ / "initdb"), "-D", str(data), "-U", USER, "--pwfile", str(pwfile),
          "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"])
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    try:
        _run([*run_as, str(bin_ / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
              "-w", "-t", "30", "start"])
        yield PgServer("127.0.0.1", port, USER, PASSWORD, bin_, sockets)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*run_as, str(bin_ / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def pg_password():
    """Every test of this folder logs in with the password from the environment, as a user would
    (session-wide, so that module fixtures have it too; a test may override it with monkeypatch)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PGPASSWORD", PASSWORD)
        yield


@pytest.fixture(scope="session")
def small_duckdb(tmp_path_factory):
    """A small demo warehouse (5,000 orders per shop) in a DuckDB file, built once."""
    from opsreport.warehouse.demo import build_demo_warehouse

    path = tmp_path_factory.mktemp("small") / "small.duckdb"
    build_demo_warehouse(path, orders_per_shop=5_000)
    return path


@pytest.fixture(scope="session")
def pg_demo(pg_server, small_duckdb):
    """The small demo warehouse copied onto the server (``warehouse copy``); its URL."""
    from opsreport.warehouse.copy import copy_warehouse

    url = pg_server.create_database("demo")
    copy_warehouse(str(small_duckdb), url)
    return url
