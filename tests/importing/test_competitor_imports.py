"""The competition-tool sources: sycm_competitor_shops and jd_competitor_shops (competitor_daily),
sycm_competitor_traffic (competitor_traffic); and the mapping-language features they brought:
``own_shop`` (our own row under our shop's name), ``map_of`` (one source list shared by two
mappings) and sheet-scoped targets (checked here; used by the tracking template, test_templates.py).

Each export is written in code in its layout (title rows, GB18030 CSV or .xlsx, thousands
separators, '-' cells) and imported into rows worked out by hand. Index values are stored exactly
as written: nothing is added up or converted.
"""

from __future__ import annotations

import re

import pytest
from export_files import d, rows_of, table_snapshot, write, write_mojibake
from test_builtin_mappings import CASES as OTHER_SOURCES

from opsreport.errors import ImportProblemsError, MappingError
from opsreport.importing import detect_source, import_files, load_mappings
from opsreport.importing.mappings import load_mapping_file
from opsreport.schemas import OWN_SHOP

NEW_SOURCES = {"sycm_competitor_shops", "sycm_competitor_traffic", "jd_competitor_shops", "competitor_tracking"}

# 生意参谋 竞店分析 -> 关键指标对比, downloaded as GB18030 CSV: two title rows and a blank row above
# the header; our row is 本店; 支付转化指数 and 客群指数 were left out in the export dialog
SHOPS_ROWS = [
    ["竞店分析 · 关键指标对比"],
    ["统计时间：2026-11-01 ~ 2026-11-02"],
    [],
    ["日期", "店铺名称", "交易指数", "流量指数", "搜索人气", "收藏人气", "加购人气"],
    ["2026-11-01", "本店", "12,345", "8,210", "3,001", "1,200", "2,050"],
    ["2026-11-01", "花漾美妆旗舰店", "23,456", "15,002", "6,500", "-", "3,300"],
    ["2026-11-02", "本店", "11,900", "8,000", "2,950", "1,180", "2,010"],
    ["2026-11-02", "花漾美妆旗舰店", "24,010", "15,400", "6,620", "2,400", "3,390"],
]


def daily(date, competitor, trade, traffic, search, fav, cart):
    return {"date": d(date), "competitor_id": competitor, "trade_index": trade, "traffic_index": traffic,
            "search_index": search, "fav_index": fav, "cart_index": cart, "conversion_index": None,
            "buyer_index": None}


# in key order (date, competitor_id): 'self' sorts before the Chinese names ('s' is U+0073)
SHOPS_EXPECTED = [
    daily("2026-11-01", "self", 12345.0, 8210.0, 3001.0, 1200.0, 2050.0),  # 本店 -> self; "12,345"
    daily("2026-11-01", "花漾美妆旗舰店", 23456.0, 15002.0, 6500.0, None, 3300.0),  # 收藏人气 '-': NULL, not 0
    daily("2026-11-02", "self", 11900.0, 8000.0, 2950.0, 1180.0, 2010.0),
    daily("2026-11-02", "花漾美妆旗舰店", 24010.0, 15400.0, 6620.0, 2400.0, 3390.0),
]

# 生意参谋 竞店分析 -> 入店来源, as .xlsx: one row per day, shop and source
TRAFFIC_ROWS = [
    ["竞店分析 · 入店来源对比"],
    ["日期", "店铺名称", "流量来源", "流量指数"],
    ["2026-11-01", "本店", "手淘搜索", "5,120"],
    ["2026-11-01", "本店", "直通车", "3,010"],
    ["2026-11-01", "花漾美妆旗舰店", "手淘搜索", "9,800"],
    ["2026-11-01", "花漾美妆旗舰店", "逛逛", "4,400"],
    ["2026-11-01", "花漾美妆旗舰店", "淘内免费其他", "1,100"],
]
TRAFFIC_EXPECTED = [  # key order: date, competitor_id, source
    {"date": d("2026-11-01"), "competitor_id": "self", "source": "paid_ads", "traffic_index": 3010.0},  # 直通车
    {"date": d("2026-11-01"), "competitor_id": "self", "source": "search", "traffic_index": 5120.0},  # 手淘搜索
    {"date": d("2026-11-01"), "competitor_id": "花漾美妆旗舰店", "source": "search", "traffic_index": 9800.0},
    {"date": d("2026-11-01"), "competitor_id": "花漾美妆旗舰店", "source": "short_video", "traffic_index": 4400.0},  # 逛逛
    # a source the map does not know keeps its name
    {"date": d("2026-11-01"), "competitor_id": "花漾美妆旗舰店", "source": "淘内免费其他", "traffic_index": 1100.0},
]

