"""The demo warehouse with many shops (``build_demo_warehouse(..., shops=N)``, shops.shop_models):
synthetic clones of the three shops of shops.yaml with keys of their own, every contract met, and
the three shops (and the team) the same rows as in a build of three."""

from __future__ import annotations

import re

import duckdb
import pytest

from opsreport import schemas
from opsreport.warehouse.connection import Warehouse
from opsreport.warehouse.demo import build_demo_warehouse, shops, staff

SMALL = dict(orders_per_shop=3_000, days=120)
MODEL_IDS = ["0071", "0142", "0388"]
# clones n = 3..6 (counting from 0) are numbered CLONE_ID_BASE + n + 1: 1000 + 3 + 1 = 1004 .. 1007
CLONE_IDS = ["1004", "1005", "1006", "1007"]


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("many")
    seven, three = folder / "seven.duckdb", folder / "three.duckdb"
    counts = build_demo_warehouse(seven, shops=7, **SMALL)
    build_demo_warehouse(three, **SMALL)
    return seven, three, counts


@pytest.fixture(scope="module")
def db(builds):
    seven, three, _ = builds
    con = duckdb.connect(str(seven), read_only=True)
    con.execute(f"ATTACH '{three}' AS three (READ_ONLY)")
    yield con
    con.close()


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_seven_distinct_shops_the_models_first_then_clones_in_turn(db):
    got = rows(db, "SELECT shop_id, name, platform, category FROM shops ORDER BY shop_id")
    assert [r[0] for r in got] == sorted(MODEL_IDS + CLONE_IDS)
    assert len({r[1] for r in got}) == 7  # every name its own
    by_id = {r[0]: r[1:] for r in got}
    # clone n copies model n % 3: 1004 (n=3) and 1007 (n=6) the Tmall beauty shop 0071, 1005 the JD
    # furniture shop 0142, 1006 the Douyin apparel shop 0388
    for clone, model in (("1004", "0071"), ("1005", "0142"), ("1006", "0388"), ("1007", "0071")):
        assert by_id[clone][1:] == by_id[model][1:]
        assert by_id[clone][0] == f"{by_id[model][0]}#{int(clone) - 1000}"


def test_keys_never_collide_across_shops(db):
    for table, key in (("products", "sku_id"), ("orders", "order_id"), ("orders", "customer_id"),
                       ("service_daily", "agent_id")):
        # a key value used by two shops would count once in the left and twice in the right
        per_key = rows(db, f"SELECT count(DISTINCT {key}), count(DISTINCT (shop_id, {key})) FROM {table}")[0]
        assert per_key[0] == per_key[1], (table, key)
    # SKU and customer prefixes: the models' BT/FN/AP and tb/jd/dy, then the unused two-letter ones
    # in order: AA, AB, AC, AD (AP is taken further on) and aa, ab, ac, ad
    got = rows(db, "SELECT shop_id, min(left(sku_id, 2)), max(left(sku_id, 2)) FROM products GROUP BY 1 ORDER BY 1")
    assert got == [("0071", "BT", "BT"), ("0142", "FN", "FN"), ("0388", "AP", "AP"),
                   ("1004", "AA", "AA"), ("1005", "AB", "AB"), ("1006", "AC", "AC"), ("1007", "AD", "AD")]
    got = rows(db, "SELECT shop_id, min(left(customer_id, 2)), max(left(customer_id, 2)) FROM orders "
                   "GROUP BY 1 ORDER BY 1")
    assert [r[1:] for r in got] == [("tb", "tb"), ("jd", "jd"), ("dy", "dy"),
                                    ("aa", "aa"), ("ab", "ab"), ("ac", "ac"), ("ad", "ad")]


def test_every_table_meets_its_contract(builds):
    wh = Warehouse.open(builds[0])
    try:
        assert wh.check_all() == []
    finally:
        wh.close()


def test_every_shop_has_rows_in_every_per_shop_table(builds, db):
    counts = builds[2]
    for name in schemas.CONTRACTS:
        if "shop_id" not in schemas.columns_of(name) or counts[name] == 0 or name == "staff_assignments":
            continue  # staff_assignments: the team runs the three shops only
        assert rows(db, f'SELECT count(DISTINCT shop_id) FROM "{name}"')[0][0] == 7, name


