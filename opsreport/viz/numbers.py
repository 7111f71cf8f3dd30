"""Numbers as the reports print them, in zh and en, with Babel (CLDR) doing the digits.

One formatter for every place a number is shown: tables, charts (values and tick labels),
narrative sentences, KPI cards, and the metric registry's ``format_value``/``format_change``.
The house rules on top of CLDR:

- Money: the currency symbol before the number; whole units from 100 up (¥1,234), cents
  below (¥12.50). CNY is written "¥" in both languages (CLDR's narrow symbol; its standard
  English symbol "CN¥" is not what a Chinese shop writes); other ISO codes take Babel's symbol
  for the language (USD: "US$" in zh, "$" in en).
- Rates: two decimals (3.45%). Changes: "+1.23 pp" for a rate (a difference of fractions),
  "+4.5%" for anything else (a relative change); a change that rounds to zero is unsigned.
- ONE minus sign: U+2212 "−" before every negative number and change, never "-" (which may
  break a line after it and reads as a hyphen); "+" only on changes and ``signed`` values.
- Compact (charts): CLDR short forms, 3 significant digits: zh 1,152,300 → "115万",
  12,345,678 → "1235万", 1.5e8 → "1.5亿"; en → "1.15M", "12.3M", "86.4K". Below the first
  step the number is written out (zh "9500", en "950").

Nothing here imports matplotlib, pandas or the metric registry (only Babel and the catalogue of
per-language settings, ``catalogue.yaml``), so any layer, the registry included, can import it.

Examples
--------
>>> format_value(1234.4, "yuan"), format_value(12.5, "yuan"), format_value(0.0345, "rate")
('¥1,234', '¥12.50', '3.45%')
>>> format_change(0.0123, "rate"), format_change(-0.045, "count")
('+1.23 pp', '−4.5%')
>>> compact(1_152_300, "yuan", "zh"), compact(-214_300, "yuan", "en", signed=True)
('¥115万', '−¥214K')
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from opsreport.viz.catalogue import catalogue

__all__ = [
    "DASH",
    "LOCALES",
    "MINUS",
    "UNITS",
    "axis_label",
    "compact",
    "currency_symbol",
    "format_change",
    "format_date",
    "format_money",
    "format_number",
    "format_percent",
    "format_value",
    "missing",
    "money_decimals",
    "signed",
]

#: Units the formatters know (the metric registry's units).
UNITS = ("yuan", "count", "rate", "ratio", "seconds", "days")
#: Babel locale of each report language (catalogue.yaml: zh → zh_CN, en → en_US).
LOCALES: dict[str, str] = dict(catalogue()["locale"])
#: The minus sign of every negative number: U+2212 MINUS SIGN.
MINUS = "\u2212"
#: What a missing value shows (an en dash).
DASH = "–"
#: Currency symbols that differ from Babel's standard symbol for the language.
SYMBOLS = {"CNY": "¥"}
#: Money below this (in absolute value) shows cents; from it up, whole units.
CENTS_BELOW = 100

_NONZERO = re.compile(r"[1-9]")
_PLAIN = re.compile(r"[\d,.]+")
#: Short dates on chart axes (CLDR patterns, catalogue.yaml): zh "11/16", en "16 Nov".
_SHORT_DATES: dict[str, str] = dict(catalogue()["short_date"])


def missing(value) -> bool:
    """True for None, NaN, pandas NA/NaT (anything that is not a number to print)."""
    if value is None:
        return True
    try:
        return bool(value != value) or bool(math.isnan(value))  # NaN, pd.NA (raises), NaT
    except (TypeError, ValueError):
        return type(value).__name__ in ("NAType", "NaTType")


def locale(lang: str) -> str:
    """The Babel locale of ``lang`` ("zh" → zh_CN, "en" → en_US); a full locale passes through."""
    return LOCALES.get(lang, lang)


def currency_symbol(currency: str = "CNY", lang: str = "zh") -> str:
    """The symbol written before amounts in ``currency`` (ISO 4217) in ``lang``."""
    code = currency.upper()
    if code in SYMBOLS:
        return SYMBOLS[code]
    return babel_numbers.get_currency_symbol(code, locale=locale(lang))


def signed(text: str, value: float, *, plus: bool = False) -> str:
    """``text`` (the formatted absolute value) with the sign of ``value``: "−" when negative,
    "+" when positive and ``plus``; no sign when ``text`` shows zero (no "−0.0%")."""
    if not _NONZERO.search(text):
        return text
    if value < 0:
        return MINUS + text
    return "+" + text if plus and value > 0 else text


def _pattern(decimals: int, grouping: bool = True) -> str:
    return ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals > 0 else "")


def _abs(value) -> Decimal:
    """|value| as the exact Decimal of the float: Babel then rounds half-even on the exact
    binary value, which is what Python's ``format`` does (so "3.45%" stays "3.45%")."""
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return abs(Decimal(int(value)))
    return abs(Decimal(float(value)))


