"""The competitor teardown as sections a notebook shows: each method returns one displayable block
in the report's language. No computation happens here beyond choosing words and arranging the
analysis' frames; every word comes from glossary.yaml or this family's messages.yaml.

Raw index values are shown only as themselves (the latest day's, labelled as an index); every
amount, share and ratio shown comes from the calibrated estimates.
"""

from __future__ import annotations

import math

import pandas as pd

from ...schemas import OWN_SHOP
from ...viz import competitor_charts
from ...viz.tables import Col, callout, note, table
from ...views.base import FamilyView
from ...views.blocks import Block
from .analysis import HANGOVER_DAYS, CompetitorTeardown
from .responses import PRICE_GAP, Finding, competitor_moves, same_move

FAMILY = "competitor_teardown"
MEASURES = ("paid_amount", "uv", "search_uv", "fav_users", "cart_users", "paid_buyers")
UNITS = {"paid_amount": "yuan", "aov": "yuan", "conversion_rate": "rate", "uv": "count", "search_uv": "count", "fav_users": "count",
         "cart_users": "count", "paid_buyers": "count"}
EVIDENCE = 2  # findings quoted as the evidence of a response in the summary; the sections list them all
RANKED = ("trade_index", "traffic_index", "search_index", "fav_index", "cart_index", "conversion_index", "buyer_index")


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (value is pd.NA)


