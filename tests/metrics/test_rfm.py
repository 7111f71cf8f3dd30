"""RFM scores recent buyers HIGH (the classic bug scores raw days, making the oldest buyer 'best')."""

import datetime as dt

import ibis
import pandas as pd

from opsreport.metrics.queries import rfm_snapshot

T = dt.date(2026, 11, 22)


def orders(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "paid_at", "paid_amount"])
    frame["paid_at"] = pd.to_datetime(frame.paid_at)
    return ibis.memtable(frame)


def test_segments_and_dormancy_by_hand():
    o = orders([
        ("X", "2026-11-21 12:00", 100.0), ("X", "2026-10-01 12:00", 100.0), ("X", "2026-09-01 12:00", 100.0),
        ("Y", "2026-11-12 12:00", 50.0),
        ("Z", "2026-05-06 12:00", 500.0),
        ("old", "2025-01-01 12:00", 999.0),  # outside the 365-day base
    ])
    snap = rfm_snapshot(o, T, lookback_days=365, dormant_days=90).execute().set_index("customer_id")
    assert set(snap.index) == {"X", "Y", "Z"}
    # recency at the end of 11-22: X 1.5 days, Y 10.5, Z 200.5; mean 70.8 -> X and Y are recent (R high)
    assert snap.loc["X", "recency_days"] == 1.5 and snap.loc["Z", "recency_days"] == 200.5
    assert snap.r_high.to_dict() == {"X": True, "Y": True, "Z": False}
    # F mean 5/3: only X is frequent; M mean 850/3 = 283.3: X (300) and Z (500) spend much
    assert snap.segment.to_dict() == {"X": "important_value", "Y": "general_develop", "Z": "important_retain"}
    assert snap.dormant.to_dict() == {"X": False, "Y": False, "Z": True}  # Z unseen for over 90 days
