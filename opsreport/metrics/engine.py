"""Registry metrics at any grain: parts aggregated in the engine, metrics formed by `compute`.

`query(wh, keys, shop_id, start, end, by=[...], where={...})` plans, for each metric, the
semantic model it is read from (`models.MODELS`: the first that provides all its parts and
every dimension asked for, and has rows for the shop); if none provides them all, each part
comes from its own first model, joined on the grain (complaint_rate = complaints of
service_daily / paid_orders of orders, by day or week). Each model is aggregated once, in the
engine, at the grain ``by`` (dimensions and at most a few time grains: "day", "week" labelled
like 2026-W47, "month" like 2026-11); only the small result becomes pandas. Every metric is then
formed from its own parts by `compute`, so a week's UV is Σ daily UV / days and its conversion
is Σ buyer-days / Σ UV, never a mean of daily values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import reduce
from typing import Any

import pandas as pd

from ..errors import DataNotFoundError
from ..warehouse.connection import Warehouse
from .forms import compute
from .models import MODELS, SemanticModel, dimensions
from .registry import Metric, MetricError, parameters, parts, resolve

TIME_GRAINS = ("day", "week", "month")
_TRUNCATE = {"week": "W", "month": "M"}


def query(
    wh: Warehouse,
    keys: str | Iterable[str],
    shop_id: str,
    start: dt.date | str,
    end: dt.date | str,
    by: str | Iterable[str] = (),
    where: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Registry metrics ``keys`` of one shop from ``start`` to ``end`` (inclusive) at grain ``by``.

    Parameters
    ----------
    wh : Warehouse
    keys : str or list of str
        Registry metric keys.
    shop_id, start, end
        The shop and the dates (``datetime.date`` or ISO text) of the period.
    by : list of str
        Dimensions (``dimensions()``) and time grains ("day", "week", "month"); empty for one row.
    where : dict, optional
        Dimension -> value or list of values to keep.
    params : dict, optional
        Values of registry parameters (``new_buyer_days``); the registry's defaults otherwise.

    Returns
    -------
    DataFrame
        One row per cell of the grain that has data: the ``by`` columns (day as a date, week and
        month as labels), the parts read, then the metrics. ``attrs["sources"]`` maps each
        metric to the tables it was read from.

    Raises
    ------
    UnknownMetricError, MetricError
        Unknown key, dimension or grain; no table provides a metric at this grain.
    DataNotFoundError
        The tables that could provide a metric are missing or have no rows for the shop.
    """
    chosen = resolve(keys)
    start, end = as_date(start, "start"), as_date(end, "end")
    if start > end:
        raise MetricError(f"start {start} is after end {end}.")
    by = [by] if isinstance(by, str) else list(dict.fromkeys(by))
    where = dict(where or {})
    _check_grain(by, where)
    dims = list(dict.fromkeys([d for d in by if d not in TIME_GRAINS] + list(where)))
    single = {d for d, v in where.items() if not _is_list(v) or len(v) == 1}  # filtered to one value
    values = {**parameters(), **dict(params or {})}

    plans = {m.key: _plan(m, dims, set(by) | single, wh, shop_id) for m in chosen}
    reads: dict[str, tuple[SemanticModel, list[str]]] = {}
    for plan in plans.values():
        for part, model in plan.items():
            reads.setdefault(model.name, (model, []))[1].append(part)
    frames = [
        _aggregate(model, list(dict.fromkeys(ps)), wh, shop_id, start, end, by, dims, where, values)
        for model, ps in reads.values()
    ]
    merged = _merge(frames, by)
    return _assemble(chosen, plans, merged, by)


def queryable(m: Metric) -> bool:
    """Whether `query` can read ``m`` at all (snapshot metrics are computed by the reports)."""
    return all(any(p in model.parts for model in MODELS) for p in m.parts)


def available(m: Metric) -> list[str]:
    """The dimensions ``m`` can be broken down by, one at a time (time grains not listed)."""
    return [d for d in dimensions() if _possible(m, [d], {d})]


