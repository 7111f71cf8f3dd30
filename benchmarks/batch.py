"""The Monday job at scale: the weekly review of many shops through the CLI, with 1 and 2 workers,
against one report alone and the naive floor (issue 11, "Many reports, fast").

Builds ``data/bench_shops<N>.duckdb`` (N synthetic demo shops, `build_demo_warehouse(shops=N)`)
when it is missing and prints the build time; then times, each as the wall time of a FRESH
process (interpreter start-up, imports and contract checks included: what a cron job pays):

* the floor: an almost empty notebook through papermill + nbconvert HTML + WeasyPrint PDF (+ the
  workbook), rendered by ``opsreport.render.pipeline`` in ``python -c`` (weekly_review.py's);
* one weekly review: ``opsreport run weekly_review --set shop_id=<first shop> --set week=last``;
* the batch: ``opsreport run weekly_review --all-shops --workers W --force`` for each W, every
  shop's last complete week. A CLI without ``--workers`` / ``--force`` gets the batch reported as
  unavailable, not a crash.

The table gives seconds per shop-week amortised (a batch's wall time / its reports) and the ratio
to the floor, against the goals on 2 cores: one report at most 1.5x the floor, a batch at most 6 s
per shop-week (300 an hour). The floor and the single report are the median of ``--repeat`` runs;
outputs go to a temporary folder::

    .venv/bin/python benchmarks/batch.py                          # 30 shops, workers 1 and 2
    .venv/bin/python benchmarks/batch.py --shops 30 --orders-per-shop 60000 --repeat 3
    .venv/bin/python benchmarks/batch.py --workers 1 2 4 --formats html,pdf
    .venv/bin/python benchmarks/batch.py --sequential             # also today's one-process batch
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other benchmarks are scripts, not a package
from weekly_review import floor_notebook  # noqa: E402 - the floor is defined once, there

from opsreport.warehouse.demo import build_demo_warehouse  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SINGLE_GOAL = 1.5  # one report via the CLI: at most this many floors
BATCH_GOAL_S = 6.0  # a batch: at most this many seconds per shop-week, amortised
# the floor renders in a fresh interpreter, as a CLI run does: argv = notebook, output root, formats
FLOOR_RUN = """import sys
from pathlib import Path
from opsreport.render import pipeline
pipeline.render(pipeline.RenderJob(report="floor", notebook=Path(sys.argv[1]), parameters={}, out_root=Path(sys.argv[2]),
                                   key="k", period="p", formats=frozenset(sys.argv[3].split(",")), title="floor"))"""


@dataclass(frozen=True)
class Row:
    run: str
    reports: int
    wall_s: float | None  # None: the run could not be made (why in ``note``)
    goal: str = ""
    met: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class Timed:
    wall_s: float
    returncode: int
    stderr: str


def timed(args: list[str]) -> Timed:
    """Wall time of one fresh process, from spawn to exit."""
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    return Timed(time.perf_counter() - start, done.returncode, done.stderr)


def cli(*args: str) -> list[str]:
    # the console script `opsreport` is `python -m opsreport` (opsreport/__main__.py runs cli.app)
    return [sys.executable, "-m", "opsreport", *args]


def must(t: Timed, what: str) -> float:
    if t.returncode != 0:
        raise SystemExit(f"{what} failed (exit {t.returncode}):\n{t.stderr.strip()[-2000:]}")
    return t.wall_s


def published(out: Path) -> int:
    """Reports published under an output root (each has its run.json)."""
    return sum(1 for _ in out.glob("weekly_review/*/*/run.json"))


def warehouse(path: Path, shops: int, orders_per_shop: int, rebuild: bool) -> None:
    if rebuild or not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {path}: {shops} shops x ~{orders_per_shop:,} orders ...", flush=True)
        start = time.perf_counter()
        build_demo_warehouse(path, orders_per_shop=orders_per_shop, shops=shops)
        print(f"  built in {time.perf_counter() - start:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
    else:
        print(f"reusing {path} (--rebuild to build it anew)")


def describe(path: Path) -> tuple[list[str], int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        shop_ids = [r[0] for r in con.execute("SELECT shop_id FROM shops ORDER BY shop_id").fetchall()]
        orders = con.execute("SELECT count(*) FROM orders").fetchone()[0]
    finally:
        con.close()
    return shop_ids, orders


def batch_row(label: str, t: Timed, out: Path, extra_flags: tuple[str, ...]) -> Row:
    goal = f"<= {BATCH_GOAL_S:g} s/shop-week"
    if t.returncode != 0 and "No such option" in t.stderr:
        flags = " / ".join(extra_flags)
        return Row(label, 0, None, goal, None, f"unavailable: this CLI has no {flags} yet")
    n = published(out)
    if n == 0:
        return Row(label, 0, None, goal, None, f"failed (exit {t.returncode}): {last_line(t.stderr)}")
    note = "" if t.returncode == 0 else f"exit {t.returncode}, some reports failed: {last_line(t.stderr)}"
    return Row(label, n, t.wall_s, goal, t.wall_s / n <= BATCH_GOAL_S, note)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no message)"


def print_table(rows: list[Row], floor: float) -> None:
    head = ("run", "reports", "wall s", "s/shop-week", "x floor", "goal", "met")
    table = [head]
    for r in rows:
        if r.wall_s is None:
            table.append((r.run, "-", "-", "-", "-", r.goal, r.note))
            continue
        per = r.wall_s / r.reports
        met = "" if r.met is None else ("met" if r.met else "NOT met")
        table.append((r.run, str(r.reports), f"{r.wall_s:.1f}", f"{per:.2f}", f"{per / floor:.2f}", r.goal,
                      f"{met} {r.note}".strip()))
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shops", type=int, default=30, help="synthetic shops in the warehouse (default 30)")
    ap.add_argument("--orders-per-shop", type=int, default=180_000,
                    help="orders per shop when the warehouse is built (default 180,000: the demo shop's size)")
    ap.add_argument("--warehouse", type=Path, help="warehouse file (default data/bench_shops<N>.duckdb)")
    ap.add_argument("--rebuild", action="store_true", help="build the warehouse even if the file exists")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the floor and the single report (median)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="batch worker counts (default 1 2)")
    ap.add_argument("--formats", default="html,pdf,xlsx", help="outputs of every run (default html,pdf,xlsx)")
    ap.add_argument("--sequential", action="store_true",
                    help="also time today's batch: --all-shops without --workers (one process, shop after shop)")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.shops < 1 or min(args.workers) < 1:
        ap.error("--repeat, --shops and --workers must be at least 1")
    path = (args.warehouse or ROOT / "data" / f"bench_shops{args.shops}.duckdb").resolve()

    print(f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} cores, python "
          f"{platform.python_version()}; load average before start "
          + " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)")
    warehouse(path, args.shops, args.orders_per_shop, args.rebuild)
    shop_ids, orders = describe(path)
    print(f"warehouse: {len(shop_ids)} shops, {orders:,} orders; formats {args.formats}; week=last", flush=True)
    common = ("--set", f"warehouse={path}", "--set", "week=last", "--formats", args.formats)

    with tempfile.TemporaryDirectory(prefix="opsreport-bench-") as tmp:
        tmp = Path(tmp)
        nb = floor_notebook(tmp)
        floors, singles = [], []
        for i in range(args.repeat):
            floors.append(must(timed([sys.executable, "-c", FLOOR_RUN, str(nb), str(tmp / f"floor{i}"), args.formats]),
                               "the floor"))
            singles.append(must(timed(cli("run", "weekly_review", *common, "--set", f"shop_id={shop_ids[0]}",
                                          "--out", str(tmp / f"single{i}"))), "the single weekly review"))
            print(f"  run {i + 1}: floor {floors[-1]:.1f} s, one weekly review {singles[-1]:.1f} s", flush=True)
        floor, single = statistics.median(floors), statistics.median(singles)
        rows = [Row("floor (empty notebook, fresh process)", 1, floor),
                Row(f"one weekly review ({shop_ids[0]})", 1, single, f"<= {SINGLE_GOAL:g}x floor",
                    single <= SINGLE_GOAL * floor)]
        if args.sequential:
            out = tmp / "sequential"
            t = timed(cli("run", "weekly_review", "--all-shops", *common, "--out", str(out)))
            rows.append(batch_row("batch, one process (no --workers)", t, out, ("--all-shops",)))
            print(f"  sequential batch: {t.wall_s:.1f} s", flush=True)
        for w in args.workers:
            out = tmp / f"workers{w}"
            t = timed(cli("run", "weekly_review", "--all-shops", "--workers", str(w), "--force", *common,
                          "--out", str(out)))
            rows.append(batch_row(f"batch, --workers {w}", t, out, ("--workers", "--force")))
            print(f"  batch with {w} worker(s): {t.wall_s:.1f} s, exit {t.returncode}", flush=True)
    print()
    print(f"floor runs {[round(x, 1) for x in floors]}, single report runs {[round(x, 1) for x in singles]}")
    print_table(rows, floor)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
