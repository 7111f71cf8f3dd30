"""The competitor teardown's registry entry: one shop against its competitors over a month or a date range."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..spec import FamilySpec, Resolved, every_shop, lazy
from .params import CompetitorTeardownParams

if TYPE_CHECKING:  # the registry is read by `opsreport params` too: no warehouse libraries at import
    from ...warehouse.connection import Warehouse

FAMILY = "competitor_teardown"


def resolve_period(wh: Warehouse, params: CompetitorTeardownParams):
    """(the period asked for, that period cut at the data's last day, the data's span); raises naming
    what is missing."""
    from ...errors import DataNotFoundError
    from ...periods import month_of
    from . import data
    from .period import clip, parse_period

    span = data.span(wh, params.shop_id)
    if span is None:
        raise DataNotFoundError(
            f"shop {params.shop_id} has no competitor data (tables {', '.join(data.DATED)}): import a Business Advisor (sycm) "
            "competition export (sources sycm_competitor_shops, sycm_competitor_traffic) or a filled "
            "competitor tracking template (opsreport template competitor_tracking) first.")
    asked = month_of(span.last) if params.period == "last" else parse_period(params.period)
    if asked.start > span.last or asked.end < span.first:
        raise DataNotFoundError(
            f"shop {params.shop_id} has no competitor data in {asked.start} to {asked.end}: its competitor data "
            f"run from {span.first} to {span.last}.")
    period, _ = clip(asked, span.last)
    if not data.has_rows_in(wh, params.shop_id, period):
        raise DataNotFoundError(f"shop {params.shop_id} has no competitor data in {period.start} to {period.end}.")
    return asked, period, span


def resolve(wh: Warehouse, params: CompetitorTeardownParams) -> Resolved:
    from ...views.title import shop_title_block
    from . import data

    shop = wh.shop(params.shop_id)
    asked, period, _ = resolve_period(wh, params)
    data.competitor_set(wh, params.shop_id, period, params.competitors)  # unknown competitors fail here
    partial = period.days if period.end < asked.end else None
    title = shop_title_block(FAMILY, shop, asked, params.lang, params.timezone, partial_days=partial)
    return Resolved(key=params.shop_id, period=asked.label, title=title, updates={"period": param_text(asked)})


def param_text(period) -> str:
    """The period as a parameter: a month's label (2026-11), else its range (2026-11-01..2026-11-22)."""
    import re

    return period.label if re.match(r"^\d{4}-\d{2}$", period.label) else f"{period.start}..{period.end}"


def demo_shops() -> list[dict]:
    from ...warehouse import demo

    return [{"shop_id": shop.shop_id} for shop in demo.DEMO_SHOPS]


SPEC = FamilySpec(
    name=FAMILY,
    params_model=CompetitorTeardownParams,
    resolve=resolve,
    analysis=lazy(f"{__package__}.analysis", "run"),
    view=lazy(f"{__package__}.view", "CompetitorTeardownView"),
    fan_out=every_shop,
    fan_out_label="shop",
    demo_params=("demo.yaml",),
    demo_keys=demo_shops,
)
