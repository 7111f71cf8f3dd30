"""End to end: `opsreport run weekly_review` on a PostgreSQL warehouse through the CLI, next to the
same run on the DuckDB file it was copied from. The workbooks hold the same numbers, and the
password is nowhere in what the run wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest


def _values(path: Path) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)):
        return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return a == b


@pytest.fixture(scope="module")
def both_runs(pg_server, small_duckdb, pg_demo, tmp_path_factory):
    """The weekly review of shop 0071 rendered from DuckDB and from the server, side by side."""
    runs = {}
    for name, where in (("duckdb", str(small_duckdb)), ("server", pg_demo)):
        out = tmp_path_factory.mktemp(f"out_{name}")
        command = [sys.executable, "-m", "opsreport", "run", "weekly_review", "--set", "shop_id=0071",
                   "--set", f"warehouse={where}", "--formats", "html,xlsx", "--out", str(out)]
        env = {**os.environ, "PGPASSWORD": pg_server.password}
        runs[name] = (subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env), out)
    done = {}
    for name, (process, out) in runs.items():  # both at once: two cores
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name}: {stdout}\n{stderr}"
        done[name] = (out / "weekly_review" / "0071", stdout + stderr)
    return done


def test_the_server_report_has_the_duckdb_reports_numbers(both_runs, pg_server, pg_demo):
    (duck_root, _), (server_root, log) = both_runs["duckdb"], both_runs["server"]
    [duck], [server] = list(duck_root.iterdir()), list(server_root.iterdir())
    assert duck.name == server.name  # the same week
    assert (server / "report.html").stat().st_size > 0 and not (server / "report.pdf").exists()
    a, b = _values(duck / "tables.xlsx"), _values(server / "tables.xlsx")
    assert list(a) == list(b) and any(len(rows) > 3 for rows in a.values())
    for sheet in a:
        assert len(a[sheet]) == len(b[sheet]), sheet
        for i, (ra, rb) in enumerate(zip(a[sheet], b[sheet])):
            assert len(ra) == len(rb) and all(_same(x, y) for x, y in zip(ra, rb)), (sheet, i, ra, rb)
    run = json.loads((server / "run.json").read_text(encoding="utf-8"))
    assert run["data_fingerprint"]["location"] == pg_demo and run["data_fingerprint"]["content"].startswith("pg:")
    for path in server.rglob("*"):  # the password is in no file the run wrote, nor in its output
        if path.is_file():
            assert pg_server.password.encode() not in path.read_bytes(), path
    assert pg_server.password not in log