# --- planning --------------------------------------------------------------------------------


def _fits(model: SemanticModel, wanted: Iterable[str], dims: list[str], grouped: set[str]) -> bool:
    wanted = set(wanted)
    if not (wanted <= set(model.parts) and set(dims) <= set(model.dimensions)):
        return False
    return not (wanted & model.per_parts) or model.per in grouped


def _possible(m: Metric, dims: list[str], grouped: set[str]) -> bool:
    """Whether some model, or some model per part, provides ``m`` at ``dims`` (data aside)."""
    return all(any(_fits(model, [p], dims, grouped) for model in MODELS) for p in m.parts)


def _plan(m: Metric, dims: list[str], grouped: set[str], wh: Warehouse, shop_id: str) -> dict[str, SemanticModel]:
    """part -> the model it is read from, for metric ``m``."""
    counts = wh.shop_row_counts(shop_id)

    def has_rows(model: SemanticModel) -> bool:
        return all(counts.get(t, 0) > 0 for t in model.tables(dims))

    snapshots = [p for p in m.parts if not any(p in model.parts for model in MODELS)]
    if snapshots:
        what = "; ".join(f"{p}: {parts()[p].desc.format_map(parameters())}" for p in snapshots)
        raise MetricError(
            f"{m.key} is not available by grain: its part(s) {', '.join(snapshots)} are snapshots ({what}), "
            "computed by the report's own queries (opsreport.metrics.queries), not summed over a period."
        )
    whole = [model for model in MODELS if _fits(model, m.parts, dims, grouped)]
    for model in whole:
        if has_rows(model):
            return {p: model for p in m.parts}
    candidates = {p: [model for model in MODELS if _fits(model, [p], dims, grouped)] for p in m.parts}
    for p, found in candidates.items():
        if not found:
            raise MetricError(_no_model_message(m, p, dims, grouped))
    plan = {}
    for p, found in candidates.items():
        usable = [model for model in found if has_rows(model)]
        if not usable:
            raise DataNotFoundError(_no_data_message(m, whole or found, dims, wh, shop_id))
        plan[p] = usable[0]
    return plan


def _no_model_message(m: Metric, part: str, dims: list[str], grouped: set[str]) -> str:
    asked = ", ".join(dims)
    providers = [model for model in MODELS if part in model.parts]
    listed = "; ".join(f"{model.name} ({', '.join(model.dimensions) or 'no dimensions'})" for model in providers)
    per = [model for model in providers if set(dims) <= set(model.dimensions) and part in model.per_parts]
    extra = "".join(
        f" {model.name}'s {part} counts daily users per {model.per}, which do not add up across "
        f"{model.per} values: group by {model.per} (or filter it to one value)."
        for model in per
        if model.per not in grouped
    )
    can = available(m)
    return (
        f"{m.key} cannot be broken down by {asked}: its part {part} is provided by {listed}.{extra} "
        f"Dimensions available for {m.key}: {', '.join(can) or 'none'} (and the time grains {', '.join(TIME_GRAINS)})."
    )


def _no_data_message(m: Metric, models: list[SemanticModel], dims: list[str], wh: Warehouse, shop_id: str) -> str:
    counts = wh.shop_row_counts(shop_id)
    options = " or ".join(" + ".join(model.tables(dims)) for model in models)
    gaps = []
    for table in dict.fromkeys(t for model in models for t in model.tables(dims)):
        if not wh.has(table):
            gaps.append(f"{table} is not in the warehouse")
        elif counts.get(table, 0) == 0:
            gaps.append(f"{table} has no rows for shop '{shop_id}'")
    return (
        f"{m.key}{' by ' + ', '.join(dims) if dims else ''} is read from {options}, but {'; '.join(gaps)} "
        f"(warehouse {wh.location}). Import the missing table(s) first (opsreport sources lists the mappings)."
    )


