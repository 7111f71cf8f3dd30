"""Title blocks: the rows under a report's title (shop, platform, category, period, generated)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..i18n import say, t
from ..periods import Period


@dataclass(frozen=True)
class TitleBlock:
    """The page's title block: a title, a subtitle and label/value rows (shop, period, ...)."""

    title: str
    subtitle: str
    meta: tuple[tuple[str, str], ...]


def generated_at(timezone: str) -> str:
    """Now in the shop's time zone, with the zone's name: '2026-11-23 09:00 (Asia/Shanghai)'."""
    return f"{dt.datetime.now(ZoneInfo(timezone)):%Y-%m-%d %H:%M} ({timezone})"


def period_text(period: Period, lang: str) -> str:
    return t("title", "range", lang).format(start=period.start, end=period.end)


def shop_title_block(report: str, shop: dict, period: Period, lang: str, timezone: str,
                     partial_days: int | None = None) -> TitleBlock:
    """Title '<shop name> · <report>', subtitle '<period label> (<start> to <end>)', and rows.
    The report's name is the ``name`` entry of its family's messages.yaml; ``partial_days``: the
    period has data on only this many days (the subtitle says so)."""
    word = lambda key: t("title", key, lang)  # noqa: E731 - local shorthand
    rows = (
        (word("shop"), t("title", "shop_value", lang).format(name=shop["name"], shop_id=shop["shop_id"])),
        (word("platform"), t("platform", shop["platform"], lang)),
        (word("category"), t("category", shop["category"], lang)),
        (word("period"), period_text(period, lang)),
        (word("generated"), generated_at(timezone)),
    )
    subtitle = t("title", "subtitle", lang).format(label=period.label, range=period_text(period, lang))
    if partial_days is not None:  # a period the data covers only in part says so where it is named
        subtitle += say("title.partial", lang, days=partial_days, total=period.days)
    return TitleBlock(title=f"{shop['name']} · {say('name', lang, family=report)}", subtitle=subtitle, meta=rows)