# 京东商智 竞争店铺, as .xlsx: index cells as numbers and as text; our row as 我的店铺
JD_ROWS = [
    ["日期", "店铺名称", "成交金额指数", "访客指数", "关注指数", "成交客户指数"],
    ["2026-11-01", "我的店铺", 5400, "7,700", 300, 410],
    ["2026-11-01", "木语家居京东自营旗舰店", "9,100", 12000, None, "820"],
]
JD_EXPECTED = [
    {"competitor_id": "self", "trade_index": 5400.0, "traffic_index": 7700.0, "fav_index": 300.0, "buyer_index": 410.0,
     "search_index": None},  # 搜索点击指数 not exported: NULL
    {"competitor_id": "木语家居京东自营旗舰店", "trade_index": 9100.0, "traffic_index": 12000.0, "fav_index": None,
     "buyer_index": 820.0, "search_index": None},  # an empty 关注指数 cell: NULL
]


# the sources with a fixture: these three here, the tracking template in test_templates.py
FIXTURE_SOURCES = {"sycm_competitor_shops": SHOPS_ROWS, "sycm_competitor_traffic": TRAFFIC_ROWS,
                   "jd_competitor_shops": JD_ROWS, "competitor_tracking": "test_templates.py"}.keys()


def test_every_new_source_is_a_builtin_mapping():
    assert NEW_SOURCES == set(FIXTURE_SOURCES) and NEW_SOURCES <= set(load_mappings())


def test_shop_indices_become_rows_with_our_row_as_self(tmp_path):
    path = write(tmp_path / "竞店关键指标.csv", SHOPS_ROWS, encoding="gb18030")
    wh = tmp_path / "w.duckdb"
    [report] = import_files(wh, "0071", "sycm_competitor_shops", [path])
    assert report.rows_read == 4 and (report.inserted, report.updated, report.skipped) == (4, 0, 0)
    assert rows_of(wh, "competitor_daily", "0071", list(SHOPS_EXPECTED[0])) == SHOPS_EXPECTED
    assert OWN_SHOP == "self"
    # importing the same file again changes nothing
    [again] = import_files(wh, "0071", "sycm_competitor_shops", [path])
    assert (again.inserted, again.updated, again.skipped) == (0, 0, 4)


def test_an_index_left_out_of_a_later_export_keeps_its_stored_value(tmp_path):
    wh = tmp_path / "w.duckdb"
    import_files(wh, "0071", "sycm_competitor_shops", [write(tmp_path / "a.csv", SHOPS_ROWS, encoding="gb18030")])
    # a later export of 2026-11-01 with 交易指数 only: the trade index changes, the others stay
    later = [["日期", "店铺名称", "交易指数"], ["2026-11-01", "本店", "12,400"]]
    [report] = import_files(wh, "0071", "sycm_competitor_shops", [write(tmp_path / "b.csv", later)])
    assert (report.inserted, report.updated) == (0, 1)
    got = rows_of(wh, "competitor_daily", "0071", ["date", "competitor_id", "trade_index", "traffic_index"])[0]
    assert got == {"date": d("2026-11-01"), "competitor_id": "self", "trade_index": 12400.0, "traffic_index": 8210.0}


def test_a_first_export_without_an_index_column_stores_null_not_zero(tmp_path):
    rows = [["日期", "店铺名称", "交易指数"], ["2026-11-01", "花漾美妆旗舰店", "900"]]
    wh = tmp_path / "w.duckdb"
    import_files(wh, "0071", "sycm_competitor_shops", [write(tmp_path / "a.csv", rows)])
    got = rows_of(wh, "competitor_daily", "0071")[0]
    assert got["trade_index"] == 900.0
    assert [got[c] for c in ("traffic_index", "search_index", "fav_index", "cart_index", "conversion_index",
                             "buyer_index")] == [None] * 6


