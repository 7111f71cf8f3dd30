"""Time the demo-data generator: wall time, peak memory and row counts.

    .venv/bin/python benchmarks/generate_demo.py                                # default scale
    .venv/bin/python benchmarks/generate_demo.py --orders-per-shop 3340000     # ~10 million orders
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from opsreport.warehouse.demo import DEMO_END_DATE, build_demo_warehouse


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports ru_maxrss in KB, macOS in bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders-per-shop", type=int, default=180_000, help="orders per shop (3 shops)")
    parser.add_argument("--days", type=int, default=730, help="days of history ending on the demo end date")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--out", type=Path, default=None,
                        help="warehouse file to write (default: a temporary file, removed afterwards)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="opsreport-bench-") as tmp:
        out = args.out or Path(tmp) / "demo.duckdb"
        start = time.perf_counter()
        counts = build_demo_warehouse(out, orders_per_shop=args.orders_per_shop, days=args.days, seed=args.seed)
        wall = time.perf_counter() - start
        size_mb = os.path.getsize(out) / 1e6
        print(f"demo warehouse: {args.orders_per_shop:,} orders per shop x 3 shops, {args.days} days "
              f"to {DEMO_END_DATE}, seed {args.seed}")
        print(f"wall time      : {wall:,.1f} s")
        print(f"peak RSS       : {peak_rss_mb():,.0f} MB")
        print(f"file           : {out if args.out else '(temporary)'} {size_mb:,.0f} MB")
        print("rows:")
        for name, rows in counts.items():
            print(f"  {name:<16} {rows:>12,}")
        print(f"  {'total':<16} {sum(counts.values()):>12,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
