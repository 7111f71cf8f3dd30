"""The mapping language for real exports: row filters, values from patterns, explicit date
formats, per-order guest buyers, order totals from lines, first non-empty values when lines are
combined. A line-level export in the style of the UCI "Online Retail" file, written in code."""

from __future__ import annotations

import pytest
from export_files import rows_of, ts, write

from opsreport.errors import ImportProblemsError, MappingError
from opsreport.importing import import_files
from opsreport.importing import mappings as m
from opsreport.importing.pipeline import describe

RETAIL = """\
title: Online Retail (one row per invoice line)
platform: any
targets:
  - table: orders
    skip: &skip
      - {aliases: [InvoiceNo], pattern: "^C"}    # cancellations
      - {aliases: [StockCode], values: [B]}      # bad-debt write-offs
    combine: {sum: [paid_amount], first_non_empty: [customer_id]}
    inputs:
      quantity: {aliases: [Quantity], type: int}
    columns:
      order_id: {aliases: [InvoiceNo], type: id}
      customer_id: {aliases: [CustomerID], type: id, if_empty: "guest:{order_id}"}
      created_at: {aliases: [InvoiceDate], type: datetime, format: "%m/%d/%Y %H:%M"}
      paid_at: {aliases: [InvoiceDate], type: datetime, format: "%m/%d/%Y %H:%M"}
      paid_amount: {aliases: [UnitPrice], type: money, multiply_by: quantity}
      refund_amount: {type: money, required: false, default: 0}
      status: {aliases: [InvoiceNo], type: status, patterns: {"^C": refunded, "^[0-9]+$": completed}}
  - table: order_items
    skip: *skip
    combine: {sum: [quantity, paid_amount]}
    columns:
      order_id: {aliases: [InvoiceNo], type: id}
      sku_id: {aliases: [StockCode], type: id}
      quantity: {aliases: [Quantity], type: int}
      paid_amount: {aliases: [UnitPrice], type: money, multiply_by: quantity}
"""

HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
LINES = [
    HEADER,
    ["536365", "85123A", "WHITE HANGING HEART", 6, "12/1/2010 8:26", 2.55, "", "United Kingdom"],
    ["536365", "71053", "WHITE METAL LANTERN", 6, "12/1/2010 8:26", 3.39, "17850.0", "United Kingdom"],
    ["536366", "22633", "HAND WARMER", 6, "12/1/2010 8:28", 1.85, "", "United Kingdom"],
    ["536367", "84879", "BIRD ORNAMENT", 32, "12/1/2010 8:34", 1.69, "", "United Kingdom"],
    ["C536379", "D", "Discount", -1, "12/1/2010 9:41", 27.50, "14527", "United Kingdom"],
    ["A563185", "B", "Adjust bad debt", 1, "8/12/2011 14:50", 11062.06, "", "United Kingdom"],
    ["数据来源：UCI Online Retail"],
]


def mapping_dir(tmp_path, text: str = RETAIL, name: str = "online_retail"):
    d = tmp_path / "maps"
    d.mkdir(exist_ok=True)
    (d / f"{name}.yaml").write_text(text, encoding="utf-8")
    return d