def _check_grain(by: list[str], where: Mapping[str, Any]) -> None:
    known = dimensions()
    for name in by:
        if name not in known and name not in TIME_GRAINS:
            raise MetricError(f"unknown grain {name!r}{_hint(name, [*TIME_GRAINS, *known])}; "
                              f"by takes time grains {', '.join(TIME_GRAINS)} and dimensions {', '.join(known)}.")
    for name in where:
        if name in TIME_GRAINS:
            raise MetricError(f"where cannot filter {name!r}: choose the period with start and end.")
        if name not in known:
            raise MetricError(f"unknown dimension {name!r} in where{_hint(name, known)}; dimensions: {', '.join(known)}.")


def _hint(word: str, names: list[str]) -> str:
    import difflib

    hits = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return f" (did you mean {hits[0]!r}?)" if hits else ""


# --- aggregation -------------------------------------------------------------------------------


def _aggregate(model, part_keys, wh, shop_id, start, end, by, dims, where, values) -> pd.DataFrame:
    aggs = {p: model.parts[p] for p in part_keys}
    need = set(dims).union(*(a.columns() for a in aggs.values()))
    t = model.rows(wh, shop_id, start, end, need, values)
    for name, value in where.items():
        t = t.filter(t[name].isin(list(value)) if _is_list(value) else t[name] == value)
    t = t.mutate(**{g: t.date.truncate(_TRUNCATE[g]) if g in _TRUNCATE else t.date for g in by if g in TIME_GRAINS})
    if model.by_group is not None:
        t = model.by_group(t, by)
    exprs = {_column(model, p): a.expr(t) for p, a in aggs.items()}
    # groups come back in any order, and differently on each engine: the same rows, in key order
    result = t.group_by(by).aggregate(**exprs).order_by(list(by)) if by else t.aggregate(**exprs)
    return result.execute()


def _column(model: SemanticModel, part: str) -> str:
    return f"{model.name}__{part}"


def _merge(frames: list[pd.DataFrame], by: list[str]) -> pd.DataFrame:
    """Outer-join the models' frames on the grain; a cell one model has no rows for is 0 there."""
    if not by:
        merged = pd.concat([f.reset_index(drop=True) for f in frames], axis=1)
    else:
        merged = reduce(lambda a, b: a.merge(b, on=by, how="outer"), frames)
    value_columns = [c for c in merged.columns if c not in by]
    merged[value_columns] = merged[value_columns].fillna(0)
    if by:
        merged = merged.sort_values(by, kind="stable", na_position="last").reset_index(drop=True)
    for g in by:
        if g == "day":
            merged[g] = pd.to_datetime(merged[g])
        elif g == "week":
            merged[g] = [_week_label(d) for d in pd.to_datetime(merged[g])]
        elif g == "month":
            merged[g] = pd.to_datetime(merged[g]).dt.strftime("%Y-%m")
    return merged


def _week_label(day: pd.Timestamp) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _assemble(chosen: list[Metric], plans: dict, merged: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Grain columns, the parts read (a part read from two tables shows both, the second as
    'part (table)'), then each metric formed from its own parts."""
    out = merged[by].copy()
    shown: dict[tuple[str, str], str] = {}
    for m in chosen:
        for part, model in plans[m.key].items():
            if (model.name, part) not in shown:
                taken = part in shown.values()
                shown[(model.name, part)] = f"{part} ({model.name})" if taken else part
    metric_keys = {m.key for m in chosen}
    for (model_name, part), name in shown.items():
        if name not in metric_keys:
            out[name] = merged[f"{model_name}__{part}"]
    for m in chosen:
        columns = {_column(model, part): part for part, model in plans[m.key].items()}
        out[m.key] = compute([m.key], merged[list(columns)].rename(columns=columns))[m.key]
    out.attrs["sources"] = {m.key: sorted({model.table for model in plans[m.key].values()}) for m in chosen}
    return out


def _is_list(value) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, pd.Series, pd.Index))


def as_date(value, name: str) -> dt.date:
    """A date from a date, datetime or ISO text; MetricError naming ``name`` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise MetricError(f"{name} {value!r} is not a date such as 2026-11-16.") from None
