"""The promotion tables' contracts (promotion_phases, promo_skus, price_history, coupons) on tiny
hand-built frames: good rows pass, each kind of bad row is reported naming its key, and a
warehouse without these tables is still valid."""

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


def promo_tables() -> dict[str, pd.DataFrame]:
    phases = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": P, "phase": "warmup", "start_at": ts("2026-10-20 20:00"),
         "end_at": ts("2026-10-23 23:59:59"), "target_gmv": 1000.0},
        {"shop_id": SHOP, "promo_id": P, "phase": "deposit", "start_at": ts("2026-10-24 00:00"),
         "end_at": ts("2026-10-31 19:59:59"), "target_gmv": None},
        {"shop_id": SHOP, "promo_id": P, "phase": "balance", "start_at": ts("2026-10-31 20:00"),
         "end_at": ts("2026-11-09 23:59:59"), "target_gmv": 5000.0},
        {"shop_id": SHOP, "promo_id": P, "phase": "burst", "start_at": ts("2026-11-10 00:00"),
         "end_at": ts("2026-11-13 23:59:59"), "target_gmv": 4000.0},
    ])
    skus = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": P, "sku_id": "S1", "promo_price": 75.0, "stock_allocated": 300},
        {"shop_id": SHOP, "promo_id": P, "sku_id": "S2", "promo_price": 38.0, "stock_allocated": None},
    ])
    prices = pd.DataFrame([
        {"shop_id": SHOP, "date": dt.date(2026, 10, 1) + dt.timedelta(days=i), "sku_id": sku, "price": price}
        for i in range(3) for sku, price in (("S1", 100.0), ("S2", 50.0))
    ])
    coupons = pd.DataFrame([
        {"shop_id": SHOP, "promo_id": P, "coupon_id": "c1", "threshold": 199.0, "discount": 20.0, "issued": 500,
         "redeemed": 120},
        {"shop_id": SHOP, "promo_id": P, "coupon_id": "c2", "threshold": 0.0, "discount": 5.0, "issued": 80,
         "redeemed": 80},
    ])
    return {"promotion_phases": phases, "promo_skus": skus, "price_history": prices, "coupons": coupons}


def warehouse_with(tmp_path, **changes) -> Warehouse:
    tables = tiny.tables() | promo_tables()
    for name, change in changes.items():
        tables[name] = change(tables[name])
    return Warehouse.open(write_warehouse(tmp_path / "w.duckdb", tables))


def test_the_four_tables_are_contracts_with_shop_id_and_natural_keys():
    keys = {
        "promotion_phases": ["shop_id", "promo_id", "phase"],
        "promo_skus": ["shop_id", "promo_id", "sku_id"],
        "price_history": ["shop_id", "date", "sku_id"],
        "coupons": ["shop_id", "promo_id", "coupon_id"],
    }
    for name, key in keys.items():
        assert name in schemas.CONTRACTS
        assert schemas.key_of(name) == key
    assert schemas.optional_columns("promotion_phases") == ["target_gmv"]
    assert schemas.optional_columns("promo_skus") == ["stock_allocated"]
    assert schemas.optional_columns("price_history") == []
    assert schemas.optional_columns("coupons") == []


def test_good_promotion_tables_pass(tmp_path):
    assert warehouse_with(tmp_path).check_all() == []


def test_a_warehouse_without_the_promotion_tables_is_still_valid(tmp_path):
    wh = Warehouse.open(write_warehouse(tmp_path / "old.duckdb", tiny.tables()))
    assert not any(wh.has(name) for name in promo_tables())
    assert wh.check_all() == []


def test_duplicate_promo_sku_is_named_with_its_key(tmp_path):
    wh = warehouse_with(tmp_path, promo_skus=lambda d: pd.concat([d, d.iloc[[0]]]))
    with pytest.raises(ContractError, match=rf"(?s)Table 'promo_skus'.*duplicate key \(shop_id, promo_id, sku_id\): "
                                            rf"1 key.*shop_id=0001, promo_id={P}, sku_id=S1 \(2 rows\)"):
        wh.table("promo_skus")


