"""The contracts of presale_orders and promo_ad_budgets on tiny hand-built frames: good rows pass,
each kind of bad row is reported naming its key, and a warehouse without these tables is valid."""

import datetime as dt

import pandas as pd
import pytest

import tiny
from opsreport import schemas
from opsreport.errors import ContractError
from opsreport.warehouse.connection import Warehouse
from opsreport.warehouse.store import write_warehouse

SHOP = tiny.SHOP
P = "0001-2026-double11"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def new_tables() -> dict[str, pd.DataFrame]:
    presale = pd.DataFrame([
        # balance paid: in `orders` with paid_at = balance_paid_at, paid_amount = 30 + 170
        {"shop_id": SHOP, "promo_id": P, "order_id": "p1", "customer_id": "c1", "quantity": 2,
         "deposit_paid_at": ts("2026-10-25 10:00"), "deposit_amount": 30.0, "balance_amount": 170.0,
         "balance_paid_at": ts("2026-10-31 20:05")},
        # deposit never completed: no paid row in `orders`
        {"shop_id": SHOP, "promo_id": P, "order_id": "p2", "customer_id": "c2", "quantity": 1,
         "deposit_paid_at": ts("2026-10-26 21:30"), "deposit_amount": 20.0, "balance_amount": 80.0,
         "balance_paid_at": None},
    ])
    budgets = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": P, "channel": "直通车", "budget": 5000.0},
        {"shop_id": SHOP, "promo_id": P, "channel": "万相台", "budget": 8000.0},
    ])
    return {"presale_orders": presale, "promo_ad_budgets": budgets}


def warehouse_with(tmp_path, **changes) -> Warehouse:
    tables = tiny.tables() | new_tables()
    for name, change in changes.items():
        tables[name] = change(tables[name])
    return Warehouse.open(write_warehouse(tmp_path / "w.duckdb", tables))


def changed(row: int, **values):
    def change(d):
        for column, value in values.items():
            d.loc[row, column] = value
        return d

    return change


def test_the_two_tables_are_contracts_with_shop_id_and_natural_keys():
    assert schemas.key_of("presale_orders") == ["shop_id", "order_id"]
    assert schemas.key_of("promo_ad_budgets") == ["shop_id", "promo_id", "channel"]
    assert schemas.optional_columns("presale_orders") == ["balance_paid_at"]  # empty: the balance was never paid
    assert schemas.optional_columns("promo_ad_budgets") == []
    assert list(schemas.columns_of("presale_orders")) == [
        "shop_id", "promo_id", "order_id", "customer_id", "quantity", "deposit_paid_at", "deposit_amount",
        "balance_amount", "balance_paid_at"]
    assert list(schemas.columns_of("promo_ad_budgets")) == ["shop_id", "promo_id", "channel", "budget"]


def test_good_tables_pass(tmp_path):
    assert warehouse_with(tmp_path).check_all() == []


def test_a_warehouse_without_the_two_tables_is_still_valid(tmp_path):
    wh = Warehouse.open(write_warehouse(tmp_path / "old.duckdb", tiny.tables()))
    assert not wh.has("presale_orders") and not wh.has("promo_ad_budgets")
    assert wh.check_all() == []


def test_balance_paid_before_the_deposit_is_named_with_its_key(tmp_path):
    wh = warehouse_with(tmp_path, presale_orders=changed(0, balance_paid_at=ts("2026-10-25 09:00")))
    with pytest.raises(ContractError, match=r"(?s)Table 'presale_orders'.*balance_paid_at must not be before "
                                            r"deposit_paid_at: 1 row\(s\), e.g. shop_id=0001, order_id=p1 "
                                            r"\(balance_paid_at=2026-10-25 09:00:00, deposit_paid_at=2026-10-25 10:00:00\)"):
        wh.table("presale_orders")


def test_negative_amounts_and_quantity_are_all_reported_at_once(tmp_path):
    wh = warehouse_with(tmp_path, presale_orders=changed(1, deposit_amount=-20.0, balance_amount=-1.0, quantity=-1))
    with pytest.raises(ContractError) as err:
        wh.table("presale_orders")
    text = str(err.value)
    assert "column 'deposit_amount' must be >= 0: 1 row(s), e.g. shop_id=0001, order_id=p2 (deposit_amount=-20.0)" in text
    for column in ("balance_amount", "quantity"):
        assert f"column '{column}' must be >= 0" in text, text


def test_a_deposit_without_its_time_is_named(tmp_path):
    wh = warehouse_with(tmp_path, presale_orders=changed(1, deposit_paid_at=None))
    with pytest.raises(ContractError, match=r"column 'deposit_paid_at' must not be empty: 1 row\(s\), "
                                            r"e.g. shop_id=0001, order_id=p2"):
        wh.table("presale_orders")


def test_duplicate_presale_order_is_named_with_its_key(tmp_path):
    wh = warehouse_with(tmp_path, presale_orders=lambda d: pd.concat([d, d.iloc[[0]]]))
    with pytest.raises(ContractError, match=r"duplicate key \(shop_id, order_id\): 1 key.*order_id=p1 \(2 rows\)"):
        wh.table("presale_orders")


def test_deposit_dated_after_the_as_of_date_is_named(tmp_path):
    future = pd.Timestamp(dt.date.today() + dt.timedelta(days=400))
    wh = warehouse_with(tmp_path, presale_orders=changed(1, deposit_paid_at=future))
    with pytest.raises(ContractError, match=r"column 'deposit_paid_at' is after the as-of date"):
        wh.table("presale_orders")


def test_negative_budget_is_named_with_its_key(tmp_path):
    wh = warehouse_with(tmp_path, promo_ad_budgets=changed(0, budget=-5000.0))
    with pytest.raises(ContractError, match=rf"(?s)Table 'promo_ad_budgets'.*column 'budget' must be >= 0: 1 row\(s\), "
                                            rf"e.g. shop_id=0001, promo_id={P}, channel=直通车 \(budget=-5000.0\)"):
        wh.table("promo_ad_budgets")


def test_two_budgets_for_one_channel_are_named_with_their_key(tmp_path):
    wh = warehouse_with(tmp_path, promo_ad_budgets=lambda d: pd.concat([d, d.iloc[[1]]]))
    with pytest.raises(ContractError, match=r"duplicate key \(shop_id, promo_id, channel\): 1 key.*channel=万相台 \(2 rows\)"):
        wh.table("promo_ad_budgets")