def test_our_row_under_our_shop_name_is_self(tmp_path):
    # the export lists our shop by its name instead of 本店
    rows = [["日期", "店铺名称", "交易指数"], ["2026-11-01", "悦颜美妆旗舰店", "12,345"],
            ["2026-11-01", "花漾美妆旗舰店", "23,456"]]
    path = write(tmp_path / "named.csv", rows)
    wh = tmp_path / "w.duckdb"
    # a new shop: its name comes from --shop-name
    import_files(wh, "0071", "sycm_competitor_shops", [path], shop_name="悦颜美妆旗舰店")
    assert [r["competitor_id"] for r in rows_of(wh, "competitor_daily", "0071", ["competitor_id"])] == ["self", "花漾美妆旗舰店"]
    # an existing shop: its name is read from shops (no --shop-name); a later day becomes self too
    rows2 = [["日期", "店铺名称", "交易指数"], ["2026-11-02", "悦颜美妆旗舰店", "12,000"]]
    import_files(wh, "0071", "sycm_competitor_shops", [write(tmp_path / "named2.csv", rows2)])
    got = rows_of(wh, "competitor_daily", "0071", ["date", "competitor_id", "trade_index"])
    assert got[-1] == {"date": d("2026-11-02"), "competitor_id": "self", "trade_index": 12000.0}


def test_a_shop_imported_without_its_name_keeps_its_own_row_as_a_competitor(tmp_path):
    # documented limit: the shop's name is unknown (shops.name = its id), so the row is taken as written
    rows = [["日期", "店铺名称", "交易指数"], ["2026-11-01", "悦颜美妆旗舰店", "12,345"]]
    wh = tmp_path / "w.duckdb"
    import_files(wh, "0071", "sycm_competitor_shops", [write(tmp_path / "a.csv", rows)])
    assert rows_of(wh, "competitor_daily", "0071", ["competitor_id"]) == [{"competitor_id": "悦颜美妆旗舰店"}]


def test_our_row_both_as_benden_and_by_name_is_a_repeated_key(tmp_path):
    rows = [["日期", "店铺名称", "交易指数"], ["2026-11-01", "本店", "100"], ["2026-11-01", "悦颜美妆旗舰店", "100"]]
    with pytest.raises(ImportProblemsError) as err:
        import_files(tmp_path / "w.duckdb", "0071", "sycm_competitor_shops", [write(tmp_path / "a.csv", rows)],
                     shop_name="悦颜美妆旗舰店")
    assert "rows 2, 3: 1 key(s) of competitor_daily" in str(err.value)
    assert "competitor_id=self (row 2 | row 3)" in str(err.value)


def test_source_traffic_becomes_canonical_sources(tmp_path):
    path = write(tmp_path / "入店来源.xlsx", TRAFFIC_ROWS)
    wh = tmp_path / "w.duckdb"
    [report] = import_files(wh, "0071", "sycm_competitor_traffic", [path])
    assert report.rows_read == 5 and report.inserted == 5
    assert rows_of(wh, "competitor_traffic", "0071", list(TRAFFIC_EXPECTED[0])) == TRAFFIC_EXPECTED


def test_two_raw_sources_of_one_key_are_refused_not_added_up(tmp_path):
    # 直通车 and 万相台 both become paid_ads: indices cannot be added, so the import names both rows
    rows = TRAFFIC_ROWS + [["2026-11-01", "本店", "万相台", "2,000"]]
    wh = tmp_path / "w.duckdb"
    import_files(wh, "0071", "sycm_competitor_traffic", [write(tmp_path / "good.xlsx", TRAFFIC_ROWS)])
    before = table_snapshot(wh)
    with pytest.raises(ImportProblemsError) as err:
        import_files(wh, "0071", "sycm_competitor_traffic", [write(tmp_path / "twice.xlsx", rows)])
    text = str(err.value)
    # rows 4 (直通车) and 8 (万相台): the header is row 2
    assert "competitor_id=self, source=paid_ads (row 4 | row 8)" in text
    assert "turns several export values of competitor_id, source into one (its map)" in text
    assert table_snapshot(wh) == before


def test_jd_competitor_shops(tmp_path):
    path = write(tmp_path / "竞争店铺.xlsx", JD_ROWS)
    wh = tmp_path / "w.duckdb"
    import_files(wh, "0088", "jd_competitor_shops", [path])
    assert rows_of(wh, "competitor_daily", "0088", list(JD_EXPECTED[0])) == JD_EXPECTED
    assert rows_of(wh, "shops", "0088", ["platform"]) == [{"platform": "jd"}]


