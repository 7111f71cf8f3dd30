"""What makes an import safe: upsert by key (re-import changes nothing), one transaction (a bad
file writes nothing, every problem named with file, sheet, row and column), dry runs, source
files never touched."""

from __future__ import annotations

import pytest
from export_files import d, digest, rows_of, table_snapshot, write, write_xlsx

from opsreport.errors import ImportProblemsError, MappingError
from opsreport.importing import import_files

HEADER = ["统计日期", "访客数", "浏览量", "支付金额", "支付买家数", "支付子订单数", "支付件数", "加购人数", "商品收藏买家数",
          "下单买家数", "成功退款金额"]


def day(date: str, uv: int | str = 1000, amount: float | str = 5000.0, refund: float | str = 0):
    return [date, uv, uv * 4 if isinstance(uv, int) else 4000, amount, 20, 21, 25, 80, 30, 28, refund]


def shop_daily_file(path, days, **kw):
    return write(path, [HEADER, *days], **kw)


def test_reimport_inserts_nothing_and_an_overlapping_file_updates_only_changed_rows(tmp_path):
    wh = tmp_path / "w.duckdb"
    first = shop_daily_file(tmp_path / "nov1-3.csv", [day("2026-11-01"), day("2026-11-02"), day("2026-11-03")])
    [r1] = import_files(wh, "s1", "sycm_shop_daily", [first])
    assert (r1.inserted, r1.updated, r1.skipped) == (3, 0, 0)
    [r2] = import_files(wh, "s1", "sycm_shop_daily", [first])
    assert (r2.inserted, r2.updated, r2.skipped) == (0, 0, 3)
    # a later export of 11-02..11-04: 11-02's refunds matured, 11-03 unchanged, 11-04 new
    later = shop_daily_file(tmp_path / "nov2-4.xlsx", [day("2026-11-02", refund=120.5), day("2026-11-03"), day("2026-11-04", 900)])
    [r3] = import_files(wh, "s1", "sycm_shop_daily", [later])
    assert (r3.inserted, r3.updated, r3.skipped) == (1, 1, 1)
    rows = rows_of(wh, "shop_daily", "s1", ["date", "uv", "refund_amount"])
    assert rows == [
        {"date": d("2026-11-01"), "uv": 1000, "refund_amount": 0.0},
        {"date": d("2026-11-02"), "uv": 1000, "refund_amount": 120.5},
        {"date": d("2026-11-03"), "uv": 1000, "refund_amount": 0.0},
        {"date": d("2026-11-04"), "uv": 900, "refund_amount": 0.0},
    ]


def test_a_column_the_file_lacks_keeps_its_stored_value(tmp_path):
    wh = tmp_path / "w.duckdb"
    import_files(wh, "s1", "sycm_shop_daily", [shop_daily_file(tmp_path / "a.csv", [day("2026-11-01", refund=50)])])
    without_refunds = write(tmp_path / "b.csv", [HEADER[:-1], day("2026-11-01", uv=1100)[:-1]])
    [r] = import_files(wh, "s1", "sycm_shop_daily", [without_refunds])
    assert (r.inserted, r.updated) == (0, 1)
    assert rows_of(wh, "shop_daily", "s1", ["uv", "refund_amount"]) == [{"uv": 1100, "refund_amount": 50.0}]


