"""The weekly review as sections a notebook shows: each method returns one displayable block
(heading, tables, charts, notes) in the review's language. No computation happens here."""

from __future__ import annotations

import math

import pandas as pd

from ..analyses.weekly_review import WeeklyReview
from ..i18n import t
from ..metrics.registry import metric, metrics
from ..viz import charts, narrative
from ..viz.tables import Col, callout, heading, note, table
from .blocks import Block

MISSING_NOTE = {
    "zh": "本节无数据：导入 {table} 后即可显示{sources}。",
    "en": "No data for this section: import {table} to fill it{sources}.",
}
MISSING_SOURCES = {  # which built-in import mappings fill the missing table(s): one, several, none
    "zh": ("（内置数据源：{names}）", "（内置数据源：{names}）", "（暂无内置数据源，可自定义导入映射）"),
    "en": (" (built-in source: {names})", " (built-in sources: {names})", " (no built-in source yet: add an import mapping)"),
}


def missing_sources(tables: str, platform: str | None, lang: str) -> str:
    """The note's hint naming the built-in mappings that fill ``tables`` ("product_daily + products")."""
    from ..importing.mappings import builtin_sources

    names: list[str] = []
    for name_of_table in (part.strip() for part in tables.split("+")):
        for name in builtin_sources(name_of_table, platform):
            if name not in names:
                names.append(name)
    one, several, none = MISSING_SOURCES[lang]
    if not names:
        return none
    return (one if len(names) == 1 else several).format(names=", ".join(names))


