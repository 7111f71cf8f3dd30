"""The appraisal's registry entry: one team, one month or quarter; its outputs are personal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..spec import FamilySpec, Resolved, lazy
from .params import AppraisalParams

if TYPE_CHECKING:  # the registry is read by `opsreport params` too: no warehouse libraries at import
    from ...warehouse.connection import Warehouse

FAMILY = "appraisal"


def data_end(wh: Warehouse, team: str):
    """The last day with orders in any shop the team's people run (the data the scores read)."""
    import pandas as pd

    from ...errors import DataNotFoundError

    staff = wh.table("staff").execute() if wh.has("staff") else None
    if staff is None or (staff.team == team).sum() == 0:
        teams = ", ".join(sorted(staff.team.unique())) if staff is not None else "none (no staff table)"
        raise DataNotFoundError(f"team '{team}' is not in the staff table; teams: {teams}.")
    ids = list(staff[staff.team == team].staff_id)
    if not wh.has("staff_assignments"):
        raise DataNotFoundError(f"team '{team}' runs no shop: the staff_assignments table is missing (import it first).")
    a = wh.table("staff_assignments")
    shops = sorted(set(a.filter(a.staff_id.isin(ids)).execute().shop_id))
    if not shops:
        raise DataNotFoundError(f"team '{team}' runs no shop: nobody of it has a row in staff_assignments.")
    o = wh.table("orders")
    last = o.filter(o.shop_id.isin(shops) & o.paid_at.notnull()).paid_at.max().execute()
    if last is None or pd.isna(last):
        raise DataNotFoundError(f"the shops of team '{team}' ({', '.join(shops)}) have no paid orders.")
    return pd.Timestamp(last).date()


def first_order(wh: Warehouse, team: str):
    import pandas as pd

    staff = wh.table("staff").execute()
    a = wh.table("staff_assignments")
    shops = sorted(set(a.filter(a.staff_id.isin(list(staff[staff.team == team].staff_id))).execute().shop_id))
    o = wh.table("orders")
    return pd.Timestamp(o.filter(o.shop_id.isin(shops) & o.paid_at.notnull()).paid_at.min().execute()).date()


def resolve_period(wh: Warehouse, params: AppraisalParams):
    """(the period, the data's last day); 'last_month' / 'last_quarter' is the last one ended by then."""
    import datetime as dt

    from ...analyses.appraisal_measures import appraisal_period
    from ...errors import DataNotFoundError

    end = data_end(wh, params.team)
    if params.period in ("last_month", "last_quarter"):
        first_of_month = end.replace(day=1)
        if params.period == "last_month":
            last = first_of_month - dt.timedelta(days=1) if end != _month_end(end) else end
            label = f"{last.year}-{last.month:02d}"
        else:
            q_start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
            q_end = _month_end(dt.date(end.year, q_start.month + 2, 1))
            last = q_end if end == q_end else q_start - dt.timedelta(days=1)
            label = f"{last.year}-Q{(last.month - 1) // 3 + 1}"
        period = appraisal_period(label)
    else:
        period = appraisal_period(params.period)
    if period.start > end:
        raise DataNotFoundError(f"{period.label} has no data for team {params.team}: its shops' orders end on {end}.")
    if period.end > end:
        raise DataNotFoundError(f"{period.label} has not ended: the data end on {end}. Appraise a period that has "
                                "ended (a month or quarter in progress would score half a period).")
    first = first_order(wh, params.team)
    if period.end < first:
        raise DataNotFoundError(f"{period.label} has no data for team {params.team}: its shops' orders start on {first}.")
    return period, end


def _month_end(day):
    from ...periods import month_of

    return month_of(day).end


def resolve(wh: Warehouse, params: AppraisalParams) -> Resolved:
    from ...i18n import say
    from ...views.title import TitleBlock, generated_at, period_text

    period, _ = resolve_period(wh, params)
    lang = params.lang
    title = TitleBlock(
        title=f"{params.team} · {say('name', lang, family=FAMILY)}",
        subtitle=f"{period.label} ({period_text(period, lang)})",
        meta=((say("title.team", lang, family=FAMILY), params.team), (say("title.period", lang, family=FAMILY), period_text(period, lang)),
              (say("title.generated", lang, family=FAMILY), generated_at(params.timezone))),
    )
    return Resolved(key=params.team, period=period.label, title=title, updates={"period": period.label})


def every_team(wh, params):
    teams = sorted(wh.table("staff").execute().team.unique()) if wh.has("staff") else []
    return [params.model_copy(update={"team": team}) for team in teams]


def demo_periods() -> list[dict]:
    return [{"period": "last_month"}, {"period": "last_quarter"}]


SPEC = FamilySpec(
    name=FAMILY,
    params_model=AppraisalParams,
    resolve=resolve,
    analysis=lazy(f"{__package__}.analysis", "run"),
    view=lazy(f"{__package__}.view", "AppraisalView"),
    fan_out=every_team,
    fan_out_label="team",
    fan_out_key="team",
    demo_params=("demo.yaml",),
    demo_keys=demo_periods,
    private=True,
)
