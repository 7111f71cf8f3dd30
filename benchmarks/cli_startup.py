"""How long the light commands take in a fresh process: ``opsreport --help``, ``sources``, ``params``.

Each command runs ``RUNS`` times as ``python -m opsreport ...`` in a new interpreter (nothing is
warm but the OS file cache); the median wall time is printed, with the modules a bare
``import opsreport.cli`` pulls in among the heavy ones (pandas, ibis, matplotlib, ...)::

    .venv/bin/python benchmarks/cli_startup.py          # median of 5
    .venv/bin/python benchmarks/cli_startup.py --runs 9
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = (
    ("--help",),
    ("sources",),
    ("params",),
    ("params", "weekly_review"),
)
HEAVY = ("pandas", "ibis", "matplotlib", "seaborn", "papermill", "weasyprint", "nbconvert", "duckdb", "numpy")


def time_command(args: tuple[str, ...], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "opsreport", *args], cwd=ROOT,
                              capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"opsreport {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return times


def heavy_imports() -> list[str]:
    code = ("import sys, opsreport.cli; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per command (default 5)")
    runs = parser.parse_args().runs
    time_command(("--help",), 1)  # warm the OS file cache; not counted
    python = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        python.append(time.perf_counter() - start)
    print(f"{'command':32} {'median s':>9} {'min s':>7} {'max s':>7}   (n={runs})")
    print(f"{'python -c pass':32} {statistics.median(python):9.3f} {min(python):7.3f} {max(python):7.3f}")
    for args in COMMANDS:
        times = time_command(args, runs)
        label = "opsreport " + " ".join(args)
        print(f"{label:32} {statistics.median(times):9.3f} {min(times):7.3f} {max(times):7.3f}")
    heavy = heavy_imports()
    print(f"heavy modules loaded by 'import opsreport.cli': {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
