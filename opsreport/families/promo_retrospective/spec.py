"""The promotion retrospective's registry entry: one shop, one promotion that has ended."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..spec import FamilySpec, Resolved, every_shop, lazy
from .params import PromoRetrospectiveParams

if TYPE_CHECKING:  # the registry is read by `opsreport params` too: no warehouse libraries at import
    from ...warehouse.connection import Warehouse

FAMILY = "promo_retrospective"


def resolve(wh: Warehouse, params: PromoRetrospectiveParams) -> Resolved:
    import datetime as dt

    from ...analyses import promotions
    from ...analyses.calendar import coverage
    from ...errors import DataNotFoundError
    from ...metrics import queries
    from ...periods import Period
    from ...views.title import shop_title_block

    shop = wh.shop(params.shop_id)
    span = coverage(wh, params.shop_id)
    promo = promotions.resolve(wh, params.shop_id, params.promo, span.last)
    orders = queries.paid_orders(wh, params.shop_id)
    start, end = queries.day_start(promo.start), queries.day_start(promo.end + dt.timedelta(days=1))
    if orders.filter((orders.paid_at >= start) & (orders.paid_at < end)).count().execute() == 0:
        raise DataNotFoundError(f"promotion {promo.promo_id} ({promo.name}, {promo.start} to {promo.end}) has no paid orders "
                                f"in shop {params.shop_id}: import the orders of those days (table orders) first.")
    period = Period(promo.name, promo.start, promo.end)
    title = shop_title_block(FAMILY, shop, period, params.lang, params.timezone)
    return Resolved(key=params.shop_id, period=promo.promo_id, title=title, updates={"promo": promo.promo_id})


def demo_shops() -> list[dict]:
    from ...warehouse import demo

    return [{"shop_id": shop.shop_id, "promo": "last"} for shop in demo.DEMO_SHOPS]


SPEC = FamilySpec(
    name=FAMILY,
    params_model=PromoRetrospectiveParams,
    resolve=resolve,
    analysis=lazy(f"{__package__}.analysis", "run"),
    view=lazy(f"{__package__}.view", "PromoRetrospectiveView"),
    fan_out=every_shop,
    fan_out_label="shop",
    demo_params=("demo.yaml",),
    demo_keys=demo_shops,
)