@pytest.mark.parametrize("rows, file, source", [(SHOPS_ROWS, "s.csv", "sycm_competitor_shops"),
                                                (TRAFFIC_ROWS, "t.xlsx", "sycm_competitor_traffic"),
                                                (JD_ROWS, "j.xlsx", "jd_competitor_shops")])
def test_each_export_is_picked_from_its_headers(tmp_path, rows, file, source):
    found = detect_source([write(tmp_path / file, rows)])
    assert (found.mapping.name, found.also_fit) == (source, ())


@pytest.mark.parametrize("case", OTHER_SOURCES, ids=[c.file for c in OTHER_SOURCES])
def test_the_new_sources_take_no_file_of_another_source(tmp_path, case):
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


# --- bad files: nothing written; file, row and column named ----------------------------------------


def stored(tmp_path):
    wh = tmp_path / "w.duckdb"
    import_files(wh, "0071", "sycm_competitor_shops", [write(tmp_path / "good.csv", SHOPS_ROWS, encoding="gb18030")])
    return wh, table_snapshot(wh)


def rejected(wh, path, source="sycm_competitor_shops") -> str:
    with pytest.raises(ImportProblemsError) as err:
        import_files(wh, "0071", source, [path])
    return str(err.value)


def test_a_missing_trade_index_is_named_with_what_the_file_has(tmp_path):
    wh, before = stored(tmp_path)
    rows = [r[:2] + r[3:] if len(r) > 1 else r for r in SHOPS_ROWS]
    text = rejected(wh, write(tmp_path / "missing.csv", rows, encoding="gb18030"))
    assert "does not match source 'sycm_competitor_shops': it lacks 1 required column(s)" in text
    assert "competitor_daily.trade_index (交易指数)" in text
    assert "The file has: 日期, 店铺名称, 流量指数, 搜索人气, 收藏人气, 加购人气." in text
    assert table_snapshot(wh) == before


def test_a_negative_index_is_named_by_row_and_value(tmp_path):
    wh, before = stored(tmp_path)
    rows = [r[:] for r in SHOPS_ROWS]
    rows[5][3] = "-15"  # 花漾 on 2026-11-01, 流量指数; the header is row 4, so this is row 6
    text = rejected(wh, write(tmp_path / "negative.csv", rows, encoding="gb18030"))
    assert "column 'traffic_index' must be >= 0: 1 row(s), e.g. negative.csv, row 6 (traffic_index=-15.0)" in text
    assert table_snapshot(wh) == before


def test_a_repeated_day_and_shop_names_both_rows(tmp_path):
    wh, before = stored(tmp_path)
    rows = SHOPS_ROWS + [SHOPS_ROWS[5][:]]  # 花漾 2026-11-01 again, as row 9
    text = rejected(wh, write(tmp_path / "twice.csv", rows, encoding="gb18030"))
    assert "twice.csv, rows 6, 9: 1 key(s) of competitor_daily" in text
    assert "date=2026-11-01, competitor_id=花漾美妆旗舰店 (row 6 | row 9)" in text
    assert table_snapshot(wh) == before


def test_an_index_that_is_not_a_number_is_named_by_cell(tmp_path):
    wh, before = stored(tmp_path)
    rows = [r[:] for r in SHOPS_ROWS]
    rows[4][2] = "约1.2万"
    text = rejected(wh, write(tmp_path / "text.csv", rows, encoding="gb18030"))
    assert "text.csv, row 5, column '交易指数'" in text and "约1.2万" in text
    assert table_snapshot(wh) == before


@pytest.mark.parametrize("rows, header_row, source", [(SHOPS_ROWS, 4, "sycm_competitor_shops"),
                                                      (TRAFFIC_ROWS, 2, "sycm_competitor_traffic")])
def test_a_file_saved_in_the_wrong_encoding_is_named_with_its_garbled_header(tmp_path, rows, header_row, source):
    wh, before = stored(tmp_path)
    text = rejected(wh, write_mojibake(tmp_path / "mojibake.csv", rows), source)
    garbled = rows[header_row - 1][1].encode("gb18030").decode("latin-1")  # 店铺名称, garbled
    assert f"mojibake.csv, row {header_row}: no header row found" in text and repr(garbled) in text
    assert table_snapshot(wh) == before