def test_products_already_known_are_kept(tmp_path):
    wh = tmp_path / "w.duckdb"
    header = ["统计日期", "商品ID", "商品名称", "商品访客数", "商品收藏人数", "商品加购人数", "支付买家数", "支付件数", "支付金额"]
    f1 = write(tmp_path / "p1.csv", [header, ["2026-11-01", "1", "精华液", 10, 1, 1, 1, 1, 100]])
    import_files(wh, "s1", "sycm_product_daily", [f1])
    f2 = write(tmp_path / "p2.csv", [header, ["2026-11-02", "1", "精华液（新标题）", 12, 1, 1, 1, 1, 100],
                                     ["2026-11-02", "2", "面霜", 5, 0, 0, 0, 0, 0]])
    [r] = import_files(wh, "s1", "sycm_product_daily", [f2])
    products = next(t for t in r.tables if t.table == "products")
    assert (products.inserted, products.updated, products.skipped) == (1, 0, 1)
    assert [p["product_name"] for p in rows_of(wh, "products", "s1")] == ["精华液", "面霜"]
    # two files of one import naming a new product differently: the first file's row, no conflict
    f3 = write(tmp_path / "p3.csv", [header, ["2026-11-03", "3", "口红", 5, 0, 0, 0, 0, 0]])
    f4 = write(tmp_path / "p4.csv", [header, ["2026-11-04", "3", "口红 限定色", 6, 0, 0, 0, 0, 0]])
    import_files(wh, "s1", "sycm_product_daily", [f3, f4])
    assert rows_of(wh, "products", "s1")[-1]["product_name"] == "口红"
    assert len(rows_of(wh, "product_daily", "s1")) == 5


def test_a_bad_file_rolls_back_the_whole_import(tmp_path):
    wh = tmp_path / "w.duckdb"
    import_files(wh, "s1", "sycm_shop_daily", [shop_daily_file(tmp_path / "old.csv", [day("2026-10-31")])])
    before = table_snapshot(wh)
    good = shop_daily_file(tmp_path / "good.csv", [day("2026-11-01"), day("2026-11-02")])
    bad = write_xlsx(tmp_path / "bad.xlsx", {"说明": [["本表为导出说明"]], "数据": [
        ["生意参谋"], [], HEADER, day("2026-11-03"), day("2026-11-04", uv="一千"), day("2026-11-05", amount="12元3"),
        day("2026-11-06", uv="abc"),
    ]})
    with pytest.raises(ImportProblemsError) as err:
        import_files(wh, "s1", "sycm_shop_daily", [good, bad])
    text = str(err.value)
    assert "Nothing was imported" in text
    assert "bad.xlsx, sheet '数据', rows 5, 7, column '访客数'" in text  # header on row 3, data from row 4
    assert "bad.xlsx, sheet '数据', row 6, column '支付金额'" in text and "'12元3'" in text
    assert "good.csv" not in text
    assert table_snapshot(wh) == before
    assert {(p.file.name, p.sheet, p.column) for p in err.value.problems} == {
        ("bad.xlsx", "数据", "访客数"), ("bad.xlsx", "数据", "支付金额")}


def test_a_failed_import_into_a_new_warehouse_leaves_no_file(tmp_path):
    wh = tmp_path / "new.duckdb"
    bad = shop_daily_file(tmp_path / "bad.csv", [day("2026-11-01"), day("2026-11-01")])
    with pytest.raises(ImportProblemsError, match=r"bad.csv, rows 2, 3: 1 key\(s\) of shop_daily \(date\).*date=2026-11-01 \(row 2 \| row 3\)"):
        import_files(wh, "s1", "sycm_shop_daily", [bad])
    assert list(tmp_path.iterdir()) == [bad]


def test_contract_violations_cite_the_file_row(tmp_path):
    wh = tmp_path / "w.duckdb"
    bad = shop_daily_file(tmp_path / "neg.csv", [day("2026-11-01"), day("2026-11-02", uv=-5)])
    with pytest.raises(ImportProblemsError) as err:
        import_files(wh, "s1", "sycm_shop_daily", [bad])
    assert "column 'uv' must be >= 0: 1 row(s), e.g. neg.csv, row 3 (uv=-5)" in str(err.value)
    assert not wh.exists()


