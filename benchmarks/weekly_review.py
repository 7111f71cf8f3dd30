"""Wall time of one weekly review end to end (execute + HTML + PDF + xlsx) on the demo data,
against the floor: an almost empty notebook through the same pipeline.

    .venv/bin/python benchmarks/weekly_review.py [--warehouse data/demo.duckdb] [--shop 0071] [--repeat 3]
"""

from __future__ import annotations

import argparse
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
    args = ap.parse_args()
    if not Path(args.warehouse).is_file():
        demo.build_demo_warehouse(args.warehouse)
    formats = {"html", "pdf", "xlsx"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        nb = floor_notebook(tmp)
        floors, fulls, stages = [], [], None
        for i in range(args.repeat):
            t0 = time.perf_counter()
            pipeline.render(pipeline.RenderJob(report="floor", notebook=nb, parameters={}, out_root=tmp / "floor", key="k",
                                               period=f"p{i}", formats=frozenset(formats), title="floor"))
            floors.append(time.perf_counter() - t0)
            values = params.validate("weekly_review", {"shop_id": args.shop, "warehouse": args.warehouse})
            t0 = time.perf_counter()
            folder = render_report("weekly_review", values, out_root=tmp / f"full{i}", formats=formats)
            fulls.append(time.perf_counter() - t0)
            import json

            stages = json.loads((folder / "run.json").read_text())["timings_s"]
    floor, full = statistics.median(floors), statistics.median(fulls)
    print(f"empty notebook through the pipeline (floor): median {floor:.2f} s  runs {[round(x, 2) for x in floors]}")
    print(f"weekly review {args.shop} (execute+html+pdf+xlsx): median {full:.2f} s  runs {[round(x, 2) for x in fulls]}")
    print(f"ratio to floor: {full / floor:.2f}x")
    print(f"stages of the last run: {stages}")


if __name__ == "__main__":
    main()
