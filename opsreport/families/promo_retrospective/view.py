"""The promotion retrospective as sections a notebook shows: each method returns one displayable
block in the report's language. No computation happens here beyond choosing words; every word
comes from glossary.yaml or this family's messages.yaml."""

from __future__ import annotations

import math

import pandas as pd

from ...metrics.registry import metric, metrics
from ...viz import charts, numbers, promo_charts
from ...viz.tables import Col, callout, note, table
from ...views.blocks import Block
from ...views.base import FamilyView
from .analysis import Finding, PromoRetrospective

FAMILY = "promo_retrospective"
SECTION_METRICS = ("ctr", "cpc", "first_response_s", "reply_30s_rate", "inquiry_conversion", "good_review_rate",
                   "complaint_rate")
HEADLINE_PROBLEMS = 4  # problems named in the verdict (high ones first); the actions section lists them all
WIN_PP = 0.02  # new buyers' share of sales must beat both earlier runs by this much to count as a win


def _sentence(text: str) -> str:
    """A finding standing alone starts with a capital (English findings are written to follow a colon)."""
    return text[:1].upper() + text[1:]


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class PromoRetrospectiveView(FamilyView):
    family = FAMILY
    review: PromoRetrospective

    @property
    def roi_target(self):
        return self.review.roi_target

    # helpers -----------------------------------------------------------------------------
    def _money(self, value, plus: bool = False) -> str:
        return self.num.money(value, plus=plus)

    def _ratio(self, value) -> str:
        return self.num.value(value, "ratio")

    def _level(self) -> str:
        return f"{self.review.params.lift_level:.0%}"

    def _time(self, value, short: bool = False) -> str:
        """A moment to the minute; ``short`` drops the year (the title names the promotion's dates)."""
        if value is None or pd.isna(value):
            return ""
        return pd.Timestamp(value).strftime("%m-%d %H:%M" if short else "%Y-%m-%d %H:%M")

    # findings in words -------------------------------------------------------------------
    def finding_text(self, f: Finding) -> str:
        x = f.fields
        if f.code in ("target_missed", "target_met"):
            return self.say(f"finding.{f.code}", gmv=self._money(x["gmv"]), target=self._money(x["target"]),
                            achievement=self._rate(x["achievement"]))
        if f.code == "pace_first_day":
            return self.say("finding.pace_first_day", reached=self._rate(1 + x["gap_share"]), gap=self._rate(-x["gap_share"]),
                            hour=self._time(x["hour"]))
        if f.code == "stockout":
            key = "finding.stockout_unknown" if _nan(x["lost_gmv"]) else "finding.stockout"
            return self.say(key, name=x["name"], sku=x["sku"], first_out=x["first_out"], days=x["days"],
                            lost_gmv=self._money(x["lost_gmv"]))
        if f.code == "price_violations":
            return self.say("finding.price_violations", count=x["count"], skus=self.say.join(x["skus"]))
        if f.code == "channel_over_budget":
            roi_part = self.say("finding.roi_part", roi=self._ratio(x["roi"])) if x["below_target"] else ""
            return self.say("finding.channel_over_budget", channel=x["channel"], spend=self._money(x["spend"]),
                            budget=self._money(x["budget"]), overrun=self._rate(x["overrun"]), roi_part=roi_part)
        if f.code == "channel_below_roi":
            return self.say("finding.channel_below_roi", channel=x["channel"], roi=self._ratio(x["roi"]),
                            target=self._ratio(x["target"]))
        if f.code in ("pull_forward", "hangover", "cannibalisation"):
            return self.say(f"finding.{f.code}", amount=self._money(abs(x["amount"])), days=x.get("days", ""))
        if f.code == "lift":
            return self.say("finding.lift", amount=self._money(x["amount"], plus=True), lower=self._money(x["lower"], plus=True),
                            upper=self._money(x["upper"], plus=True), share=self.num.change(x["share"], "ratio"))
        if f.code == "coupon_redemption_low":
            return self.say("finding.coupon_redemption_low", rate=self._rate(x["rate"]), previous=self._rate(x["previous"]),
                            promotion=x["promotion"])
        if f.code == "refunds_above_last_year":
            return self.say("finding.refunds_above_last_year", projected=self._rate(x["projected"]), low=self._rate(x["low"]),
                            high=self._rate(x["high"]), last_year=self._rate(x["last_year"]))
        if f.code == "roi_below_target":
            return self.say("finding.roi_below_target", roi=self._ratio(x["roi"]), target=self._ratio(x["target"]))
        raise KeyError(f"no words for finding '{f.code}'")

    def _problems(self) -> list[Finding]:
        return [f for f in self.review.findings if f.severity in ("high", "medium")]

    # sections ------------------------------------------------------------------------------
    def headline(self) -> Block:
        r = self.review
        k = r.kpis.set_index("metric")
        star = self.say("headline.immature_star") if r.refunds_immature else ""
        gmv, net = k.loc["gmv", "promotion"], k.loc["net_gmv", "promotion"]
        sentences = [self._overall()]
        if r.target_gmv:
            sentences.append(self.say("headline.gmv", gmv=self._money(gmv), target=self._money(r.target_gmv),
                                      achievement=self._rate(gmv / r.target_gmv), net_gmv=self._money(net), star=star))
        else:
            sentences.append(self.say("headline.gmv_no_target", gmv=self._money(gmv), net_gmv=self._money(net), star=star))
        roi = k.loc["roi", "promotion"]
        if not _nan(roi) and not _nan(r.roi_target.value):
            verdict = self.say("headline.roi_met" if roi >= r.roi_target.value else "headline.roi_missed")
            sentences.append(self.say("headline.roi", roi=self._ratio(roi), target=self._ratio(r.roi_target.value),
                                      source=self._roi_source(), verdict=verdict))
        if r.lift is not None:
            sentences.append(self.say("headline.lift", lift=self._money(r.lift.promotion.value, plus=True), level=self._level(),
                                      lower=self._money(r.lift.promotion.lower, plus=True),
                                      upper=self._money(r.lift.promotion.upper, plus=True),
                                      share=self.num.change(r.lift.lift_share, "ratio"), net=self._money(r.lift.net.value, plus=True)))
        problems = [f for f in self._problems() if f.code != "target_missed"]
        high = [f for f in problems if f.severity == "high"]
        named = (high or problems)[:HEADLINE_PROBLEMS]
        for f in named:
            sentences.append(self.say("headline.problem", finding=self.finding_text(f), action=self.say(f"action.{f.code}")))
        if len(problems) > len(named):
            sentences.append(self.say("headline.more", count=len(problems) - len(named)))
        win = self._win()
        if win:
            sentences.append(self.say("headline.win", text=win))
        blocks = [self._h("headline"), callout(sentences, headlines=True)]
        if r.refunds_immature:
            blocks.append(note(self.say("headline.immature", days=r.params.refund_mature_days)))
        return Block(blocks)

    def _overall(self) -> str:
        """One judgement: the target, the year on year change and whether the promotion added sales."""
        r = self.review
        k = r.kpis.set_index("metric")
        gmv = k.loc["gmv", "promotion"]
        target = (self.say("overall.target_met" if gmv >= r.target_gmv else "overall.target_missed",
                           achievement=self._rate(gmv / r.target_gmv)) if r.target_gmv else self.say("overall.no_target"))
        yoy = k.loc["gmv", "vs_last_year"]
        yoy_text = self.say("overall.yoy", change=self.num.change(yoy, "ratio")) if not _nan(yoy) else ""
        if r.lift is None:
            lift = self.say("overall.lift_unknown")
        elif r.lift.net.upper < 0:
            lift = self.say("overall.lift_negative", net=self._money(r.lift.net.value, plus=True))
        elif r.lift.net.lower > 0:
            lift = self.say("overall.lift_positive", net=self._money(r.lift.net.value, plus=True))
        else:
            lift = self.say("overall.lift_unclear", net=self._money(r.lift.net.value, plus=True))
        return self.say("overall.sentence", target=target, yoy=yoy_text, lift=lift)

    def _win(self) -> str:
        """A real win only: a phase that beat its target, new buyers' share of sales up on both
        runs compared with, or a lift whose whole interval is above zero."""
        r = self.review
        if r.phases is not None:
            best = r.phases.dropna(subset=["achievement_rate"]).sort_values("achievement_rate", ascending=False)
            if len(best) and best.achievement_rate.iloc[0] >= 1:
                return self.say("headline.win_phase", phase=self.say(f"phase.{best.phase.iloc[0]}"),
                                achievement=self._rate(best.achievement_rate.iloc[0]))
        k = r.kpis.set_index("metric").loc["new_customer_sales_share"]
        earlier = [k[label] for label in ("last_year", "previous") if not _nan(k[label])]
        if r.buyers is not None and earlier and all(k.promotion >= e + WIN_PP for e in earlier):
            return self.say("headline.win_new", share=self._rate(r.buyers.new_customer_sales_share),
                            buyers=self.num.value(r.buyers.new_buyers, "count"), before=self._rate(max(earlier)))
        if r.lift is not None and r.lift.net.lower > 0:  # the net, as the overall judgement reads it
            return self.say("headline.win_lift", lift=self._money(r.lift.net.value, plus=True))
        return ""

    def kpi_frame(self) -> pd.DataFrame:
        k = self.review.kpis.copy()
        k.insert(1, "label", [self._m(m) + (" *" if imm else "") for m, imm in zip(k.metric, k.immature)])
        return k

    def kpis(self) -> Block:
        r = self.review
        cols = [
            Col("label", self._c("metric"), "text"),
            Col("promotion", self._c("promotion"), row_unit="unit"),
            Col("target", self._c("target"), row_unit="unit"),
            Col("vs_target", self._c("vs_target"), "change", judge="vs_target_judge", row_unit="unit"),
            Col("last_year", self._c("last_year"), row_unit="unit"),
            Col("vs_last_year", self._c("vs_last_year" + ("_per_day" if "last_year" in r.per_day else "")), "change",
                judge="vs_last_year_judge", row_unit="unit"),
            Col("previous", self._c("previous"), row_unit="unit"),
            Col("vs_previous", self._c("vs_previous" + ("_per_day" if "previous" in r.per_day else "")), "change",
                judge="vs_previous_judge", row_unit="unit"),
        ]
        name = lambda p: self.say("kpis.run", name=p.name, days=p.days) if p is not None else self.say("kpis.none")  # noqa: E731
        notes = [self.say("kpis.compared", days=r.promotion.days, last_year=name(r.compared["last_year"]),
                          previous=name(r.compared["previous"])),
                 self.say("kpis.note", start=self._time(r.start_at), end=self._time(r.end_at))]
        if r.refunds_immature:
            notes.append(self.say("kpis.immature"))
        for label, keys in r.short_history.items():
            if label in ("last_year", "previous", "promotion"):
                names = self.say.join(self._m(k) for k in sorted(keys))
                notes.append(self.say("kpis.short_history", run=self.say(f"run.{label}"), metrics=names, first=r.history.first_order))
        return Block([self._h("kpis"), self._table(self.kpi_frame(), cols, note=" ".join(notes), sheet=self.say("sheet.kpis"))])

    def phases(self) -> Block:
        if (m := self._missing("phases")) is not None:
            return m
        r = self.review
        ph = r.phases.assign(phase_label=[self.say(f"phase.{p}") for p in r.phases.phase],
                             start=[self._time(t, short=True) for t in r.phases.start_at],
                             end=[self._time(t, short=True) for t in r.phases.end_at])
        cols = [
            Col("phase_label", self._c("phase"), "text"), Col("start", self._c("start"), "text"), Col("end", self._c("end"), "text"),
            Col("gmv", self._c("gmv"), "yuan"), Col("target_gmv", self._c("target"), "yuan"),
            Col("achievement_rate", self._c("achievement"), "rate"), Col("uv", self._m("uv"), "count"),
            Col("conversion_rate", self._c("conversion_rate"), "rate"), Col("aov", self._c("aov"), "yuan"),
        ]
        blocks = [self._h("phases"), self._table(ph, cols, note=self.say("phases.note"), sheet=self.say("sheet.phases"))]
        p = r.presale
        if p is None:
            blocks.append(note(self.say("phases.no_presale")))
        else:
            rows = pd.DataFrame([
                {"item": self.say("phases.completion_amount"), "due": p.balance_due_amount, "paid": p.balance_amount,
                 "rate": p.amount_completion_rate, "unit": "yuan"},
                {"item": self.say("phases.completion_units"), "due": p.deposit_units, "paid": p.balance_units,
                 "rate": p.units_completion_rate, "unit": "count"},
                {"item": self.say("phases.completion_buyers"), "due": p.deposit_buyers, "paid": p.balance_buyers,
                 "rate": p.buyers_completion_rate, "unit": "count"},
            ])
            cols = [Col("item", self._c("item"), "text"), Col("due", self.say("phases.due"), row_unit="unit"),
                    Col("paid", self.say("phases.paid"), row_unit="unit"), Col("rate", self.say("phases.rate"), "rate")]
            blocks.append(self._table(rows, cols, caption=self.say("phases.presale_caption"), sheet=self.say("sheet.presale"),
                                      note=self.say("phases.presale_note", orders=self.num.value(p.deposit_orders, "count"),
                                                    deposits=self._money(p.deposit_amount),
                                                    balance_orders=self.num.value(p.balance_orders, "count"))))
        return Block(blocks)

    def pace(self) -> Block:
        if (m := self._missing("pace")) is not None:
            return m
        r = self.review
        pace = r.pace
        day = pace.first_day
        hour = day.first_hour_beyond_threshold or day.first_hour_behind
        fields = dict(day=day.day, gmv=self._money(day.gmv), pace=self._money(day.target_pace),
                      gap=self.num.change(day.gap_share, "ratio"), threshold=self._pct(pace.threshold), hour=self._time(hour))
        fields["reached"] = self._rate(day.gmv / day.target_pace) if day.target_pace else "–"
        if pace.alert:
            fields["gap"] = self._rate(-day.gap_share)
        text = self.say("pace.alert" if pace.alert else "pace.ok", **fields)
        curve = self.say(f"pace.curve_{'phases' if pace.curve_source == 'given' else pace.curve_source}",
                         days=r.params.pace_baseline_days)
        chart = promo_charts.promo_pace(pace.hourly, self.lang, currency=self.currency,
                                        first_day_alert=day.first_hour_beyond_threshold if pace.alert else None)
        days = pace.days_frame().assign(first_behind=lambda d: [self._time(t) for t in d.first_hour_behind])
        cols = [Col("day", self._c("day"), "date"), Col("gmv", self._c("gmv"), "yuan"), Col("target_pace", self._c("day_pace"), "yuan"),
                Col("gap_share", self._c("gap_share"), "pct_change"), Col("cumulative_gap_share", self._c("cumulative_gap_share"), "pct_change"),
                Col("first_behind", self._c("first_hour_behind"), "text")]
        hours = pace.hourly.assign(hour_text=[self._time(t) for t in pace.hourly.hour])
        hour_cols = [Col("hour_text", self._c("hour"), "text"), Col("gmv", self._c("gmv"), "yuan"),
                     Col("cumulative_gmv", self._c("cumulative_gmv"), "yuan"), Col("target_pace", self._c("cumulative_pace"), "yuan"),
                     Col("gap_share", self._c("gap_share"), "pct_change")]
        self._table(hours, hour_cols, sheet=self.say("sheet.pace_hours"), show=False)
        self._table(days, cols, sheet=self.say("sheet.pace_days"), show=False)  # the chart shows the days; the workbook lists them
        notes = [curve]
        if pace.excluded_orders:
            notes.append(self.say("pace.excluded", orders=pace.excluded_orders, amount=self._money(pace.excluded_amount)))
        notes.append(self.say("pace.workbook"))
        return Block([self._h("pace"), callout([text]), chart, note(" ".join(notes))])

    def lift(self) -> Block:
        r = self.review
        if r.lift is None:
            reason = r.unavailable.get("lift", "")
            if reason == "history":
                reason = self.say("lift.history", weeks=r.params.fit_weeks, first=r.history.first)
            return Block([self._h("lift"), note(self.say("lift.unavailable", reason=reason))])
        lf = r.lift
        frame = lf.frame().assign(part_label=lambda d: [self.say(f"lift_part.{p}") for p in d.part])
        cols = [Col("part_label", self._c("part"), "text"), Col("lift_amount", self._c("lift"), "yuan"),
                Col("lift_lower", self._c("lower"), "yuan"), Col("lift_upper", self._c("upper"), "yuan")]
        notes = [self.say("lift.method", weeks=r.params.fit_weeks, fit_start=lf.fit_start, fit_end=lf.fit_end,
                          dip=r.params.pre_dip_days, level=self._level())]
        if r.lift_overlaps:
            notes.append(self.say("lift.overlaps", names=self.say.join(r.lift_overlaps)))
        if lf.residual_autocorrelation > 0.3:
            notes.append(self.say("lift.autocorrelation", value=f"{lf.residual_autocorrelation:.2f}"))
        blocks = [self._h("lift"), promo_charts.promo_lift(lf.daily, self.lang, currency=self.currency),
                  self._table(frame, cols, note=" ".join(notes), sheet=self.say("sheet.lift"))]
        day_cols = [Col("date", self._c("date"), "date"), Col("actual_amount", self._c("gmv"), "yuan"),
                    Col("baseline_amount", self._c("baseline"), "yuan"), Col("lift_amount", self._c("lift"), "yuan")]
        self._table(lf.daily, day_cols, sheet=self.say("sheet.lift_days"), show=False)
        c = r.cannibalisation
        if c is not None:
            e = c.promotion
            meaning = ("lift.cannibal_loss" if e.upper < 0 else "lift.cannibal_halo" if e.lower > 0 else "lift.cannibal_none")
            blocks.append(note(self.say("lift.cannibal", amount=self._money(e.value, plus=True), lower=self._money(e.lower, plus=True),
                                        upper=self._money(e.upper, plus=True), meaning=self.say(meaning))))
        return Block(blocks)

    def yoy(self) -> Block:
        r = self.review
        ly, prev = r.compared["last_year"], r.compared["previous"]
        k = r.kpis.set_index("metric")
        blocks = [self._h("yoy")]
        if ly is None:
            blocks.append(note(self.say("yoy.none")))
        else:
            a = r.aligned.assign(offset_label=lambda d: [self.say("yoy.d_label", offset=self._offset(o)) for o in d.offset])
            blocks.append(promo_charts.aligned_days(a, self.lang, currency=self.currency))
            cols = [Col("offset_label", self._c("offset"), "text"), Col("date", self._c("date"), "date"), Col("gmv", self._c("gmv"), "yuan"),
                    Col("last_year_date", self._c("last_year_date"), "date"), Col("last_year_gmv", self._c("last_year_gmv"), "yuan")]
            self._table(a, cols, sheet=self.say("sheet.yoy"), show=False)
            blocks.append(note(self.say("yoy.note", name=ly.name, d_day=ly.event_day)))
        if ly is not None:
            fields = dict(gmv=self._money(k.loc["gmv", "promotion"]), last_year=self._money(k.loc["gmv", "last_year"]),
                          change=self.num.change(k.loc["gmv", "vs_last_year"], "ratio"))
            if prev is not None:
                blocks.append(note(self.say("yoy.totals", previous_name=prev.name, previous=self._money(k.loc["gmv", "previous"]), **fields)))
            else:
                blocks.append(note(self.say("yoy.totals_no_previous", **fields)))
        return Block(blocks)

    def _offset(self, offset: int) -> str:
        return "" if offset == 0 else (f"+{offset}" if offset > 0 else f"{numbers.MINUS}{-offset}")

    def traffic(self) -> Block:
        r = self.review
        blocks = [self._h("traffic")]
        b = r.baseline
        if r.traffic is not None:
            tr = r.traffic.assign(source_label=lambda d: [self.say.word("source", s) for s in d.source])
            cols = [Col("source_label", self._c("source"), "text"), Col("uv", self._m("uv"), "count"),
                    Col("uv_share", self._c("uv_share"), "rate"), Col("uv_share_prev", self._c("uv_share_baseline"), "rate"),
                    Col("share_change", self._c("share_change"), "pp_change"), Col("conversion_rate", self._c("conversion_rate"), "rate"),
                    Col("conversion_rate_prev", self._c("conversion_rate_baseline"), "rate"), Col("gmv", self._c("gmv"), "yuan")]
            labels = {"current": self.say("chart.promotion"), "previous": self.say("chart.before")}
            blocks += [charts.traffic_sources(tr, self.lang, labels=labels),
                       self._table(tr, cols, note=self.say("traffic.note", days=b.days, start=b.start, end=b.end) + self._baseline_caveat(),
                                   sheet=self.say("sheet.traffic"))]
        else:
            blocks.append(self._missing("traffic").parts[1])
        if r.funnel is not None:
            f = r.funnel.assign(step_label=lambda d: [self.say.word("funnel", s) for s in d.step])
            cols = [Col("step_label", self._c("step"), "text"), Col("users", self._c("users"), "count"),
                    Col("users_prev", self._c("users_baseline"), "count"), Col("step_rate", self._c("step_rate"), "rate"),
                    Col("step_rate_prev", self._c("step_rate_baseline"), "rate"), Col("step_rate_change", self._c("change"), "pp_change")]
            blocks.append(self._table(f, cols, note=self.say("traffic.funnel_note"), sheet=self.say("sheet.funnel")))
        return Block(blocks)

    def ads(self) -> Block:
        if (m := self._missing("ads")) is not None:
            return m
        r = self.review
        ch = r.channels
        judge = lambda flags: ["bad" if f else "neutral" for f in flags]  # noqa: E731
        ch = ch.assign(roi_judge=judge(ch.below_target.fillna(False).astype(bool)),
                       budget_judge=judge(ch.over_budget.fillna(False).astype(bool)))
        cols = [Col("channel", self._c("channel"), "text"), Col("spend", self._c("spend"), "yuan"), Col("budget", self._c("budget"), "yuan"),
                Col("overrun_rate", self._c("overrun_rate"), "pct_change", judge="budget_judge"),
                Col("attributed_amount", self._c("attributed_amount"), "yuan"), Col("roi", self._c("roi"), "ratio", judge="roi_judge")]
        k = r.kpis.set_index("metric")
        spend, roi = k.loc["ad_spend", "promotion"], k.loc["roi", "promotion"]
        summary = self.say("ads.summary", spend=self._money(spend), attributed=self._money(spend * roi if not _nan(roi) else math.nan),
                           roi=self._ratio(roi), target=self._ratio(r.roi_target.value), source=self._roi_source())
        notes = [self.say("ads.budget_rule", tolerance=self._pct(r.params.budget_overrun))]
        if "ad_budgets" in r.missing:
            notes.append(self.say("ads.no_budget"))
        maturity = (self.say("ads.mature", days=r.params.attribution_days) if r.attribution_mature
                    else self.say("ads.immature", days=r.params.attribution_days, left=r.attribution_days_left, data_end=r.data_end))
        camp = r.campaigns.assign(roi_judge=judge(r.campaigns.below_target.fillna(False).astype(bool)))
        camp_cols = [Col("channel", self._c("channel"), "text"), Col("campaign", self._c("campaign"), "text"),
                     Col("spend", self._c("spend"), "yuan"), Col("ctr", self._c("ctr"), "rate"), Col("cpc", self._c("cpc"), "yuan"),
                     Col("roi", self._c("roi"), "ratio", judge="roi_judge")]
        chart = charts.bar_ranking(camp.assign(name=camp.channel + " / " + camp.campaign), "name", "roi", "ratio", self.lang,
                                   self.say("ads.chart"), reference=r.roi_target.value, reference_label=self._c("roi_target"),
                                   highlight="below_target", highlight_label=self.say.word("verdict", "below_target"))
        return Block([self._h("ads"), callout([summary, maturity]),
                      self._table(ch, cols, caption=self.say("ads.channels"), note=" ".join(notes), sheet=self.say("sheet.channels")),
                      chart,
                      self._table(camp, camp_cols, caption=self.say("ads.campaigns", min_spend=self._money(r.params.min_campaign_spend)),
                                  sheet=self.say("sheet.campaigns"))])

    def customers(self) -> Block:
        if (m := self._missing("customers")) is not None:
            return m
        r = self.review
        b, rp = r.buyers, r.repurchase
        text = [self.say("customers.summary", buyers=self.num.value(b.buyers, "count"), new=self.num.value(b.new_buyers, "count"),
                         new_share=self._rate(b.new_buyer_share), new_gmv=self._money(b.new_buyer_gmv),
                         sales_share=self._rate(b.new_customer_sales_share), aov_new=self._money(b.aov_new),
                         aov_returning=self._money(b.aov_returning))]
        if rp.mature:
            text.append(self.say("customers.repurchase", days=rp.window_days, rate=self._rate(rp.rate), count=rp.repurchased))
        else:
            text.append(self.say("customers.repurchase_immature", days=rp.window_days, left=rp.days_to_maturity, count=rp.repurchased_so_far))
        frame = pd.DataFrame([
            {"kind": self._c("new"), "buyers": b.new_buyers, "gmv": b.new_buyer_gmv, "aov": b.aov_new},
            {"kind": self._c("returning"), "buyers": b.returning_buyers, "gmv": b.gmv - b.new_buyer_gmv, "aov": b.aov_returning},
        ])
        cols = [Col("kind", self._c("buyer_type"), "text"), Col("buyers", self._c("buyers"), "count"), Col("gmv", self._c("gmv"), "yuan"),
                Col("aov", self._c("aov"), "yuan")]
        return Block([self._h("customers"), callout(text),
                      self._table(frame, cols, note=self.say("customers.new_rule"), sheet=self.say("sheet.buyers"))])

    def products(self) -> Block:
        if (m := self._missing("products")) is not None:
            return m
        r = self.review
        p = r.pareto
        top = p.top.copy()
        blocks = [self._h("products"), note(self.say("products.pareto", count=p.skus_for_80, share=self._rate(p.share_of_skus_for_80))
                                            + self.say("products.whole_days")),
                  charts.bar_ranking(top, "product_name", "gmv", "yuan", self.lang, self.say("products.heroes", count=len(top)),
                                     currency=self.currency)]
        cols = [Col("rank", self._c("rank"), "int"), Col("product_name", self._c("product_name"), "text"), Col("sku_id", self._c("sku_id"), "text"),
                Col("gmv", self._c("gmv"), "yuan"), Col("share", self._c("share"), "rate"),
                Col("cumulative_share", self._c("cumulative_share"), "rate")]
        blocks.append(self._table(top, cols, caption=self.say("products.heroes", count=len(top)), sheet=self.say("sheet.pareto")))
        if r.stockouts is not None:
            if len(r.stockouts):
                out_cols = [Col("product_name", self._c("product_name"), "text"), Col("sku_id", self._c("sku_id"), "text"),
                            Col("first_out", self._c("first_out"), "date"), Col("days_out", self._c("days_out"), "int"),
                            Col("lost_units", self._c("lost_units"), "count"), Col("lost_gmv", self._c("lost_gmv"), "yuan")]
                shown = r.stockouts.sort_values("lost_gmv", ascending=False, na_position="last").head(r.params.top_n)
                blocks.append(self._table(shown, out_cols, caption=self.say("products.stockouts"), note=self.say("products.stockouts_note"),
                                          sheet=self.say("sheet.stockouts")))
            else:
                blocks.append(note(self.say("products.no_stockouts")))
        if r.sell_through is not None:
            st = r.sell_through.sort_values("gmv", ascending=False).head(r.params.top_n)
            st_cols = [Col("product_name", self._c("product_name"), "text"), Col("promo_price", self._c("promo_price"), "yuan"),
                       Col("stock_allocated", self._c("stock_allocated"), "count"), Col("units", self._c("units"), "count"),
                       Col("sell_through", self._c("sell_through"), "rate"), Col("leftover", self._c("leftover"), "count")]
            blocks.append(self._table(st, st_cols, caption=self.say("products.sell_through"), note=self.say("products.sell_through_note"),
                                      sheet=self.say("sheet.sell_through")))
        return Block(blocks)

    def prices(self) -> Block:
        if (m := self._missing("prices")) is not None:
            return m
        r = self.review
        pr = r.prices
        p = r.params
        lines = [self.say("prices.summary", count=len(pr.skus), skus=len(pr.skus), failed=len(pr.violations))]
        lines += [self.say("prices.counts", rule=self.say(f"rule.{rule}"), failed=c.failed, passed=c.passed, unknown=c.unknown)
                  for rule, c in pr.counts.items()]
        unknown = int((pr.skus.unknown.str.len() > 0).sum())
        blocks = [self._h("prices"), callout(lines)]
        if unknown:
            blocks.append(note(self.say("prices.unknown", count=unknown)))
        rules_note = self.say("prices.rules", share=self._rate(p.max_share_of_daily_price).replace(".00%", "%"),
                              low_days=p.low_window_days, ref_days=p.reference_window_days)
        if len(pr.violations):
            names = self._names()
            v = pr.violations.merge(names, on="sku_id", how="left")
            v = v.assign(violations_label=[self.say.join(self.say(f"rule.{x}") for x in rules) for rules in v.violations])
            cols = [Col("product_name", self._c("product_name"), "text"), Col("sku_id", self._c("sku_id"), "text"),
                    Col("promo_price", self._c("promo_price"), "yuan"), Col("list_price", self._c("list_price"), "yuan"),
                    Col("share_of_daily_price", self._c("share_of_daily_price"), "rate"),
                    Col("window_low_price", self._c("window_low_price"), "yuan"), Col("window_low_date", self._c("window_low_date"), "date"),
                    Col("reference_price", self._c("reference_price"), "yuan"), Col("violations_label", self._c("violations"), "text")]
            blocks.append(self._table(v, cols, note=rules_note, sheet=self.say("sheet.prices")))
        else:
            blocks.append(note(self.say("prices.none") + " " + rules_note))
        return Block(blocks)

    def _names(self) -> pd.DataFrame:
        r = self.review
        for frame in (r.sell_through, r.stockouts):
            if frame is not None and "product_name" in frame:
                return frame[["sku_id", "product_name"]].drop_duplicates("sku_id")
        return pd.DataFrame({"sku_id": [], "product_name": []})

    def coupons(self) -> Block:
        if (m := self._missing("coupons")) is not None:
            return m
        c = self.review.coupons
        lines = [self.say("coupons.summary", issued=self.num.value(c.issued, "count"), redeemed=self.num.value(c.redeemed, "count"),
                          rate=self._rate(c.redemption_rate), cost=self._money(c.discount_cost),
                          cost_share=self._rate(c.cost_share_of_gmv), effective=self._rate(c.effective_discount))]
        prev = self.review.compared["previous"]
        if not _nan(c.previous_redemption_rate) and prev is not None:
            lines.append(self.say("coupons.previous", name=prev.name, previous=self._rate(c.previous_redemption_rate),
                                  change=self.num.change(c.redemption_rate - c.previous_redemption_rate, "rate")))
        cols = [Col("coupon_id", self._c("coupon_id"), "text"), Col("threshold", self._c("threshold"), "yuan"),
                Col("discount", self._c("discount"), "yuan"), Col("issued", self._c("issued"), "count"),
                Col("redeemed", self._c("redeemed"), "count"), Col("redemption_rate", self._c("redemption_rate"), "rate"),
                Col("discount_cost", self._c("discount_cost"), "yuan")]
        return Block([self._h("coupons"), callout(lines),
                      self._table(c.per_coupon, cols, note=self.say("coupons.effective_note"), sheet=self.say("sheet.coupons"))])

    def refunds(self) -> Block:
        if (m := self._missing("refunds")) is not None:
            return m
        r = self.review
        f = r.refunds
        p = r.params
        if f.mature:
            lines = [self.say("refunds.observed_mature", as_of=f.as_of, rate=self._rate(f.observed_rate))]
        else:
            lines = [self.say("refunds.observed", as_of=f.as_of, rate=self._rate(f.observed_rate), age=(r.data_end - r.promotion.end).days)]
            if _nan(f.projected_rate):
                lines.append(self.say("refunds.no_projection", days=p.refund_curve_days))
            else:
                lines.append(self.say("refunds.projected", count=len(f.promotions_used), projected=self._rate(f.projected_rate),
                                      low=self._rate(f.low), high=self._rate(f.high)))
        return Block([self._h("refunds"), callout(lines), note(self.say("refunds.method", days=p.refund_curve_days))])

    def service(self) -> Block:
        if (m := self._missing("service")) is not None:
            return m
        r = self.review
        s = r.service.assign(label=lambda d: [self._m(k) for k in d.metric])
        cols = [Col("label", self._c("metric"), "text"), Col("this_week", self._c("promotion"), row_unit="unit"),
                Col("last_week", self._c("baseline"), row_unit="unit"), Col("wow", self._c("change"), "change", judge="wow_judge", row_unit="unit")]
        return Block([self._h("service"), self._table(s, cols, note=self.say("service.note", days=r.baseline.days) + self._baseline_caveat(),
                                                      sheet=self.say("sheet.service"))])

    def _baseline_caveat(self) -> str:
        names = self.review.baseline_overlaps
        return self.say("traffic.baseline_overlaps", names=self.say.join(names)) if names else ""

    def action_frame(self) -> pd.DataFrame:
        rows = [{"severity": self.say(f"severity.{f.severity}"), "finding": _sentence(self.finding_text(f)),
                 "action": self.say(f"action.{f.code}"),
                 "judge": "bad" if f.severity == "high" else "neutral"} for f in self.review.findings if f.code not in ("lift",)]
        return pd.DataFrame(rows, columns=["severity", "finding", "action", "judge"])

    def actions(self) -> Block:
        frame = self.action_frame()
        if frame.empty:
            return Block([self._h("actions"), note(self.say("actions.none"))])
        cols = [Col("severity", self._c("severity"), "text", judge="judge"), Col("finding", self._c("finding"), "text"),
                Col("action", self._c("action"), "text")]
        return Block([self._h("actions"), self._table(frame, cols, sheet=self.say("sheet.actions"))])

    def appendix_frame(self) -> pd.DataFrame:
        shown = [*self.review.kpis.metric, *SECTION_METRICS]
        keys = [k for k in metrics() if k in shown]
        return pd.DataFrame([{"label": metric(k).label(self.lang), "definition": metric(k).description(self.lang, self.review.params),
                              "formula": metric(k).formula} for k in keys])

    def _appendix_table(self):
        cols = [Col("label", self._c("metric"), "text"), Col("definition", self._c("definition"), "text"),
                Col("formula", self._c("formula"), "text")]
        return table(self.appendix_frame(), cols)

    def methods_frame(self) -> pd.DataFrame:
        r, p = self.review, self.review.params
        rows = [
            ("phases", self.say("phases.note")),
            ("pace", self.say(f"pace.curve_{'phases' if r.pace is not None and r.pace.curve_source == 'given' else 'baseline'}",
                              days=p.pace_baseline_days)),
            ("lift", self.say("lift.method", weeks=p.fit_weeks, fit_start=r.lift.fit_start if r.lift else "–",
                              fit_end=r.lift.fit_end if r.lift else "–", dip=p.pre_dip_days, level=self._level())),
            ("yoy", self.say("yoy.note", name=r.compared["last_year"].name if r.compared["last_year"] else "–",
                             d_day=r.compared["last_year"].event_day if r.compared["last_year"] else "–")),
            ("new_buyers", self.say("customers.new_rule")),
            ("stockouts", self.say("products.stockouts_note")),
            ("prices", self.say("prices.rules", share=self._rate(p.max_share_of_daily_price).replace(".00%", "%"),
                                low_days=p.low_window_days, ref_days=p.reference_window_days)),
            ("refunds", self.say("refunds.method", days=p.refund_curve_days)),
        ]
        return pd.DataFrame([{"method": self.say(f"method.{k}"), "definition": text} for k, text in rows])

    def appendix(self) -> Block:
        methods = table(self.methods_frame(), [Col("method", self._c("method"), "text"), Col("definition", self._c("definition"), "text")])
        return Block([self._h("appendix"), self._appendix_table(), methods])

    # export ----------------------------------------------------------------------------------
    def export_tables(self, path: str | None) -> Block:
        """Write tables.xlsx when the runner passes a path: a cover, every table shown, definitions."""
        if not path:
            return Block([])
        from ...periods import Period
        from ...render.excel import write_workbook
        from ...views.title import shop_title_block

        r = self.review
        block = shop_title_block(FAMILY, r.shop, Period(r.promotion.name, r.promotion.start, r.promotion.end), self.lang,
                                 r.params.timezone)
        parameters = r.params.model_dump(exclude={"excel_path", "warehouse"})
        if r.params.roi_target is None:
            parameters["roi_target"] = f"{self._ratio(r.roi_target.value)} ({self._roi_source()})"
        write_workbook(self.sheets(), path, title=block.title, cover=[("", block.subtitle), *block.meta],
                       parameters=parameters, definitions=self._appendix_table(), lang=self.lang)
        return Block([])