def test_line_level_export_becomes_orders_and_items(tmp_path):
    maps = mapping_dir(tmp_path)
    f = write(tmp_path / "retail.csv", LINES)
    wh = tmp_path / "w.duckdb"
    [r] = import_files(wh, "uk1", "online_retail", [f], mappings_dir=maps, platform="taobao", currency="GBP")
    # 7 data rows (the note row is dropped); the C... cancellation and the B write-off are left out
    assert r.rows_read == 6 and r.rows_skipped == 2
    assert rows_of(wh, "orders", "uk1", ["order_id", "customer_id", "created_at", "paid_amount", "status"]) == [
        # 6 x 2.55 + 6 x 3.39 = 15.30 + 20.34; the buyer is on the second line only (first non-empty)
        {"order_id": "536365", "customer_id": "17850", "created_at": ts("2010-12-01 08:26:00"),
         "paid_amount": pytest.approx(35.64), "status": "completed"},
        # no buyer on any line: a guest of this order alone (6 x 1.85)
        {"order_id": "536366", "customer_id": "guest:536366", "created_at": ts("2010-12-01 08:28:00"),
         "paid_amount": pytest.approx(11.10), "status": "completed"},
        # another guest, not the same one (32 x 1.69)
        {"order_id": "536367", "customer_id": "guest:536367", "created_at": ts("2010-12-01 08:34:00"),
         "paid_amount": pytest.approx(54.08), "status": "completed"},
    ]
    assert rows_of(wh, "order_items", "uk1", ["order_id", "sku_id", "quantity", "paid_amount"]) == [
        {"order_id": "536365", "sku_id": "71053", "quantity": 6, "paid_amount": pytest.approx(20.34)},
        {"order_id": "536365", "sku_id": "85123A", "quantity": 6, "paid_amount": pytest.approx(15.30)},
        {"order_id": "536366", "sku_id": "22633", "quantity": 6, "paid_amount": pytest.approx(11.10)},
        {"order_id": "536367", "sku_id": "84879", "quantity": 32, "paid_amount": pytest.approx(54.08)},
    ]
    lines = describe([r], "uk1")
    assert "retail.csv: 6 rows read (2 left out by the mapping's skip rules)" in lines[0]
    assert lines[-1] == "created shop uk1 (taobao, GBP)"


def test_the_date_format_says_day_first_or_month_first(tmp_path):
    day_first = RETAIL.replace("%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M")
    maps = mapping_dir(tmp_path, day_first)
    f = write(tmp_path / "retail.csv", LINES)
    wh = tmp_path / "w.duckdb"
    import_files(wh, "uk1", "online_retail", [f], mappings_dir=maps, platform="taobao")
    # 12/1/2010 read day-first is 12 January
    assert rows_of(wh, "orders", "uk1", ["created_at"])[0] == {"created_at": ts("2010-01-12 08:26:00")}


def test_a_date_outside_the_format_is_named(tmp_path):
    maps = mapping_dir(tmp_path)
    f = write(tmp_path / "retail.csv", [HEADER, ["536365", "85123A", "X", 6, "2010-12-01 08:26", 2.55, "1", "UK"]])
    with pytest.raises(ImportProblemsError) as err:
        import_files(tmp_path / "w.duckdb", "uk1", "online_retail", [f], mappings_dir=maps, platform="taobao")
    assert "row 2, column 'InvoiceDate': '2010-12-01 08:26' does not fit the mapping's date format %m/%d/%Y %H:%M" in str(err.value)


STATUS_FROM_PREFIX = """\
title: 自建订单
platform: any
targets:
  - table: orders
    columns:
      order_id: {aliases: [单号], type: id}
      customer_id: {aliases: [买家], type: text, if_empty: "guest:{order_id}"}
      created_at: {aliases: [时间], type: datetime}
      paid_at: {aliases: [时间], type: datetime}
      paid_amount: {aliases: [金额], type: money}
      refund_amount: {type: money, required: false, default: 0}
      status:
        aliases: [单号]
        type: status
        patterns: {"^C": refunded}     # an invoice prefix says a refund
        map: {"已关闭": closed}         # values no pattern matches go on to the map
        unknown: error
"""


def test_status_from_an_invoice_prefix_then_the_map(tmp_path):
    maps = mapping_dir(tmp_path, STATUS_FROM_PREFIX.replace("[单号]\n        type: status", "[单号, 状态]\n        type: status"), "erp")
    f = write(tmp_path / "erp.csv", [["单号", "买家", "时间", "金额"],
                                     ["1001", "a", "2026-11-01 10:00:00", 100],
                                     ["C1002", "", "2026-11-01 11:00:00", 50]])
    with pytest.raises(ImportProblemsError) as err:  # 1001 matches no pattern and is not in the map
        import_files(tmp_path / "w.duckdb", "s1", "erp", [f], mappings_dir=maps, platform="jd")
    assert "row 2, column '单号': unknown value '1001'" in str(err.value)
    assert "known: /^C/, 已关闭" in str(err.value)

    maps = mapping_dir(tmp_path, STATUS_FROM_PREFIX.replace('patterns: {"^C": refunded}', 'patterns: {"^C": refunded, "^[0-9]+$": completed}'), "erp")
    wh = tmp_path / "w.duckdb"
    import_files(wh, "s1", "erp", [f], mappings_dir=maps, platform="jd")
    assert rows_of(wh, "orders", "s1", ["order_id", "customer_id", "status"]) == [
        {"order_id": "1001", "customer_id": "a", "status": "completed"},
        {"order_id": "C1002", "customer_id": "guest:C1002", "status": "refunded"},
    ]