def test_every_problem_of_every_file_at_once_with_a_cap(tmp_path):
    files = [shop_daily_file(tmp_path / f"f{i}.csv", [day(f"2026-11-{k:02d}", uv="x") for k in range(1, 12)])
             for i in range(3)]
    with pytest.raises(ImportProblemsError) as err:
        import_files(tmp_path / "w.duckdb", "s1", "sycm_shop_daily", files)
    text = str(err.value)
    assert len(err.value.problems) == 3 and "3 problem(s) in 3 of 3 file(s)" in text
    assert "f0.csv, rows 2, 3, 4, 5, 6 (and 6 more), column '访客数': 11 cells cannot be read" in text


def test_unknown_status_and_scientific_ids_are_named_with_their_rows(tmp_path):
    header = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "订单付款时间", "宝贝总数量", "商家编码", "退款金额"]
    f = write(tmp_path / "orders.csv", [
        header,
        ["1001", "a", "10", "交易成功", "2026-11-01 10:00:00", "2026-11-01 10:00:01", 1, "A", 0],
        ["1002", "b", "10", "已作废", "2026-11-01 10:00:00", "2026-11-01 10:00:01", 1, "A", 0],
        ["1.23457E+17", "c", "10", "交易成功", "2026-11-01 10:00:00", "2026-11-01 10:00:01", 1, "A", 0],
        ["1004", "d", "10", "已作废", "2026-11-01 10:00:00", "2026-11-01 10:00:01", 1, "A", 0],
    ])
    with pytest.raises(ImportProblemsError) as err:
        import_files(tmp_path / "w.duckdb", "s1", "taobao_order_export", [f])
    text = str(err.value)
    assert "orders.csv, rows 3, 5, column '订单状态': unknown value '已作废'" in text
    assert "orders.status in mapping 'taobao_order_export'" in text
    assert "orders.csv, row 4, column '订单编号'" in text and "scientific notation" in text


def test_missing_required_column_lists_found_columns_and_the_closest_alias(tmp_path):
    header = [("访客数量" if h == "访客数" else h) for h in HEADER]
    f = write(tmp_path / "renamed.csv", [header, day("2026-11-01")])
    with pytest.raises(ImportProblemsError) as err:
        import_files(tmp_path / "w.duckdb", "s1", "sycm_shop_daily", [f])
    text = str(err.value)
    assert "does not match source 'sycm_shop_daily': it lacks 1 required column(s)" in text
    assert "shop_daily.uv (访客数 / 店铺访客数 / 访客数(UV)) - closest in the file: '访客数量'" in text
    assert "The file has: 统计日期, 访客数量, 浏览量" in text


def test_a_file_of_another_source_is_told_which_source_fits(tmp_path):
    f = shop_daily_file(tmp_path / "overview.csv", [day("2026-11-01")])
    with pytest.raises(ImportProblemsError) as err:
        import_files(tmp_path / "w.duckdb", "s1", "taobao_order_export", [f])
    text = str(err.value)
    assert "no header row found" in text and "'统计日期', '访客数'" in text
    assert "--source sycm_shop_daily" in text


def test_unknown_source_suggests_the_closest(tmp_path):
    with pytest.raises(MappingError, match=r"unknown source 'sycm_shopdaily'; did you mean 'sycm_shop_daily'\?"):
        import_files(tmp_path / "w.duckdb", "s1", "sycm_shopdaily", [tmp_path / "x.csv"])


def test_dry_run_counts_and_writes_nothing(tmp_path):
    wh = tmp_path / "w.duckdb"
    f = shop_daily_file(tmp_path / "a.csv", [day("2026-11-01"), day("2026-11-02")])
    [r] = import_files(wh, "s1", "sycm_shop_daily", [f], dry_run=True)
    assert (r.inserted, r.dry_run) == (2, True) and not wh.exists()
    import_files(wh, "s1", "sycm_shop_daily", [f])
    before = table_snapshot(wh)
    g = shop_daily_file(tmp_path / "b.csv", [day("2026-11-02", uv=5), day("2026-11-03")])
    [r] = import_files(wh, "s1", "sycm_shop_daily", [g], dry_run=True)
    assert (r.inserted, r.updated, r.skipped) == (1, 1, 0)
    assert table_snapshot(wh) == before


