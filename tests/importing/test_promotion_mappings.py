"""The promotion sources: tmall_promo_skus, jd_promo_skus (promo_skus), price_log_daily
(price_history), taobao_coupons, jd_coupons (coupons).

Each imports a small export written in code, in its platform's layout (title rows, Chinese headers,
thousands separators, ¥ and 元, '-' cells) and encoding (GB18030 CSV, .xlsx), into the canonical
rows worked out by hand. The exports do not name our promotion: ``--promo`` (``promo=``) does, and
a promotion source without it, or another source with it, is refused. Bad files (a missing column,
a negative amount, a repeated key, a wrong encoding) write nothing and say file, row and column.
The new sources are picked from their headers and take no file of another source.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from export_files import d, rows_of, table_snapshot, write, write_mojibake
from test_builtin_mappings import CASES as OTHER_SOURCES
from typer.testing import CliRunner

from opsreport.cli import app
from opsreport.errors import ImportProblemsError, MappingError
from opsreport.importing import detect_source, import_files, load_mappings
from opsreport.importing.mappings import BUILTIN_DIR, load_mapping_file

PROMO = "0071-2026-double11"  # our promotion (promotions.promo_id); no export names it


@dataclass
class Case:
    source: str
    file: str  # its suffix picks the format
    rows: list[list]
    header_row: int  # Excel row of the header: the first data row is header_row + 1
    expected: dict[str, list[dict]]  # table -> rows in key order (the columns given)
    rows_read: int
    rows_skipped: int = 0
    encoding: str = "utf-8"
    platform: str = "tmall"

    @property
    def promo(self) -> str | None:
        return PROMO if load_mappings()[self.source].options else None


def promo_sku(sku_id, price, stock):
    return {"promo_id": PROMO, "sku_id": sku_id, "promo_price": price, "stock_allocated": stock}


def coupon(coupon_id, threshold, discount, issued, redeemed):
    return {"promo_id": PROMO, "coupon_id": coupon_id, "threshold": threshold, "discount": discount,
            "issued": issued, "redeemed": redeemed}


def price(date, sku_id, value):
    return {"date": d(date), "sku_id": sku_id, "price": value}


# 天猫 营销活动中心 -> 已报名商品 -> 导出, as the GB18030 CSV it downloads: three title rows and a
# blank row above the header; a refused product (审核不通过) is left out; 待审核 still counts
TMALL_PROMO = Case("tmall_promo_skus", "双11报名商品.csv", encoding="gb18030", header_row=5, rows_read=4,
                   rows_skipped=1, rows=[
    ["活动名称：2026天猫双11全球狂欢季"],
    ["活动ID：20261111"],
    ["导出时间：2026-11-12 10:20:31"],
    [],
    ["商品ID", "商品标题", "商家编码", "一口价", "活动价", "活动库存", "报名时间", "审核状态"],
    ["652345678901", "玻尿酸精华液 30ml", "YY-JHY-30", "199.00", "159.00", "2,000", "2026-10-08 10:12:00", "审核通过"],
    ["652345678902", "保湿面霜 50g", "YY-MS-50", "129.00", "¥99.00", "800", "2026-10-08 10:12:05", "审核通过"],
    ["652345678903", "补水面膜 10片", "YY-MM-10", "89.00", "79.00", "1500", "2026-10-08 10:13:00", "审核不通过"],
    ["652345678904", "氨基酸洁面乳 120ml", "YY-JM-120", "69.00", "49.90元", "-", "2026-10-09 09:00:00", "待审核"],
], expected={"promo_skus": [
    promo_sku("652345678901", 159.0, 2000),  # "2,000"
    promo_sku("652345678902", 99.0, 800),  # "¥99.00"
    # 652345678903 审核不通过: not in the promotion
    promo_sku("652345678904", 49.9, None),  # "49.90元"; 活动库存 '-': not said (NULL), not 0
]})

# the same screen of another version (聚划算 报名) as .xlsx: 宝贝ID, 报名价, 报名库存, 报名状态
TMALL_PROMO_XLSX = Case("tmall_promo_skus", "聚划算报名.xlsx", header_row=2, rows_read=3, rows_skipped=1, rows=[
    ["聚划算 · 报名商品明细"],
    ["宝贝ID", "宝贝标题", "日常价", "报名价", "报名库存", "报名状态"],
    ["652345678905", "修护晚霜 50g", 329, 259, 300, "报名成功"],
    ["652345678906", "紧致眼霜 15g", 259, "199.5", 0, "已退出"],
    ["652345678907", "精华水 150ml", "159", "119.00", "500", "报名成功"],
], expected={"promo_skus": [promo_sku("652345678905", 259.0, 300), promo_sku("652345678907", 119.0, 500)]})

# 京东 单品促销 -> 导出促销商品 (.xlsx): a title row; a cancelled SKU is left out; no stock = NULL
JD_PROMO = Case("jd_promo_skus", "jd_促销商品.xlsx", platform="jd", header_row=2, rows_read=3, rows_skipped=1, rows=[
    ["单品促销 · 双11家具直降（促销编号 P2026111001）"],
    ["促销编号", "商品编号", "商品名称", "京东价", "促销价", "促销库存", "限购数量", "促销状态"],
    ["P2026111001", "100012345678", "实木床 1.8m", 2999, 2399, 50, 2, "进行中"],
    ["P2026111001", "100012345679", "乳胶床垫 1.8m", "1,999.00", "1,599.00", None, 1, "进行中"],
    ["P2026111001", "100012345680", "实木床头柜", 599, 499, 20, 2, "已取消"],
], expected={"promo_skus": [promo_sku("100012345678", 2399.0, 50), promo_sku("100012345679", 1599.0, None)]})

# a daily price log as GB18030 CSV: 售价 (after item discounts) is read, not 一口价 (the list price);
# dates in three spellings
PRICE_LOG = Case("price_log_daily", "价格日志.csv", encoding="gb18030", header_row=2, rows_read=4, rows=[
    ["商品价格日志 2026-10-12 ~ 2026-10-14"],
    ["日期", "商品ID", "商品名称", "一口价", "售价"],
    ["2026-10-12", "652345678901", "玻尿酸精华液 30ml", "199.00", "199.00"],
    ["2026-10-12", "652345678902", "保湿面霜 50g", "129.00", "119.00"],
    ["2026/10/13", "652345678901", "玻尿酸精华液 30ml", "199.00", "179.00"],
    ["20261014", "652345678901", "玻尿酸精华液 30ml", "199", "¥189.00"],
], expected={"price_history": [
    price("2026-10-12", "652345678901", 199.0),
    price("2026-10-12", "652345678902", 119.0),  # 售价 119, not the 一口价 129
    price("2026-10-13", "652345678901", 179.0),  # 2026/10/13
    price("2026-10-14", "652345678901", 189.0),  # 20261014, "¥189.00"
]})

# a JD shop's price sheet (.xlsx): 商品编号 and 京东价, date cells
PRICE_LOG_JD = Case("price_log_daily", "jd_价格.xlsx", platform="jd", header_row=1, rows_read=2, rows=[
    ["日期", "商品编号", "京东价"],
    [dt.date(2026, 10, 12), "100012345678", 2999],
    [dt.date(2026, 10, 12), "100012345679", "1,999.00"],
], expected={"price_history": [price("2026-10-12", "100012345678", 2999.0),
                               price("2026-10-12", "100012345679", 1999.0)]})

# 千牛 优惠券 -> 数据 -> 导出 as GB18030 CSV: title rows; Taobao coupon ids are 32 hex digits;
# 发行量 (what the shop made available) is not 'issued' (what buyers claimed: 领取量)
TAOBAO_COUPONS = Case("taobao_coupons", "优惠券数据.csv", encoding="gb18030", header_row=4, rows_read=3, rows=[
    ["优惠券 · 券效果数据"],
    ["统计时间：2026-10-31 ~ 2026-11-11"],
    [],
    ["优惠券ID", "优惠券名称", "优惠券类型", "使用门槛", "面额", "发行量", "领取量", "使用量", "用券支付金额"],
    ["aad620ff9115418985c3855e0cb2d704", "双11满199减20", "店铺券", "199.00", "20.00", "10,000", "3,520", "1,210", "301,250.00"],
    ["cb916bc03cb64d219860e2f56bc8c7c4", "双11满399减50", "店铺券", "399", "50元", "5000", "1,860", "702", "318,400.00"],
    ["5e0c2a1b7f8d4c6e9a3b2d1f0e9c8b7a", "新客专享5元", "商品券", "-", "¥5", "2000", "980", "-", "0"],
], expected={"coupons": [
    coupon("5e0c2a1b7f8d4c6e9a3b2d1f0e9c8b7a", 0.0, 5.0, 980, 0),  # 门槛 '-': none; 使用量 '-': 0
    coupon("aad620ff9115418985c3855e0cb2d704", 199.0, 20.0, 3520, 1210),  # 发行量 10,000 not read
    coupon("cb916bc03cb64d219860e2f56bc8c7c4", 399.0, 50.0, 1860, 702),  # "50元" = 50 yuan
]})

# 京东 优惠券管理 -> 导出 (.xlsx): a 东券 (满299减30) and a 京券 (no 消费限额: threshold 0)
JD_COUPONS = Case("jd_coupons", "jd_优惠券.xlsx", platform="jd", header_row=1, rows_read=2, rows=[
    ["优惠券ID", "优惠券名称", "优惠券类型", "面额", "消费限额", "发放数量", "已领取数量", "已使用数量", "状态"],
    ["184567001", "双11东券满299减30", "东券", 30, 299, 5000, 2100, 830, "已结束"],
    ["184567002", "店铺京券10元", "京券", 10, None, 3000, "1,250", 400, "已结束"],
], expected={"coupons": [
    coupon("184567001", 299.0, 30.0, 2100, 830),  # 发放数量 5000 not read
    coupon("184567002", 0.0, 10.0, 1250, 400),  # "1,250"
]})

CASES = [TMALL_PROMO, TMALL_PROMO_XLSX, JD_PROMO, PRICE_LOG, PRICE_LOG_JD, TAOBAO_COUPONS, JD_COUPONS]
NEW_SOURCES = {"tmall_promo_skus", "jd_promo_skus", "price_log_daily", "taobao_coupons", "jd_coupons"}


def write_case(tmp_path, case: Case, rows: list[list] | None = None, name: str | None = None):
    return write(tmp_path / (name or case.file), case.rows if rows is None else rows, encoding=case.encoding)


def import_case(warehouse, case: Case, path, **kw):
    kw.setdefault("promo", case.promo)
    return import_files(warehouse, "shop1", case.source, [path], platform=case.platform, **kw)


def test_every_new_source_has_a_fixture():
    assert {c.source for c in CASES} == NEW_SOURCES <= set(load_mappings())


def test_fixtures_are_in_the_platforms_formats():
    kinds = {(c.file.rsplit(".", 1)[1], c.encoding if c.file.endswith(".csv") else None) for c in CASES}
    assert {("csv", "gb18030"), ("xlsx", None)} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_export_becomes_the_canonical_rows(tmp_path, case):
    path = write_case(tmp_path, case)
    warehouse = tmp_path / "w.duckdb"
    [report] = import_case(warehouse, case, path)
    assert (report.rows_read, report.rows_skipped) == (case.rows_read, case.rows_skipped)
    for table, expected in case.expected.items():
        assert rows_of(warehouse, table, "shop1", list(expected[0])) == expected, table
        change = next(t for t in report.tables if t.table == table)
        assert (change.rows, change.inserted, change.updated, change.skipped) == (len(expected), len(expected), 0, 0)
    assert rows_of(warehouse, "shops") == [{"shop_id": "shop1", "name": "shop1", "platform": case.platform,
                                            "category": "unknown", "currency": "CNY"}]


def test_promo_is_part_of_the_key_and_a_reimport_changes_nothing(tmp_path):
    path = write_case(tmp_path, TMALL_PROMO)
    wh = tmp_path / "w.duckdb"
    import_case(wh, TMALL_PROMO, path)
    [again] = import_case(wh, TMALL_PROMO, path)
    assert (again.inserted, again.updated, again.skipped) == (0, 0, 3)
    # the same products signed up for the next promotion: rows of their own, the first ones kept
    [other] = import_case(wh, TMALL_PROMO, path, promo="0071-2026-double12")
    assert (other.inserted, other.updated) == (3, 0)
    got = rows_of(wh, "promo_skus", "shop1", ["promo_id", "sku_id"])
    assert [(r["promo_id"], r["sku_id"]) for r in got] == [
        (p, s) for p in ("0071-2026-double11", "0071-2026-double12")
        for s in ("652345678901", "652345678902", "652345678904")]
    # a later export of the same promotion with a changed 活动价 updates that row only
    rows = [r[:] for r in TMALL_PROMO.rows]
    rows[5][4] = "149.00"  # 652345678901: 159 -> 149
    [later] = import_case(wh, TMALL_PROMO, write_case(tmp_path, TMALL_PROMO, rows, "later.csv"))
    assert (later.inserted, later.updated, later.skipped) == (0, 1, 2)
    assert rows_of(wh, "promo_skus", "shop1", ["promo_id", "sku_id", "promo_price"])[0] == {
        "promo_id": PROMO, "sku_id": "652345678901", "promo_price": 149.0}


# --- --promo --------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["tmall_promo_skus", "jd_promo_skus", "taobao_coupons", "jd_coupons"])
def test_a_promotion_source_without_promo_is_refused_before_any_file_is_read(tmp_path, source):
    with pytest.raises(ImportProblemsError) as err:
        import_files(tmp_path / "w.duckdb", "shop1", source, [tmp_path / "not_even_read.csv"])
    text = str(err.value)
    table = "coupons" if "coupons" in source else "promo_skus"
    assert f"source '{source}' fills {table}, and its exports do not say which promotion the rows belong to" in text
    assert "give the promotion's promo_id (as in the promotions table), e.g. --promo 0071-2026-double11" in text
    assert not (tmp_path / "w.duckdb").exists()


def test_an_empty_promo_is_refused(tmp_path):
    path = write_case(tmp_path, TMALL_PROMO)
    with pytest.raises(ImportProblemsError, match="do not say which promotion"):
        import_case(tmp_path / "w.duckdb", TMALL_PROMO, path, promo="  ")


def test_promo_given_to_a_source_that_does_not_use_it_is_refused(tmp_path):
    path = write_case(tmp_path, PRICE_LOG)
    with pytest.raises(ImportProblemsError) as err:
        import_case(tmp_path / "w.duckdb", PRICE_LOG, path, promo=PROMO)
    text = str(err.value)
    assert "--promo is for the sources that need it (jd_coupons, jd_promo_skus, taobao_coupons, tmall_promo_skus)" in text
    assert "source 'price_log_daily' (每日售价表（ERP 价格日志 / 价格巡检，按天）) does not use it" in text
    assert not (tmp_path / "w.duckdb").exists()


def test_an_option_column_is_checked_when_the_mapping_is_loaded(tmp_path):
    base = (BUILTIN_DIR / "tmall_promo_skus.yaml").read_text(encoding="utf-8")
    good = "promo_id: {type: id, option: promo}"
    for bad, message in [
        ("promo_id: {aliases: [活动ID], type: id, option: promo}", "'option: promo' takes the value from --promo"),
        ("promo_id: {type: id, option: promo, default: x}", "give 'option' or a default (or if_empty), not both"),
        ("promo_id: {type: id, option: shop}", "targets[0].columns.promo_id.option: Input should be 'promo'"),
        ("promo_id: {type: id}", "give aliases, or a default (a constant for every row), or an option"),
    ]:
        path = tmp_path / "tmall_promo_skus.yaml"
        path.write_text(base.replace(good, bad), encoding="utf-8")
        with pytest.raises(MappingError, match=re.escape(message)):
            load_mapping_file(path)


# --- bad files: nothing written, file, row and column named ----------------------------------------


@dataclass
class Bad:
    case: Case
    dropped: str  # a header whose column is required
    lacks: str  # the message naming what the file lacks
    amount: str  # header of an amount column
    column: str  # its canonical column
    key: str  # canonical key shown for a repeated row


BAD = [
    Bad(TMALL_PROMO, "活动价", "promo_skus.promo_price (活动价 / 活动价格", "活动价", "promo_price",
        f"promo_id={PROMO}, sku_id=652345678901"),
    Bad(JD_PROMO, "促销价", "promo_skus.promo_price (促销价 / 促销价格", "促销价", "promo_price",
        f"promo_id={PROMO}, sku_id=100012345678"),
    # (without 售价 the 一口价 column is read: that is an alias, not a missing column)
    Bad(PRICE_LOG, "日期", "price_history.date (日期 / 统计日期", "售价", "price", "date=2026-10-12, sku_id=652345678901"),
    Bad(TAOBAO_COUPONS, "面额", "coupons.discount (面额 / 面额(元)", "面额", "discount",
        f"promo_id={PROMO}, coupon_id=aad620ff9115418985c3855e0cb2d704"),
    Bad(JD_COUPONS, "消费限额", "coupons.threshold (消费限额 / 消费限额(元)", "面额", "discount",
        f"promo_id={PROMO}, coupon_id=184567001"),
]
BAD_IDS = [b.case.source for b in BAD]


def named(case: Case, stem: str) -> str:
    """A file name of the case's format: named(case, "twice") == "twice.csv"."""
    return stem + "." + case.file.rsplit(".", 1)[1]