def format_number(value, decimals: int = 0, lang: str = "zh", *, plus: bool = False,
                  grouping: bool = True) -> str:
    """``value`` with thousands separators and ``decimals`` decimals: 1,234 / −1,234.50."""
    if missing(value):
        return DASH
    if math.isinf(value):
        return signed("∞", value, plus=plus)
    text = babel_numbers.format_decimal(_abs(value), format=_pattern(decimals, grouping), locale=locale(lang))
    return signed(text, value, plus=plus)


def format_percent(value, decimals: int = 2, lang: str = "zh", *, plus: bool = False) -> str:
    """A fraction as a percentage: 0.0345 → "3.45%", −0.045 (1 decimal) → "−4.5%" (no
    thousands separator: "+2550.7%", as the reports have always printed it)."""
    if missing(value):
        return DASH
    if math.isinf(value):
        return signed("∞%", value, plus=plus)
    # ×100 in floating point, then rounded, exactly as Python's "{:.2%}" did before Babel
    text = babel_numbers.format_decimal(_abs(float(value) * 100), format=_pattern(decimals, False),
                                        locale=locale(lang))
    return signed(text + "%", value, plus=plus)


def money_decimals(values) -> int:
    """Decimals that show every amount of ``values`` the same way: 2 when any non-zero amount
    is under ¥100 (in absolute value), else 0. Use it for one table column (or KPI row)."""
    small = [abs(v) for v in values if not missing(v) and v != 0 and abs(v) < CENTS_BELOW]
    return 2 if small else 0


def format_money(value, lang: str = "zh", *, currency: str = "CNY", decimals: int | None = None,
                 plus: bool = False) -> str:
    """An amount of money: "¥1,234" from 100 up, "¥12.50" below; −¥1,234 when negative.

    Parameters
    ----------
    value : float
    lang : {"zh", "en"}
    currency : str
        ISO 4217 code; "CNY" (default) is written "¥".
    decimals : int, optional
        Force the decimals (e.g. from ``money_decimals`` for a whole column); by default
        0 from 100 up and the currency's minor digits (2 for CNY) below.
    plus : bool
        Write "+" before a positive amount (a contribution, a change in yuan).
    """
    if missing(value):
        return DASH
    if decimals is None:
        decimals = 0 if abs(value) >= CENTS_BELOW else babel_numbers.get_currency_precision(currency.upper())
    symbol = currency_symbol(currency, lang).replace("'", "''")
    text = babel_numbers.format_currency(
        _abs(value), currency.upper(), format=f"'{symbol}'{_pattern(decimals)}", locale=locale(lang),
        currency_digits=False,
    )
    return signed(text, value, plus=plus)


