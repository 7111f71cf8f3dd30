import pytest

from opsreport.errors import ParamsError
from opsreport.metrics import registry
from opsreport.metrics.registry import MetricError, UnknownMetricError, format_change, format_value, metric, metrics


def test_changes_are_signed_and_never_show_a_negative_zero():
    assert format_change(0.0123, "rate") == "+1.23 pp"
    assert format_change(-0.00001, "rate") == "0.00 pp"
    assert format_change(0.045, "yuan") == "+4.5%"
    assert format_change(-0.0004, "yuan") == "0.0%"
    assert format_change(float("nan"), "rate") == "–"


def test_values_by_unit():
    assert format_value(1234567.4, "yuan") == "¥1,234,567"
    assert format_value(0.0345, "rate") == "3.45%"
    assert format_value(12.345, "seconds") == "12.3 s"
    assert metric("refund_rate").judge(0.01) == "bad" and metric("gmv").judge(0.01) == "good"


# key: (unit, higher_is_better) as the reports have always shown them
PINNED = {
    "uv": ("count", True), "pv": ("count", True), "gmv": ("yuan", True), "refund_amount": ("yuan", False),
    "net_gmv": ("yuan", True), "paid_buyers": ("count", True), "paid_orders": ("count", True),
    "units": ("count", True), "conversion_rate": ("rate", True), "aov": ("yuan", True),
    "unit_price": ("yuan", None), "cart_rate": ("rate", True), "refund_rate": ("rate", False),
    "ad_spend": ("yuan", None), "roi": ("ratio", True), "ctr": ("rate", True), "cpc": ("yuan", False),
    "cpm": ("yuan", False), "new_buyer_share": ("rate", True), "new_customer_sales_share": ("rate", True),
    "repurchase_rate": ("rate", True), "dormant_share": ("rate", False), "days_of_cover": ("days", None),
    "sell_through": ("rate", True), "active_sku_rate": ("rate", True), "fav_cart_rate": ("rate", True),
    "first_response_s": ("seconds", False), "reply_30s_rate": ("rate", True), "inquiry_conversion": ("rate", True),
    "good_review_rate": ("rate", True), "complaint_rate": ("rate", False),
}


def test_every_metric_keeps_its_key_unit_and_direction():
    assert {k: (m.unit, m.higher_is_better) for k, m in metrics().items()} == PINNED
    assert (metric("uv").zh, metric("uv").en) == ("日均访客数", "Avg daily UV")
    assert (metric("roi").zh, metric("conversion_rate").en) == ("投产比 ROI", "Conversion")


def test_every_rate_and_ratio_metric_declares_numerator_and_denominator():
    for m in metrics().values():
        if m.unit in ("rate", "ratio"):
            assert m.kind == "ratio" and m.numerator and m.denominator, m.key
    # and the per-visitor / per-buyer ones in other units
    for key in ("uv", "aov", "unit_price", "cpc", "cpm", "first_response_s", "days_of_cover"):
        assert metric(key).kind == "ratio", key


def test_forms_name_declared_parts():
    assert metric("conversion_rate").parts == ("buyer_days", "uv_sum")
    assert metric("uv").numerator == ("uv_sum",) and metric("uv").denominator == ("days",)
    assert metric("cpm").scale == 1000
    assert metric("net_gmv").difference == ("gmv", "refund_amount")
    assert metric("ad_spend").part == "spend"
    assert metric("fav_cart_rate").numerator == ("fav_users", "cart_users")
    assert registry.parts()["paid_buyers"].kind == "distinct"  # recomputed at each grain, never summed
    assert registry.parts()["gmv"].additive


def test_definitions_fill_parameters_with_the_reports_values():
    dormant = metric("dormant_share")
    assert "90 days" in dormant.description("en")  # the report's default, no longer a stale "180"
    assert "沉睡阈值（90天）" in dormant.description("zh")
    assert "(120 days)" in dormant.description("en", {"dormant_days": 120})

    class Params:  # a report's parameters model: attributes
        dormant_days = 30
        rfm_lookback_days = 180

    assert "RFM look-back (180 days)" in dormant.description("en", Params())
    assert "≥8%" in metric("fav_cart_rate").description("zh")
    assert "{" not in "".join(m.description(lang) for m in metrics().values() for lang in ("zh", "en"))


def test_registry_parameter_defaults_are_the_weekly_reviews():
    from opsreport.params import model_for

    fields = model_for("weekly_review").model_fields
    shared = {name: value for name, value in registry.parameters().items() if name in fields}
    assert {"dormant_days", "repurchase_window_days", "rfm_lookback_days"} <= set(shared)
    assert shared == {name: fields[name].default for name in shared}


def test_definitions_table_lists_the_metrics_asked_for_in_order():
    table = registry.definitions(["roi", "dormant_share"], lang="en", params={"dormant_days": 60})
    assert list(table.key) == ["roi", "dormant_share"]
    assert list(table.columns) == ["key", "label", "unit", "definition", "formula"]
    assert "(60 days)" in table.definition.iloc[1]


def test_unknown_metric_suggests_the_closest_key():
    with pytest.raises(UnknownMetricError, match="did you mean 'conversion_rate'") as info:
        metric("conversion")
    assert isinstance(info.value, KeyError) and isinstance(info.value, MetricError)
    assert isinstance(info.value, ParamsError)  # the CLI and notebooks print it as a user error
    assert registry.closest_metric("转化率") == "conversion_rate"  # labels match too
    assert registry.closest_metric("客单") == "aov"


def test_a_placeholder_without_a_declared_parameter_is_refused():
    with pytest.raises(ValueError, match="not declared"):
        registry.fill("older than {sleep_days} days")
