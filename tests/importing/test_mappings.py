"""Mappings are data checked against the contracts: a bad one is named by file and field."""

from __future__ import annotations

import pytest

from opsreport.errors import MappingError
from opsreport.importing import mappings as m

GOOD = """\
title: 测试
platform: tmall
targets:
  - table: shop_daily
    columns:
      date: {aliases: 日期, type: date}
      uv: {aliases: [访客数], type: int}
      pv: {aliases: [浏览量], type: int}
      cart_users: {aliases: [加购人数], type: int}
      fav_users: {aliases: [收藏人数], type: int}
      order_buyers: {aliases: [下单人数], type: int}
      paid_buyers: {aliases: [支付人数], type: int}
      paid_orders: {aliases: [支付订单数], type: int}
      units: {aliases: [支付件数], type: int}
      paid_amount: {aliases: [支付金额], type: money}
      refund_amount: {aliases: [退款金额], type: money, required: false, default: 0}
"""


def load(tmp_path, text: str, name: str = "mine"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return m.load_mapping_file(path)


def test_a_good_mapping_and_its_shorthands(tmp_path):
    mapping = load(tmp_path, GOOD)
    assert mapping.name == "mine" and mapping.platform == ["tmall"]
    target = mapping.targets[0]
    assert target.columns["date"].aliases == ["日期"]
    assert target.keys == ["shop_id", "date"] and target.date_column == "date"
    assert target.columns["refund_amount"].default == 0.0


@pytest.mark.parametrize(
    "change, message",
    [
        (("type: money}\n      refund", "type: int}\n      refund"), None),  # sanity: still valid
        (("uv: {aliases: [访客数], type: int}", "uv: {aliases: [访客数], type: money}"),
         "targets[0]: column 'uv' of shop_daily is integer; type 'money' cannot fill it (use int)"),
        (("uv: {aliases: [访客数], type: int}", "uvv: {aliases: [访客数], type: int}"),
         "column 'uvv' is not in table shop_daily"),
        (("uv: {aliases: [访客数], type: int}", "uv: {aliases: [访客数], type: int, colour: red}"),
         "targets[0].columns.uv.colour: Extra inputs are not permitted"),
        (("      paid_buyers: {aliases: [支付人数], type: int}\n", ""), "shop_daily needs column(s) paid_buyers"),
        (("paid_buyers: {aliases: [支付人数], type: int}", "paid_buyers: {aliases: [支付人数], type: int, required: false}"),
         "column 'paid_buyers' of shop_daily cannot be empty"),
        (("paid_buyers: {aliases: [支付人数], type: int}", "paid_buyers: {aliases: [支付人数], type: int, optional: true}"),
         "column 'paid_buyers' of shop_daily cannot be NULL in its contract: it cannot be 'optional'"),
        (("table: shop_daily", "table: shop_dialy"), "did you mean 'shop_daily'?"),
        (("platform: tmall", "platform: amazon"), "platform[0]: Input should be"),
        (("type: date}", "type: rate}"), "type rate needs 'bare: fraction' or 'bare: percent'"),
        (("uv: {aliases: [访客数], type: int}", "uv: {aliases: [访客数], type: int, default: many}"),
         "default 'many' is not an integer"),
        (("title: 测试\n", "name: other\ntitle: 测试\n"), "name 'other' must equal the file name 'mine'"),
    ],
)
def test_bad_mappings_name_the_file_and_the_field(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    text = GOOD.replace(old, new)
    if message is None:
        load(tmp_path, text)
        return
    with pytest.raises(MappingError) as err:
        load(tmp_path, text)
    assert "mine.yaml" in str(err.value)
    assert message in str(err.value)


def test_status_needs_a_map_and_combine_only_sums_numbers(tmp_path):
    orders = """\
title: x
platform: any
targets:
  - table: order_items
    combine: {sum: [sku_id]}
    columns:
      order_id: {aliases: [单号], type: id}
      sku_id: {aliases: [货号], type: status}
      quantity: {aliases: [数量], type: int}
      paid_amount: {aliases: [金额], type: money}
"""
    with pytest.raises(MappingError, match="type status needs a 'map'"):
        load(tmp_path, orders)
    with pytest.raises(MappingError, match="combine.sum: 'sku_id' is not a numeric column"):
        load(tmp_path, orders.replace("type: status", "type: id"))


def test_not_yaml_and_not_a_mapping(tmp_path):
    with pytest.raises(MappingError, match="not valid YAML"):
        load(tmp_path, "title: [unclosed\n")
    with pytest.raises(MappingError, match="expected a mapping of fields"):
        load(tmp_path, "- a\n- b\n")


def test_user_folder_overrides_a_builtin_and_a_missing_folder_is_named(tmp_path):
    (tmp_path / "sycm_shop_daily.yaml").write_text(GOOD.replace("测试", "我的店铺日报"), encoding="utf-8")
    found = m.load_mappings(tmp_path)
    assert found["sycm_shop_daily"].title == "我的店铺日报" and not found["sycm_shop_daily"].builtin
    assert found["taobao_order_export"].builtin
    with pytest.raises(MappingError, match="mappings directory not found"):
        m.load_mappings(tmp_path / "nope")


def test_builtin_sources_of_a_table_by_platform():
    assert m.builtin_sources("shop_daily", "jd") == ["jd_shop_daily"]
    assert m.builtin_sources("traffic_daily", "douyin") == []
    assert "sycm_product_daily" in m.builtin_sources("products", "taobao")


def test_headers_compare_without_spaces_and_full_width():
    assert m.normalize_header(" 支付金额（元） ") == m.normalize_header("支付金额(元)")
    assert m.normalize_header("ＵＶ") == "uv"
