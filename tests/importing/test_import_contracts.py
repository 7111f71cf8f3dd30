"""The contract changes the importer needs: products without a list price, empty tables, and
contract messages that cite an export's file and row."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest
import tiny

from opsreport import schemas
from opsreport.errors import ContractError
from opsreport.warehouse.connection import Warehouse
from opsreport.warehouse.store import write_warehouse


def test_products_may_lack_a_list_price_but_not_a_negative_one(tmp_path):
    tables = tiny.tables()
    tables["products"].loc[0, "list_price"] = None
    wh = Warehouse.open(write_warehouse(tmp_path / "w.duckdb", tables))
    assert wh.check_all() == []
    tables["products"].loc[1, "list_price"] = -1.0
    wh = Warehouse.open(write_warehouse(tmp_path / "w2.duckdb", tables))
    with pytest.raises(ContractError, match="list_price' must be >= 0"):
        wh.table("products")


def test_an_empty_table_meets_its_contract_but_still_needs_its_columns(tmp_path):
    tables = tiny.tables()
    tables["ads_daily"] = tables["ads_daily"].iloc[0:0]
    wh = Warehouse.open(write_warehouse(tmp_path / "w.duckdb", tables))
    assert wh.check_all() == []
    empty = wh.con.sql("SELECT shop_id, date FROM ads_daily")
    with pytest.raises(ContractError, match="missing column\\(s\\): channel, campaign"):
        schemas.validate(empty, "ads_daily")


def test_contract_problems_cite_rows_by_the_given_columns():
    orders = tiny.orders()
    orders["_where"] = [f"orders.csv, row {i + 2}" for i in range(len(orders))]
    orders.loc[2, "paid_amount"] = -1.0
    orders.loc[4, "status"] = "交易成功"
    orders.loc[5, "customer_id"] = None
    dup = orders.iloc[[0]].assign(_where="orders.csv, row 99")
    table = ibis.memtable(pd.concat([orders, dup], ignore_index=True))
    with pytest.raises(ContractError) as err:
        schemas.validate(table, "orders", row_columns=["_where"])
    text = str(err.value)
    assert "column 'paid_amount' must be >= 0: 1 row(s), e.g. orders.csv, row 4 (paid_amount=-1.0)" in text
    assert "column 'status' must be one of pending_payment" in text and "orders.csv, row 6 (status=交易成功)" in text
    assert "column 'customer_id' must not be empty: 1 row(s), e.g. orders.csv, row 7 (customer_id empty)" in text
    assert "order_id=o1 (2 rows: orders.csv, row 2 | orders.csv, row 99)" in text or \
        "order_id=o1 (2 rows: orders.csv, row 99 | orders.csv, row 2)" in text