class WeeklyReviewView:
    def __init__(self, review: WeeklyReview):
        self.review = review
        self.lang = review.lang

    # helpers -----------------------------------------------------------------------------
    def _h(self, section: str) -> Block:
        return heading(t("section", section, self.lang))

    def _w(self, group: str, key: str) -> str:
        return t(group, key, self.lang)

    def _missing(self, section: str) -> Block | None:
        if section in self.review.missing:
            tables = self.review.missing[section]
            hint = missing_sources(tables, self.review.shop.get("platform"), self.lang)
            return Block([self._h(section), note(MISSING_NOTE[self.lang].format(table=tables, sources=hint))])
        return None

    def _c(self, key: str) -> str:
        """A column header from the glossary."""
        return self._w("column", key)

    def _p(self, key: str) -> str:
        """A period name (this week, last week, ...) from the glossary."""
        return self._w("period", key)

    def _m(self, key: str) -> str:
        return metric(key).label(self.lang)

    # sections ------------------------------------------------------------------------------
    def headline(self) -> Block:
        return Block([self._h("headline"), callout(narrative.headlines(self.review))])

    def kpi_frame(self) -> pd.DataFrame:
        k = self.review.kpis.copy()
        k.insert(1, "label", [self._m(m) + (" *" if imm else "") for m, imm in zip(k.metric, k.immature)])
        return k

    def kpis(self) -> Block:
        cols = [
            Col("label", self._w("column", "metric"), "text"),
            Col("this_week", self._p("this_week"), row_unit="unit"),
            Col("last_week", self._p("last_week"), row_unit="unit"),
            Col("wow", self._p("wow"), "change", judge="wow_judge", row_unit="unit"),
            Col("last_year", self._p("last_year"), row_unit="unit"),
            Col("yoy", self._p("yoy"), "change", judge="yoy_judge", row_unit="unit"),
            Col("target", self._p("target"), row_unit="unit"),
            Col("vs_target", self._p("vs_target"), "change", judge="target_judge", row_unit="unit"),
        ]
        immature = {
            "zh": "* 退款数据按支付日期归属，最近14天的退款尚未成熟，退款率和净支付金额仍会变化。变化列：比率类为百分点(pp)，其余为相对变化。",
            "en": "* Refunds are dated by payment date; the last 14 days are immature, so refund rate and net GMV will still move. "
                  "Changes: percentage points (pp) for rates, relative change otherwise.",
        }[self.lang]
        return Block([self._h("kpis"), table(self.kpi_frame(), cols, note=immature)])

    def bridge(self) -> Block:
        b = self.review.bridge
        if b.empty:
            return Block([self._h("bridge"), note({"zh": "上周没有支付金额，无法拆解变化。",
                                                   "en": "No GMV last week: nothing to decompose."}[self.lang])])
        start, end = b.attrs["start"], b.attrs["end"]
        chart = charts.gmv_bridge(b, start, end, self.lang, self._w("period", "last_week"), self._w("period", "this_week"))
        method = {
            "zh": "方法：支付金额 = 天数 × 日均访客 × 转化率 × 每买家日支付金额，用对数均值迪氏分解（LMDI）拆分，各因素贡献之和等于总变化。",
            "en": "Method: GMV = days × avg daily UV × conversion × GMV per buyer-day, split with the log-mean Divisia index (LMDI); "
                  "the contributions add up exactly to the total change.",
        }[self.lang]
        return Block([self._h("bridge"), chart, note(narrative.bridge_sentence(self.review)), note(method)])

    def trend(self) -> Block:
        return Block([self._h("trend"), charts.daily_trend(self.review.daily, self.lang)])

    def traffic(self) -> Block:
        if (m := self._missing("traffic")) is not None:
            return m
        tr = self.review.traffic
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
        frame = tr.assign(uv=tr.uv / 7)
        return Block([self._h("traffic"), charts.traffic_sources(tr, self.lang), table(frame, cols)])

    def funnel(self) -> Block:
        f = self.review.funnel
        cols = [
            Col("step_label", self._c("step"), "text"),
            Col("users", self._c("users"), "count"),
            Col("users_prev", self._c("users_prev"), "count"),
            Col("step_rate", self._c("step_rate"), "rate"),
            Col("step_rate_prev", self._c("step_rate_prev"), "rate"),
            Col("step_rate_change", self._c("change"), "pp_change"),
        ]
        explain = {
            "zh": "人数为每日去重人数按天求和（人·天）；环节转化率 = 本环节 / 上一环节。",
            "en": "Users are daily distinct users summed over the days (user-days); step rate = this step / previous step.",
        }[self.lang]
        return Block([self._h("funnel"), charts.funnel(f, self.lang), table(f, cols, note=explain)])

    def products(self) -> Block:
        if (m := self._missing("products")) is not None:
            return m
        p = self.review.products
        base = [
            Col("product_name", self._c("product_name"), "text"),
            Col("category", self._c("category"), "text"),
            Col("gmv", self._c("gmv"), "yuan"),
            Col("gmv_prev", self._c("gmv_prev"), "yuan"),
            Col("gmv_change", self._c("gmv_change"), "pct_change"),
            Col("units", self._c("units"), "count"),
            Col("conversion_rate", self._c("conversion_rate"), "rate"),
        ]
        top_title = {"zh": f"支付金额 Top {len(p['top'])}", "en": f"Top {len(p['top'])} products by GMV"}[self.lang]
        fall_title = {"zh": "环比下滑最大的商品", "en": "Biggest fallers"}[self.lang]
        new_title = {"zh": "新品测款（上新3天收藏加购率，≥8% 为潜力款）", "en": "New products under test (fav+cart rate in 3 days; ≥ 8% = potential hit)"}[self.lang]
        a = self.review.active_sku
        active = {
            "zh": f"动销率 {metric('active_sku_rate').format(a['active_sku_rate'])}：在架 {a['on_shelf']} 个SKU中本周有销售 {a['active']} 个。",
            "en": f"Active-SKU rate {metric('active_sku_rate').format(a['active_sku_rate'])}: {a['active']} of {a['on_shelf']} on-shelf SKUs sold this week.",
        }[self.lang]
        new = p["new"].assign(verdict_label=[self._w("verdict", v) for v in p["new"].verdict])
        new_cols = [
            Col("product_name", self._c("product_name"), "text"),
            Col("launched_on", self._c("launched_on"), "date"),
            Col("uv", self._c("uv"), "count"),
            Col("fav_cart_rate", self._c("fav_cart_rate"), "rate"),
            Col("verdict_label", self._c("verdict"), "text"),
        ]
        blocks = [
            self._h("products"),
            note(active),
            charts.bar_ranking(p["top"], "product_name", "gmv", "yuan", self.lang, top_title),
            table(p["top"], base, caption=top_title),
            table(p["fallers"], base + [Col("gmv_delta", self._c("gmv_delta"), "yuan")], caption=fall_title),
        ]
        if len(new):
            blocks.append(table(new, new_cols, caption=new_title))
        else:
            blocks.append(note({"zh": "近期没有上新商品。", "en": "No product launched recently."}[self.lang]))
        return Block(blocks)

    def inventory(self) -> Block:
        if (m := self._missing("inventory")) is not None:
            return m
        inv = self.review.inventory
        p = self.review.params
        stock_cols = [
            Col("product_name", self._c("product_name"), "text"),
            Col("on_hand", self._c("on_hand"), "count"),
            Col("in_transit", self._c("in_transit"), "count"),
            Col("avg_daily_units", self._c("avg_daily_units"), "days"),
            Col("days_of_cover", self._c("days_of_cover"), "days"),
        ]
        out_cols = [
            Col("product_name", self._c("product_name"), "text"),
            Col("stockout_since", self._c("stockout_since"), "date"),
            Col("avg_daily_units", self._c("avg_daily_units"), "days"),
            Col("gmv_30d", {"zh": "近30天支付金额", "en": "GMV, last 30 days"}[self.lang], "yuan"),
            Col("in_transit", self._c("in_transit"), "count"),
        ]
        z = self.lang == "zh"
        blocks = [self._h("inventory")]
        summary = (
            f"缺货 {len(inv['stockouts'])} 个（近30天有销售），可售天数低于 {p.cover_low_days:g} 天 {len(inv['low_cover'])} 个，"
            f"高于 {p.cover_high_days:g} 天（积压）{len(inv['overstock'])} 个。"
            if z else
            f"{len(inv['stockouts'])} SKUs out of stock (sold in the last 30 days), {len(inv['low_cover'])} below "
            f"{p.cover_low_days:g} days of cover, {len(inv['overstock'])} above {p.cover_high_days:g} days (overstock)."
        )
        blocks.append(note(summary))
        if len(inv["stockouts"]):
            blocks.append(table(inv["stockouts"].head(p.top_n), out_cols, caption="缺货商品" if z else "Out of stock"))
        if len(inv["low_cover"]):
            blocks.append(table(inv["low_cover"].head(p.top_n), stock_cols, caption="库存偏低" if z else "Low cover"))
        if len(inv["overstock"]):
            blocks.append(table(inv["overstock"].head(p.top_n), stock_cols, caption="库存积压" if z else "Overstock"))
        promo = inv["next_promotion"]
        if promo is not None:
            risk = inv["promo_risk"]
            cap = (f"下个活动「{promo['name']}」({str(promo['start_at'])[:10]} 起) 备货风险：按活动期日销 ×{p.promo_uplift:g} 估算"
                   if z else f"Stock risk for the next promotion \"{promo['name']}\" (from {str(promo['start_at'])[:10]}), "
                   f"assuming ×{p.promo_uplift:g} daily sales during it")
            if len(risk):
                risk_cols = stock_cols + [Col("shortfall", self._c("shortfall"), "count")]
                blocks.append(table(risk.head(p.top_n), risk_cols, caption=cap,
                                    note=(f"共 {len(risk)} 个SKU库存+在途不足以支撑到活动结束。" if z
                                          else f"{len(risk)} SKUs lack stock plus inbound to last until the promotion ends.")))
            else:
                blocks.append(note(cap + ("：无风险SKU。" if z else ": no SKU at risk.")))
        return Block(blocks)

    def ads(self) -> Block:
        if (m := self._missing("ads")) is not None:
            return m
        ads = self.review.ads
        camp = ads["campaigns"].assign(flag=lambda d: [self._w("verdict", "below_target") if f else "" for f in d.below_target])
        camp["roi_judge"] = ["bad" if f else "neutral" for f in camp.below_target]
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
        chan_cols = [Col("channel", self._c("channel"), "text"), Col("spend", self._c("spend"), "yuan"), Col("ctr", self._c("ctr"), "rate"),
                     Col("cpc", self._c("cpc"), "yuan"), Col("roi", self._c("roi"), "ratio"), Col("roi_prev", self._c("roi_prev"), "ratio")]
        target = ads["roi_target"]
        explain = {
            "zh": f"ROI = 广告归因成交金额 / 花费（同一归因窗口），目标 {target:g}；花费低于 {self.review.params.min_campaign_spend:,.0f} 元的计划不预警。",
            "en": f"ROI = attributed sales / spend (one attribution window); target {target:g}; campaigns spending under "
                  f"¥{self.review.params.min_campaign_spend:,.0f} are not flagged.",
        }[self.lang]
        chart = charts.bar_ranking(
            camp.assign(name=camp.channel + " / " + camp.campaign), "name", "roi", "ratio", self.lang,
            {"zh": "各计划 ROI", "en": "ROI by campaign"}[self.lang],
            reference=target, reference_label=self._c("roi_target"), highlight="below_target",
            highlight_label=self._w("verdict", "below_target"),
        )
        return Block([self._h("ads"), table(ads["channels"], chan_cols), chart, table(camp, cols, note=explain)])

    def service(self) -> Block:
        if (m := self._missing("service")) is not None:
            return m
        s = self.review.service.assign(label=lambda d: [self._m(k) for k in d.metric])
        cols = [
            Col("label", self._w("column", "metric"), "text"),
            Col("this_week", self._p("this_week"), row_unit="unit"),
            Col("last_week", self._p("last_week"), row_unit="unit"),
            Col("wow", self._p("wow"), "change", judge="wow_judge", row_unit="unit"),
        ]
        return Block([self._h("service"), table(s, cols)])

    def customers(self) -> Block:
        if (m := self._missing("customers")) is not None:
            return m
        cu = self.review.customers
        p = self.review.params
        mix = cu["mix"].set_index("period")
        rows = []
        for kind in ("new", "returning"):
            now, before = mix.loc["this_week", kind], mix.loc["last_week", kind]
            rows.append({"kind": self._c(kind), "this_week": now, "last_week": before,
                         "change": (now - before) / before if before else math.nan})
        mix_frame = pd.DataFrame(rows)
        mix_cols = [Col("kind", self._c("buyers"), "text"), Col("this_week", self._w("period", "this_week"), "count"),
                    Col("last_week", self._w("period", "last_week"), "count"), Col("change", self._c("change"), "pct_change")]
        share = cu["dormant_share"]
        dm = metric("dormant_share")
        dormant = {
            "zh": f"沉睡客（超过 {p.dormant_days} 天未购买）占近 {p.rfm_lookback_days} 天客群的 {dm.format(share['this_week'])}，"
                  f"上周 {dm.format(share['last_week'])}，4周前 {dm.format(share['4_weeks_ago'])}。",
            "en": f"Dormant buyers (no order for over {p.dormant_days} days) are {dm.format(share['this_week'])} of the "
                  f"{p.rfm_lookback_days}-day base; last week {dm.format(share['last_week'])}, 4 weeks ago {dm.format(share['4_weeks_ago'])}.",
        }[self.lang]
        seg_cols = [Col("segment_label", self._c("segment"), "text"), Col("customers", self._c("customers"), "count"),
                    Col("customers_prev", self._c("customers_prev"), "count"), Col("change", self._c("change"), "count")]
        mv = cu["movement"]
        mv_cols = [Col("from_label", {"zh": "上周分层", "en": "From"}[self.lang], "text"),
                   Col("to_label", {"zh": "本周分层", "en": "To"}[self.lang], "text"),
                   Col("customers", self._c("customers"), "count")]
        rfm_note = {
            "zh": "RFM：R 按最近购买距今天数打分（越近越高），R/F/M 与客群平均值比较分高低，组合为八类。",
            "en": "RFM: recency is scored so that recent = high; R, F and M are high when better than the base's average; eight segments.",
        }[self.lang]
        return Block([
            self._h("customers"),
            table(mix_frame, mix_cols),
            note(dormant),
            charts.segment_bars(cu["segments"], self.lang),
            table(cu["segments"], seg_cols, note=rfm_note),
            table(mv, mv_cols, caption={"zh": "分层迁移（人数最多的8条）", "en": "Largest segment moves"}[self.lang]),
        ])

    def anomaly_frame(self) -> pd.DataFrame:
        rows = [
            {
                "severity": t("severity", a.severity, self.lang),
                "rule": t("rule", a.rule, self.lang),
                "evidence": narrative.describe(a, self.lang),
                "action": narrative.action(a, self.lang),
                "judge": "bad" if a.severity == "high" else "neutral",
            }
            for a in self.review.anomalies
        ]
        return pd.DataFrame(rows, columns=["severity", "rule", "evidence", "action", "judge"])

    def anomalies(self) -> Block:
        frame = self.anomaly_frame()
        if frame.empty:
            return Block([self._h("anomalies"), note({"zh": "本周没有规则触发。", "en": "No rule fired this week."}[self.lang])])
        z = self.lang == "zh"
        cols = [Col("severity", "级别" if z else "Severity", "text", judge="judge"), Col("rule", self._w("column", "rule"), "text"),
                Col("evidence", self._w("column", "evidence"), "text"), Col("action", "建议动作" if z else "Action", "text")]
        return Block([self._h("anomalies"), table(frame, cols)])

    def pacing(self) -> Block:
        p = self.review.pacing
        y, r = metric("gmv").format, metric("conversion_rate").format
        z = self.lang == "zh"
        rows = [
            ("月累计支付金额" if z else "GMV month to date", y(p["gmv_mtd"])),
            ("月目标" if z else "Monthly target", y(p["target"])),
            ("完成率" if z else "Completion", r(p["completion"])),
            ("时间进度" if z else "Time elapsed", r(p["time_elapsed"])),
            ("当前日均" if z else "Current daily run-rate", y(p["run_rate"])),
            ("剩余天数" if z else "Days remaining", f"{p['days_remaining']}"),
            ("所需日均" if z else "Required daily run-rate", y(p["required_run_rate"])),
            ("按当前节奏预计完成" if z else "Projected completion at current pace", r(p["projected_completion"])),
        ]
        frame = pd.DataFrame(rows, columns=["item", "value"])
        judge = "bad" if p["projected_completion"] < 1 else "good"
        frame["judge"] = ["neutral"] * 7 + [judge]
        cols = [Col("item", self._w("column", "item"), "text"), Col("value", self._w("column", "value"), "text", judge="judge")]
        as_of = f"截至 {p['as_of']}" if z else f"as of {p['as_of']}"
        return Block([self._h("pacing"), table(frame, cols, caption=f"{p['month']} · {as_of}")])

    def appendix(self) -> Block:
        rows = [
            {"label": m.label(self.lang), "key": m.key, "definition": m.description(self.lang), "formula": m.formula}
            for m in metrics().values()
        ]
        cols = [Col("label", self._w("column", "metric"), "text"), Col("definition", self._w("column", "definition"), "text"),
                Col("formula", self._w("column", "formula"), "text")]
        return Block([self._h("appendix"), table(pd.DataFrame(rows), cols)])

    # export ----------------------------------------------------------------------------------
    def sheets(self):
        """The key tables for Excel: one sheet each, with units for number formats."""
        from ..render import excel

        def Sheet(name, frame, units):  # noqa: N802 - units of the columns this frame has
            return excel.Sheet(name, frame, {k: v for k, v in units.items() if k in frame.columns})

        r = self.review
        z = self.lang == "zh"
        k = self.kpi_frame()[["label", "this_week", "last_week", "last_year", "target", "wow", "yoy", "vs_target", "unit"]]
        out = [Sheet("KPI" if not z else "核心指标", k, {})]
        out.append(Sheet("每日趋势" if z else "Daily trend", r.daily, {"date": "date", "gmv": "yuan", "uv": "count",
                                                                    "conversion_rate": "rate", "buyer_days": "count"}))
        out.append(Sheet("GMV拆解" if z else "GMV bridge", r.bridge, {"contribution": "yuan", "share_of_change": "rate"}))
        if r.traffic is not None:
            out.append(Sheet("流量来源" if z else "Traffic", r.traffic, {
                "uv": "count", "uv_share": "rate", "uv_share_prev": "rate", "conversion_rate": "rate",
                "conversion_rate_prev": "rate", "gmv": "yuan", "gmv_prev": "yuan", "uv_prev": "count", "share_change": "rate"}))
        if r.products is not None:
            units = {"gmv": "yuan", "gmv_prev": "yuan", "gmv_change": "rate", "units": "count", "uv": "count",
                     "conversion_rate": "rate", "gmv_delta": "yuan"}
            out.append(Sheet("商品Top" if z else "Top products", r.products["top"], units))
            out.append(Sheet("下滑商品" if z else "Fallers", r.products["fallers"], units))
        if r.inventory is not None:
            out.append(Sheet("缺货" if z else "Stockouts", r.inventory["stockouts"], {
                "on_hand": "count", "in_transit": "count", "avg_daily_units": "days", "days_of_cover": "days",
                "gmv_30d": "yuan", "units_30d": "count", "stockout_since": "date", "last_in_stock": "date"}))
        if r.ads is not None:
            out.append(Sheet("推广计划" if z else "Campaigns", r.ads["campaigns"], {
                "spend": "yuan", "attributed_amount": "yuan", "ctr": "rate", "cpc": "yuan", "roi": "ratio",
                "roi_prev": "ratio", "spend_prev": "yuan", "roi_target": "ratio", "impressions": "count", "clicks": "count"}))
        out.append(Sheet("异常" if z else "Anomalies", self.anomaly_frame().drop(columns="judge"), {}))
        return out

    def export_tables(self, path: str | None) -> Block:
        """Write tables.xlsx when the runner passes a path; interactively, say how to get one."""
        if not path:
            return Block([])
        from ..render.excel import write_workbook

        write_workbook(self.sheets(), path)
        return Block([])