class CompetitorTeardownView(FamilyView):
    family = FAMILY
    review: CompetitorTeardown

    # helpers -----------------------------------------------------------------------------
    def shop_name(self, competitor_id: str) -> str:
        return self.say("shop.self") if competitor_id == OWN_SHOP else competitor_id

    def _names(self, frame: pd.DataFrame, column: str = "competitor_id") -> pd.DataFrame:
        return frame.assign(shop=[self.shop_name(c) for c in frame[column]])

    def _money(self, value) -> str:
        return self.num.money(value)

    def _range(self, est, low, high, unit: str) -> str:
        if _nan(est):
            return "–"
        fmt = (lambda v: self.num.money(v)) if unit == "yuan" else (lambda v: self.num.value(v, unit))  # noqa: E731
        return self.say("range", est=fmt(est), low=fmt(low), high=fmt(high))

    def _sku(self, sku_id: str) -> str:
        """Our SKU by its name and id."""
        name = self.review.sku_names.get(sku_id)
        return self.say("sku", name=name, sku=sku_id) if name else sku_id

    def _date(self, value) -> str:
        return "" if _nan(value) else pd.Timestamp(value).strftime("%m-%d")

    # findings in words -------------------------------------------------------------------
    def finding_text(self, f: Finding) -> str:
        x = f.fields
        if f.code in ("move_hurt", "move"):
            base = self.say(f"finding.{x['kind']}", competitor=x["competitor"], product=x.get("product_name") or x["product_id"],
                            date=self._date(x["date"]), cut=self._rate(x["cut"]), sku=self._sku(x["sku_id"]),
                            before=self._money(x["before"]), after=self._money(x["after"]))
            if f.code == "move_hurt":
                return base + self.say("finding.move_effect", before=self._rate(x["conversion_before"]),
                                       after=self._rate(x["conversion_after"]), days=int(x["days_after"]),
                                       uv=self.num.value(x["uv_after"] * x["days_after"], "count"))
            return base + self.say(f"finding.effect_{x['effect']}")
        if f.code in ("leans_paid", "paid_rising"):
            # reference: our share (leans_paid) or its share in the previous period (paid_rising)
            return self.say(f"finding.{f.code}", competitor=f.competitor_id, share=self._rate(x["share"]),
                            ours=self._rate(x["reference"]), previous=self._rate(x["reference"]))
        if f.code == "undercut_promo":
            return self.say("finding.undercut_promo", competitor=x["competitor_id"], promo=x["their_promo"],
                            ours=x["our_name"], depth=self._rate(x["their_depth"]), our_depth=self._rate(x["our_depth"]),
                            start=self._date(x["overlap_start"]), end=self._date(x["overlap_end"]))
        if f.code == "rating_drop":
            return self.say("finding.rating_drop", competitor=x["competitor_id"], tag=x.get("tag", ""),
                            week=self._date(x.get("week_start")),
                            week_end=self._date(x.get("week_end") or pd.Timestamp(x.get("week_start")) + pd.Timedelta(days=6)),
                            before=f"{x['rating_before']:.2f}",
                            after=f"{x['rating_end']:.2f}")
        if f.code == "outgrowing":
            return self.say("finding.outgrowing", competitor=x["competitor"], growth=self.num.change(x["growth"], "ratio"),
                            low=self.num.change(x["low"], "ratio"), ours=self.num.change(x["ours"], "ratio"))
        if f.code in ("priced_above", "priced_below"):
            return self.say(f"finding.{f.code}", index=f"{x['index']:.0f}")
        if f.code == "launch_wave":
            return self.say("finding.launch_wave", competitor=x["competitor"], count=x["launches"])
        raise KeyError(f"no words for finding '{f.code}'")

    # sections ------------------------------------------------------------------------------
    def summary(self) -> Block:
        r = self.review
        blocks = [self._h("summary")]
        lead, trail = self._standing()
        sentences = [self.say("summary.compared", count=len(r.competitors), names=self.say.join(r.competitors.competitor_id),
                              source=self.say(f"summary.set_{r.set_source}"))]
        for extra in (self._rank_sentence(), self._growth_sentence()):
            if extra:
                sentences.append(extra)
        if lead:
            sentences.append(self.say("summary.lead", items=self.say.join(lead)))
        if trail:
            sentences.append(self.say("summary.trail", items=self.say.join(trail)))
        if not lead and not trail:
            sentences.append(self.say("summary.no_standing"))
        blocks.append(callout(sentences, headlines=True))
        moves = competitor_moves(r.findings)
        numbered = {same_move(f): i for i, f in enumerate(moves, start=1)}
        if moves:
            blocks.append(callout([self.say("summary.numbered", n=i, text=self.finding_text(f)) for i, f in enumerate(moves, start=1)],
                                  title=self.say("summary.moves")))
        else:
            blocks.append(note(self.say("summary.no_moves")))
        if r.responses:
            items = [self._response(resp, numbered) for resp in r.responses]
            blocks.append(callout(items, title=self.say("summary.responses")))
        blocks.append(self._set_table())
        if r.partial:
            blocks.append(note(self.say("summary.partial", end=r.period.end, days=r.period.days)))
        return Block(blocks)

    def _response(self, resp, numbered: dict[tuple, int]) -> str:
        """A response and its evidence: the numbers of the moves above it answers, and the words of
        any finding not listed there (at most EVIDENCE of them)."""
        cited = sorted({numbered[same_move(f)] for f in resp.findings if same_move(f) in numbered})
        others = [f for f in resp.findings if same_move(f) not in numbered]
        parts = [self.say("summary.see_moves", count=len(cited), numbers=self.say.join(cited))] if cited else []
        parts += [self.finding_text(f).rstrip("。.") for f in others[:EVIDENCE]]
        more = self.say("summary.more", count=len(others) - EVIDENCE) if len(others) > EVIDENCE else ""
        evidence = self.say("summary.evidence_sep").join(parts) + more
        return self.say("summary.response", action=self.say(f"response.{resp.code}"), evidence=evidence)

    def _standing(self) -> tuple[list[str], list[str]]:
        """Where we lead (first of all shops) and trail (last) on the ranked indices, and on price
        by the rules' thresholds (responses.PRICE_GAP from parity)."""
        r = self.review
        lead, trail = [], []
        for metric, rank, _previous, shops in self._our_ranks():
            if rank == 1:
                lead.append(self.say(f"index.{metric}"))
            elif rank == shops:
                trail.append(self.say(f"index.{metric}"))
        if r.price_index is not None:
            value = self._overall_index("effective_index")
            if not _nan(value) and value <= 100 - PRICE_GAP:
                lead.append(self.say("summary.cheaper", index=f"{value:.0f}"))
            elif not _nan(value) and value >= 100 + PRICE_GAP:
                trail.append(self.say("summary.dearer", index=f"{value:.0f}"))
        return lead, trail

    def _our_ranks(self) -> list[tuple[str, int, float, int]]:
        """(index, our rank, our previous rank, shops ranked) for each ranked index, in RANKED order."""
        r = self.review
        if r.momentum is None or r.momentum.ranks is None:
            return []
        ranks = r.momentum.ranks
        shops = ranks.dropna(subset=["rank"]).groupby("metric").competitor_id.nunique()
        ours = ranks[ranks.competitor_id == OWN_SHOP].set_index("metric")
        return [(m, int(ours.loc[m, "rank"]), ours.loc[m, "previous_rank"], int(shops[m]))
                for m in RANKED if m in ours.index and not _nan(ours.loc[m, "rank"])]

    def _rank_sentence(self) -> str | None:
        """Our place on sales, traffic and search, with last period's: the director's first question."""
        parts = []
        for metric, rank, previous, shops in self._our_ranks():
            if metric in ("trade_index", "traffic_index", "search_index"):
                was = "" if _nan(previous) else self.say("summary.rank_was", rank=int(previous))
                parts.append(self.say("summary.rank_item", index=self.say(f"index.{metric}"), rank=rank, shops=shops, was=was))
        return self.say("summary.ranks", items=self.say("summary.evidence_sep").join(parts)) if parts else None

    def _growth_sentence(self) -> str | None:
        """Our real sales growth against the range of the competitors' estimated growth."""
        r = self.review
        if r.momentum is None or r.momentum.estimates is None or not r.curves:
            return None
        e = r.momentum.estimates
        sales = e[e.metric == "paid_amount"].set_index("competitor_id").growth
        if OWN_SHOP not in sales.index or _nan(sales[OWN_SHOP]):
            return None
        theirs = sales.drop(index=OWN_SHOP).dropna()
        if theirs.empty:
            return None
        return self.say("summary.growth", ours=self.num.change(sales[OWN_SHOP], "ratio"), low=self.num.change(theirs.min(), "ratio"),
                        high=self.num.change(theirs.max(), "ratio"), start=r.previous.start, end=r.previous.end)

    def _overall_index(self, column: str):
        overall = self.review.price_index.overall
        return overall[column] if isinstance(overall, dict) else float(overall[column].iloc[0])

    def _set_table(self):
        r = self.review
        frame = r.competitors.assign(tier_label=[self.say(f"tier.{t}") if not _nan(t) else "–" for t in r.competitors.tier])
        cols = [Col("competitor_id", self._c("competitor"), "text"), Col("tier_label", self._c("tier"), "text"),
                Col("reason", self._c("reason"), "text")]
        return self._table(frame, cols, caption=self.say("summary.set_caption"), sheet=self.say("sheet.set"))

    def momentum(self) -> Block:
        if (m := self._missing("momentum")) is not None:
            return m
        r = self.review
        mo = r.momentum
        blocks = [self._h("momentum")]
        if r.curves:
            blocks.append(competitor_charts.sales_estimates(self._names(mo.weekly), self.lang, currency=self.currency,
                                                            labels={"title": self.say("momentum.chart")}))
            est = self._estimates_frame()
            cols = [Col("shop", self._c("shop"), "text"), Col("sales", self._c("est_sales"), "text"),
                    Col("growth", self._c("growth"), "pct_change"), Col("visitors", self._c("est_uv"), "text"),
                    Col("conversion", self._c("est_conversion"), "text"), Col("aov", self._c("est_aov"), "text")]
            blocks.append(self._table(est, cols, caption=self.say("momentum.estimates_caption", level=f"{r.params.level:.0%}",
                                                                  start=r.previous.start, end=r.previous.end),
                                      note=self.say("momentum.estimates_note"), sheet=self.say("sheet.estimates")))
            self._table(self._estimates_numbers(), self._estimates_cols(), sheet=self.say("sheet.estimates_numbers"), show=False)
        else:
            blocks.append(note(self.say(f"momentum.no_calibration_{r.unavailable.get('calibration', 'few_days')}")))
        blocks.append(self._ranks_table())
        notes = [self.say("momentum.index_rule")]
        if r.promos is not None and len(r.promos.rows):
            ours = r.promos.rows[r.promos.rows.competitor_id == OWN_SHOP]
            if len(ours):
                notes.insert(0, self.say("momentum.promo_in_period", names=self.say.join(ours.name)))
        blocks.append(note(" ".join(notes)))
        return Block(blocks)

    def _estimates_frame(self) -> pd.DataFrame:
        r = self.review
        e = r.momentum.estimates.set_index(["competitor_id", "metric"])
        d = r.momentum.derived.set_index(["competitor_id", "measure"]) if r.momentum.derived is not None else None
        rows = []
        for cid in r.shops:
            def get(metric, column):
                try:
                    return e.loc[(cid, metric), column]
                except KeyError:
                    return float("nan")

            def rng(metric, unit):
                if bool(get(metric, "real") is True or get(metric, "real") == True):  # noqa: E712 - ours: real, no range
                    value = get(metric, "estimate")
                    return "–" if _nan(value) else (self.num.money(value) if unit == "yuan" else self.num.value(value, unit))
                flag = " *" if not _nan(get(metric, "extrapolated_share")) and get(metric, "extrapolated_share") > 0.5 else ""
                return self._range(get(metric, "estimate"), get(metric, "low"), get(metric, "high"), unit) + flag

            def ratio(measure, unit):
                if d is None or (cid, measure) not in d.index:
                    return "–"
                x = d.loc[(cid, measure)]
                if x.real is True or x.real == True:  # noqa: E712 - numpy bool: ours are real values
                    return self.num.money(x.estimate) if unit == "yuan" else self.num.value(x.estimate, unit)
                return self._range(x.estimate, x.low, x.high, unit)

            rows.append({"shop": self.shop_name(cid), "sales": rng("paid_amount", "yuan"), "growth": get("paid_amount", "growth"),
                         "visitors": rng("uv", "count"), "conversion": ratio("conversion_rate", "rate"),
                         "aov": ratio("aov", "yuan")})
        return pd.DataFrame(rows)

    def _estimates_numbers(self) -> pd.DataFrame:
        """The estimates as numbers (the workbook's sheet): one row per shop and measure."""
        r = self.review
        e = r.momentum.estimates
        e = e[e.metric.isin(MEASURES)]
        out = self._names(e).assign(unit=lambda d: [UNITS[m] for m in d.metric], measure=lambda d: [self.say(f"measure.{m}") for m in d.metric],
                                    basis=lambda d: [self.say("momentum.real" if x else "momentum.estimated") for x in d.real])
        if r.momentum.derived is not None and len(r.momentum.derived):
            d = self._names(r.momentum.derived).assign(unit=lambda d: [UNITS[m] for m in d.measure], measure=lambda d: [self.say(f"measure.{m}") for m in d.measure],
                                                     basis=lambda d: [self.say("momentum.real" if x else "momentum.estimated")
                                                                      for x in d.real])
            out = pd.concat([out, d], ignore_index=True)
        return out

    def _estimates_cols(self) -> list:
        return [Col("shop", self._c("shop"), "text"), Col("measure", self._c("measure"), "text"), Col("basis", self._c("basis"), "text"),
                Col("estimate", self._c("estimate"), row_unit="unit"), Col("low", self._c("low"), row_unit="unit"),
                Col("high", self._c("high"), row_unit="unit"), Col("growth", self._c("growth"), "pct_change")]

    def _ranks_table(self):
        r = self.review
        ranks = r.momentum.ranks
        metrics = [m for m in RANKED if m in set(ranks.metric)]
        rows = []
        for cid in r.shops:
            row = {"shop": self.shop_name(cid)}
            for m in metrics:
                x = ranks[(ranks.competitor_id == cid) & (ranks.metric == m)]
                if x.empty or _nan(x["rank"].iloc[0]):
                    row[m] = "–"
                    continue
                rank, prev, trend = x["rank"].iloc[0], x["previous_rank"].iloc[0], x["trend"].iloc[0]
                prev_text = "" if _nan(prev) else self.say("momentum.was", rank=int(prev))
                row[m] = f"{int(rank)}{prev_text} {self.say(f'trend.{trend}')}"
            rows.append(row)
        cols = [Col("shop", self._c("shop"), "text")] + [Col(m, self.say(f"index.{m}"), "text") for m in metrics]
        return self._table(pd.DataFrame(rows), cols, caption=self.say("momentum.ranks_caption"),
                           note=self.say("momentum.ranks_note"), sheet=self.say("sheet.ranks"))

    def prices(self) -> Block:
        if (m := self._missing("prices")) is not None:
            return m
        r = self.review
        blocks = [self._h("prices")]
        if r.bands is None:
            return Block(blocks + [note(self.say("prices.no_snapshots"))])
        blocks.append(competitor_charts.price_bands(self._band_frame(), self.lang, currency=self.currency,
                                                    labels={"title": self.say("prices.bands_chart")}))
        if r.price_summary is not None:
            s = self._names(r.price_summary)
            cols = [Col("shop", self._c("shop"), "text"), Col("skus", self._c("skus"), "count"), Col("p25", self._c("p25"), "yuan"),
                    Col("median", self._c("median_price"), "yuan"), Col("p75", self._c("p75"), "yuan")]
            blocks.append(self._table(s, cols, caption=self.say("prices.summary_caption"), note=self.say("prices.subset_note"),
                                      sheet=self.say("sheet.price_summary")))
        if r.price_index is None:
            key = "price_index"
            reason = (self.say("note.missing", table=r.missing[key], sources="") if key in r.missing
                      else self.say("prices.no_pairs"))
            blocks.append(note(reason))
            return Block(blocks)
        pi = r.price_index
        by = self._names(pi.by_competitor)
        overall = pi.overall if isinstance(pi.overall, pd.DataFrame) else pd.DataFrame([pi.overall])
        overall = overall.assign(competitor_id="__all__", shop=self.say("prices.all"))
        frame = pd.concat([by, overall], ignore_index=True)
        cols = [Col("shop", self._c("shop"), "text"), Col("pairs", self._c("pairs"), "count"),
                Col("index", self._c("price_index"), "ratio"), Col("effective_index", self._c("effective_index"), "ratio")]
        blocks.append(self._table(frame, cols, caption=self.say("prices.index_caption"), note=self.say("prices.index_note"),
                                  sheet=self.say("sheet.price_index")))
        pairs = self._names(pi.pairs).assign(
            our_product=lambda d: [self._sku(x) for x in d.sku_id],
            their_product=lambda d: [r.product_names.get((c, p), p) for c, p in zip(d.competitor_id, d.product_id)])
        pcols = [Col("our_product", self._c("our_product"), "text"), Col("shop", self._c("shop"), "text"),
                 Col("their_product", self._c("their_product"), "text"), Col("our_price", self._c("our_price"), "yuan"),
                 Col("their_price", self._c("their_price"), "yuan"), Col("their_effective_price", self._c("their_effective"), "yuan"),
                 Col("our_units", self._c("our_units"), "count")]
        blocks.append(self._table(pairs, pcols, caption=self.say("prices.pairs_caption"), sheet=self.say("sheet.pairs")))
        return Block(blocks)

    def _band_frame(self, bands: pd.DataFrame | None = None) -> pd.DataFrame:
        b = self._names(self.review.bands if bands is None else bands)
        b["band_label"] = [self._band_label(lo, hi) for lo, hi in zip(b.band_low, b.band_high)]
        return b

    def _band_label(self, low, high) -> str:
        if _nan(high) or math.isinf(high):
            return self.say("prices.band_open", low=self.num.value(low, "count"))
        return f"{self.num.value(low, 'count')}–{self.num.value(high, 'count')}"

    def assortment(self) -> Block:
        if (m := self._missing("assortment")) is not None:
            return m
        r = self.review
        a = r.assortment
        blocks = [self._h("assortment")]
        if a is None:
            return Block(blocks + [note(self.say("prices.no_snapshots"))])
        for frame, key, label in ((a.by_category, "category", self._c("category")), (self._band_frame(a.by_band), "band_label",
                                                                                     self._c("price_band"))):
            pivot = frame.pivot_table(index=key, columns="competitor_id", values="skus", aggfunc="sum", sort=False)
            order = [c for c in r.shops if c in pivot.columns]
            pivot = pivot[order].reset_index()
            cols = [Col(key, label, "text")] + [Col(c, self.shop_name(c), "count") for c in order]
            what = "by_category" if key == "category" else "by_band"
            blocks.append(self._table(pivot, cols, caption=self.say(f"assortment.{what}"), sheet=self.say(f"sheet.{what}")))
        changes = []
        for kind, frame in (("launch", a.launches), ("delisting", a.delistings)):
            if frame is not None and len(frame):
                day = "first_seen" if kind == "launch" else "last_seen"
                changes.append(frame.assign(kind=self.say(f"assortment.{kind}"), day=frame[day]))
        if changes:
            ch = self._names(pd.concat(changes, ignore_index=True))
            cols = [Col("shop", self._c("shop"), "text"), Col("kind", self._c("change"), "text"), Col("day", self._c("date"), "date"),
                    Col("product_name", self._c("product_name"), "text"), Col("category", self._c("category"), "text"),
                    Col("price", self._c("price"), "yuan")]
            blocks.append(self._table(ch, cols, caption=self.say("assortment.changes"), sheet=self.say("sheet.changes")))
        else:
            blocks.append(note(self.say("assortment.no_changes")))
        if a.heroes is not None and len(a.heroes):
            h = self._names(a.heroes)
            cols = [Col("shop", self._c("shop"), "text"), Col("product_name", self._c("product_name"), "text"),
                    Col("price", self._c("price"), "yuan"), Col("sales_amount", self._c("est_hero_sales"), "yuan"),
                    Col("share", self._c("share_of_sales"), "rate")]
            blocks.append(self._table(h, cols, caption=self.say("assortment.heroes", n=r.params.top_n),
                                      note=self.say("assortment.heroes_note"), sheet=self.say("sheet.heroes")))
        return Block(blocks)

    def traffic(self) -> Block:
        if (m := self._missing("traffic")) is not None:
            return m
        r = self.review
        t = r.traffic
        s = self._names(t.shares)
        s["group_label"] = [self.say(f"group.{g}") for g in s.group]
        blocks = [self._h("traffic"), competitor_charts.traffic_mix(s, self.lang, labels={"title": self.say("traffic.chart")})]
        wide = s.pivot_table(index="shop", columns="group", values="share", sort=False)
        change = s.pivot_table(index="shop", columns="group", values="change", sort=False)
        groups = [g for g in ("search", "paid", "content", "live", "other") if g in wide.columns]
        frame = wide[groups].join(change[groups], rsuffix="_change").reset_index()
        cols = [Col("shop", self._c("shop"), "text")]
        for g in groups:
            cols += [Col(g, self.say(f"group.{g}"), "rate"), Col(f"{g}_change", self.say("traffic.change", group=self.say(f"group.{g}")),
                                                                  "pp_change")]
        blocks.append(self._table(frame, cols, caption=self.say("traffic.caption"), note=self.say("traffic.note"),
                                  sheet=self.say("sheet.traffic")))
        return Block(blocks)

    def promotions(self) -> Block:
        if (m := self._missing("promotions")) is not None:
            return m
        r = self.review
        p = r.promos
        rows = self._names(p.rows)
        blocks = [self._h("promotions"), competitor_charts.promo_calendar(rows, self.lang, start=r.period.start, end=r.period.end,
                                                                           labels={"title": self.say("promotions.chart")})]
        cols = [Col("shop", self._c("shop"), "text"), Col("name", self._c("promotion"), "text"), Col("mechanic", self._c("mechanic"), "text"),
                Col("start", self._c("start"), "date"), Col("end", self._c("end"), "date"), Col("depth", self._c("depth"), "rate")]
        blocks.append(self._table(rows, cols, caption=self.say("promotions.caption"), sheet=self.say("sheet.promotions")))
        if p.overlaps is not None and len(p.overlaps):
            o = self._names(p.overlaps).assign(judge=lambda d: ["bad" if u else "neutral" for u in d.undercut])
            ocols = [Col("shop", self._c("shop"), "text"), Col("their_promo", self._c("their_promo"), "text"),
                     Col("our_name", self._c("our_promo"), "text"), Col("overlap_start", self._c("start"), "date"),
                     Col("overlap_end", self._c("end"), "date"), Col("their_depth", self._c("their_depth"), "rate", judge="judge"),
                     Col("our_depth", self._c("our_depth"), "rate")]
            blocks.append(self._table(o, ocols, caption=self.say("promotions.overlaps"),
                                      note=self.say("promotions.depth_note", points=f"{r.params.undercut_margin * 100:g}"),
                                      sheet=self.say("sheet.overlaps")))
        else:
            blocks.append(note(self.say("promotions.no_overlaps")))
        return Block(blocks)

    def reviews(self) -> Block:
        if (m := self._missing("reviews")) is not None:
            return m
        r = self.review
        rv = r.reviews
        blocks = [self._h("reviews")]
        ratings = self._names(rv.ratings)
        cols = [Col("shop", self._c("shop"), "text"), Col("rating_start", self._c("rating_start"), "ratio"),
                Col("rating_end", self._c("rating_end"), "ratio"), Col("change", self._c("rating_change"), "ratio"),
                Col("new_reviews", self._c("new_reviews"), "count"), Col("growth", self._c("reviews_growth"), "pct_change")]
        blocks.append(self._table(ratings, cols, caption=self.say("reviews.caption"), note=self.say("reviews.note"),
                                  sheet=self.say("sheet.ratings")))
        if rv.tags is not None and len(rv.tags):
            top = rv.tags.sort_values(["competitor_id", "bad_reviews"], ascending=[True, False]).groupby("competitor_id").head(3)
            top = self._names(top)
            tcols = [Col("shop", self._c("shop"), "text"), Col("tag", self._c("tag"), "text"),
                     Col("bad_reviews", self._c("bad_reviews"), "count"), Col("share", self._c("share"), "rate"),
                     Col("change", self._c("vs_previous"), "count")]
            blocks.append(self._table(top, tcols, caption=self.say("reviews.tags"), sheet=self.say("sheet.tags")))
        elif "review_tags" in r.missing:
            blocks.append(note(self.say("reviews.no_tags")))
        if rv.waves is not None and len(rv.waves):
            w = self._names(rv.waves)
            wcols = [Col("shop", self._c("shop"), "text"), Col("tag", self._c("tag"), "text"), Col("week_start", self._c("week"), "date"),
                     Col("bad_reviews", self._c("bad_reviews"), "count"), Col("baseline", self._c("usual_week"), "count")]
            blocks.append(self._table(w, wcols, caption=self.say("reviews.waves", ratio=r.params.wave_ratio),
                                      sheet=self.say("sheet.waves")))
        return Block(blocks)

    def moves(self) -> Block:
        if (m := self._missing("moves")) is not None:
            return m
        r = self.review
        blocks = [self._h("moves")]
        mv = r.moves
        if mv is None or mv.empty:
            return Block(blocks + [note(self.say("moves.none", cut=self._pct(r.params.min_cut)))])
        mv = self._names(mv).assign(kind_label=lambda d: [self.say(f"moves.kind_{k}") for k in d.kind],
                                    effect_label=lambda d: [self.say(f"moves.effect_{e}") for e in d.effect],
                                    judge=lambda d: ["bad" if e in ("conversion_fell", "traffic_fell", "both") else "neutral"
                                                     for e in d.effect])
        cols = [Col("date", self._c("date"), "date"), Col("shop", self._c("shop"), "text"), Col("product_id", self._c("product_id"), "text"),
                Col("kind_label", self._c("move"), "text"), Col("cut", self._c("cut"), "rate"), Col("sku_id", self._c("sku_id"), "text"),
                Col("conversion_before", self._c("conversion_before"), "rate"),
                Col("conversion_after", self._c("conversion_after"), "rate"),
                Col("uv_change", self._c("uv_change"), "pct_change"), Col("effect_label", self._c("effect"), "text", judge="judge")]
        blocks.append(self._table(mv, cols, note=self.say("moves.method", cut=self._pct(r.params.min_cut), lag=r.params.lag_days,
                                                          baseline=r.params.baseline_days, fall=self._pct(r.params.conversion_fall),
                                                          min_uv=r.params.min_uv, hangover=HANGOVER_DAYS),
                                  sheet=self.say("sheet.moves")))
        return Block(blocks)

    # appendix --------------------------------------------------------------------------------
    def calibration_frame(self) -> pd.DataFrame:
        rows = []
        for key, c in self.review.curves.items():
            rows.append({"index": self.say(f"index.{key}"), "slope": c.slope, "r2": c.r2, "days": c.n_days,
                         "low": c.index_low, "high": c.index_high})
        return pd.DataFrame(rows)

    def methods_frame(self) -> pd.DataFrame:
        p = self.review.params
        methods = [
            ("index", self.say("method.index")),
            ("calibration", self.say("method.calibration", days=p.calibration_days, level=f"{p.level:.0%}")),
            ("ranks", self.say("momentum.ranks_note")),
            ("price_index", self.say("prices.index_note")),
            ("traffic", self.say("traffic.note")),
            ("moves", self.say("moves.method", cut=self._pct(p.min_cut), lag=p.lag_days, baseline=p.baseline_days,
                               fall=self._pct(p.conversion_fall), min_uv=p.min_uv, hangover=HANGOVER_DAYS)),
            ("sources", self.say("method.sources")),
        ]
        return pd.DataFrame([{"method": self.say(f"method_name.{k}"), "definition": text} for k, text in methods])

    def rules_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"method": self.say(f"rule_name.{code}"), "definition": self.say(f"rule.{code}")}
                             for code in ("defend_sku", "watch_price", "lean_content_search", "avoid_head_on", "win_on_concern",
                                          "study_growth", "justify_premium", "price_headroom", "watch_launches")])

    def _definition_cols(self) -> list:
        return [Col("method", self._c("method"), "text"), Col("definition", self._c("definition"), "text")]

    def appendix(self) -> Block:
        r = self.review
        cols = self._definition_cols()
        blocks = [self._h("appendix"), table(self.methods_frame(), cols),
                  table(self.rules_frame(), cols, caption=self.say("appendix.rules"))]
        if r.curves:
            cal = self.calibration_frame()
            ccols = [Col("index", self._c("index"), "text"), Col("slope", self._c("slope"), "ratio"), Col("r2", "R²", "ratio"),
                     Col("days", self._c("days"), "count"), Col("low", self._c("index_low"), "count"),
                     Col("high", self._c("index_high"), "count")]
            blocks.append(self._table(cal, ccols, caption=self.say("appendix.calibration"), sheet=self.say("sheet.calibration")))
        return Block(blocks)

    def export_tables(self, path: str | None) -> Block:
        """Write tables.xlsx when the runner passes a path: a cover, every table shown, the methods."""
        if not path:
            return Block([])
        from ...render.excel import write_workbook
        from ...views.title import shop_title_block

        r = self.review
        block = shop_title_block(FAMILY, r.shop, r.asked, self.lang, r.params.timezone)
        parameters = r.params.model_dump(exclude={"excel_path", "warehouse"})
        definitions = table(pd.concat([self.methods_frame(), self.rules_frame()], ignore_index=True), self._definition_cols())
        write_workbook(self.sheets(), path, title=block.title, cover=[("", block.subtitle), *block.meta],
                       parameters=parameters, definitions=definitions, lang=self.lang)
        return Block([])