def format_value(value, unit: str, lang: str = "zh", *, currency: str = "CNY",
                 decimals: int | None = None) -> str:
    """One value in the full format of its unit (tables, sentences, KPI cards).

    ============  ==================  ===========================================
    unit          example             rule
    ============  ==================  ===========================================
    ``yuan``      ¥1,234 / ¥12.50     money in ``currency``; cents below 100
    ``count``     1,234               whole number
    ``rate``      3.45%               fraction as a percentage, 2 decimals
    ``ratio``     3.46                2 decimals (ROI)
    ``seconds``   12.3 s              1 decimal and " s"
    ``days``      1.5                 1 decimal
    ============  ==================  ===========================================

    ``decimals`` overrides the decimals of ``yuan`` (and of ``count``/``ratio``/``seconds``/
    ``days``); missing values give "–"; negatives take "−" (U+2212).
    """
    if missing(value):
        return DASH
    if unit == "yuan":
        return format_money(value, lang, currency=currency, decimals=decimals)
    if unit == "count":
        return format_number(value, 0 if decimals is None else decimals, lang)
    if unit == "rate":
        return format_percent(value, 2 if decimals is None else decimals, lang)
    if unit == "ratio":
        return format_number(value, 2 if decimals is None else decimals, lang)
    if unit == "seconds":
        return format_number(value, 1 if decimals is None else decimals, lang) + " s"
    if unit == "days":
        return format_number(value, 1 if decimals is None else decimals, lang)
    raise ValueError(f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")


def format_change(value, unit: str, lang: str = "zh") -> str:
    """The change of a metric of ``unit``: "+1.23 pp" for a rate (``value`` is the difference
    of the two fractions), "+4.5%" otherwise (``value`` is the relative change); "0.00 pp" /
    "0.0%" when it rounds to zero; "–" when missing."""
    if missing(value):
        return DASH
    if unit == "rate":
        return format_number(value * 100, 2, lang, plus=True, grouping=False) + " pp"
    return format_percent(value, 1, lang, plus=True)


def _compact_abs(value: float, lang: str, digits: int = 3) -> str:
    """|value| in CLDR's short form with ``digits`` significant digits, trailing zeros dropped.

    Below the first short form (en 1,000, zh 10,000) the number is written out: whole from 100
    up with thousands separators (950, 9,500), else ``digits`` significant digits (12.3, 0.5).
    """
    v = abs(float(value))
    loc = locale(lang)
    whole = babel_numbers.format_compact_decimal(v, locale=loc, fraction_digits=0)
    if _PLAIN.fullmatch(whole):  # no short form applies
        if v >= 100 or v == 0:
            return format_number(v, 0, lang)
        return _trim(format_number(v, max(digits - 1 - math.floor(math.log10(v)), 0), lang))
    if _int_digits(whole) >= digits:
        return whole  # 214K, 115万, 1235万 (zh counts up to 9999万)
    # round to ``digits`` significant digits first, so 999,950 gives "1M", not "999.95K"
    rounded = float(f"{v:.{digits}g}")
    whole = babel_numbers.format_compact_decimal(rounded, locale=loc, fraction_digits=0)
    fraction = max(digits - _int_digits(whole), 0)
    return babel_numbers.format_compact_decimal(rounded, locale=loc, fraction_digits=fraction)


def _int_digits(text: str) -> int:
    return len(re.sub(r"\D", "", text.split(".")[0]))


def compact(value, unit: str, lang: str = "zh", *, signed: bool = False, currency: str = "CNY") -> str:
    """Short form for charts: ¥115万 / ¥1.15M, 12.3万 / 123K, 3.45% (31.2% from 10% up),
    ratios 2.50; changes ("pct_change", "pp_change") as ``format_change``. ``signed`` adds
    "+" to positive values; negatives always take "−"."""
    if missing(value):
        return DASH
    plus = signed
    if unit == "pct_change":
        return format_change(value, "count", lang)
    if unit == "pp_change":
        return format_change(value, "rate", lang)
    if unit == "yuan":
        text = currency_symbol(currency, lang) + _compact_abs(value, lang)
        return _sign(text, value, plus)
    if unit in ("count", "int"):
        return _sign(_compact_abs(value, lang), value, plus)
    if unit == "rate":  # 1 decimal from 10% up (31.2%), 2 below (3.45%)
        return format_percent(value, 1 if abs(value) >= 0.1 else 2, lang, plus=plus)
    if unit == "ratio":
        return format_number(value, 2, lang, plus=plus)
    if unit == "seconds":
        return format_number(value, 1, lang, plus=plus) + " s"
    if unit == "days":
        return format_number(value, 1, lang, plus=plus)
    raise ValueError(f"unknown unit {unit!r}")


def _sign(text: str, value: float, plus: bool) -> str:
    return signed(text, value, plus=plus)


def axis_label(value, unit: str, lang: str = "zh", *, currency: str = "CNY") -> str:
    """A tick label: as ``compact`` with trailing zeros dropped (2%, 2.5%, ¥50万, −10%)."""
    if missing(value):
        return ""
    if unit == "rate":
        return _trim_percent(format_percent(value, 2, lang))
    if unit == "pct_change":
        return _trim_percent(format_percent(value, 1, lang, plus=True))
    if unit == "pp_change":
        return _trim(format_number(value * 100, 2, lang, plus=True)) + " pp"
    return compact(value, unit, lang, currency=currency)


def _trim(text: str) -> str:
    if "." not in text:
        return text
    return text.rstrip("0").rstrip(".")


def _trim_percent(text: str) -> str:
    return _trim(text[:-1]) + "%" if text.endswith("%") else text


def format_date(value, lang: str = "zh", *, short: bool = False) -> str:
    """A date: "2026-11-16" (ISO, both languages); ``short`` for axes: zh "11/16", en "16 Nov"."""
    if missing(value):
        return DASH
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if not isinstance(value, (dt.date, dt.datetime)):
        return str(value)
    if not short:
        return value.strftime("%Y-%m-%d")
    return babel_dates.format_date(value, _SHORT_DATES.get(lang, "d MMM"), locale=locale(lang))


class Numbers:
    """The number formats of one report: its language and its shop's currency.

    >>> Numbers("en", "GBP").value(1234.5, "yuan")
    '£1,234'
    """

    def __init__(self, lang: str = "zh", currency: str = "CNY"):
        self.lang = lang
        self.currency = currency or "CNY"

    def value(self, value, unit: str) -> str:
        return format_value(value, unit, self.lang, currency=self.currency)

    def change(self, value, unit: str) -> str:
        return format_change(value, unit, self.lang)

    def money(self, value, *, plus: bool = False) -> str:
        return format_money(value, self.lang, currency=self.currency, plus=plus)
