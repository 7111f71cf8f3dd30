"""Customer service: response time, 30-second reply rate, inquiry conversion, reviews, complaints.

First response is the consultation-weighted average; the complaint rate is per paid order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from ibis import _

from ..metrics import formulas, queries
from ..metrics.registry import metric
from ..periods import Period
from ..warehouse.connection import Warehouse

SERVICE_KPIS = ("first_response_s", "reply_30s_rate", "inquiry_conversion", "good_review_rate", "complaint_rate")


def service(wh: Warehouse, shop_id: str, current: Period, previous: Period, paid_orders: dict[str, float]) -> pd.DataFrame:
    """One row per service KPI: this week, last week, the change and its judgement.
    ``paid_orders``: the shop's paid orders of 'this_week' and 'last_week' (complaint rate)."""
    periods = {"this_week": current, "last_week": previous}
    measures = {c: c for c in formulas.SERVICE_PARTS if c != "response_s_weighted"}
    measures["response_s_weighted"] = _.first_response_s * _.consultations
    long = queries.sums_by_period(wh, "service_daily", shop_id, periods, [], measures).set_index("period")
    values = {
        label: formulas.service_kpis(long.loc[label], paid_orders.get(label, np.nan)) if label in long.index else {}
        for label in periods
    }
    rows = []
    for key in SERVICE_KPIS:
        m = metric(key)
        now, before = values["this_week"].get(key, np.nan), values["last_week"].get(key, np.nan)
        change = m.change(now, before)
        rows.append({"metric": key, "unit": m.unit, "this_week": now, "last_week": before, "wow": change, "wow_judge": m.judge(change)})
    return pd.DataFrame(rows)
