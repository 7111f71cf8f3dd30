"""The analysis step of a report family on a 10-million-order warehouse: wall time and peak memory.

    .venv/bin/python benchmarks/analysis_10m.py [--warehouse data/bench_10m.duckdb] [--orders-per-shop 3340000]
        [--family weekly_review|promo_retrospective|competitor_teardown]

Builds the warehouse in a subprocess when it is missing, so the peak memory printed here is the
analysis' own (resource.getrusage ru_maxrss of this process).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    from opsreport import families, params

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warehouse", default="data/bench_10m.duckdb")
    ap.add_argument("--orders-per-shop", type=int, default=3_340_000)
    ap.add_argument("--shop", default="0071")
    ap.add_argument("--family", default="weekly_review", choices=families.names())
    args = ap.parse_args()
    if not Path(args.warehouse).is_file():
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c",
             "import sys; from opsreport.warehouse import demo; "
             "demo.build_demo_warehouse(sys.argv[1], orders_per_shop=int(sys.argv[2]))",
             args.warehouse, str(args.orders_per_shop)],
            check=True,
        )
        print(f"built {args.warehouse} in {time.perf_counter() - t0:.1f} s")

    import importlib

    from opsreport import schemas
    from opsreport.warehouse.connection import Warehouse

    analysis = importlib.import_module(f"opsreport.families.{args.family}.analysis")
    wh = Warehouse.open(args.warehouse)
    missing = sorted(set(schemas.CONTRACTS) - wh.table_names)
    if missing:
        sys.exit(f"{args.warehouse} predates tables {', '.join(missing)}: delete it and run again to rebuild it.")
    orders = int(wh.con.table("orders").count().execute())
    t0 = time.perf_counter()
    problems = wh.check_all()
    t_validate = time.perf_counter() - t0
    t0 = time.perf_counter()
    spec = families.get(args.family)
    values = params.load(args.family, spec.params_dir / spec.demo_params[0]).model_dump(exclude={"excel_path", "output_dir"})
    values["warehouse"] = args.warehouse
    if "shop_id" in values:
        values["shop_id"] = args.shop
    chosen = params.validate(args.family, values, source="benchmark")
    result = analysis.run(chosen, wh)
    t_run = time.perf_counter() - t0
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    subject = spec.resolve(wh, chosen).period
    found = [getattr(x, "rule", None) or getattr(x, "code", None) or getattr(x, "flag", None)
             for x in (getattr(result, "anomalies", None) or getattr(result, "findings", None) or result.flags.itertuples())]
    print(f"orders in warehouse: {orders:,}; contract problems: {len(problems)}")
    print(f"contract validation of every table: {t_validate:.2f} s")
    print(f"analysis ({args.family}.run, {spec.fan_out_label} {getattr(chosen, spec.fan_out_key)}, {subject}): {t_run:.2f} s")
    print(f"validation + analysis: {t_validate + t_run:.2f} s; peak RSS {peak_gb:.2f} GB")
    print(f"found: {found}")


if __name__ == "__main__":
    main()