def test_duplicate_phase_is_named_with_its_key(tmp_path):
    wh = warehouse_with(tmp_path, promotion_phases=lambda d: pd.concat([d, d.iloc[[3]]]))
    with pytest.raises(ContractError, match=rf"duplicate key \(shop_id, promo_id, phase\).*phase=burst"):
        wh.table("promotion_phases")


def test_negative_price_is_named_with_its_key(tmp_path):
    def negative(d):
        d.loc[1, "price"] = -1.0
        return d

    wh = warehouse_with(tmp_path, price_history=negative)
    with pytest.raises(ContractError, match=r"(?s)Table 'price_history'.*column 'price' must be >= 0: 1 row\(s\), "
                                            r"e.g. shop_id=0001, date=2026-10-01, sku_id=S2 \(price=-1.0\)"):
        wh.table("price_history")


def test_negative_promo_price_is_named_with_its_key(tmp_path):
    def negative(d):
        d.loc[0, "promo_price"] = -75.0
        return d

    wh = warehouse_with(tmp_path, promo_skus=negative)
    with pytest.raises(ContractError, match=rf"column 'promo_price' must be >= 0: 1 row\(s\), "
                                            rf"e.g. shop_id=0001, promo_id={P}, sku_id=S1 \(promo_price=-75.0\)"):
        wh.table("promo_skus")


def test_redeemed_above_issued_is_named_with_its_key(tmp_path):
    def over(d):
        d.loc[1, "redeemed"] = 81
        return d

    wh = warehouse_with(tmp_path, coupons=over)
    with pytest.raises(ContractError, match=rf"(?s)Table 'coupons'.*redeemed must not exceed issued: 1 row\(s\), "
                                            rf"e.g. shop_id=0001, promo_id={P}, coupon_id=c2 "
                                            rf"\(redeemed=81, issued=80\)"):
        wh.table("coupons")


def test_unknown_phase_is_named_with_its_key(tmp_path):
    def unknown(d):
        d.loc[0, "phase"] = "presale"
        return d

    wh = warehouse_with(tmp_path, promotion_phases=unknown)
    with pytest.raises(ContractError, match=rf"(?s)Table 'promotion_phases'.*column 'phase' must be one of warmup, "
                                            rf"deposit, balance, burst, encore: 1 row\(s\), e.g. shop_id=0001, "
                                            rf"promo_id={P} \(phase=presale\)"):
        wh.table("promotion_phases")


def test_phase_ending_before_it_starts_is_named(tmp_path):
    def backwards(d):
        d.loc[3, "end_at"] = ts("2026-11-09 00:00")
        return d

    wh = warehouse_with(tmp_path, promotion_phases=backwards)
    with pytest.raises(ContractError, match=r"end_at must not be before start_at: 1 row\(s\), e.g. .*phase=burst"):
        wh.table("promotion_phases")


def test_negative_coupon_counts_and_amounts_are_all_reported_at_once(tmp_path):
    def bad(d):
        d.loc[0, "threshold"] = -1.0
        d.loc[0, "discount"] = -2.0
        d.loc[1, "issued"] = -3
        return d

    wh = warehouse_with(tmp_path, coupons=bad)
    with pytest.raises(ContractError) as err:
        wh.table("coupons")
    text = str(err.value)
    for column in ("threshold", "discount", "issued"):
        assert f"column '{column}' must be >= 0" in text, text


def test_price_dated_after_the_as_of_date_is_named(tmp_path):
    future = dt.date.today() + dt.timedelta(days=400)

    def stray(d):
        d.loc[0, "date"] = future
        return d

    wh = warehouse_with(tmp_path, price_history=stray)
    with pytest.raises(ContractError, match=r"column 'date' is after the as-of date"):
        wh.table("price_history")
