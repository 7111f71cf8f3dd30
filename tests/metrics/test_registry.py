from opsreport.metrics.registry import format_change, format_value, metric


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
