"""The appraisal as sections a notebook shows (the team report), and each person's own scorecard.

The team report names people (it goes to the director); a personal scorecard holds only its
person's numbers and the team's score distribution without names. Both are personal outputs:
written readable by their owner only and never listed in the shared index (see README).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ...analyses import rubric as rubric_
from ...viz.tables import Col, callout, note, table
from ...views.base import FamilyView
from ...views.blocks import Block
from .analysis import Appraisal

FAMILY = "appraisal"
SCORECARDS = "people"  # folder of the personal scorecards inside the report folder


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


class AppraisalView(FamilyView):
    family = FAMILY
    review: Appraisal

    def _text(self, text) -> str:
        return getattr(text, self.lang)

    def _pts(self, value) -> str:
        if _nan(value):
            return "–"
        return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"

    # sections ------------------------------------------------------------------------------
    def status(self) -> str:
        r = self.review
        if r.frozen:
            return self.say("status.frozen", closed=f"{pd.Timestamp(r.snapshot.closed_at):%Y-%m-%d %H:%M}",
                            fingerprint=r.fingerprint[:12])
        if not r.mature:
            return self.say("status.provisional", days=r.params.maturity_days,
                            date=r.period.end + pd.Timedelta(days=r.params.maturity_days), data_end=r.data_end)
        return self.say("status.open", fingerprint=r.fingerprint[:12])

    def summary(self) -> Block:
        r = self.review
        d = r.distribution
        sentences = [self.status(),
                     self.say("summary.people", count=len(r.staff), mean=self._pts(d.mean), median=self._pts(d.median))]
        bands = {b.band: int(b.count) for b in d.bands.itertuples()}
        sentences.append(self.say("summary.bands", full=bands.get("full_bonus", 0) + bands.get("promotion_range", 0),
                                  partial=bands.get("partial_bonus", 0), none=bands.get("no_bonus", 0),
                                  not_scored=d.not_scored))
        if r.candidates is not None:
            names = list(r.candidates[r.candidates.candidate.fillna(False).astype(bool)].staff_id.map(self._name))
            sentences.append(self.say("summary.candidates", names=self.say.join(names)) if names else self.say("summary.no_candidates"))
        if r.plans is not None:
            plans = r.plans[r.plans.status == "plan"]
            sentences.append(self.say("summary.plans", names=self.say.join(plans.staff_id.map(self._name)))
                             if len(plans) else self.say("summary.no_plans"))
        else:
            sentences.append(self.say("summary.month_rules"))
        if len(r.not_appraised):
            sentences.append(self.say("summary.not_appraised", names=self.say.join(r.not_appraised.name)))
        for kind in ("joined", "left"):
            moved = r.movers[r.movers.kind == kind] if r.movers is not None else []
            if len(moved):
                sentences.append(self.say(f"summary.{kind}", names=self.say.join(f"{m.name}（{m.day}）" if self.lang == "zh"
                                                                                   else f"{m.name} ({m.day})" for m in moved.itertuples())))
        if r.live_changes:
            sentences.append(self.say("summary.live_changed", count=len(r.live_changes)))
        return Block([self._h("summary"), callout(sentences, headlines=True)])

    def _name(self, staff_id: str) -> str:
        row = self.review.staff[self.review.staff.staff_id == staff_id]
        return str(row.name.iloc[0]) if len(row) else staff_id

    def ranking(self) -> Block:
        r = self.review
        t = r.totals.merge(r.bonuses[["staff_id", "bonus_share"]], on="staff_id", how="left")
        flags = r.flags.groupby("staff_id").size() if len(r.flags) else pd.Series(dtype=int)
        t = t.assign(role_label=[self.say(f"role.{x}") for x in t.role],
                     state=[self._state(c) for c in t.complete],
                     flags=[int(flags.get(s, 0)) for s in t.staff_id])
        sections = [s.key for s in next(iter(r.rubrics.values())).sections]
        cols = [Col("rank", self._c("rank_by_total"), "int"), Col("name", self._c("name"), "text"), Col("role_label", self._c("role"), "text")]
        cols += [Col(s, self.say(f"section_name.{s}"), "ratio") for s in sections if s in t.columns]
        cols += [Col("total", self._c("total"), "ratio"), Col("bonus_share", self._c("bonus_share"), "rate"),
                 Col("flags", self._c("flags"), "int"), Col("state", self._c("state"), "text")]
        self._table(self._all_rules(), [Col("name", self._c("name"), "text"), Col("section", self._c("section"), "text"),
                                         Col("rule", self._c("rule"), "text"), Col("points", self._c("points"), "ratio"),
                                         Col("evidence", self._c("evidence"), "text")],
                    sheet=self.say("sheet.rules"), show=False)  # the workbook's per-person, per-rule sheet
        return Block([self._h("ranking"), self._table(t, cols, note=self.say("ranking.note"), sheet=self.say("sheet.ranking"))])

    def _all_rules(self) -> pd.DataFrame:
        r = self.review
        rows = []
        for person in r.staff.itertuples():
            titles = {rule.key: rule for rule in r.rubrics[person.role].rules}
            for rs in r.scorecards[person.staff_id].rules:
                rows.append({"name": person.name, "section": self.say(f"section_name.{rs.section}"),
                             "rule": self._text(titles[rs.key].title), "points": rs.points, "evidence": self._evidence(rs)})
        return pd.DataFrame(rows)

    def _state(self, complete: bool) -> str:
        r = self.review
        if not complete:
            return self.say("state.provisional")
        return self.say("state.closed" if r.frozen else "state.mature")

    def results(self) -> Block:
        r = self.review
        blocks = [self._h("results")]
        if r.candidates is not None:
            c = r.candidates.assign(name=lambda d: d.staff_id.map(self._name),
                                    reason_label=lambda d: [self.say(f"candidate.{x}") for x in d.reason])
            cols = [Col("name", self._c("name"), "text"), Col("total", self._c("total"), "ratio"), Col("rank", self._c("rank_scored"), "int"),
                    Col("slots", self._c("slots"), "int"), Col("reason_label", self._c("result"), "text")]
            blocks.append(self._table(c, cols, caption=self.say("results.candidates"), note=self.say("results.candidates_rule"),
                                      sheet=self.say("sheet.candidates")))
            p = r.plans.assign(name=lambda d: d.staff_id.map(self._name),
                               quarters_text=lambda d: [" / ".join(q) for q in d.quarters],
                               totals_text=lambda d: [" / ".join(self._pts(x) for x in t) for t in d.totals],
                               status_label=lambda d: [self.say(f"plan.{x}") for x in d.status])
            cols = [Col("name", self._c("name"), "text"), Col("quarters_text", self._c("quarters"), "text"),
                    Col("totals_text", self._c("totals"), "text"), Col("status_label", self._c("result"), "text")]
            blocks.append(self._table(p, cols, caption=self.say("results.plans"), sheet=self.say("sheet.plans")))
        else:
            blocks.append(note(self.say("summary.month_rules")))
        return Block(blocks)

    def flags(self) -> Block:
        r = self.review
        if r.flags.empty:
            return Block([self._h("flags"), note(self.say("flags.none"))])
        f = r.flags.assign(name=lambda d: d.staff_id.map(self._name), flag_label=lambda d: [self.say(f"flag.{x}") for x in d.flag],
                           input_label=lambda d: [self.say(f"input.{x}") for x in d.input])
        cols = [Col("name", self._c("name"), "text"), Col("input_label", self._c("input"), "text"), Col("flag_label", self._c("flag"), "text")]
        return Block([self._h("flags"), self._table(f, cols, note=self.say("flags.note"), sheet=self.say("sheet.flags"))])

    def appendix(self) -> Block:
        r = self.review
        blocks = [self._h("appendix")]
        for role, rub in r.rubrics.items():
            rows = [{"rule": self._text(rule.title), "reading": self._text(rule.reading)} for rule in rub.rules]
            cols = [Col("rule", self._c("rule"), "text"), Col("reading", self._c("reading"), "text")]
            blocks.append(table(pd.DataFrame(rows), cols, caption=self._text(rub.title)))
        blocks.append(note(self.say("appendix.quarter")))
        return Block(blocks)

    # personal scorecards -------------------------------------------------------------------
    def scorecard_blocks(self, staff_id: str) -> list:
        """One person's scorecard: their points rule by rule with the evidence, nobody else's name."""
        r = self.review
        card = r.scorecards[staff_id]
        person = r.staff[r.staff.staff_id == staff_id].iloc[0]
        rub = r.rubrics[person.role]
        titles = {rule.key: rule for rule in rub.rules}
        total = r.totals[r.totals.staff_id == staff_id].iloc[0]
        bonus = r.bonuses[r.bonuses.staff_id == staff_id].iloc[0]
        head = [self.say("card.total", total=self._pts(card.total), role=self.say(f"role.{person.role}"),
                         state=self._state(bool(total.complete))),
                self.say("card.bonus", share=self.num.value(bonus.bonus_share, "rate")) if not _nan(bonus.bonus_share)
                else self.say("card.no_bonus"), self.status()]
        head += self._card_results(staff_id)
        mine = r.flags[r.flags.staff_id == staff_id]
        if len(mine):
            head.append(self.say("card.flags", flags=self.say.join(f"{self.say(f'flag.{f.flag}')}（{self.say(f'input.{f.input}')}）"
                                                                    if self.lang == "zh" else
                                                                    f"{self.say(f'flag.{f.flag}')} ({self.say(f'input.{f.input}')})"
                                                                    for f in mine.itertuples())))
        rows = []
        for rs in card.rules:
            rule = titles[rs.key]
            rows.append({"section": self.say(f"section_name.{rs.section}"), "rule": self._text(rule.title),
                         "points": rs.points, "evidence": self._evidence(rs), "flags": self.say.join(self.say(f"flag.{f}") for f in rs.flags)})
        cols = [Col("section", self._c("section"), "text"), Col("rule", self._c("rule"), "text"), Col("points", self._c("points"), "ratio"),
                Col("evidence", self._c("evidence"), "text"), Col("flags", self._c("flag"), "text")]
        sections = pd.DataFrame([{"section": self.say(f"section_name.{s.key}"), "raw": s.raw, "points": s.points, "budget": s.budget,
                                  "limit": self._limit(s)} for s in card.sections])
        scols = [Col("section", self._c("section"), "text"), Col("raw", self._c("raw"), "ratio"), Col("points", self._c("points"), "ratio"),
                 Col("budget", self._c("budget"), "ratio"), Col("limit", self._c("limit"), "text")]
        slices = self._slices(staff_id)
        context = self._context(staff_id)
        d = r.distribution.bands.assign(band_label=lambda x: [self.say(f"band.{b}") for b in x.band])
        dcols = [Col("band_label", self._c("band"), "text"), Col("count", self._c("people"), "int")]
        readings = pd.DataFrame([{"rule": self._text(rule.title), "reading": self._text(rule.reading)} for rule in rub.rules])
        return [callout(head),
                table(sections, scols, caption=self.say("card.sections")),
                table(pd.DataFrame(rows), cols, caption=self.say("card.rules")),
                *([slices] if slices is not None else []),
                note(context),
                table(d, dcols, caption=self.say("card.team")),
                table(readings, [Col("rule", self._c("rule"), "text"), Col("reading", self._c("reading"), "text")],
                      caption=self.say("card.readings"))]

    def _limit(self, section) -> str:
        if section.code == "section.capped":
            return self.say("card.capped", cap=self._pts(section.cap))
        if section.code == "section.floored":
            return self.say("card.floored", floor=self._pts(section.floor))
        return ""

    def _card_results(self, staff_id: str) -> list[str]:
        """What the score leads to for this person: promotion candidacy and improvement plan (quarters)."""
        r = self.review
        if r.candidates is None:
            return [self.say("summary.month_rules")]
        c = r.candidates.set_index("staff_id").loc[staff_id]
        out = [self.say("card.candidate", result=self.say(f"candidate.{c.reason}"))]
        plans = r.plans.set_index("staff_id") if r.plans is not None and len(r.plans) else None
        if plans is not None and staff_id in plans.index:
            p = plans.loc[staff_id]
            out.append(self.say("card.plan", result=self.say(f"plan.{p.status}"), quarters=" / ".join(p.quarters),
                                totals=" / ".join(self._pts(x) for x in p.totals)))
        return out

    def _input(self, staff_id: str, name: str) -> dict | None:
        i = self.review.inputs
        x = i[(i.staff_id == staff_id) & (i.input == name)]
        return None if x.empty else x.iloc[0].to_dict()

    def _slices(self, staff_id: str):
        """The shops (or sub-categories) whose sales are credited to the person, by share and days:
        a co-owned shop or a handover is visible here."""
        row = self._input(staff_id, "sales_completion")
        found = (row or {}).get("evidence") or {}
        if not found.get("slices"):
            return None
        frame = pd.DataFrame(found["slices"]).assign(
            scope=lambda d: [c if isinstance(c, str) and c else self.say("card.whole_shop") for c in d.category],
            span=lambda d: [f"{a} – {b}" for a, b in zip(d["first"], d["last"])])
        cols = [Col("shop_id", self._c("shop"), "text"), Col("scope", self._c("scope"), "text"), Col("share", self._c("share"), "rate"),
                Col("span", self._c("days_span"), "text"), Col("days", self._c("days"), "int"), Col("gmv", self._c("gmv"), "yuan"),
                Col("credited", self._c("credited"), "yuan")]
        target = found.get("target")
        caption = self.say("card.slices", target=self.num.money(target) if target is not None else "–",
                           source=self.say(f"target_source.{found.get('target_source', 'none')}"))
        return table(frame, cols, caption=caption, currency=self.currency)

    def _context(self, staff_id: str) -> str:
        """Beside the score, not in it: the market's growth and stockouts outside the person's control."""
        growth, stock = self._input(staff_id, "market_growth"), self._input(staff_id, "stockout_days")
        g = self.num.change(growth["value"], "ratio") if growth and growth.get("known") else "–"
        d = self._pts(stock["value"]) if stock and stock.get("known") else "–"
        return self.say("card.context", growth=g, days=d)

    def _evidence(self, rs: rubric_.RuleScore) -> str:
        """The rule's arithmetic in words: actual against reference, the steps counted, the formula."""
        if rs.status != "scored":
            return self.say(f"card.{rs.status}", reason=self.say(f"reason.{rs.reason}") if rs.reason else "")
        e = dict(rs.evidence)
        unit = rubric_.INPUTS.get(rs.input, "")
        parts = []
        for key in ("value", "reference", "ratio", "relative", "absolute", "steps", "formula"):
            value = e.get(key)
            if value is None:
                continue
            parts.append(f"{self.say(f'evidence.{key}')} {self._evidence_value(key, value, unit)}")
        if e.get("items"):
            parts.append(self.say("evidence.items", items=", ".join(self._pts(h) for h in e["items"])))
        uncapped = e.get("uncapped")
        if uncapped is not None and rs.points is not None and abs(uncapped - rs.points) > 1e-9:
            parts.append(self.say("evidence.held", raw=self._pts(uncapped), points=self._pts(rs.points)))
        if rs.code == "condition_not_met":
            unmet = [self.say(f"input.{k}") for k, v in (e.get("requires") or {}).items() if v.get("met") is False]
            parts.append(self.say("evidence.condition", inputs=self.say.join(unmet)))
        return self.say("evidence.sep").join(parts) + f" → {self._pts(rs.points)}"

    def _evidence_value(self, key: str, value, unit: str) -> str:
        if isinstance(value, str):
            return value
        if key in ("value", "reference"):
            if unit == "yuan":
                return self.num.money(value)
            if unit == "rate":
                return self.num.value(value, "rate")
            return self._pts(value) if unit in ("count", "score", "hours") else f"{value:.2f}"
        if key == "ratio":
            return self.num.value(value, "rate")
        if key == "relative":
            return self.num.change(value, "ratio")
        if key == "absolute":  # a rate's difference in points, another's in its own unit
            return self.num.change(value, "rate") if unit == "rate" else f"{value:+.2f}"
        return self._pts(value)

    def write_scorecards(self, output_dir: str | None) -> Block:
        """Write people/<staff_id>.html and .pdf into the report folder (when the runner says where)."""
        if not output_dir:
            return Block([])
        from ...render.html import html_page
        from ...render.pdf import html_to_pdf

        folder = Path(output_dir) / SCORECARDS
        folder.mkdir(exist_ok=True)
        r = self.review
        for staff_id in r.staff.staff_id:
            body = "\n".join(part._repr_html_() if hasattr(part, "_repr_html_") else str(part) for part in self.scorecard_blocks(staff_id))
            person = r.staff[r.staff.staff_id == staff_id].iloc[0]
            page = html_page(body, title=self.say("card.heading", name=person["name"], staff_id=staff_id),
                             subtitle=self.say("card.subtitle", team=r.team, period=r.period.label),
                             meta=[(self.say("title.period"), r.period.label), (self.say("title.team"), r.team)], lang=self.lang)
            (folder / f"{staff_id}.html").write_text(page, encoding="utf-8")
            html_to_pdf(page, folder / f"{staff_id}.pdf", lang=self.lang)
        return Block([note(self.say("card.written", count=len(r.staff)))])

    def export_tables(self, path: str | None) -> Block:
        if not path:
            return Block([])
        from ...render.excel import write_workbook

        r = self.review
        parameters = r.params.model_dump(exclude={"excel_path", "warehouse", "output_dir"})
        rows = [{"rule": self._text(rule.title), "reading": self._text(rule.reading)} for rub in r.rubrics.values() for rule in rub.rules]
        definitions = table(pd.DataFrame(rows), [Col("rule", self._c("rule"), "text"), Col("reading", self._c("reading"), "text")])
        write_workbook(self.sheets(), path, title=f"{r.team} · {self.say('name')}", cover=[("", r.period.label), ("", self.status())],
                       parameters=parameters, definitions=definitions, lang=self.lang)
        return Block([])
