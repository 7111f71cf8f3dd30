"""Registry metrics for analysts: any metric, for a shop and period, at any grain, as pandas.

The same definitions as the reports (``opsreport/metrics/registry.yaml``), so digging into a
number never means rewriting its formula. Aggregation runs in the warehouse; the frames that
come back are small.

Usage (JupyterLab, ``notebooks/explore.ipynb``)::

    from opsreport import explore

    ex = explore.connect("data/demo.duckdb")   # relative paths are also tried from the project root
    ex.shops()                                 # shop_id, name, platform, category, first_day, last_day
    ex.metrics(lang="zh")                      # key, label, unit, definition, formula, dimensions
    ex.metric("conversion_rate", shop="0071", start="2026-11-01", end="2026-11-22",
              by=["source", "day"])
    ex.metric(["gmv", "units"], shop="0071", period="2026-W47", by=["category", "week"],
              where={"category": ["彩妆", "面部护理"]})

Grains: any dimensions of ``ex.metrics()`` plus "day", "week" (ISO, labelled 2026-W47) and
"month" (2026-11). A ratio is recomputed from its summed parts in every cell, never averaged:
a week's UV is the average day (Σ daily UV / days) and its conversion Σ daily buyers / Σ daily UV.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import periods
from .errors import ParamsError
from .metrics import engine, registry
from .warehouse.location import locate as _locate
from .warehouse.connection import Warehouse

__all__ = ["Explorer", "connect"]


def connect(warehouse: str | Path = "data/demo.duckdb", **params: Any) -> "Explorer":
    """Open a warehouse for exploring.

    Parameters
    ----------
    warehouse : str or Path
        A DuckDB warehouse file, or a server (``postgresql://user@host:5432/db``, ``env:VARIABLE``,
        a name of ``~/.config/opsreport/warehouses.yaml``: see ``opsreport.warehouse.location``).
        A relative path is tried from the working directory, then from the project root
        (JupyterLab runs kernels inside ``notebooks/``).
    **params
        Values of the registry's parameters (``new_buyer_days``, ``dormant_days``, ...) used by
        the metrics and quoted in their definitions; the registry's defaults otherwise.

    Returns
    -------
    Explorer
    """
    unknown = [name for name in params if name not in registry.parameters()]
    if unknown:
        raise ParamsError(
            f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(registry.parameters())}."
        )
    return Explorer(Warehouse.open(_locate(warehouse)), params)


class Explorer:
    """Registry metrics of one warehouse. Create it with `connect`.

    Parameters
    ----------
    warehouse : Warehouse
        An open warehouse (``Warehouse.open(path)``).
    params : Mapping, optional
        Registry parameter values (see `connect`).
    """

    def __init__(self, warehouse: Warehouse, params: Mapping[str, Any] | None = None):
        self.warehouse = warehouse
        self.params = dict(params or {})

    def __repr__(self) -> str:
        return f"Explorer({self.warehouse.location!r})"

    def __enter__(self) -> "Explorer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the warehouse connection."""
        self.warehouse.close()

    def shops(self) -> pd.DataFrame:
        """The shops of the warehouse.

        Returns
        -------
        DataFrame
            shop_id, name, platform, category, currency, and first_day / last_day of the shop's
            daily data (shop_daily).
        """
        shops = self.warehouse.table("shops").execute()
        if self.warehouse.has("shop_daily"):
            sd = self.warehouse.table("shop_daily")
            span = sd.group_by("shop_id").aggregate(first_day=sd.date.min(), last_day=sd.date.max()).execute()
            shops = shops.merge(span, on="shop_id", how="left")
        return shops.sort_values("shop_id").reset_index(drop=True)

    def metrics(self, lang: str = "zh") -> pd.DataFrame:
        """Every registry metric, with its definition and what it can be broken down by.

        Parameters
        ----------
        lang : {"zh", "en"}
            Language of labels and definitions.

        Returns
        -------
        DataFrame
            key, label, unit, definition (parameters filled in), formula, and dimensions: what
            ``by`` accepts for the metric (day, week, month and its dimensions, which ``where``
            also accepts), or "—" for the snapshot metrics (repurchase, dormant share, stock)
            that only the reports compute.
        """
        frame = registry.definitions(lang=lang, params=self.params)
        frame["dimensions"] = [
            ", ".join([*engine.TIME_GRAINS, *engine.available(m)]) if engine.queryable(m) else "—"
            for m in registry.metrics().values()
        ]
        return frame

    def metric(
        self,
        keys: str | Iterable[str],
        shop: str,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        *,
        period: str | None = None,
        by: str | Iterable[str] = (),
        where: Mapping[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Compute registry metrics for a shop and period at a grain.

        Parameters
        ----------
        keys : str or list of str
            Registry metric keys (``metrics()``), e.g. ``"conversion_rate"`` or ``["gmv", "aov"]``.
        shop : str
            Shop id, as text (``"0071"``).
        start, end : date or str, optional
            First and last day (inclusive), e.g. ``"2026-11-01"``. Give these or ``period``.
        period : str, optional
            An ISO week (``"2026-W47"``), a month (``"2026-11"``) or a day (``"2026-11-16"``).
        by : str or list of str
            The grain: dimensions (``source``, ``category``, ``sku_id``, ``channel``, ...) and at
            most a few of "day", "week", "month". Empty: one row for the whole period.
        where : dict, optional
            Dimension -> value or list of values to keep, e.g. ``{"category": ["彩妆"]}``.

        Returns
        -------
        DataFrame
            One row per cell of the grain with data: the ``by`` columns, the parts the metrics
            are formed from (``uv_sum``, ``days``, ``buyer_days``, ...), then one column per
            metric. ``attrs["sources"]`` names the tables each metric was read from.

        Raises
        ------
        UnknownMetricError
            A key is not in the registry (the message suggests the closest).
        MetricError
            Unknown dimension, or the metric cannot be broken down that way (the message lists
            the dimensions it can).
        DataNotFoundError
            Unknown shop, or the tables the metric is read from are missing or empty for it.
        """
        self.warehouse.shop(shop)  # unknown shop: the error lists the known ones
        first, last = _span(start, end, period)
        frame = engine.query(self.warehouse, keys, shop, first, last, by=by, where=where, params=self.params)
        frame.attrs.update(shop=shop, start=first, end=last)
        return frame


def _span(start, end, period) -> tuple[dt.date, dt.date]:
    if period is not None:
        if start is not None or end is not None:
            raise ParamsError("give either period or start and end, not both.")
        p = _period(str(period))
        return p.start, p.end
    if start is None or end is None:
        raise ParamsError("give a period (2026-W47, 2026-11 or 2026-11-16) or both start and end.")
    return engine.as_date(start, "start"), engine.as_date(end, "end")


def _period(text: str) -> periods.Period:
    if periods.WEEK_PATTERN.match(text):
        return periods.iso_week(text)
    try:
        if len(text) == 7:
            return periods.month_of(dt.date.fromisoformat(text + "-01"))
        day = dt.date.fromisoformat(text)
        return periods.Period(text, day, day)
    except ValueError:
        raise ParamsError(f"period {text!r} is not an ISO week (2026-W47), a month (2026-11) or a day (2026-11-16).") from None
