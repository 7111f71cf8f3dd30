"""What every family's view shares: its language and currency, the tables it shows (each one a
sheet of the workbook), the missing-data block, and the metric labels."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..i18n import Messages
from ..metrics.registry import metric
from ..viz import numbers
from ..viz.tables import Col, heading, note, table
from .blocks import Block
from .sources import missing_sources


class FamilyView:
    """Base of a family's view. ``review`` is the family's analysis result: it has ``lang``,
    ``shop`` and ``missing`` (section -> the table(s) that would fill it)."""

    family: str = ""

    def __init__(self, review: Any):
        self.review = review
        self.lang = review.lang
        self.say = Messages(review.lang, self.family)
        self.currency = review.shop.get("currency") or "CNY"
        self.num = numbers.Numbers(review.lang, self.currency)  # every number in the shop's currency
        self.shown: list = []  # every table shown, in order: the workbook's sheets

    def _h(self, section: str):
        """A section heading: the family's ``section.<key>`` words."""
        return heading(self.say(f"section.{section}"))

    def _c(self, key: str) -> str:
        """A column header: this family's words first, then the glossary's."""
        try:
            return self.say(f"column.{key}")
        except KeyError:
            return self.say.word("column", key)

    def _rate(self, value) -> str:
        return self.num.value(value, "rate")

    def _pct(self, value) -> str:
        """A parameter such as 0.30 or 0.05 as '30%' / '5%' (no trailing zeros)."""
        return f"{value:.0%}" if round(value * 100, 6).is_integer() else self._rate(value)

    def _m(self, key: str) -> str:
        """A metric's label from the registry."""
        return metric(key).label(self.lang)

    def _table(self, frame: pd.DataFrame, cols: list[Col], *, caption: str | None = None, note: str | None = None,
               sheet: str | None = None, show: bool = True):
        """A table of the report; every one becomes a sheet of the workbook (``sheet`` names it)."""
        shown = table(frame, cols, caption=caption, note=note, name=sheet, currency=self.currency)
        self.shown.append(shown)
        return shown if show else None

    def _missing(self, section: str, *keys: str) -> Block | None:
        """The section's heading and a note naming the missing table and the imports that fill it,
        when ``section`` (or any of ``keys``) lacks its data; None otherwise."""
        r = self.review
        for key in keys or (section,):
            if key in r.missing:
                hint = missing_sources(r.missing[key], r.shop.get("platform"), self.say)
                return Block([self._h(section), note(self.say("note.missing", table=r.missing[key], sources=hint))])
        return None

    def _roi_source(self) -> str:
        """Where the ROI target came from (parameter, targets table, category rule), in words."""
        target = self.roi_target
        category = self.say.word("category", target.category) if target.category else ""
        return self.say(f"roi_source.{target.source}", category=category)

    @property
    def roi_target(self):
        raise NotImplementedError

    def sheets(self):
        """One sheet per table the report showed, as shown: headers in its language, its units."""
        from ..render.excel import Sheet

        return [Sheet.from_table(t, lang=self.lang) for t in self.shown]