def test_every_problem_of_a_mapping_at_once(tmp_path):
    bad = RETAIL.replace('if_empty: "guest:{order_id}"', 'if_empty: "guest"') \
        .replace("type: datetime, format", "type: money, format", 1) \
        .replace('{aliases: [InvoiceNo], pattern: "^C"}', '{column: invoice, pattern: "^C"}') \
        .replace("first_non_empty: [customer_id]", "first_non_empty: [order_id]")
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(MappingError) as err:
        m.load_mapping_file(path)
    text = str(err.value)
    # column-level problems of two columns, and (once the columns are valid) the target's problems
    assert "targets[0].columns.customer_id: 'if_empty' names at least one column in braces" in text
    assert "targets[0].columns.created_at: 'format' only applies to types date and datetime" in text
    assert "targets[1]: skip[0]: column 'invoice' is not a column (or input) of this target" in text


def test_target_problems_are_listed_together(tmp_path):
    bad = RETAIL.replace('{aliases: [InvoiceNo], pattern: "^C"}', '{column: invoice, pattern: "^C"}') \
        .replace("first_non_empty: [customer_id]", "first_non_empty: [order_id]") \
        .replace("multiply_by: quantity}\n      refund", "multiply_by: qty}\n      refund")
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(MappingError) as err:
        m.load_mapping_file(path)
    lines = [x for x in str(err.value).splitlines() if x.startswith("  - targets[0]: ")]
    assert len(lines) == 3, str(err.value)
    assert any("multiply_by 'qty' must name a numeric column (or input)" in x for x in lines)
    assert any("skip[0]: column 'invoice'" in x for x in lines)
    assert any("combine.first_non_empty: 'order_id' is part of the key" in x for x in lines)


@pytest.mark.parametrize("column, message", [
    ("{aliases: [x], type: int, format: '%d'}", "'format' only applies to types date and datetime"),
    ("{aliases: [x], type: text, patterns: {'([': a}}", "is not a regular expression"),
    ("{aliases: [x], type: text, if_empty: 'g:{order_id}', default: a}", "give 'if_empty' or 'default', not both"),
    ("{aliases: [x], type: int, optional: true, required: true}", "contradict"),
])
def test_bad_column_fields(tmp_path, column, message):
    text = f"title: t\nplatform: any\ntargets:\n  - table: orders\n    columns:\n      source: {column}\n"
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as err:
        m.load_mapping_file(path)
    assert message in str(err.value)


def test_targets_may_skip_different_rows_of_one_sheet(tmp_path):
    # only the orders target leaves out the write-off; the items target keeps it
    text = RETAIL.replace("    skip: *skip\n", "    skip: [{aliases: [InvoiceNo], pattern: \"^C\"}]\n")
    maps = mapping_dir(tmp_path, text)
    f = write(tmp_path / "retail.csv", LINES)
    wh = tmp_path / "w.duckdb"
    import_files(wh, "uk1", "online_retail", [f], mappings_dir=maps, platform="taobao")
    assert [r["order_id"] for r in rows_of(wh, "orders", "uk1", ["order_id"])] == ["536365", "536366", "536367"]
    items = rows_of(wh, "order_items", "uk1", ["order_id", "sku_id", "paid_amount"])
    assert items[0] == {"order_id": "536365", "sku_id": "71053", "paid_amount": pytest.approx(20.34)}
    assert {"order_id": "A563185", "sku_id": "B", "paid_amount": pytest.approx(11062.06)} in items