def place(case: Case, name: str) -> str:
    """How problems cite a file of the case: a workbook's sheet is named too."""
    return f"{name}, sheet 'Sheet1'" if name.endswith(".xlsx") else name


def stored(tmp_path, case: Case):
    """A warehouse already holding the good export, and its tables as they are."""
    wh = tmp_path / "w.duckdb"
    import_case(wh, case, write_case(tmp_path, case, name=named(case, "good")))
    return wh, table_snapshot(wh)


def rejected(wh, case: Case, path) -> str:
    with pytest.raises(ImportProblemsError) as err:
        import_case(wh, case, path)
    return str(err.value)


@pytest.mark.parametrize("bad", BAD, ids=BAD_IDS)
def test_a_missing_column_is_named_with_what_the_file_has(tmp_path, bad):
    wh, before = stored(tmp_path, bad.case)
    header = bad.case.rows[bad.case.header_row - 1]
    i = header.index(bad.dropped)
    rows = [r[:i] + r[i + 1:] if len(r) > 1 else r for r in bad.case.rows]
    name = named(bad.case, "missing")
    text = rejected(wh, bad.case, write_case(tmp_path, bad.case, rows, name))
    assert name in text
    assert f"does not match source '{bad.case.source}': it lacks 1 required column(s)" in text
    assert bad.lacks in text and f"The file has: {', '.join(h for h in header if h != bad.dropped)}." in text
    assert table_snapshot(wh) == before


