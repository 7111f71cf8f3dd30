"""Rendering a named report from validated parameters: everything that can fail on bad input
(warehouse, contracts, shop, period) is checked here, before any kernel starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from . import params as params_mod
from .errors import OpsReportError
from .i18n import t
from .params import ReportParams, WeeklyReviewParams
from .warehouse.connection import Warehouse

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def notebook_path(report: str) -> Path:
    path = NOTEBOOKS / f"{report}.ipynb"
    if not path.is_file():
        raise OpsReportError(f"notebook for report '{report}' not found at {path}")
    return path


def render_report(report: str, values: ReportParams, *, out_root: Path, formats: set[str]) -> Path:
    if report != "weekly_review":
        raise params_mod.ParamsError(f"report '{report}' is not available yet; reports: weekly_review")
    return render_weekly_review(values, out_root=out_root, formats=formats)


def render_weekly_review(values: WeeklyReviewParams, *, out_root: Path, formats: set[str]) -> Path:
    from .analyses.weekly_review import resolve_week
    from .render import pipeline

    wh = Warehouse.open(values.warehouse)
    try:
        problems = wh.check_all()
        if problems:
            from .errors import ContractError

            raise ContractError("\n".join(problems))
        shop = wh.shop(values.shop_id)
        week = resolve_week(wh, values.shop_id, values.week)
        fingerprint = wh.fingerprint()
    finally:
        wh.close()
    # the notebook gets the resolved week, so the folder name and the report always agree
    parameters = values.model_copy(
        update={"week": week.label, "warehouse": str(Path(values.warehouse).resolve())}
    ).model_dump()
    lang = values.lang
    title = f"{shop['name']} · {t('report', 'weekly_review', lang)}"
    subtitle = f"{week.label}（{week.start} ~ {week.end}）" if lang == "zh" else f"{week.label} ({week.start} to {week.end})"
    meta = _meta(shop, week, lang)
    return pipeline.render(
        "weekly_review",
        notebook_path("weekly_review"),
        parameters,
        out_root=Path(out_root),
        key=values.shop_id,
        period=week.label,
        formats=formats,
        title=title,
        subtitle=subtitle,
        meta=meta,
        lang=lang,
        fingerprint=fingerprint,
    )


def _meta(shop: dict, week, lang: str) -> list[tuple[str, str]]:
    platform = {"tmall": "天猫 Tmall", "taobao": "淘宝 Taobao", "jd": "京东 JD", "douyin": "抖音 Douyin"}.get(
        shop["platform"], shop["platform"]
    )
    if lang == "zh":
        return [("店铺", f"{shop['name']}（{shop['shop_id']}）"), ("平台", platform), ("类目", t("category", shop["category"], lang)),
                ("周期", f"{week.start} ~ {week.end}"), ("生成时间", _now())]
    return [("Shop", f"{shop['name']} ({shop['shop_id']})"), ("Platform", platform), ("Category", t("category", shop["category"], lang)),
            ("Period", f"{week.start} to {week.end}"), ("Generated", _now())]


def _now() -> str:
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z")


def render_every_shop(
    values: WeeklyReviewParams,
    *,
    out_root: Path,
    formats: set[str],
    shop_ids: list[str] | None = None,
    echo: Callable[[str], None] = print,
) -> tuple[list[Path], dict[str, OpsReportError]]:
    """The weekly review of every shop in the warehouse (or of ``shop_ids``), as the unattended
    Monday job runs it: a shop that fails is reported and the others still render."""
    if shop_ids is None:
        wh = Warehouse.open(values.warehouse)
        try:
            shop_ids = list(wh.table("shops").select("shop_id").order_by("shop_id").execute().shop_id)
        finally:
            wh.close()
    folders, failures = [], {}
    for shop_id in shop_ids:
        echo(f"rendering weekly review of shop {shop_id}...")
        try:
            folders.append(render_weekly_review(values.model_copy(update={"shop_id": shop_id}),
                                                out_root=out_root, formats=formats))
        except OpsReportError as exc:
            failures[shop_id] = exc
            echo(f"shop {shop_id} failed: {exc}")
    return folders, failures


def render_demo(
    *,
    out_root: Path,
    warehouse: Path,
    rebuild: bool,
    orders_per_shop: int,
    formats: set[str],
    echo: Callable[[str], None] = print,
) -> tuple[list[Path], dict[str, OpsReportError]]:
    """Build the demo warehouse if needed, then the weekly review of every demo shop."""
    from .warehouse import demo

    if rebuild or not Path(warehouse).is_file():
        echo(f"building demo warehouse {warehouse} ({orders_per_shop:,} orders per shop)...")
        demo.build_demo_warehouse(warehouse, orders_per_shop=orders_per_shop)
    base = params_mod.load("weekly_review", Path(__file__).resolve().parent.parent / "params" / "weekly_review" / "demo.yaml")
    values = base.model_copy(update={"warehouse": str(warehouse)})
    return render_every_shop(values, out_root=out_root, formats=formats,
                             shop_ids=[shop.shop_id for shop in demo.DEMO_SHOPS], echo=echo)
