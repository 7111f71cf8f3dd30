"""Imports into a server: the same upsert as into a DuckDB file, in one server transaction."""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importing"))

from export_files import d, rows_of, write, write_xlsx  # noqa: E402

from opsreport.errors import ImportProblemsError, WarehouseError  # noqa: E402
from opsreport.importing import import_files, load  # noqa: E402

HEADER = ["统计日期", "访客数", "浏览量", "支付金额", "支付买家数", "支付子订单数", "支付件数", "加购人数", "商品收藏买家数",
          "下单买家数", "成功退款金额"]


def day(date: str, uv: int | str = 1000, amount: float | str = 5000.0, refund: float | str = 0):
    return [date, uv, uv * 4 if isinstance(uv, int) else 4000, amount, 20, 21, 25, 80, 30, 28, refund]


def server_rows(pg_server, url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url.replace(f"{pg_server.user}@", f"{pg_server.user}:{pg_server.password}@")) as con:
        return con.execute(sql).fetchall()


def everything(pg_server, url: str) -> dict[str, list[tuple]]:
    """Every row of the tables an import of shop overviews touches."""
    return {t: server_rows(pg_server, url, f'SELECT * FROM "{t}" ORDER BY 1, 2') for t in ("shops", "shop_daily")}


@pytest.fixture(scope="module")
def empty_server(pg_server):
    return pg_server.create_database("imports")


def test_an_import_upserts_on_the_server_as_in_a_duckdb_file(pg_server, empty_server, tmp_path):
    first = write(tmp_path / "nov1-3.csv", [HEADER, day("2026-11-01"), day("2026-11-02"), day("2026-11-03")])
    # a later export of 11-02..11-04: 11-02's refunds matured, 11-03 unchanged, 11-04 new
    later = write(tmp_path / "nov2-4.xlsx", [HEADER, day("2026-11-02", refund=120.5), day("2026-11-03"),
                                             day("2026-11-04", 900)])
    counts = {}
    for where in (tmp_path / "w.duckdb", empty_server):
        steps = [import_files(where, "s1", "sycm_shop_daily", [f]) for f in (first, first, later)]
        counts[str(where)] = [(r.inserted, r.updated, r.skipped) for [r] in steps]
    # new 3; the same file again changes nothing; then 1 new (11-04), 1 updated (11-02), 1 unchanged
    assert counts[empty_server] == counts[str(tmp_path / "w.duckdb")] == [(3, 0, 0), (0, 0, 3), (1, 1, 1)]
    on_server = server_rows(pg_server, empty_server,
                            "SELECT date, uv, refund_amount FROM shop_daily WHERE shop_id = 's1' ORDER BY date")
    assert on_server == [(d("2026-11-01"), 1000, 0.0), (d("2026-11-02"), 1000, 120.5),
                         (d("2026-11-03"), 1000, 0.0), (d("2026-11-04"), 900, 0.0)]
    assert [tuple(r.values()) for r in rows_of(tmp_path / "w.duckdb", "shop_daily", "s1",
                                               ["date", "uv", "refund_amount"])] == on_server
    assert server_rows(pg_server, empty_server, "SELECT shop_id, platform, currency FROM shops") == [("s1", "tmall", "CNY")]


def test_a_failing_import_leaves_the_server_unchanged(pg_server, empty_server, tmp_path, monkeypatch):
    import_files(empty_server, "s2", "sycm_shop_daily", [write(tmp_path / "old.csv", [HEADER, day("2026-10-31")])])
    before = everything(pg_server, empty_server)
    good = write(tmp_path / "good.csv", [HEADER, day("2026-11-01"), day("2026-11-02")])
    bad = write_xlsx(tmp_path / "bad.xlsx", {"数据": [HEADER, day("2026-11-03"), day("2026-11-04", uv="一千")]})
    with pytest.raises(ImportProblemsError, match=r"bad.xlsx, sheet '数据', row 3, column '访客数'"):
        import_files(empty_server, "s2", "sycm_shop_daily", [good, bad])
    # a new shop whose rows pass every check, and a failure after they were written (the connection lost)
    real = load.upsert

    def upsert_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(load, "upsert", upsert_then_fail)
    with pytest.raises(WarehouseError, match="rolled back, nothing changed"):
        import_files(empty_server, "s3", "sycm_shop_daily", [good])
    monkeypatch.undo()
    dry = import_files(empty_server, "s4", "sycm_shop_daily", [good], dry_run=True)
    assert dry[0].inserted == 2  # counted...
    assert everything(pg_server, empty_server) == before  # ...but nothing of any of them was written
