"""numbers.py: one formatter for every number (Babel digits, house rules, one minus sign)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from opsreport.viz import numbers
from opsreport.viz.numbers import (
    MINUS,
    axis_label,
    compact,
    currency_symbol,
    format_change,
    format_date,
    format_money,
    format_value,
    money_decimals,
)


def test_values_by_unit_read_as_the_reports_always_printed_them():
    assert format_value(1_234_567.4, "yuan") == "¥1,234,567"
    assert format_value(1234, "yuan") == "¥1,234"
    assert format_value(12.5, "yuan") == "¥12.50"  # cents below ¥100
    assert format_value(99.994, "yuan") == "¥99.99"
    assert format_value(1234, "count") == "1,234"
    assert format_value(0.0345, "rate") == "3.45%"
    assert format_value(3.456, "ratio") == "3.46"
    assert format_value(12.345, "seconds") == "12.3 s"
    assert format_value(1.55, "days") == "1.6"
    assert format_value(float("nan"), "yuan") == format_value(None, "rate") == format_value(pd.NA, "count") == "–"
    with pytest.raises(ValueError, match="unknown unit"):
        format_value(1, "euro")


def test_changes_pp_for_rates_percent_otherwise_no_signed_zero():
    assert format_change(0.0123, "rate") == "+1.23 pp"
    assert format_change(-0.0123, "rate") == "−1.23 pp"
    assert format_change(0.045, "yuan") == "+4.5%"
    assert format_change(-0.045, "count") == "−4.5%"
    assert format_change(-0.00001, "rate") == "0.00 pp"
    assert format_change(-0.0004, "yuan") == format_change(0.0004, "yuan") == "0.0%"
    assert format_change(25.5069, "yuan") == "+2550.7%"  # no thousands separator, as before
    assert format_change(float("nan"), "rate") == "–"


def test_negative_numbers_use_u2212_everywhere():
    texts = [
        format_value(-1234, "yuan"), format_value(-12.5, "yuan"), format_value(-1234, "count"),
        format_value(-0.0345, "rate"), format_value(-1.5, "ratio"), format_value(-3.2, "seconds"),
        format_change(-0.045, "yuan"), format_change(-0.0123, "rate"),
        compact(-214_300, "yuan", "en"), compact(-214_300, "yuan", "zh"), compact(-0.12, "rate", "zh"),
        axis_label(-0.1, "pct_change", "en"), axis_label(-200_000, "yuan", "zh"),
    ]
    assert texts == ["−¥1,234", "−¥12.50", "−1,234", "−3.45%", "−1.50", "−3.2 s", "−4.5%", "−1.23 pp",
                     "−¥214K", "−¥21.4万", "−12.0%", "−10%", "−¥20万"]
    assert not any("-" in text for text in texts)
    assert all(text.startswith(MINUS) for text in texts)


def test_compact_uses_babel_short_forms_with_three_significant_digits():
    # zh: 万 (10^4) and 亿 (10^8); the 万 count may have four digits (1235万)
    assert compact(12_345_678, "count", "zh") == "1235万"
    assert compact(1_152_300, "yuan", "zh") == "¥115万"
    assert compact(86_400, "yuan", "zh") == "¥8.64万"
    assert compact(1.5e8, "yuan", "zh") == "¥1.5亿"
    assert compact(9_500, "count", "zh") == "9,500"  # below 万: written out
    # en: K, M, B
    assert compact(12_345_678, "count", "en") == "12.3M"
    assert compact(1_152_300, "yuan", "en") == "¥1.15M"
    assert compact(86_400, "yuan", "en", signed=True) == "+¥86.4K"
    assert compact(999_950, "count", "en") == "1M"  # rounds up to the next step, not "1000K"
    assert compact(950, "count", "en") == "950"
    assert compact(12.345, "count", "en") == "12.3"
    assert compact(0, "yuan", "en") == "¥0"
    # the other units keep their full forms
    assert compact(0.0345, "rate", "zh") == "3.45%" and compact(0.312, "rate", "en") == "31.2%"
    assert compact(2.5, "ratio", "en") == "2.50"
    assert compact(0.045, "pct_change", "zh") == "+4.5%" and compact(0.0123, "pp_change", "zh") == "+1.23 pp"
    assert compact(float("nan"), "yuan", "zh") == "–"


def test_axis_labels_drop_trailing_zeros():
    assert axis_label(0.025, "rate", "zh") == "2.5%"
    assert axis_label(0.02, "rate", "en") == "2%"
    assert axis_label(500_000, "yuan", "zh") == "¥50万"
    assert axis_label(1_200_000, "yuan", "en") == "¥1.2M"
    assert axis_label(0.1, "pct_change", "en") == "+10%"


def test_currency_by_iso_code():
    assert currency_symbol("CNY", "en") == currency_symbol("CNY", "zh") == "¥"  # not "CN¥"
    assert format_money(1234, "en", currency="USD") == "$1,234"
    assert format_money(1234, "zh", currency="USD") == "US$1,234"
    assert format_money(-12.5, "en", currency="EUR") == "−€12.50"
    assert format_money(12.5, "en", currency="JPY") == "¥12"  # yen has no minor unit
    assert format_value(1234, "yuan", "en", currency="HKD") == "HK$1,234"
    assert compact(1_152_300, "yuan", "en", currency="USD") == "$1.15M"


def test_money_decimals_give_one_precision_per_column():
    assert money_decimals([1234.0, 56_789.5]) == 0
    assert money_decimals([1234.0, 12.5, None, float("nan")]) == 2
    assert money_decimals([0.0, 1234.0]) == 0  # zero is not a small amount
    assert format_money(1234, decimals=2) == "¥1,234.00" and format_money(12.5, decimals=0) == "¥12"


def test_numpy_and_python_numbers_alike():
    assert format_value(np.int64(1234), "count") == format_value(1234.0, "count") == "1,234"
    assert format_value(np.float32(0.5), "rate") == "50.00%"
    assert numbers.format_number(math.inf) == "∞"


def test_dates_iso_in_tables_short_on_axes():
    day = dt.date(2026, 9, 28)
    assert format_date(day, "zh") == format_date(pd.Timestamp(day), "en") == "2026-09-28"
    assert format_date(day, "zh", short=True) == "9/28"
    assert format_date(day, "en", short=True) == "28 Sep"


def test_importing_the_formatter_does_not_import_the_metric_registry():
    """metrics/registry.py may import the formatter at module level without an import cycle."""
    import subprocess
    import sys

    code = "import sys, opsreport.viz.numbers; print('opsreport.metrics.registry' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
