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
