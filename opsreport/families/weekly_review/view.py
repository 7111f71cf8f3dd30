"""The weekly review as sections a notebook shows: each method returns one displayable block
(heading, tables, charts, notes) in the review's language. No computation happens here; every
word comes from glossary.yaml or this family's messages.yaml."""

from __future__ import annotations

import math

import pandas as pd

from ...metrics.registry import metric, metrics
from ...viz import charts, narrative
from ...viz.tables import Col, callout, heading, note, table
from ...views.blocks import Block
from .analysis import WeeklyReview
from ...views.base import FamilyView
from ...views.sources import missing_sources
from .headlines import action, headlines

FAMILY = "weekly_review"
# registry metrics the appendix defines: the KPIs plus those the sections show
SECTION_METRICS = ("ctr", "cpc", "days_of_cover", "active_sku_rate", "dormant_share", "first_response_s",
                   "reply_30s_rate", "inquiry_conversion", "good_review_rate", "complaint_rate")


class WeeklyReviewView(FamilyView):
    family = FAMILY
    review: WeeklyReview

    @property
    def roi_target(self):
        return self.review.ads.target

    # helpers -----------------------------------------------------------------------------
    def _h(self, section: str):
        return heading(self.say.word("section", section))

    def _c(self, key: str) -> str:
        """A column header from the glossary."""
        return self.say.word("column", key)

    def _p(self, key: str) -> str:
        """A period name (this week, last week, ...) from the glossary."""
        return self.say.word("period", key)

    def _labels(self, **extra: str) -> dict[str, str]:
        """Chart words of a week-on-week chart: this week against last week."""
        return {"current": self._p("this_week"), "previous": self._p("last_week"), **extra}

    def _shown_of(self, total: int, shown: int) -> str:
        return self.say("note.shown_of", count=total, total=total, shown=min(total, shown)) if total > shown else ""

    # sections ------------------------------------------------------------------------------
    def headline(self) -> Block:
        return Block([self._h("headline"), callout(headlines(self.review, self.say, self.num), headlines=True)])

    def kpi_frame(self) -> pd.DataFrame:
        k = self.review.kpis.copy()
        k.insert(1, "label", [self._m(m) + (" *" if imm else "") + (" †" if short else "")
                              for m, imm, short in zip(k.metric, k.immature, k.short_history)])
        return k

    def kpis(self) -> Block:
        cols = [
            Col("label", self._c("metric"), "text"),
            Col("this_week", self._p("this_week"), row_unit="unit"),
            Col("last_week", self._p("last_week"), row_unit="unit"),
            Col("wow", self._p("wow"), "change", judge="wow_judge", row_unit="unit"),
            Col("last_year", self._p("last_year"), row_unit="unit"),
            Col("yoy", self._p("yoy"), "change", judge="yoy_judge", row_unit="unit"),
            Col("target", self._p("target"), row_unit="unit"),
            Col("vs_target", self._p("vs_target"), "change", judge="vs_target_judge", row_unit="unit"),
            Col("normal", self._p("normal"), row_unit="unit"),
            Col("vs_normal", self._p("vs_normal"), "change", judge="vs_normal_judge", row_unit="unit"),
        ]
        r = self.review
        notes = []
        if "visitors" in r.missing:
            hint = missing_sources(r.missing["visitors"], r.shop.get("platform"), self.say)
            notes.append(self.say("kpis.no_traffic", table=r.missing["visitors"], sources=hint))
        if r.kpis.short_history.any():
            names = self.say.join(self._m(m) for m in r.kpis.metric[r.kpis.short_history])
            notes.append(self.say("kpis.short_history", metrics=names, first=r.history.first_order))
        if r.kpis.immature.any():
            notes.append(self.say("kpis.immature", days=r.params.refund_mature_days))
        notes.append(self.say("kpis.changes"))
        if r.normal_weeks:
            skipped = ""
            if r.normal_skipped:
                names = dict.fromkeys(n for promos in r.normal_skipped.values() for n in promos)
                skipped = self.say("kpis.skipped", weeks=self.say.join(sorted(r.normal_skipped)), promotions=self.say.join(names))
            notes.append(self.say("kpis.normal", weeks=len(r.normal_weeks), labels=self.say.join(r.normal_weeks), skipped=skipped))
        else:
            notes.append(self.say("kpis.no_normal"))
        if r.ads is not None:
            notes.append(self.say("kpis.roi_target", target=self.num.value(r.ads.target.value, "ratio"), source=self._roi_source()))
        return Block([self._h("kpis"), self._table(self.kpi_frame(), cols, note=" ".join(notes), sheet=self.say("sheet.kpis"))])

    def bridge_frame(self) -> pd.DataFrame:
        frame = self.review.bridge.frame()
        frame.insert(1, "factor_label", [self.say.word("factor", f) for f in frame.factor])
        return frame

    def bridge(self) -> Block:
        if (m := self._missing("bridge")) is not None:
            return m
        b = self.review.bridge
        if b.empty:
            return Block([self._h("bridge"), note(self.say("bridge.nothing"))])
        frame = self.bridge_frame()
        chart = charts.gmv_bridge(frame, b.start, b.end, self.lang, currency=self.currency,
                                  labels={"start": self.say("bridge.start"), "end": self.say("bridge.end")})
        parts = self.say.join(self.say("bridge.part", factor=row.factor_label, contribution=self.num.money(row.contribution, plus=True))
                              for row in frame.itertuples())
        cols = [Col("factor_label", self._c("factor"), "text"), Col("contribution", self._c("contribution"), "yuan"),
                Col("share_of_change", self._c("share_of_change"), "rate")]
        self._table(frame, cols, sheet=self.say("sheet.bridge"), show=False)
        return Block([self._h("bridge"), chart, note(self.say("bridge.sentence", change=self.num.money(b.change, plus=True), parts=parts)),
                      note(self.say("bridge.method"))])

    def trend(self) -> Block:
        daily = self.review.daily
        cols = [Col("date", self._c("date"), "date"), Col("gmv", self._c("gmv"), "yuan"), Col("uv", self._c("uv"), "count"),
                Col("conversion_rate", self._c("conversion_rate"), "rate"), Col("buyer_days", self._c("buyer_days"), "count")]
        self._table(daily, cols, sheet=self.say("sheet.trend"), show=False)
        title = heading(self.say("trend.heading", weeks=self.review.params.trend_weeks))
        return Block([title, charts.daily_trend(daily, self.lang, labels={"current": self._p("this_week")}, currency=self.currency)])

    def traffic(self) -> Block:
        if (m := self._missing("traffic")) is not None:
            return m
        tr = self.review.traffic.copy()
        tr.insert(1, "source_label", [self.say.word("source", s) for s in tr.source])
        cols = [
            Col("source_label", self._c("source"), "text"),
            Col("uv", self._m("uv"), "count"),
            Col("uv_share", self._c("uv_share"), "rate"),
            Col("uv_share_prev", self._c("uv_share_prev"), "rate"),
            Col("share_change", self._c("share_change"), "pp_change"),
            Col("conversion_rate", self._c("conversion_rate"), "rate"),
            Col("conversion_rate_prev", self._c("conversion_rate_prev"), "rate"),
            Col("gmv", self._c("gmv"), "yuan"),
        ]
        shop_uv = self.review.kpis.set_index("metric").loc["uv", "this_week"]
        sources_uv = float(tr.uv.sum())
        fmt = lambda v: self.num.value(v, "count")  # noqa: E731 - local shorthand
        explain = (self.say("traffic.note", sources=fmt(sources_uv), shop=fmt(shop_uv))
                   if sources_uv > shop_uv * 1.0005 else self.say("traffic.note_plain"))
        return Block([self._h("traffic"), charts.traffic_sources(tr, self.lang, labels=self._labels()),
                      self._table(tr, cols, note=explain, sheet=self.say("sheet.traffic"))])

    def funnel(self) -> Block:
        if (m := self._missing("funnel")) is not None:
            return m
        f = self.review.funnel.copy()
        f.insert(1, "step_label", [self.say.word("funnel", s) for s in f.step])
        cols = [
            Col("step_label", self._c("step"), "text"),
            Col("users", self._c("users"), "count"),
            Col("users_prev", self._c("users_prev"), "count"),
            Col("step_rate", self._c("step_rate"), "rate"),
            Col("step_rate_prev", self._c("step_rate_prev"), "rate"),
            Col("step_rate_change", self._c("change"), "pp_change"),
        ]
        k = self.review.kpis.set_index("metric")
        explain = self.say("funnel.note", buyer_days=self.num.value(f.users.iloc[-1], "count"),
                           paid_buyers=self.num.value(k.loc["paid_buyers", "this_week"], "count"))
        return Block([self._h("funnel"), charts.funnel(f, self.lang, labels=self._labels()),
                      self._table(f, cols, note=explain, sheet=self.say("sheet.funnel"))])

    def products(self) -> Block:
        if (m := self._missing("products")) is not None:
            return m
        p = self.review.products
        top_n = self.review.params.top_n
        base = [
            Col("product_name", self._c("product_name"), "text"),
            Col("sku_id", self._c("sku_id"), "text"),
            Col("category", self._c("category"), "text"),
            Col("gmv", self._c("gmv"), "yuan"),
            Col("gmv_prev", self._c("gmv_prev"), "yuan"),
            Col("gmv_change", self._c("gmv_change"), "pct_change"),
            Col("units", self._c("units"), "count"),
            Col("conversion_rate", self._c("conversion_rate"), "rate"),
        ]
        top_title = self.say("products.top", count=len(p.top))
        fall_title = self.say("products.fallers")
        new_title = self.say("products.new", rate=self.num.value(self.review.params.new_product_hit_rate, "rate").replace(".00%", "%"))
        a = p.active
        active = self.say("products.active", count=a.on_shelf, rate=self.num.value(a.active_sku_rate, "rate"),
                          on_shelf=a.on_shelf, active=a.active)
        new = p.new.assign(verdict_label=[self.say.word("verdict", v) for v in p.new.verdict])
        new_cols = [
            Col("product_name", self._c("product_name"), "text"),
            Col("sku_id", self._c("sku_id"), "text"),
            Col("launched_on", self._c("launched_on"), "date"),
            Col("uv", self._c("uv"), "count"),
            Col("fav_cart_rate", self._c("fav_cart_rate"), "rate"),
            Col("verdict_label", self._c("verdict"), "text"),
        ]
        blocks = [
            self._h("products"),
            note(active),
            charts.bar_ranking(p.top, "product_name", "gmv", "yuan", self.lang, top_title, currency=self.currency),
            self._table(p.top, base, caption=top_title, sheet=self.say("sheet.top")),
            self._table(p.fallers, base + [Col("gmv_delta", self._c("gmv_delta"), "yuan")], caption=fall_title, sheet=self.say("sheet.fallers"),
                        note=self._shown_of(p.fallers_count, top_n) or None),
        ]
        if len(new):
            blocks.append(self._table(new, new_cols, caption=new_title, sheet=self.say("sheet.new")))
        else:
            blocks.append(note(self.say("products.no_new")))
        return Block(blocks)

    def inventory(self) -> Block:
        if (m := self._missing("inventory")) is not None:
            return m
        inv = self.review.inventory
        p = self.review.params
        stock_cols = [
            Col("product_name", self._c("product_name"), "text"),
            Col("sku_id", self._c("sku_id"), "text"),
            Col("on_hand", self._c("on_hand"), "count"),
            Col("in_transit", self._c("in_transit"), "count"),
            Col("avg_daily_units", self._c("avg_daily_units"), "ratio"),  # 0.13 a day: two decimals
            Col("days_of_cover", self._c("days_of_cover"), "days"),
        ]
        out_cols = [
            Col("product_name", self._c("product_name"), "text"),
            Col("sku_id", self._c("sku_id"), "text"),
            Col("stockout_since", self._c("stockout_since"), "date"),
            Col("avg_daily_units", self._c("avg_daily_units"), "ratio"),
            Col("gmv_30d", self.say("inventory.gmv_30d"), "yuan"),
            Col("in_transit", self._c("in_transit"), "count"),
        ]
        blocks = [self._h("inventory"), note(self.say(
            "inventory.summary", stockouts=len(inv.stockouts), low=len(inv.low_cover), high=len(inv.overstock),
            low_days=f"{p.cover_low_days:g}", high_days=f"{p.cover_high_days:g}"))]
        for frame, cols, caption in ((inv.stockouts, out_cols, "stockouts"), (inv.low_cover, stock_cols, "low"),
                                     (inv.overstock, stock_cols, "high")):
            if len(frame):
                blocks.append(self._table(frame.head(p.top_n), cols, caption=self.say(f"inventory.{caption}"), sheet=self.say(f"sheet.{caption}"),
                                          note=self._shown_of(len(frame), p.top_n) or None))
        risk = inv.promo_risk
        if risk is not None:
            promo = risk.promotion
            cap = self.say("inventory.promo", name=promo.name, start=promo.start, uplift=f"{risk.uplift:g}")
            if len(risk.at_risk):
                risk_cols = stock_cols + [Col("shortfall", self._c("shortfall"), "days")]  # 0.2 units is not 0
                shown = self._shown_of(len(risk.at_risk), p.top_n)
                blocks.append(self._table(risk.at_risk.head(p.top_n), risk_cols, caption=cap, sheet=self.say("sheet.promo_risk"),
                                          note=(self.say("inventory.promo_risk", count=len(risk.at_risk)) + " " + shown).strip()))
            else:
                blocks.append(note(self.say("inventory.promo_ok", caption=cap)))
        return Block(blocks)

    def ads(self) -> Block:
        if (m := self._missing("ads")) is not None:
            return m
        ads = self.review.ads
        flag = lambda d: [self.say.word("verdict", "below_target") if f else "" for f in d.below_target]  # noqa: E731
        judge = lambda d: ["bad" if f else "neutral" for f in d.below_target]  # noqa: E731
        camp = ads.campaigns.assign(flag=flag, roi_judge=judge)
        chan = ads.channels.assign(flag=flag, roi_judge=judge)
        cols = [
            Col("channel", self._c("channel"), "text"),
            Col("campaign", self._c("campaign"), "text"),
            Col("spend", self._c("spend"), "yuan"),
            Col("ctr", self._c("ctr"), "rate"),
            Col("cpc", self._c("cpc"), "yuan"),
            Col("roi", self._c("roi"), "ratio", judge="roi_judge"),
            Col("roi_prev", self._c("roi_prev"), "ratio"),
            Col("flag", self._c("flag"), "text", judge="roi_judge"),
        ]
        chan_cols = [c for c in cols if c.key != "campaign"]
        target = ads.target.value
        explain = self.say("ads.explain", target=self.num.value(target, "ratio"), source=self._roi_source(),
                           min_spend=self.num.value(ads.min_spend, "yuan"))
        chart = charts.bar_ranking(
            camp.assign(name=camp.channel + " / " + camp.campaign), "name", "roi", "ratio", self.lang, self.say("ads.chart"),
            reference=target, reference_label=self._c("roi_target"), highlight="below_target",
            highlight_label=self.say.word("verdict", "below_target"),
        )
        below = note(self.say("ads.below", campaigns=self.say("ads.n_campaigns", count=int(camp.below_target.sum())),
                              channels=self.say("ads.n_channels", count=int(chan.below_target.sum())),
                              target=self.num.value(target, "ratio")))
        return Block([self._h("ads"), below, self._table(chan, chan_cols, caption=self.say("ads.channels"), sheet=self.say("sheet.channels")), chart,
                      self._table(camp, cols, caption=self.say("ads.campaigns"), note=explain, sheet=self.say("sheet.campaigns"))])

    def service(self) -> Block:
        if (m := self._missing("service")) is not None:
            return m
        s = self.review.service.assign(label=lambda d: [self._m(k) for k in d.metric])
        cols = [
            Col("label", self._c("metric"), "text"),
            Col("this_week", self._p("this_week"), row_unit="unit"),
            Col("last_week", self._p("last_week"), row_unit="unit"),
            Col("wow", self._p("wow"), "change", judge="wow_judge", row_unit="unit"),
        ]
        return Block([self._h("service"), self._table(s, cols, sheet=self.say("sheet.service"))])

    def customers(self) -> Block:
        if (m := self._missing("customers")) is not None:
            return m
        cu = self.review.customers
        mix = cu.mix.assign(kind_label=[self._c(k) for k in cu.mix.kind])
        mix_cols = [Col("kind_label", self._c("buyers"), "text"), Col("this_week", self._p("this_week"), "count"),
                    Col("last_week", self._p("last_week"), "count"), Col("change", self._c("change"), "pct_change")]
        dormant = pd.DataFrame({
            "snapshot": [self._p(k) if k != "4_weeks_ago" else self.say("customers.four_weeks_ago") for k in cu.dormant_share],
            "base": list(cu.base.values()),
            "dormant_share": list(cu.dormant_share.values()),
        })
        dormant_cols = [Col("snapshot", self.say("customers.snapshot"), "text"), Col("base", self.say("customers.base"), "count"),
                        Col("dormant_share", self._m("dormant_share"), "rate")]
        dormant_note = self.say("customers.dormant", dormant_days=cu.dormant_days, lookback_days=cu.lookback_days)
        segments = cu.segments.assign(segment_label=[self.say.word("segment", s) for s in cu.segments.segment])
        seg_cols = [Col("segment_label", self._c("segment"), "text"), Col("customers", self._c("customers"), "count"),
                    Col("customers_prev", self._c("customers_prev"), "count"), Col("change", self._c("change"), "count_change")]
        mv = cu.movement.assign(from_label=[self.say.word("segment", s) for s in cu.movement.seg_from],
                                to_label=[self.say.word("segment", s) for s in cu.movement.seg_to])
        mv_cols = [Col("from_label", self.say("customers.from"), "text"), Col("to_label", self.say("customers.to"), "text"),
                   Col("customers", self._c("customers"), "count")]
        return Block([
            self._h("customers"),
            self._table(mix, mix_cols, note=self.say("customers.mix_note"), sheet=self.say("sheet.mix")),
            self._table(dormant, dormant_cols, note=dormant_note, sheet=self.say("sheet.dormant")),
            charts.segment_bars(segments, self.lang, labels=self._labels()),
            self._table(segments, seg_cols, note=self.say("customers.rfm"), sheet=self.say("sheet.segments")),
            self._table(mv, mv_cols, caption=self.say("customers.moves", count=len(mv)), sheet=self.say("sheet.moves")),
        ])

    def anomaly_frame(self) -> pd.DataFrame:
        rows = [
            {
                "severity": self.say.word("severity", a.severity),
                "rule": self.say.word("rule", a.rule),
                "evidence": narrative.describe(a, self.say, self.num),
                "action": action(a, self.say),  # names a competitor's cut as the likely cause
                "judge": "bad" if a.severity == "high" else "neutral",
            }
            for a in self.review.anomalies
        ]
        return pd.DataFrame(rows, columns=["severity", "rule", "evidence", "action", "judge"])

    def anomalies(self) -> Block:
        frame = self.anomaly_frame()
        history = None
        if "baselines" in self.review.missing:  # said, not guessed: these rules need 4 earlier weeks
            history = note(self.say("anomalies.no_baseline", first=self.review.history.first))
        if frame.empty:
            return Block([self._h("anomalies"), history, note(self.say("anomalies.none"))])
        cols = [Col("severity", self.say("anomalies.severity"), "text", judge="judge"), Col("rule", self._c("rule"), "text"),
                Col("evidence", self._c("evidence"), "text"), Col("action", self.say("anomalies.action"), "text")]
        return Block([self._h("anomalies"), history, self._table(frame, cols, sheet=self.say("sheet.anomalies"))])

    def pacing(self) -> Block:
        p = self.review.pacing
        if math.isnan(p.target):
            return Block([self._h("pacing"), note(self.say("pacing.no_target"))])
        rows = [
            (self.say("pacing.gmv_mtd"), p.gmv_mtd, "yuan"),
            (self.say("pacing.target"), p.target, "yuan"),
            (self.say("pacing.completion"), p.completion, "rate"),
            (self.say("pacing.time_elapsed"), p.time_elapsed, "rate"),
            (self.say("pacing.run_rate_mtd"), p.run_rate_mtd, "yuan"),
            (self.say("pacing.run_rate_recent", days=p.recent_days), p.run_rate_recent, "yuan"),
            (self.say("pacing.days_remaining"), p.days_remaining, "count"),
            (self.say("pacing.required"), p.required_run_rate, "yuan"),
            (self.say("pacing.projected", days=p.recent_days), p.projected_completion, "rate"),
        ]
        frame = pd.DataFrame(rows, columns=["item", "value", "unit"])  # numbers stay numbers (Excel too)
        frame["judge"] = ["neutral"] * (len(rows) - 1) + ["bad" if p.projected_completion < 1 else "good"]
        cols = [Col("item", self._c("item"), "text"), Col("value", self._c("value"), judge="judge", row_unit="unit")]
        caption = self.say("pacing.caption", month=p.month, as_of=p.as_of)
        return Block([self._h("pacing"), self._table(frame, cols, caption=caption, note=self.say("pacing.note", days=p.recent_days),
                                                     sheet=self.say("sheet.pacing"))])

    def appendix_frame(self) -> pd.DataFrame:
        shown = [*self.review.kpis.metric, *SECTION_METRICS]
        keys = [k for k in metrics() if k in shown]
        rows = [{"label": metric(k).label(self.lang), "key": k, "definition": metric(k).description(self.lang, self.review.params),
                 "formula": metric(k).formula} for k in keys]
        return pd.DataFrame(rows)

    def _appendix_table(self):
        cols = [Col("label", self._c("metric"), "text"), Col("definition", self._c("definition"), "text"),
                Col("formula", self._c("formula"), "text")]
        return table(self.appendix_frame(), cols)

    def appendix(self) -> Block:
        return Block([self._h("appendix"), self._appendix_table()])

    # export ----------------------------------------------------------------------------------
    def export_tables(self, path: str | None) -> Block:
        """Write tables.xlsx when the runner passes a path: a cover (title block and parameters),
        every table shown, and the definitions of the metrics shown."""
        if not path:
            return Block([])
        from ...render.excel import write_workbook
        from ...views.title import shop_title_block

        r = self.review
        block = shop_title_block(FAMILY, r.shop, r.week, self.lang, r.params.timezone)
        parameters = r.params.model_dump(exclude={"excel_path", "warehouse"})
        if r.ads is not None and r.params.roi_target is None:  # say which target the report used
            parameters["roi_target"] = f"{self.num.value(r.ads.target.value, 'ratio')} ({self._roi_source()})"
        write_workbook(self.sheets(), path, title=block.title, cover=[("", block.subtitle), *block.meta],
                       parameters=parameters, definitions=self._appendix_table(), lang=self.lang)
        return Block([])