def test_source_files_are_never_modified(tmp_path):
    files = [shop_daily_file(tmp_path / "a.csv", [day("2026-11-01")], encoding="gb18030"),
             shop_daily_file(tmp_path / "b.xlsx", [day("2026-11-02")]),
             shop_daily_file(tmp_path / "c.xls", [day("2026-11-03")])]
    before = {f: (digest(f), f.stat().st_mtime_ns) for f in files}
    import_files(tmp_path / "w.duckdb", "s1", "sycm_shop_daily", files)
    assert {f: (digest(f), f.stat().st_mtime_ns) for f in files} == before


def test_same_key_in_two_files_must_agree(tmp_path):
    wh = tmp_path / "w.duckdb"
    a = shop_daily_file(tmp_path / "a.csv", [day("2026-11-01"), day("2026-11-02")])
    same = shop_daily_file(tmp_path / "same.csv", [day("2026-11-02"), day("2026-11-03")])
    r1, r2 = import_files(wh, "s1", "sycm_shop_daily", [a, same])
    assert (r1.inserted, r2.inserted, r2.skipped) == (2, 1, 1)
    other = shop_daily_file(tmp_path / "other.csv", [day("2026-11-03", uv=7)])
    with pytest.raises(ImportProblemsError, match=r"(?s)several files with different values.*date=2026-11-03 \(same.csv, row 3 \| other.csv, row 2\)"):
        import_files(wh, "s1", "sycm_shop_daily", [same, other])


def test_a_shop_of_another_platform_is_refused(tmp_path):
    wh = tmp_path / "w.duckdb"
    import_files(wh, "s1", "sycm_shop_daily", [shop_daily_file(tmp_path / "a.csv", [day("2026-11-01")])],
                 shop_name="悦颜旗舰店", category="beauty")
    assert rows_of(wh, "shops") == [{"shop_id": "s1", "name": "悦颜旗舰店", "platform": "tmall", "category": "beauty", "currency": "CNY"}]
    jd = write(tmp_path / "jd.csv", [["日期", "访客数", "浏览量", "成交客户数", "成交单量", "成交商品件数", "成交金额", "加购人数",
                                      "关注商品人数", "下单客户数"], ["2026-11-01", 1, 1, 1, 1, 1, 1, 1, 1, 1]])
    with pytest.raises(ImportProblemsError, match="shop 's1' is a tmall shop, but this source is for jd exports"):
        import_files(wh, "s1", "jd_shop_daily", [jd])


def test_a_file_that_is_not_an_export(tmp_path):
    f = tmp_path / "report.xlsx"
    f.write_text("<html><table><tr><td>x</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(ImportProblemsError, match="report.xlsx: is an HTML page"):
        import_files(tmp_path / "w.duckdb", "s1", "sycm_shop_daily", [f, tmp_path / "missing.csv"])


def test_every_sheet_with_a_header_is_read_and_repeated_keys_across_sheets_are_named(tmp_path):
    wh = tmp_path / "w.duckdb"
    book = write_xlsx(tmp_path / "two.xlsx", {"说明": [["导出说明"]], "十月": [HEADER, day("2026-10-31")],
                                              "十一月": [HEADER, day("2026-11-01"), day("2026-11-02")]})
    [r] = import_files(wh, "s1", "sycm_shop_daily", [book])
    assert (r.rows_read, r.inserted, r.sheets) == (3, 3, ("十月", "十一月"))
    clash = write_xlsx(tmp_path / "clash.xlsx", {"A": [HEADER, day("2026-11-05")], "B": [HEADER, day("2026-11-05")]})
    with pytest.raises(ImportProblemsError, match=r"date=2026-11-05 \(clash.xlsx, sheet 'A', row 2 \| clash.xlsx, sheet 'B', row 2\)"):
        import_files(wh, "s1", "sycm_shop_daily", [clash])
