"""`opsreport warehouse copy`: DuckDB <-> server, checked on arrival, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tiny  # noqa: E402

from opsreport import schemas  # noqa: E402
from opsreport.cli import app  # noqa: E402
from opsreport.errors import ContractError, WarehouseError  # noqa: E402
from opsreport.warehouse.connection import Warehouse  # noqa: E402
from opsreport.warehouse.copy import copy_warehouse  # noqa: E402
from opsreport.warehouse.store import write_warehouse  # noqa: E402


def test_a_round_trip_through_the_server_gives_identical_tables(small_duckdb, pg_demo, tmp_path):
    back = tmp_path / "back.duckdb"
    report = copy_warehouse(pg_demo, str(back))
    with duckdb.connect(str(back), read_only=True) as con:
        con.execute(f"ATTACH '{small_duckdb}' AS original (READ_ONLY)")
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'back'").fetchall()]
        assert sorted(names) == sorted(schemas.CONTRACTS)  # every canonical table, and only those
        for name in names:
            # same rows, as a multiset: nothing missing, nothing added, no value changed (floats bit for bit)
            for a, b in ((f'back."{name}"', f'original."{name}"'), (f'original."{name}"', f'back."{name}"')):
                assert con.execute(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})").fetchone() == (0,), name
        orders = con.execute("SELECT count(*) FROM original.orders").fetchone()[0]
    assert dict((t.name, t.rows) for t in report.tables)["orders"] == orders > 10_000


def test_a_contract_violation_on_arrival_is_refused_and_dest_stays_as_before(pg_server, tmp_path):
    good = write_warehouse(tmp_path / "good.duckdb", tiny.tables())
    url = pg_server.create_database("refusals")
    copy_warehouse(str(good), url)
    before = Warehouse.open(url).fingerprint()
    tables = tiny.tables()
    tables["orders"].loc[0, "paid_amount"] = -5.0  # one bad value among good rows
    bad = write_warehouse(tmp_path / "bad.duckdb", tables)
    with pytest.raises(ContractError) as err:  # over the server's good tables: refused, they stay
        copy_warehouse(str(bad), url, replace=True)
    text = str(err.value)
    assert "nothing was written there" in text and "column 'paid_amount' must be >= 0: 1 row(s)" in text
    assert Warehouse.open(url).fingerprint() == before
    good_bytes = good.read_bytes()
    with pytest.raises(ContractError, match="paid_amount"):  # over a DuckDB file: the file is as before
        copy_warehouse(str(bad), str(good), replace=True)
    with pytest.raises(ContractError, match="paid_amount"):  # into a new DuckDB file: none appears
        copy_warehouse(str(bad), str(tmp_path / "other.duckdb"))
    assert good.read_bytes() == good_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.duckdb", "good.duckdb"]


def test_a_destination_with_rows_needs_replace(pg_server, tmp_path):
    url = pg_server.create_database("replacing")
    first = write_warehouse(tmp_path / "a.duckdb", tiny.tables())
    copy_warehouse(str(first), url)
    tables = tiny.tables()
    tables["orders"] = tables["orders"].iloc[:2]
    second = write_warehouse(tmp_path / "b.duckdb", tables)
    with pytest.raises(WarehouseError, match=r"already holds canonical rows \(.*orders \(\d+ rows\).*pass --replace"):
        copy_warehouse(str(second), url)
    with pytest.raises(WarehouseError, match="already holds canonical rows"):
        copy_warehouse(url, str(first))  # a DuckDB destination too
    report = copy_warehouse(str(second), url, replace=True)
    assert Warehouse.open(url).fingerprint()["rows"]["orders"] == 2 == dict((t.name, t.rows) for t in report.tables)["orders"]


def test_the_command_prints_rows_per_table_and_time_and_never_the_password(pg_server, tmp_path):
    url = pg_server.create_database("by_cli")
    src = write_warehouse(tmp_path / "w.duckdb", tiny.tables())
    result = CliRunner().invoke(app, ["warehouse", "copy", str(src), url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"copied {src} -> {url}"
    orders = next(line for line in lines if line.split()[0] == "orders")
    assert orders.split()[1:3] == [str(len(tiny.orders())), "rows"] and orders.endswith(" s")
    assert lines[-1].split()[0] == "total"
    again = CliRunner().invoke(app, ["warehouse", "copy", str(src), url])  # refused: one paragraph, exit code 2
    assert again.exit_code == 2 and "pass --replace" in again.output and "Traceback" not in again.output
    assert pg_server.password not in result.output + again.output


def test_the_fingerprint_moves_when_any_value_changes(pg_server, tmp_path):
    import psycopg

    url = pg_server.create_database("moving")
    copy_warehouse(str(write_warehouse(tmp_path / "w.duckdb", tiny.tables())), url)
    wh = Warehouse.open(url)
    first = wh.fingerprint()
    assert wh.trusted  # checked on arrival by the copy: no second check
    assert first["location"] == url and first["content"].startswith("pg:sha256:")
    counts = wh.shop_row_counts(tiny.SHOP)  # one Ibis query over the tables with a shop_id
    assert counts["orders"] == len(tiny.orders()) and counts["staff"] == 0 and wh.shop_row_counts("9999")["orders"] == 0
    with psycopg.connect(url, password=pg_server.password) as con:  # one cent on one order, same row count
        con.execute("UPDATE orders SET paid_amount = paid_amount + 0.01 WHERE order_id = (SELECT min(order_id) FROM orders)")
    changed = Warehouse.open(url)
    assert changed.fingerprint()["rows"] == first["rows"] and changed.fingerprint()["content"] != first["content"]
    assert not changed.trusted  # a changed server is checked again
    assert changed.check_all() == [] and Warehouse.open(url).trusted