@pytest.mark.parametrize("bad", BAD, ids=BAD_IDS)
def test_a_negative_amount_is_named_by_row_and_value(tmp_path, bad):
    wh, before = stored(tmp_path, bad.case)
    header = bad.case.rows[bad.case.header_row - 1]
    rows = [r[:] for r in bad.case.rows]
    rows[bad.case.header_row][header.index(bad.amount)] = "-10.00"  # the first data row
    name = named(bad.case, "negative")
    text = rejected(wh, bad.case, write_case(tmp_path, bad.case, rows, name))
    row = bad.case.header_row + 1
    assert f"column '{bad.column}' must be >= 0: 1 row(s), e.g. {place(bad.case, name)}, row {row} ({bad.column}=-10.0)" in text
    assert table_snapshot(wh) == before


@pytest.mark.parametrize("bad", BAD, ids=BAD_IDS)
def test_a_repeated_key_names_both_rows(tmp_path, bad):
    wh, before = stored(tmp_path, bad.case)
    rows = [r[:] for r in bad.case.rows] + [bad.case.rows[bad.case.header_row][:]]  # the first data row again
    name = named(bad.case, "twice")
    text = rejected(wh, bad.case, write_case(tmp_path, bad.case, rows, name))
    first, last = bad.case.header_row + 1, len(rows)
    assert f"{name}, rows {first}, {last}: 1 key(s) of {next(iter(bad.case.expected))}" in text
    assert f"{bad.key} (row {first} | row {last})" in text
    assert table_snapshot(wh) == before


