"""Each canonical table's contract: the tiny warehouse passes; each kind of bad input fails with a
message naming the table, the column and the offending values, and every problem at once."""

import duckdb
import pytest

import tiny
from opsreport.errors import ContractError, WarehouseError
from opsreport.warehouse.connection import Warehouse
from opsreport.warehouse.store import write_warehouse


def warehouse_with(tmp_path, **changes):
    tables = tiny.tables()
    for name, change in changes.items():
        tables[name] = change(tables[name])
    return Warehouse.open(write_warehouse(tmp_path / "w.duckdb", tables))


def test_good_tables_pass(tmp_path):
    wh = warehouse_with(tmp_path)
    assert wh.check_all() == []


def test_negative_amount_is_named(tmp_path):
    def negative(o):
        o.loc[0, "paid_amount"] = -5.0
        return o

    wh = warehouse_with(tmp_path, orders=negative)
    with pytest.raises(ContractError, match=r"(?s)Table 'orders'.*column 'paid_amount' must be >= 0: 1 row\(s\), e.g. shop_id=0001, order_id=o1 \(paid_amount=-5.0\)"):
        wh.table("orders")


def test_duplicate_day_is_named_with_its_key(tmp_path):
    import pandas as pd

    wh = warehouse_with(tmp_path, shop_daily=lambda d: pd.concat([d, d.iloc[[3]]]))
    with pytest.raises(ContractError, match=r"duplicate key \(shop_id, date\): 1 key.*shop_id=0001, date=2026-11-19"):
        wh.table("shop_daily")


def test_missing_column_and_wrong_type_are_reported_together(tmp_path):
    def broken(d):
        d = d.drop(columns=["pv"])
        d["uv"] = d["uv"].astype(str) + "人"
        return d

    tables = tiny.tables()
    tables["shop_daily"] = broken(tables["shop_daily"])
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    for name, frame in tables.items():
        con.register("f", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM f")
        con.unregister("f")
    con.close()
    with pytest.raises(ContractError) as err:
        Warehouse.open(path).table("shop_daily")
    text = str(err.value)
    assert "missing column(s): pv" in text
    assert "column 'uv' has type string, expected int64" in text


def test_unknown_status_is_rejected(tmp_path):
    def weird(o):
        o.loc[1, "status"] = "交易成功"
        return o

    with pytest.raises(ContractError, match="status"):
        warehouse_with(tmp_path, orders=weird).table("orders")


def test_missing_table_and_corrupt_file(tmp_path):
    wh = warehouse_with(tmp_path)
    with pytest.raises(WarehouseError, match="Table 'traffic_daily' is missing"):
        wh.table("traffic_daily")
    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_bytes(b"this is not a database" * 100)
    with pytest.raises(WarehouseError, match="cannot be opened as a DuckDB database"):
        Warehouse.open(corrupt)
    with pytest.raises(WarehouseError, match="not found"):
        Warehouse.open(tmp_path / "absent.duckdb")


def test_a_checked_file_is_trusted_until_it_changes(tmp_path):
    path = write_warehouse(tmp_path / "w.duckdb", tiny.tables())
    assert not Warehouse.open(path).trusted
    assert Warehouse.open(path).check_all() == []
    assert Warehouse.open(path).trusted  # the next report on the same file skips the check
    tables = tiny.tables()
    tables["orders"].loc[0, "refund_amount"] = -1.0
    write_warehouse(path, tables)  # same path, new content
    wh = Warehouse.open(path)
    assert not wh.trusted
    with pytest.raises(ContractError, match="refund_amount"):
        wh.table("orders")
