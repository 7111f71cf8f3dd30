"""A young shop (only the reviewed week) and a shop with only some tables still get a review."""

import pandas as pd

import tiny
from opsreport.notebook import setup
from opsreport.warehouse.store import write_warehouse

SECTIONS = ["headline", "kpis", "bridge", "trend", "traffic", "funnel", "products", "inventory", "ads",
            "service", "customers", "anomalies", "pacing", "appendix"]


def test_shop_with_one_week_of_data_renders_every_section(tmp_path):
    t = tiny.tables()
    t["shop_daily"] = t["shop_daily"][pd.to_datetime(t["shop_daily"].date) >= "2026-11-16"]
    t["orders"] = t["orders"][(t["orders"].paid_at >= "2026-11-16") | t["orders"].paid_at.isna()]
    t["order_items"] = t["order_items"][t["order_items"].order_id.isin(t["orders"].order_id)]
    path = write_warehouse(tmp_path / "w.duckdb", t)
    view = setup("weekly_review", {"shop_id": tiny.SHOP, "warehouse": str(path), "lang": "en"})
    html = {name: getattr(view, name)()._repr_html_() for name in SECTIONS}
    k = view.review.kpis.set_index("metric")
    assert k.loc["gmv", "this_week"] == 500.0 and pd.isna(k.loc["gmv", "last_week"])
    assert "nothing to decompose" in html["bridge"]
    assert "import traffic_daily to fill it" in html["traffic"]
    assert "import service_daily to fill it" in html["service"]


def test_headline_has_three_to_five_sentences_even_on_a_quiet_week(tmp_path):
    from opsreport.families.weekly_review.headlines import headlines

    t = tiny.tables()
    del t["ads_daily"]  # the tiny shop's only high-severity finding is its campaign
    path = write_warehouse(tmp_path / "w.duckdb", t)
    for lang in ("zh", "en"):
        view = setup("weekly_review", {"shop_id": tiny.SHOP, "week": "2026-W47", "warehouse": str(path), "lang": lang})
        sentences = headlines(view.review, view.say)
        assert 3 <= len(sentences) <= 5, sentences
    assert "Conversion 0.71% (+0.54 pp week on week)" in " ".join(sentences)
