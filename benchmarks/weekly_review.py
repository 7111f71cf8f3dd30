"""Wall time of one report end to end (execute + HTML + PDF + xlsx) on the demo data, against the
floor: an almost empty notebook through the same pipeline. Every family given is timed on the same
machine in the same run, so their times compare (the promotion retrospective against the weekly
review, say).

    .venv/bin/python benchmarks/weekly_review.py [--warehouse data/demo.duckdb] [--shop 0071] [--repeat 3]
        [--family weekly_review --family promo_retrospective]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from opsreport import params
from opsreport.render import pipeline
from opsreport.reports import render_report
from opsreport.warehouse import demo

FLOOR_SOURCE = """from opsreport.render.excel import Sheet, write_workbook
import pandas as pd
if excel_path:
    write_workbook([Sheet("empty", pd.DataFrame({"a": [1]}), {})], excel_path)"""


def floor_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("excel_path = None")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    path = folder / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warehouse", default="data/demo.duckdb")
    ap.add_argument("--shop", default="0071")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--family", action="append", help="report family to time (repeatable; default weekly_review)")
    args = ap.parse_args()
    families = args.family or ["weekly_review"]
    if not Path(args.warehouse).is_file():
        demo.build_demo_warehouse(args.warehouse)
    formats = {"html", "pdf", "xlsx"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        nb = floor_notebook(tmp)
        floors: list[float] = []
        fulls: dict[str, list[float]] = {name: [] for name in families}
        stages: dict[str, dict] = {}
        for i in range(args.repeat):
            t0 = time.perf_counter()
            pipeline.render(pipeline.RenderJob(report="floor", notebook=nb, parameters={}, out_root=tmp / "floor", key="k",
                                               period=f"p{i}", formats=frozenset(formats), title="floor"))
            floors.append(time.perf_counter() - t0)
            for name in families:
                given = {"warehouse": args.warehouse}
                if "shop_id" in params.model_for(name).model_fields:  # per-shop families; the appraisal takes its demo team
                    given["shop_id"] = args.shop
                values = params.validate(name, given)
                t0 = time.perf_counter()
                folder = render_report(name, values, out_root=tmp / f"{name}{i}", formats=formats)
                fulls[name].append(time.perf_counter() - t0)
                stages[name] = json.loads((folder / "run.json").read_text())["timings_s"]
    floor = statistics.median(floors)
    print(f"empty notebook through the pipeline (floor): median {floor:.2f} s  runs {[round(x, 2) for x in floors]}")
    for name in families:
        full = statistics.median(fulls[name])
        print(f"{name} (execute+html+pdf+xlsx): median {full:.2f} s  runs {[round(x, 2) for x in fulls[name]]}"
              f"  ratio to floor {full / floor:.2f}x")
        print(f"  stages of the last run: {stages[name]}")


if __name__ == "__main__":
    main()