@pytest.mark.parametrize("bad", BAD, ids=BAD_IDS)
def test_a_file_saved_in_the_wrong_encoding_is_named_with_its_garbled_header(tmp_path, bad):
    # the platform's GB18030 text opened as Latin-1 and saved as UTF-8: every header unreadable
    wh, before = stored(tmp_path, bad.case)
    path = write_mojibake(tmp_path / "mojibake.csv", bad.case.rows)
    text = rejected(wh, bad.case, path)
    garbled = bad.case.rows[bad.case.header_row - 1][1].encode("gb18030").decode("latin-1")
    assert f"mojibake.csv, row {bad.case.header_row}: no header row found" in text and repr(garbled) in text
    assert table_snapshot(wh) == before


def test_more_coupons_used_than_claimed_is_named_by_row(tmp_path):
    wh, before = stored(tmp_path, TAOBAO_COUPONS)
    rows = [r[:] for r in TAOBAO_COUPONS.rows]
    rows[5][7] = "2,000"  # 双11满399减50: 2,000 used of 1,860 claimed
    text = rejected(wh, TAOBAO_COUPONS, write_case(tmp_path, TAOBAO_COUPONS, rows, "used.csv"))
    assert "redeemed must not exceed issued: 1 row(s), e.g. used.csv, row 6 (redeemed=2000, issued=1860)" in text
    assert table_snapshot(wh) == before


