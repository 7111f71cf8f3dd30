"""Promotions: D-days, year-on-year alignment on the event day, and the previous promotion."""

import datetime as dt

from opsreport.analyses.promotions import Promotion, previous, same_event_last_year

D = dt.date
D11_2025 = Promotion("a", "2025双11", D(2025, 10, 20), D(2025, 11, 13), "double11")
D11_2026 = Promotion("b", "2026双11", D(2026, 10, 24), D(2026, 11, 12), "double11")
D12_2025 = Promotion("c", "2025双12", D(2025, 12, 10), D(2025, 12, 12), "double12")
SHOP_2026 = Promotion("d", "周年庆", D(2026, 9, 16), D(2026, 9, 20), "shop_event")
SHOP_2025 = Promotion("e", "周年庆", D(2025, 9, 14), D(2025, 9, 18), "shop_event")
ALL = [SHOP_2025, D11_2025, D12_2025, SHOP_2026, D11_2026]


def test_event_day_is_the_festival_day_or_the_last_day():
    assert D11_2026.event_day == D(2026, 11, 11)  # Double 11, though the promotion runs to 11-12
    assert SHOP_2026.event_day == D(2026, 9, 20)  # the shop's own event: its last day
    assert Promotion("x", "x", D(2026, 11, 1), D(2026, 11, 5), "double11").event_day == D(2026, 11, 5)  # 11-11 outside


def test_year_on_year_aligns_on_the_event_day_not_the_calendar():
    assert same_event_last_year(ALL, D11_2026) is D11_2025
    # D-3 this year (11-08) faces D-3 last year (11-08); 10-24 is D-18 this year and 10-24 is D-18 last year too,
    # but the first day of each promotion differs: 2026 starts at D-18, 2025 at D-22
    assert D11_2026.offset(D(2026, 11, 8)) == D11_2025.offset(D(2025, 11, 8)) == -3
    assert D11_2026.offset(D11_2026.start) == -18 and D11_2025.offset(D11_2025.start) == -22
    assert same_event_last_year(ALL, SHOP_2026) is SHOP_2025  # 09-20 vs 09-18: 367 days
    assert same_event_last_year(ALL, D12_2025) is None  # no Double 12 a year before


def test_previous_promotion_is_the_last_one_ended_before_the_start():
    assert previous(ALL, D11_2026) is SHOP_2026
    assert previous(ALL, SHOP_2025) is None
