"""The pure steps between a raw sheet and canonical rows, on three-row frames."""

from __future__ import annotations

import pandas as pd

from opsreport.importing.mappings import ColumnSpec, get_mapping
from opsreport.importing.transform import (
    ROW,
    Staged,
    closest_header,
    combine_rows,
    find_columns,
    other_columns_aliases,
    parse_column,
    unpaid_orders_are_not_gmv,
)


def cells(*values, start=5):
    return pd.Series(list(values), index=range(start, start + len(values)), dtype="str")


def test_rates_become_fractions_and_a_bare_number_means_what_the_mapping_says():
    raw = cells("3.45%", "0.0345", "-", "3.45")
    frac, bad = parse_column(raw, ColumnSpec(aliases=["率"], type="rate", bare="fraction"))
    assert list(frac.round(6)[:2]) == [0.0345, 0.0345] and pd.isna(frac[7]) and not bad.any()
    pct, _ = parse_column(raw, ColumnSpec(aliases=["率"], type="rate", bare="percent"))
    assert round(pct[8], 6) == 0.0345


def test_status_values_are_matched_after_full_width_folding_and_unknown_ones_are_bad():
    spec = ColumnSpec(aliases=["订单状态"], type="status", map={"买家已付款，等待卖家发货": "paid", "交易成功": "completed"})
    values, bad = parse_column(cells("买家已付款,等待卖家发货", " 交易成功 ", "已作废", None), spec)
    assert list(values[:2]) == ["paid", "completed"]
    assert list(bad) == [False, False, True, False]


def test_a_text_map_keeps_unknown_values():
    spec = ColumnSpec(aliases=["来源"], type="text", map={"手淘搜索": "search"})
    values, bad = parse_column(cells("手淘搜索", "品牌特秀"), spec)
    assert list(values) == ["search", "品牌特秀"] and not bad.any()


def test_first_alias_present_wins_and_headers_compare_loosely():
    mapping = get_mapping("sycm_shop_daily")
    headers = ["统计日期", "访客数", "浏览量", "支付金额 (元)", "支付子订单数", "支付父订单数"]
    found, missing = find_columns(headers, mapping.targets[0])
    assert found["paid_amount"] == "支付金额 (元)" and found["paid_orders"] == "支付父订单数"
    # units and refunds are optional (NULL when absent); paid buyers are required
    assert missing == ["paid_buyers"]


def test_combining_rows_sums_listed_columns_and_keeps_the_first_rows_values():
    frame = pd.DataFrame({
        "order_id": ["a", "a", "b"],
        "paid_at": [pd.NaT, pd.Timestamp("2026-11-01 10:00"), pd.Timestamp("2026-11-02")],
        "paid_amount": [60.0, 40.0, 5.0],
        "status": ["completed", "refunding", "paid"],
        ROW: [3, 4, 5],
    })
    out = combine_rows(frame, ["order_id"], ["paid_amount"])
    a = out.set_index("order_id").loc["a"]
    assert a.paid_amount == 100.0 and a.status == "completed" and pd.isna(a.paid_at) and a[ROW] == 3
    assert len(out) == 2


def test_unpaid_orders_have_no_payment_time_and_no_amount_nor_have_their_items():
    orders = pd.DataFrame({
        "order_id": ["1", "2", "3"],
        "status": ["pending_payment", "closed", "completed"],
        "paid_at": [pd.Timestamp("2026-11-01"), pd.NaT, pd.Timestamp("2026-11-01")],
        "paid_amount": [10.0, 20.0, 30.0],
    })
    items = pd.DataFrame({"order_id": ["1", "2", "3"], "sku_id": ["x"] * 3, "paid_amount": [10.0, 20.0, 30.0]})
    staged = {"orders": Staged("orders", orders, ["order_id", "status", "paid_at", "paid_amount"]),
              "order_items": Staged("order_items", items, ["order_id", "sku_id", "paid_amount"])}
    unpaid_orders_are_not_gmv(staged)
    assert orders.paid_at.isna().tolist() == [True, True, False]
    assert orders.paid_amount.tolist() == [0.0, 0.0, 30.0]
    assert items.paid_amount.tolist() == [0.0, 0.0, 30.0]


# --- hints for a missing column: only a header of the same meaning ----------------------------


def test_a_hint_never_points_at_a_column_of_another_meaning():
    mapping = get_mapping("sycm_shop_daily")
    others = other_columns_aliases(mapping, "fav_users")
    fav = ColumnSpec(aliases=["收藏人数"], type="int")
    # 支付买家数 means paid buyers (an alias of another column); 加购人数 is about the cart
    assert closest_header(fav, ["统计日期", "支付买家数", "加购人数", "访客数"], others) is None
    # a renamed header of the same meaning is still suggested
    assert closest_header(fav, ["统计日期", "支付买家数", "收藏人数(人)"], others) == "收藏人数(人)"
    # no money for a count, no count for money
    assert closest_header(ColumnSpec(aliases=["支付件数"], type="int"), ["支付金额"], frozenset()) is None
    assert closest_header(ColumnSpec(aliases=["退款金额"], type="money"), ["退款笔数"], frozenset()) is None


def test_no_created_time_is_offered_for_the_payment_time(tmp_path):
    from export_files import write

    from opsreport.errors import ImportProblemsError
    from opsreport.importing import import_files

    f = write(tmp_path / "orders.csv", [["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "付款日", "商家编码"],
                                        ["1", "a", "10", "交易成功", "2026-11-01 10:00:00", "2026-11-01 10:01:00", "S"]])
    try:
        import_files(tmp_path / "w.duckdb", "s1", "taobao_order_export", [f])
    except ImportProblemsError as exc:
        text = str(exc)
    paid = next(line for line in text.splitlines() if "orders.paid_at" in line)
    assert "订单创建时间" not in paid and "closest in the file: '付款日'" in paid
    # the other target's missing column is reported in the same error
    assert "order_items.quantity" in text
