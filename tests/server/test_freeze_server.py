"""Closing an appraisal period on a server: the snapshot and the re-score log, as on DuckDB."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from opsreport.errors import ParamsError
from opsreport.families.appraisal import freeze
from opsreport.importing import load
from opsreport.warehouse import write

NOW = dt.datetime(2026, 11, 23, 9, 0, 0)


def inputs(sales: float) -> pd.DataFrame:
    return pd.DataFrame([
        {"staff_id": "E001", "input": "sales_completion", "value": sales, "reference": 1.0, "unit": "rate",
         "known": True, "reason": None, "flag": None, "evidence": {"sales": 1_200_000.0}},
        {"staff_id": "E002", "input": "roi", "value": 3.25, "reference": 3.0, "unit": "x", "known": True,
         "reason": None, "flag": None, "evidence": {}},
    ])


@pytest.fixture(scope="module")
def warehouses(pg_server, tmp_path_factory):
    """An empty server database and an empty DuckDB file, each with every canonical table."""
    url = pg_server.create_database("appraisals")
    path = tmp_path_factory.mktemp("freeze") / "w.duckdb"
    with load.transaction(path, dry_run=False):
        pass  # a new file with every canonical table
    with write.writing(url) as session:
        load.ensure_tables(session)
    return {"duckdb": str(path), "server": url}


@pytest.mark.parametrize("kind", ["duckdb", "server"])
def test_close_load_rescore_and_log(warehouses, kind):
    where = warehouses[kind]
    assert freeze.load(where, "ops-east", "2026-10") is None  # open
    closed = freeze.close(where, "ops-east", "2026-10", inputs(0.95), now=NOW)
    again = freeze.load(where, "ops-east", "2026-10")
    assert again.fingerprint == closed.fingerprint == freeze.fingerprint(inputs(0.95))
    assert again.closed_at == NOW and again.inputs.value.tolist() == [0.95, 3.25]
    with pytest.raises(ParamsError, match="already closed"):
        freeze.close(where, "ops-east", "2026-10", inputs(0.95))
    moved = freeze.rescore(where, "ops-east", "2026-10", inputs(0.97), "late refund corrected",
                           now=NOW + dt.timedelta(days=1))
    assert moved == [{"staff_id": "E001", "input": "sales_completion", "value": [0.95, 0.97]}]
    log = freeze.log(where, "ops-east", "2026-10")
    assert log.reason.tolist() == ["late refund corrected"]
    assert log.fingerprint_before.tolist() == [closed.fingerprint]
    assert log.fingerprint_after.tolist() == [freeze.fingerprint(inputs(0.97))]
    assert freeze.load(where, "ops-east", "2026-10").inputs.value.tolist() == [0.97, 3.25]