def test_the_three_shops_and_the_team_are_the_rows_of_a_three_shop_build(db):
    models = ", ".join(f"'{s}'" for s in MODEL_IDS)
    compared = 0
    for name in schemas.CONTRACTS:
        cols = ", ".join(f'"{c}"' for c in schemas.columns_of(name))
        where = f"WHERE shop_id IN ({models})" if "shop_id" in schemas.columns_of(name) else ""
        mine = f'SELECT {cols} FROM "{name}" {where}'
        theirs = f'SELECT {cols} FROM three."{name}"'
        n_mine, n_theirs = (rows(db, f"SELECT count(*) FROM ({q})")[0][0] for q in (mine, theirs))
        assert n_mine == n_theirs, name
        # EXCEPT ALL both ways: equal multisets of rows (NULLs compare equal in set operations)
        assert rows(db, f"SELECT count(*) FROM ({mine} EXCEPT ALL {theirs})")[0][0] == 0, name
        assert rows(db, f"SELECT count(*) FROM ({theirs} EXCEPT ALL {mine})")[0][0] == 0, name
        compared += n_mine > 0
    assert compared >= 20  # the comparison saw rows of (nearly) every table, team ones included


def test_a_clone_has_data_of_its_own(db):
    # 1004 is cloned from 0071 (same catalogue sizes and categories) but draws from its own streams
    got = rows(db, "SELECT shop_id, count(*), sum(paid_amount) FROM orders WHERE shop_id IN ('0071', '1004') "
                   "GROUP BY 1 ORDER BY 1")
    assert got[0][1:] != got[1][1:]
    got = rows(db, "SELECT shop_id, count(*) FROM products WHERE shop_id IN ('0071', '1004') GROUP BY 1 ORDER BY 1")
    assert got[0][1] == got[1][1] == shops.MODELS[0].n_skus  # 220 SKUs each
    got = rows(db, "SELECT p.shop_id, list(DISTINCT p.list_price ORDER BY p.list_price)[:5] FROM products p "
                   "WHERE shop_id IN ('0071', '1004') GROUP BY 1 ORDER BY 1")
    assert got[0][1] != got[1][1]  # its own catalogue (prices drawn anew)


def test_fewer_shops_takes_the_first_ones(tmp_path, db):
    path = tmp_path / "one.duckdb"
    counts = build_demo_warehouse(path, shops=1, **SMALL)
    assert counts["shops"] == 1
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert rows(con, "SELECT shop_id FROM shops") == [("0071",)]
        mine = rows(con, "SELECT * FROM orders ORDER BY order_id")
    finally:
        con.close()
    assert mine == rows(db, "SELECT * FROM three.orders WHERE shop_id = '0071' ORDER BY order_id")
    wh = Warehouse.open(path)
    try:
        assert wh.check_all() == []  # the team's tables hold without the shops it also runs
    finally:
        wh.close()


@pytest.mark.parametrize("count", [0, -2, shops.MAX_SHOPS + 1])
def test_a_shop_count_out_of_range_is_refused_and_writes_nothing(tmp_path, count):
    path = tmp_path / "bad.duckdb"
    with pytest.raises(ValueError, match=rf"1 to {shops.MAX_SHOPS} shops \(got {count}\)"):
        build_demo_warehouse(path, shops=count, **SMALL)
    assert list(tmp_path.iterdir()) == []


def test_every_possible_clone_has_keys_and_streams_of_its_own():
    models = shops.shop_models(shops.MAX_SHOPS)
    assert len(models) == shops.MAX_SHOPS == 3 + 26 * 26 - 3  # two-letter prefixes, less the models' three
    assert models[:3] == shops.MODELS
    for key in (lambda m: m.index, lambda m: m.shop.shop_id, lambda m: m.sku_prefix, lambda m: m.customer_prefix,
                lambda m: m.shop.name):
        values = [key(m) for m in models]
        assert len(set(values)) == len(values)
    for m in models:
        assert re.fullmatch(r"\d{4}", m.shop.shop_id)
        assert re.fullmatch(r"[A-Z]{2}", m.sku_prefix) and re.fullmatch(r"[a-z]{2}", m.customer_prefix)
        assert m.index != staff.TEAM_STREAM  # the team's streams stay its own
    with pytest.raises(ValueError, match="numbered 3 to"):
        shops.clone_model(2)
