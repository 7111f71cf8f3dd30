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


# --- optional columns -----------------------------------------------------------------------------


def test_optional_columns_are_declared_in_the_contracts():
    from opsreport import schemas

    assert schemas.optional_columns("shop_daily") == [
        "pv", "cart_users", "fav_users", "order_buyers", "paid_orders", "units", "refund_amount"]
    assert schemas.optional_columns("traffic_daily") == ["pv", "cart_users", "fav_users", "order_buyers"]
    assert schemas.optional_columns("product_daily") == ["cart_users", "fav_users"]
    assert schemas.optional_columns("shops") == []


def unknown(table, columns, rows=(0, 1)):
    """``columns`` of ``table`` empty (NULL) in ``rows``: what an export without them gives."""
    import pandas as pd

    for c in columns:
        values = table[c].astype("Float64" if table[c].dtype.kind == "f" else "Int64")
        values.iloc[list(rows)] = pd.NA
        table[c] = values
    return table


def test_optional_columns_may_be_empty_but_present_values_are_still_checked(tmp_path):
    optional = ["pv", "cart_users", "fav_users", "order_buyers", "paid_orders", "units", "refund_amount"]
    tables = tiny.extended_tables()
    tables["shop_daily"] = unknown(tables["shop_daily"], optional)
    tables["traffic_daily"] = unknown(tables["traffic_daily"], ["pv", "cart_users", "fav_users", "order_buyers"])
    tables["product_daily"] = unknown(tables["product_daily"], ["cart_users", "fav_users"])
    path = write_warehouse(tmp_path / "w.duckdb", tables)
    assert Warehouse.open(path).check_all() == []
    with duckdb.connect(str(path), read_only=True) as con:  # NULL, not an invented zero
        assert con.execute("SELECT count(*) FROM shop_daily WHERE fav_users IS NULL").fetchone() == (2,)

    tables["shop_daily"].loc[2, "fav_users"] = -3  # a value that is there is still checked
    wh = Warehouse.open(write_warehouse(tmp_path / "w2.duckdb", tables))
    with pytest.raises(ContractError, match=r"column 'fav_users' must be >= 0: 1 row\(s\), e.g. shop_id=0001, date=2026-11-18 \(fav_users=-3\)"):
        wh.table("shop_daily")


def test_an_empty_required_value_is_cited_by_key_and_counted(tmp_path):
    wh = warehouse_with(tmp_path, shop_daily=lambda d: unknown(d, ["uv", "paid_buyers"], rows=(0, 1)))
    with pytest.raises(ContractError) as err:
        wh.table("shop_daily")
    text = str(err.value)
    # W47 starts on Monday 2026-11-16: rows 0 and 1 are the 16th and the 17th
    assert "column 'uv' must not be empty: 2 row(s), e.g. shop_id=0001, date=2026-11-16 (uv empty); shop_id=0001, date=2026-11-17 (uv empty)" in text
    assert "column 'paid_buyers' must not be empty: 2 row(s)" in text


def test_a_disallowed_value_is_cited_by_key(tmp_path):
    def weird(o):
        o.loc[1, "status"] = "交易成功"
        return o

    with pytest.raises(ContractError, match=r"column 'status' must be one of pending_payment, .*: 1 row\(s\), e.g. shop_id=0001, order_id=o2 \(status=交易成功\)"):
        warehouse_with(tmp_path, orders=weird).table("orders")


# --- shops: currency and unique shop_id ---------------------------------------------------------


def test_currency_is_an_iso_code(tmp_path):
    import pandas as pd

    good = warehouse_with(tmp_path, shops=lambda s: pd.concat([s, s.assign(shop_id="0002", currency="GBP")]))
    assert good.check_all() == []
    assert good.shop("0002")["currency"] == "GBP"
    good.close()  # DuckDB shares one open database per path within a process

    wh = warehouse_with(tmp_path, shops=lambda s: s.assign(currency="rmb"))
    with pytest.raises(ContractError, match=r"column 'currency' must match \^\[A-Z\]\{3\}\$: 1 row\(s\), e.g. shop_id=0001 \(currency=rmb\)"):
        wh.table("shops")


def test_a_warehouse_written_before_currency_reads_as_cny(tmp_path):
    path = write_warehouse(tmp_path / "old.duckdb", tiny.tables())
    with duckdb.connect(str(path)) as con:  # the shops table as older versions wrote it
        con.execute("ALTER TABLE shops DROP COLUMN currency")
    wh = Warehouse.open(path)
    assert wh.check_all() == []
    assert wh.shop(tiny.SHOP)["currency"] == "CNY"
    assert Warehouse.open(path).shop(tiny.SHOP)["currency"] == "CNY"  # trusted now: read without the check


def test_a_duplicate_shop_id_is_named(tmp_path):
    import pandas as pd

    wh = warehouse_with(tmp_path, shops=lambda s: pd.concat([s, s.assign(name="同一个店")]))
    with pytest.raises(ContractError, match=r"(?s)Table 'shops'.*duplicate key \(shop_id\): 1 key\(s\) appear more than once, e.g. shop_id=0001 \(2 rows\)"):
        wh.table("shops")


# --- row rules: refunds and the as-of date ------------------------------------------------------


def test_a_refund_above_its_orders_paid_amount_is_named(tmp_path):
    def too_much(o):
        o.loc[2, "refund_amount"] = 250.0  # o3 paid 200
        o.loc[0, "refund_amount"] = 100.004  # o1 paid 100: within a cent's rounding
        return o

    wh = warehouse_with(tmp_path, orders=too_much)
    with pytest.raises(ContractError) as err:
        wh.table("orders")
    assert ("refund_amount must not exceed the order's paid_amount: 1 row(s), "
            "e.g. shop_id=0001, order_id=o3 (refund_amount=250.0, paid_amount=200.0)") in str(err.value)


def test_rows_after_the_as_of_date_are_named_with_table_key_and_date(tmp_path):
    import datetime as dt

    import pandas as pd

    from opsreport import schemas

    today = schemas.as_of_today()
    future = today + dt.timedelta(days=365)  # a mistyped year

    def stray_day(d):
        return pd.concat([d, d.iloc[[0]].assign(date=future)], ignore_index=True)

    def stray_order(o):
        o.loc[4, "paid_at"] = pd.Timestamp(future) + pd.Timedelta(hours=9)
        return o

    wh = warehouse_with(tmp_path, shop_daily=stray_day, orders=stray_order)
    problems = "\n".join(wh.check_all())
    assert (f"Table 'shop_daily' breaks its contract (1 problem(s)):\n  - column 'date' is after the as-of date "
            f"{today} (today in Beijing time): 1 row(s), e.g. shop_id=0001, date={future} (date={future})") in problems
    assert f"column 'paid_at' is after the as-of date {today} (today in Beijing time): 1 row(s), e.g. shop_id=0001, order_id=o5" in problems
    assert not Warehouse.open(wh.location).trusted


def test_the_as_of_date_can_be_given(tmp_path):
    import datetime as dt

    from opsreport import schemas

    wh = warehouse_with(tmp_path)
    sd = wh.con.table("shop_daily")
    schemas.validate(sd, "shop_daily", as_of=dt.date(2026, 11, 22))  # the tiny data ends on W47's Sunday
    with pytest.raises(ContractError, match=r"after the as-of date 2026-11-21.*: 1 row\(s\), e.g. shop_id=0001, date=2026-11-22"):
        schemas.validate(sd, "shop_daily", as_of=dt.date(2026, 11, 21))
