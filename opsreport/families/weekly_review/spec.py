"""The weekly review's registry entry: one shop, one ISO week."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..spec import FamilySpec, Resolved, every_shop, lazy
from .params import WeeklyReviewParams

if TYPE_CHECKING:  # the registry is read by `opsreport params` too: no warehouse libraries at import
    from ...warehouse.connection import Warehouse


def resolve(wh: Warehouse, params: WeeklyReviewParams) -> Resolved:
    from ...analyses.calendar import days_with_data, resolve_week
    from ...views.title import shop_title_block

    shop = wh.shop(params.shop_id)
    week = resolve_week(wh, params.shop_id, params.week, allow_partial=params.allow_partial)
    days = len(days_with_data(wh, params.shop_id, week))
    partial = days if days < week.days else None
    title = shop_title_block("weekly_review", shop, week, params.lang, params.timezone, partial_days=partial)
    return Resolved(key=params.shop_id, period=week.label, title=title, updates={"week": week.label})


def demo_shops() -> list[dict]:
    from ...warehouse import demo

    return [{"shop_id": shop.shop_id} for shop in demo.DEMO_SHOPS]


SPEC = FamilySpec(
    name="weekly_review",
    params_model=WeeklyReviewParams,
    resolve=resolve,
    analysis=lazy(f"{__package__}.analysis", "run"),
    view=lazy(f"{__package__}.view", "WeeklyReviewView"),
    fan_out=every_shop,
    fan_out_label="shop",
    demo_params=("demo.yaml",),
    demo_keys=demo_shops,
)