def test_a_threshold_written_as_text_is_named_by_cell(tmp_path):
    rows = [r[:] for r in TAOBAO_COUPONS.rows]
    rows[4][3] = "满199元可用"
    with pytest.raises(ImportProblemsError) as err:
        import_case(tmp_path / "w.duckdb", TAOBAO_COUPONS, write_case(tmp_path, TAOBAO_COUPONS, rows, "text.csv"))
    assert "text.csv, row 5, column '使用门槛'" in str(err.value) and "满199元可用" in str(err.value)
    assert not (tmp_path / "w.duckdb").exists()


def test_a_promo_price_left_empty_is_an_error_not_a_zero(tmp_path):
    rows = [r[:] for r in JD_PROMO.rows]
    rows[2][4] = None
    with pytest.raises(ImportProblemsError, match=r"jd_促销商品.xlsx, sheet 'Sheet1', row 3, column '促销价': "
                                                  r"empty: promo_skus.promo_price needs a value"):
        import_case(tmp_path / "w.duckdb", JD_PROMO, write_case(tmp_path, JD_PROMO, rows))


# --- detection ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_each_new_export_is_picked_from_its_headers(tmp_path, case):
    path = write_case(tmp_path, case)
    found = detect_source([path])
    assert (found.mapping.name, found.also_fit) == (case.source, ())
    [report] = import_files(tmp_path / "w.duckdb", "shop1", None, [path], platform=case.platform, promo=case.promo)
    assert report.source == case.source


