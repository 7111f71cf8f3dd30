"""Every built-in mapping imports a small export written in code (xlsx, xls, CSV in UTF-8,
UTF-8 with BOM and GB18030; preamble and total rows; number texts; percent cells; serial dates)
into the canonical rows computed by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from export_files import Percent, Serial, d, rows_of, ts, write

from opsreport.importing import import_files, load_mappings


@dataclass
class Case:
    source: str
    file: str  # its suffix picks the format
    rows: list[list]
    expected: dict[str, list[dict]]  # table -> rows (key order), only the columns given
    encoding: str = "utf-8"
    sheet: str = "Sheet1"
    platform: str = "tmall"
    rows_read: int = 0
    extra: dict = field(default_factory=dict)


SHOP_DAILY_HEADER = ["统计日期", "访客数", "浏览量", "支付金额", "支付买家数", "支付子订单数", "支付件数", "支付转化率",
                     "客单价", "加购人数", "商品收藏买家数", "下单买家数", "成功退款金额"]


def shop_day(date, uv, pv, amount, buyers, orders, units, cart, fav, order_buyers, refund):
    return {"date": d(date), "uv": uv, "pv": pv, "paid_amount": amount, "paid_buyers": buyers, "paid_orders": orders,
            "units": units, "cart_users": cart, "fav_users": fav, "order_buyers": order_buyers, "refund_amount": refund}


CASES = [
    # 生意参谋 shop overview as .xlsx: title rows above the header, a total row below, a serial date,
    # a date cell, a text date, thousands separators, ¥, full-width digits, percent cells, "-" = 0
    Case("sycm_shop_daily", "overview.xlsx", sheet="店铺整体", rows_read=3, rows=[
        ["生意参谋 · 店铺整体"],
        ["统计时间：2026-11-01 ~ 2026-11-03"],
        ["店铺：悦颜旗舰店"],
        [],
        SHOP_DAILY_HEADER,
        [Serial(dt.date(2026, 11, 1)), "1,234", 5210, "¥12,345.50", 40, 45, 52, Percent(40 / 1234), "308.64", 120, 35, 48, "1,000.00"],
        [dt.date(2026, 11, 2), 1100, "4,800", 9800.0, 33, 36, 40, Percent(0.03), 296.97, 98, 30, 41, "-"],
        ["2026/11/03", "１，０５０", 4500, "8,400", 28, 30, 33, "2.67%", "300", 90, 25, 35, 0],
        ["合计", 3384, 14510, 30545.5, 101, 111, 125, None, None, 308, 90, 124, 1000],
    ], expected={"shop_daily": [
        shop_day("2026-11-01", 1234, 5210, 12345.5, 40, 45, 52, 120, 35, 48, 1000.0),
        shop_day("2026-11-02", 1100, 4800, 9800.0, 33, 36, 40, 98, 30, 41, 0.0),
        shop_day("2026-11-03", 1050, 4500, 8400.0, 28, 30, 33, 90, 25, 35, 0.0),
    ]}),
    # the same report as a GB18030 CSV of another version: 支付金额（元）, both parent and sub-order
    # counts (parent wins), no refund column (not said: NULL, never an invented 0)
    Case("sycm_shop_daily", "overview_gbk.csv", encoding="gb18030", rows_read=1, rows=[
        ["统计日期", "访客数", "浏览量", "支付金额（元）", "支付买家数", "支付子订单数", "支付父订单数", "支付件数",
         "加购人数", "商品收藏买家数", "下单买家数"],
        ["2026-11-04", "980", "4,100", "7,350.00", "25", "29", "26", "30", "80", "22", "31"],
    ], expected={"shop_daily": [shop_day("2026-11-04", 980, 4100, 7350.0, 25, 26, 30, 80, 22, 31, None)]}),
    # traffic sources as a UTF-8-BOM CSV: raw sources mapped to canonical keys, paid ones added up,
    # an unknown source kept as written
    Case("sycm_traffic_sources", "traffic.csv", encoding="utf-8-sig", rows_read=6, rows=[
        ["统计日期", "流量来源", "访客数", "浏览量", "加购人数", "商品收藏买家数", "下单买家数", "支付买家数", "支付金额", "支付转化率"],
        ["2026-11-01", "手淘搜索", "500", "1,500", "50", "20", "25", "20", "6,000.00", "4.00%"],
        ["2026-11-01", "直通车", "200", "600", "20", "5", "10", "8", "2,400", "4.00%"],
        ["2026-11-01", "万相台", "100", "300", "10", "-", "5", "4", "1,200", "4.00%"],
        ["2026-11-01", "猜你喜欢", "300", "800", "25", "10", "8", "6", "1500", "2.00%"],
        ["2026-11-01", "淘宝直播", "80", "200", "5", "2", "3", "2", "800", "2.50%"],
        ["2026-11-01", "品牌特秀", "10", "20", "0", "0", "0", "0", "0", "0.00%"],
    ], expected={"traffic_daily": [
        {"date": d("2026-11-01"), "source": s, "uv": uv, "pv": pv, "cart_users": c, "fav_users": f,
         "order_buyers": o, "paid_buyers": b, "paid_amount": a}
        for s, uv, pv, c, f, o, b, a in sorted([
            ("search", 500, 1500, 50, 20, 25, 20, 6000.0),
            ("paid_ads", 300, 900, 30, 5, 15, 12, 3600.0),
            ("recommendation", 300, 800, 25, 10, 8, 6, 1500.0),
            ("live_stream", 80, 200, 5, 2, 3, 2, 800.0),
            ("品牌特秀", 10, 20, 0, 0, 0, 0, 0.0),
        ])
    ]}),
    # product effect as a legacy .xls: long product IDs as text, statuses, date cells
    Case("sycm_product_daily", "products.xls", sheet="商品效果", rows_read=3, rows=[
        ["统计日期", "商品ID", "商品名称", "商品状态", "商品访客数", "商品浏览量", "商品收藏人数", "商品加购人数",
         "支付买家数", "支付件数", "支付金额", "商品支付转化率"],
        [dt.date(2026, 11, 1), "652345678901", "玻尿酸精华液 30ml", "当前在线", 800, 2000, 40, 60, 30, 35, 6965.0, Percent(0.0375)],
        [dt.date(2026, 11, 1), "652345678902", "保湿面霜", "已下架", 100, 150, 2, 5, 1, 1, "99.00", Percent(0.01)],
        [dt.date(2026, 11, 2), "652345678901", "玻尿酸精华液 30ml", "当前在线", 750, 1900, 35, 55, 28, 30, 5970.0, Percent(0.0373)],
    ], expected={
        "product_daily": [
            {"date": d("2026-11-01"), "sku_id": "652345678901", "uv": 800, "fav_users": 40, "cart_users": 60,
             "paid_buyers": 30, "units": 35, "paid_amount": 6965.0},
            {"date": d("2026-11-01"), "sku_id": "652345678902", "uv": 100, "fav_users": 2, "cart_users": 5,
             "paid_buyers": 1, "units": 1, "paid_amount": 99.0},
            {"date": d("2026-11-02"), "sku_id": "652345678901", "uv": 750, "fav_users": 35, "cart_users": 55,
             "paid_buyers": 28, "units": 30, "paid_amount": 5970.0},
        ],
        "products": [
            {"sku_id": "652345678901", "product_name": "玻尿酸精华液 30ml", "category": "unknown", "status": "on_shelf",
             "list_price": None, "unit_cost": None, "launched_on": None},
            {"sku_id": "652345678902", "product_name": "保湿面霜", "category": "unknown", "status": "off_shelf",
             "list_price": None, "unit_cost": None, "launched_on": None},
        ],
    }),
    # the seller order export as CSV: 19-digit order numbers, Chinese statuses (full-width comma),
    # an unpaid order whose export shows a payment time and amount anyway, a closed-unpaid order,
    # an order refunded then closed (paid: counts as GMV, refund recorded)
    Case("taobao_order_export", "ExportOrderList.csv", rows_read=7, rows=[
        ["订单编号", "买家会员名", "买家应付货款", "买家实际支付金额", "订单状态", "买家留言", "订单创建时间", "订单付款时间",
         "宝贝标题", "宝贝种类", "宝贝总数量", "商家编码", "退款金额"],
        ["3412345678901234567", "tb_alice", "199.00", "189.00", "交易成功", "", "2026-11-01 10:00:00", "2026-11-01 10:01:30", "精华液", 1, 1, "SKU-A", "0"],
        ["3412345678901234568", "tb_bob", "99.00", "99.00", "等待买家付款", "", "2026-11-01 11:00:00", "2026-11-01 11:05:00", "面霜", 1, 1, "SKU-B", "0"],
        ["3412345678901234569", "tb_carol", "50", "50", "交易关闭", "", "2026-11-02 09:00:00", "", "面膜", 1, 2, "SKU-C", "0"],
        ["3412345678901234570", "tb_dan", "300", "300.00", "交易关闭", "", "2026/11/02 12:00", "2026/11/02 12:02", "精华液", 1, 2, "SKU-A", "300.00"],
        ["3412345678901234571", "tb_eve", "120", "120", "买家已付款，等待卖家发货", "", "2026-11-03 08:00:00", "2026-11-03 08:00:10", "面霜", 1, 1, "SKU-B", "-"],
        ["3412345678901234572", "tb_alice", "80", "80", "卖家已发货，等待买家确认", "", "2026-11-03 20:00:00", "2026-11-03 20:01:00", "面膜", 1, 1, "SKU-C", ""],
        ["3412345678901234573", "tb_fay", "60", "60", "退款中", "", "2026-11-03 21:00:00", "2026-11-03 21:00:05", "面膜", 1, 1, "SKU-C", "0"],
    ], expected={
        "orders": [
            {"order_id": "3412345678901234567", "customer_id": "tb_alice", "created_at": ts("2026-11-01 10:00:00"),
             "paid_at": ts("2026-11-01 10:01:30"), "paid_amount": 189.0, "refund_amount": 0.0, "status": "completed"},
            {"order_id": "3412345678901234568", "customer_id": "tb_bob", "created_at": ts("2026-11-01 11:00:00"),
             "paid_at": None, "paid_amount": 0.0, "refund_amount": 0.0, "status": "pending_payment"},
            {"order_id": "3412345678901234569", "customer_id": "tb_carol", "created_at": ts("2026-11-02 09:00:00"),
             "paid_at": None, "paid_amount": 0.0, "refund_amount": 0.0, "status": "closed"},
            {"order_id": "3412345678901234570", "customer_id": "tb_dan", "created_at": ts("2026-11-02 12:00:00"),
             "paid_at": ts("2026-11-02 12:02:00"), "paid_amount": 300.0, "refund_amount": 300.0, "status": "closed"},
            {"order_id": "3412345678901234571", "customer_id": "tb_eve", "created_at": ts("2026-11-03 08:00:00"),
             "paid_at": ts("2026-11-03 08:00:10"), "paid_amount": 120.0, "refund_amount": 0.0, "status": "paid"},
            {"order_id": "3412345678901234572", "customer_id": "tb_alice", "created_at": ts("2026-11-03 20:00:00"),
             "paid_at": ts("2026-11-03 20:01:00"), "paid_amount": 80.0, "refund_amount": 0.0, "status": "shipped"},
            {"order_id": "3412345678901234573", "customer_id": "tb_fay", "created_at": ts("2026-11-03 21:00:00"),
             "paid_at": ts("2026-11-03 21:00:05"), "paid_amount": 60.0, "refund_amount": 0.0, "status": "refunding"},
        ],
        "order_items": [
            {"order_id": o, "sku_id": s, "quantity": q, "paid_amount": a}
            for o, s, q, a in [
                ("3412345678901234567", "SKU-A", 1, 189.0), ("3412345678901234568", "SKU-B", 1, 0.0),
                ("3412345678901234569", "SKU-C", 2, 0.0), ("3412345678901234570", "SKU-A", 2, 300.0),
                ("3412345678901234571", "SKU-B", 1, 120.0), ("3412345678901234572", "SKU-C", 1, 80.0),
                ("3412345678901234573", "SKU-C", 1, 60.0),
            ]
        ],
    }),
    # 直通车 plan report split by unit (.xlsx): the units of one plan and day are added up
    Case("alimama_ztc_ads", "ztc.xlsx", rows_read=3, rows=[
        ["日期", "计划名称", "推广单元", "展现量", "点击量", "点击率", "花费", "平均点击花费", "总成交金额", "总成交笔数", "投入产出比"],
        [dt.date(2026, 11, 1), "核心词-精华", "单元1", 10000, 300, Percent(0.03), "450.00", 1.5, "1,800.00", 9, 4.0],
        [dt.date(2026, 11, 1), "核心词-精华", "单元2", 5000, 100, Percent(0.02), "150.00", 1.5, "600.00", 3, 4.0],
        [dt.date(2026, 11, 2), "品牌词", "单元1", 2000, 80, Percent(0.04), "96.00", 1.2, "0", 0, 0],
    ], expected={"ads_daily": [
        {"date": d("2026-11-01"), "channel": "直通车", "campaign": "核心词-精华", "impressions": 15000, "clicks": 400,
         "spend": 600.0, "attributed_orders": 12, "attributed_amount": 2400.0},
        {"date": d("2026-11-02"), "channel": "直通车", "campaign": "品牌词", "impressions": 2000, "clicks": 80,
         "spend": 96.0, "attributed_orders": 0, "attributed_amount": 0.0},
    ]}),
    # 万相台 without a channel column: the mapping's constant
    Case("alimama_wanxiangtai_ads", "wxt.csv", rows_read=1, rows=[
        ["日期", "场景名称", "计划名称", "展现量", "点击量", "花费", "总成交金额", "总成交笔数"],
        ["2026-11-01", "货品加速", "货品加速-爆款", "20,000", "400", "800", "2000", "10"],
    ], expected={"ads_daily": [
        {"date": d("2026-11-01"), "channel": "万相台", "campaign": "货品加速-爆款", "impressions": 20000, "clicks": 400,
         "spend": 800.0, "attributed_orders": 10, "attributed_amount": 2000.0},
    ]}),
    # 引力魔方 as GB18030 with a channel column: the column wins
    Case("alimama_yinlimofang_ads", "ylmf.csv", encoding="gb18030", rows_read=1, rows=[
        ["日期", "推广渠道", "计划名称", "展现量", "点击量", "花费", "总成交金额", "总成交笔数"],
        ["2026-11-01", "引力魔方-人群", "人群拉新", "30000", "300", "600", "900", "5"],
    ], expected={"ads_daily": [
        {"date": d("2026-11-01"), "channel": "引力魔方-人群", "campaign": "人群拉新", "impressions": 30000, "clicks": 300,
         "spend": 600.0, "attributed_orders": 5, "attributed_amount": 900.0},
    ]}),
    # (no refund column: refund_amount NULL)
    Case("jd_shop_daily", "jd_overview.xlsx", platform="jd", rows_read=2, rows=[
        ["京东商智 经营概况"],
        ["日期", "访客数", "浏览量", "成交客户数", "成交单量", "成交商品件数", "成交金额", "成交转化率", "客单价", "加购人数",
         "关注商品人数", "下单客户数"],
        [dt.date(2026, 11, 1), 2000, 6000, 30, 32, 40, "15,600.00", Percent(0.015), 520, 150, 40, 45],
        [dt.date(2026, 11, 2), "1,800", 5400, 27, 27, 31, "12,000.00", Percent(0.015), 444.44, 130, 35, 40],
    ], expected={"shop_daily": [
        shop_day("2026-11-01", 2000, 6000, 15600.0, 30, 32, 40, 150, 40, 45, None),
        shop_day("2026-11-02", 1800, 5400, 12000.0, 27, 27, 31, 130, 35, 40, None),
    ]}),
    # JD order lines: the order's fields repeat on each line and are taken once; an item's amount is
    # unit price x quantity; an unpaid order has no GMV
    Case("jd_order_export", "jd_orders.xlsx", platform="jd", rows_read=4, rows=[
        ["订单号", "商品ID", "商品名称", "订购数量", "京东价", "订单金额", "应付金额", "订单状态", "下单时间", "付款确认时间",
         "下单帐号", "退款金额"],
        ["300001", "1001", "沙发", 2, 100, 250, 230, "完成", dt.datetime(2026, 11, 1, 9, 0), dt.datetime(2026, 11, 1, 9, 5), "jd_u1", 0],
        ["300001", "1002", "抱枕", 1, 50, 250, 230, "完成", dt.datetime(2026, 11, 1, 9, 0), dt.datetime(2026, 11, 1, 9, 5), "jd_u1", 0],
        ["300002", "1001", "沙发", 1, 100, 100, 100, "等待付款", dt.datetime(2026, 11, 2, 10, 0), None, "jd_u2", 0],
        ["300003", "1003", "床垫", 1, "1,999.00", 1999, "1,899.00", "等待确认收货", "2026-11-02 11:00:00", "2026-11-02 11:01:00", "jd_u3", "-"],
    ], expected={
        "orders": [
            {"order_id": "300001", "customer_id": "jd_u1", "created_at": ts("2026-11-01 09:00"), "paid_at": ts("2026-11-01 09:05"),
             "paid_amount": 230.0, "refund_amount": 0.0, "status": "completed"},
            {"order_id": "300002", "customer_id": "jd_u2", "created_at": ts("2026-11-02 10:00"), "paid_at": None,
             "paid_amount": 0.0, "refund_amount": 0.0, "status": "pending_payment"},
            {"order_id": "300003", "customer_id": "jd_u3", "created_at": ts("2026-11-02 11:00"), "paid_at": ts("2026-11-02 11:01"),
             "paid_amount": 1899.0, "refund_amount": 0.0, "status": "shipped"},
        ],
        "order_items": [
            {"order_id": "300001", "sku_id": "1001", "quantity": 2, "paid_amount": 200.0},
            {"order_id": "300001", "sku_id": "1002", "quantity": 1, "paid_amount": 50.0},
            {"order_id": "300002", "sku_id": "1001", "quantity": 1, "paid_amount": 0.0},
            {"order_id": "300003", "sku_id": "1003", "quantity": 1, "paid_amount": 1999.0},
        ],
    }),
    Case("doudian_shop_daily", "compass.csv", platform="douyin", rows_read=1, rows=[
        ["日期", "成交金额", "成交订单数", "成交人数", "成交件数", "商品访客数", "商品浏览量", "加购人数", "收藏人数",
         "下单人数", "退款金额", "成交转化率"],
        ["2026-11-01", "5,000.00", "50", "45", "60", "3000", "9000", "200", "80", "60", "300.00", "1.50%"],
    ], expected={"shop_daily": [shop_day("2026-11-01", 3000, 9000, 5000.0, 45, 50, 60, 200, 80, 60, 300.0)]}),
    # 抖店 sub-orders: amounts of one main order added up
    Case("doudian_order_export", "doudian_orders.csv", encoding="utf-8-sig", platform="douyin", rows_read=3, rows=[
        ["主订单编号", "子订单编号", "商品ID", "选购商品", "商品数量", "订单应付金额", "订单状态", "订单提交时间", "支付完成时间",
         "买家昵称", "退款金额"],
        ["6900000000000000001", "6900000000000000011", "3701", "外套", "1", "60.00", "已完成", "2026-11-01 20:00:00", "2026-11-01 20:00:30", "dy_a", "0"],
        ["6900000000000000001", "6900000000000000012", "3702", "裤子", "2", "40.00", "已完成", "2026-11-01 20:00:00", "2026-11-01 20:00:30", "dy_a", "0"],
        ["6900000000000000002", "6900000000000000021", "3701", "外套", "1", "60", "待支付", "2026-11-02 08:00:00", "", "dy_b", ""],
    ], expected={
        "orders": [
            {"order_id": "6900000000000000001", "customer_id": "dy_a", "created_at": ts("2026-11-01 20:00:00"),
             "paid_at": ts("2026-11-01 20:00:30"), "paid_amount": 100.0, "refund_amount": 0.0, "status": "completed"},
            {"order_id": "6900000000000000002", "customer_id": "dy_b", "created_at": ts("2026-11-02 08:00:00"),
             "paid_at": None, "paid_amount": 0.0, "refund_amount": 0.0, "status": "pending_payment"},
        ],
        "order_items": [
            {"order_id": "6900000000000000001", "sku_id": "3701", "quantity": 1, "paid_amount": 60.0},
            {"order_id": "6900000000000000001", "sku_id": "3702", "quantity": 2, "paid_amount": 40.0},
            {"order_id": "6900000000000000002", "sku_id": "3701", "quantity": 1, "paid_amount": 0.0},
        ],
    }),
    Case("qianchuan_ads", "qianchuan.xlsx", platform="douyin", rows_read=2, rows=[
        ["日期", "计划名称", "营销目标", "整体消耗", "展示次数", "点击次数", "整体成交订单数", "整体成交金额"],
        [dt.date(2026, 11, 1), "爆款外套-短视频", "商品推广", "1,200.50", 50000, 1000, 20, "2,400.00"],
        [dt.date(2026, 11, 1), "直播间成交", "直播带货", 800, 30000, 600, 15, "1,600"],
    ], expected={"ads_daily": [
        {"date": d("2026-11-01"), "channel": "巨量千川-商品推广", "campaign": "爆款外套-短视频", "impressions": 50000,
         "clicks": 1000, "spend": 1200.5, "attributed_orders": 20, "attributed_amount": 2400.0},
        {"date": d("2026-11-01"), "channel": "巨量千川-直播推广", "campaign": "直播间成交", "impressions": 30000,
         "clicks": 600, "spend": 800.0, "attributed_orders": 15, "attributed_amount": 1600.0},
    ]}),
]


def test_every_builtin_mapping_has_a_fixture():
    from test_appraisal_inputs import FIXTURE_SOURCES as TEAM_SOURCES  # the appraisal's inputs and HR exports
    from test_competitor_imports import FIXTURE_SOURCES  # competitor tables and the tracking template
    from test_promotion_mappings import CASES as PROMOTION_CASES  # promo_skus, price_history, coupons

    assert {c.source for c in [*CASES, *PROMOTION_CASES]} | FIXTURE_SOURCES | TEAM_SOURCES == set(load_mappings())


def test_fixtures_cover_every_format_and_encoding():
    kinds = {(c.file.rsplit(".", 1)[1], c.encoding if c.file.endswith(".csv") else None) for c in CASES}
    assert {("xlsx", None), ("xls", None), ("csv", "utf-8"), ("csv", "utf-8-sig"), ("csv", "gb18030")} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_export_becomes_the_canonical_rows(tmp_path, case):
    path = write(tmp_path / case.file, case.rows, sheet=case.sheet, encoding=case.encoding)
    warehouse = tmp_path / "w.duckdb"
    [report] = import_files(warehouse, "shop1", case.source, [path], platform=case.platform)
    assert report.rows_read == case.rows_read
    for table, expected in case.expected.items():
        got = rows_of(warehouse, table, "shop1", list(expected[0]))
        assert got == expected, table
        change = next(t for t in report.tables if t.table == table)
        assert (change.rows, change.inserted, change.updated, change.skipped) == (len(expected), len(expected), 0, 0)
    shop = rows_of(warehouse, "shops")
    assert shop == [{"shop_id": "shop1", "name": "shop1", "platform": case.platform, "category": "unknown", "currency": "CNY"}]


def test_date_range_of_a_file(tmp_path):
    case = CASES[0]
    path = write(tmp_path / case.file, case.rows, sheet=case.sheet)
    [report] = import_files(tmp_path / "w.duckdb", "shop1", case.source, [path])
    assert report.date_range == (d("2026-11-01"), d("2026-11-03"))
    assert report.sheets == ("店铺整体",)


def test_a_shop_overview_without_optional_indicators_stores_null_not_zero(tmp_path):
    # 生意参谋 overview exported without 收藏, 下单买家数, 父/子订单数, 加购, 浏览量, 件数 and refunds
    path = write(tmp_path / "slim.csv", [["统计日期", "访客数", "支付金额", "支付买家数"], ["2026-11-01", "1,000", "5,000", 20]])
    warehouse = tmp_path / "w.duckdb"
    import_files(warehouse, "0901", "sycm_shop_daily", [path])
    assert rows_of(warehouse, "shop_daily", "0901") == [{
        "shop_id": "0901", "date": d("2026-11-01"), "uv": 1000, "pv": None, "cart_users": None, "fav_users": None,
        "order_buyers": None, "paid_buyers": 20, "paid_orders": None, "units": None, "paid_amount": 5000.0,
        "refund_amount": None,
    }]
    # a later full export fills them; the slim one again leaves them as they are
    full = write(tmp_path / "full.csv", [["统计日期", "访客数", "支付金额", "支付买家数", "商品收藏买家数", "下单买家数"],
                                         ["2026-11-01", 1000, 5000, 20, 7, "-"]])
    import_files(warehouse, "0901", "sycm_shop_daily", [full])
    import_files(warehouse, "0901", "sycm_shop_daily", [path])
    # "-" in a column the export has is 0
    assert rows_of(warehouse, "shop_daily", "0901", ["fav_users", "order_buyers", "cart_users"]) == [
        {"fav_users": 7, "order_buyers": 0, "cart_users": None}]
