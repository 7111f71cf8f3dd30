"""Warehouse.shop_row_counts: one Ibis query over the tables that carry shop_id."""

import duckdb

import tiny
from opsreport import schemas
from opsreport.warehouse.connection import Warehouse
from opsreport.warehouse.store import write_warehouse


def test_row_counts_per_shop_skip_tables_without_shop_id(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "w.duckdb", tiny.tables())
    with duckdb.connect(str(path)) as con:  # a staff table has no shop_id
        con.execute("CREATE TABLE staff (staff_id VARCHAR, name VARCHAR)")
        con.execute("INSERT INTO staff VALUES ('s1', 'x')")
    monkeypatch.setattr(schemas, "CONTRACTS", {**schemas.CONTRACTS, "staff": None})
    wh = Warehouse.open(path)
    counts = wh.shop_row_counts(tiny.SHOP)
    assert counts["orders"] == len(tiny.orders())  # every tiny order belongs to shop 0001
    assert counts["staff"] == 0
    assert wh.shop_row_counts("9999")["orders"] == 0


# --- check_all: what would stop a report ------------------------------------------------------------


def test_a_warehouse_without_tables_or_shops_is_a_problem(tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    (problem,) = Warehouse.open(empty).check_all()
    assert "holds no canonical tables (it has: no tables)" in problem

    tables = tiny.tables()
    del tables["shops"]
    (problem,) = Warehouse.open(write_warehouse(tmp_path / "no_shops.duckdb", tables)).check_all()
    assert "has no 'shops' table" in problem and "it has: ads_daily, order_items, orders" in problem

    tables = tiny.tables()
    tables["shops"] = tables["shops"].iloc[0:0]
    path = write_warehouse(tmp_path / "no_rows.duckdb", tables)
    (problem,) = Warehouse.open(path).check_all()
    assert "The 'shops' table of the warehouse" in problem and "has no rows" in problem
    assert not Warehouse.open(path).trusted  # a problem is never remembered as valid


def test_a_change_is_rechecked_even_when_size_and_mtime_are_restored(tmp_path):
    import os

    import pytest

    from opsreport.errors import ContractError

    path = write_warehouse(tmp_path / "w.duckdb", tiny.tables())
    assert Warehouse.open(path).check_all() == []
    st = path.stat()
    tables = tiny.tables()
    tables["orders"].loc[0, "refund_amount"] = -1.0  # same rows, same size: one value differs
    other = write_warehouse(tmp_path / "other.duckdb", tables)
    assert other.stat().st_size == st.st_size
    path.write_bytes(other.read_bytes())  # copied over, then its old mtime put back (cp, touch -r)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    wh = Warehouse.open(path)
    assert not wh.trusted
    with pytest.raises(ContractError, match="refund_amount"):
        wh.table("orders")


def test_the_content_stamp_covers_the_write_ahead_log(tmp_path):
    from opsreport.warehouse.connection import stamp

    path = write_warehouse(tmp_path / "w.duckdb", tiny.tables())
    before = stamp(path)
    assert before.startswith(f"{path.stat().st_size}|sha256:")
    (tmp_path / "w.duckdb.wal").write_bytes(b"pending")
    assert stamp(path) != before
    assert stamp(path) == stamp(path)  # deterministic


def test_the_fingerprint_names_the_content(tmp_path):
    path = write_warehouse(tmp_path / "w.duckdb", tiny.tables())
    fp = Warehouse.open(path).fingerprint()
    assert fp["content"].startswith(f"{fp['bytes']}|sha256:")
    assert fp["rows"]["orders"] == len(tiny.orders())


def test_an_older_warehouse_gains_the_newer_columns_with_their_defaults(tmp_path):
    from opsreport.warehouse.store import add_legacy_columns

    path = write_warehouse(tmp_path / "old.duckdb", tiny.tables())
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE shops DROP COLUMN currency")
        assert add_legacy_columns(con) == ["shops.currency"]
        assert add_legacy_columns(con) == []  # idempotent
        assert con.execute("SELECT shop_id, currency FROM shops").fetchall() == [(tiny.SHOP, "CNY")]
        con.execute("INSERT INTO shops (shop_id, name, platform, category) VALUES ('0002', 'x', 'jd', 'toys')")
        assert con.execute("SELECT currency FROM shops WHERE shop_id = '0002'").fetchone() == ("CNY",)