# --- the mapping language: map_of, own_shop, sheet -----------------------------------------------------


def test_competitor_traffic_shares_the_traffic_sources_map():
    every = load_mappings()
    shared = every["sycm_traffic_sources"].targets[0].columns["source"].map
    assert every["sycm_competitor_traffic"].targets[0].columns["source"].map == shared
    assert shared["直通车"] == "paid_ads" and len(shared) == 37


def _mapping(tmp_path, name: str, column_yaml: str, extra: str = "") -> object:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"title: t\nplatform: tmall\ntargets:\n  - table: competitor_traffic\n{extra}    columns:\n"
        "      date: {aliases: [日期], type: date}\n      competitor_id: {aliases: [店铺名称], type: text}\n"
        f"      source:\n{column_yaml}"
        "      traffic_index: {aliases: [流量指数], type: number}\n",
        encoding="utf-8",
    )
    return load_mapping_file(path)


def test_map_of_adds_the_columns_own_entries_on_top(tmp_path):
    m = _mapping(tmp_path, "mine", "        aliases: [来源]\n        type: text\n"
                                   "        map_of: sycm_traffic_sources.source\n        map: {直通车: ztc, 自有: direct}\n")
    got = m.targets[0].columns["source"].map
    assert (got["直通车"], got["自有"], got["手淘搜索"]) == ("ztc", "direct", "search")  # own entries win


def test_map_of_a_mapping_beside_the_file(tmp_path):
    (tmp_path / "names.yaml").write_text(
        "title: n\nplatform: tmall\ntargets:\n  - table: traffic_daily\n    columns:\n"
        "      date: {aliases: [日期], type: date}\n      source: {aliases: [来源], type: text, map: {甲: search}}\n"
        "      uv: {aliases: [访客数], type: int}\n      paid_buyers: {aliases: [买家], type: int}\n"
        "      paid_amount: {aliases: [金额], type: money}\n", encoding="utf-8")
    m = _mapping(tmp_path, "mine", "        aliases: [来源]\n        type: text\n        map_of: names.source\n")
    assert m.targets[0].columns["source"].map == {"甲": "search"}


@pytest.mark.parametrize("ref, message", [
    ("nowhere.source", "map_of: no mapping 'nowhere' beside this file or among the built-in ones"),
    ("sycm_traffic_sources.uv", "map_of: mapping 'sycm_traffic_sources' has no column 'uv' with a map of its own"),
    ("sycm_traffic_sources", "map_of: 'sycm_traffic_sources' is not '<mapping>.<column>'"),
])
def test_a_bad_map_of_is_named_with_its_field(tmp_path, ref, message):
    with pytest.raises(MappingError) as err:
        _mapping(tmp_path, "mine", f"        aliases: [来源]\n        type: text\n        map_of: {ref}\n")
    assert "targets[0].columns.source." + message in str(err.value)


def test_own_shop_applies_to_text_columns_read_from_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "title: t\nplatform: tmall\ntargets:\n  - table: competitor_daily\n    columns:\n"
        "      date: {aliases: [日期], type: date}\n      competitor_id: {aliases: [店铺名称], type: text}\n"
        "      trade_index: {aliases: [交易指数], type: number, own_shop: self}\n", encoding="utf-8")
    with pytest.raises(MappingError, match=re.escape(
            "targets[0].columns.trade_index: 'own_shop' only applies to a text or id column read from the file")):
        load_mapping_file(path)


def test_sheet_scoped_and_unscoped_targets_do_not_mix(tmp_path):
    path = tmp_path / "mixed.yaml"
    path.write_text(
        "title: t\nplatform: any\ntargets:\n"
        "  - table: sku_matches\n    sheet: 对标\n    columns:\n      sku_id: {aliases: [我方SKU], type: id}\n"
        "      competitor_id: {aliases: [竞店名称], type: text}\n      product_id: {aliases: [竞品商品ID], type: id}\n"
        "  - table: competitors\n    columns:\n      competitor_id: {aliases: [竞店名称], type: text}\n"
        "      platform: {aliases: [平台], type: text}\n      category: {aliases: [类目], type: text}\n",
        encoding="utf-8")
    with pytest.raises(MappingError, match="give every target a 'sheet'"):
        load_mapping_file(path)