@pytest.mark.parametrize("case", OTHER_SOURCES, ids=[c.file for c in OTHER_SOURCES])
def test_the_new_sources_take_no_file_of_another_source(tmp_path, case):
    """Detection of every other built-in fixture is what it was without the new mappings (the same
    mapping picked, or the same mappings left to choose from)."""
    path = write(tmp_path / case.file, case.rows, sheet=case.sheet, encoding=case.encoding)
    every = load_mappings()
    before = {k: v for k, v in every.items() if k not in NEW_SOURCES}

    def outcome(mappings):
        try:
            found = detect_source([path], mappings=mappings)
        except MappingError as exc:
            return "error", str(exc).split(":", 1)[1].split(".")[0]
        return found.mapping.name, found.also_fit

    assert outcome(every) == outcome(before)


# --- command line ---------------------------------------------------------------------------------


def test_sources_lists_the_new_sources_and_their_promo_option():
    result = CliRunner().invoke(app, ["sources"])
    assert result.exit_code == 0, result.output
    for name in NEW_SOURCES:
        assert f"{name}  {load_mappings()[name].title}" in result.output
    assert "(--promo)        promo_id           id       from --promo (not in the export)" in result.output
    assert "skips rows whose 审核状态 / 报名状态 is 审核不通过" in result.output


def test_import_command_takes_promo(tmp_path):
    path = write_case(tmp_path, TAOBAO_COUPONS)
    wh = tmp_path / "w.duckdb"
    args = ["import", "--shop", "0071", "--warehouse", str(wh), str(path)]
    missing = CliRunner().invoke(app, args)
    assert missing.exit_code == 2 and "give the promotion's promo_id" in missing.output and not wh.exists()
    result = CliRunner().invoke(app, [*args, "--promo", PROMO])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("source: taobao_coupons (picked from the file's headers")
    assert "优惠券数据.csv: 3 rows read; inserted 3, updated 0, skipped 0 (unchanged)" in result.output
    assert [r["promo_id"] for r in rows_of(wh, "coupons", "0071")] == [PROMO] * 3
