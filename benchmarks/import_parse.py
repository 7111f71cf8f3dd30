"""Reading and parsing a 1,000,000-row order export (GB18030 CSV): time per step and peak memory.

    .venv/bin/python benchmarks/import_parse.py [--rows 1000000] [--keep DIR]

Writes a Taobao-style order export (订单编号 18 digits, 买家会员名, 买家实际支付金额 "¥1,234.50",
订单状态, 订单创建时间, 订单付款时间 (empty for unpaid orders), 退款金额) with a two-line preamble
into a temporary folder, in a subprocess, so the peak memory printed is that of reading and
parsing alone (resource.getrusage ru_maxrss of this process). Then times
`opsreport.importing.readers.read_export` and each column's parser in
`opsreport.importing.values`.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADERS = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "订单付款时间", "退款金额"]
STATUSES = ["交易成功", "交易关闭", "等待买家付款", "卖家已发货", "退款中", "买家已付款"]
STATUS_MAP = {
    "交易成功": "completed",
    "交易关闭": "closed",
    "等待买家付款": "unpaid",
    "卖家已发货": "shipped",
    "退款中": "refunding",
    "买家已付款": "paid",
}


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def write_export(path: Path, rows: int, seed: int = 7) -> None:
    """The export file (run in a subprocess by main)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    order_ids = (rng.integers(10**17, 10**18 - 1, rows, dtype=np.int64)).astype(str)
    buyers = np.char.add("买家_", rng.integers(0, rows // 3 + 1, rows).astype(str))
    cents = rng.lognormal(9.5, 1.0, rows).astype(np.int64) + 100
    amounts = [f"¥{c // 100:,}.{c % 100:02d}" for c in cents.tolist()]
    status_idx = rng.integers(0, len(STATUSES), rows)
    statuses = np.array(STATUSES)[status_idx]
    created = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 330 * 86400, rows), unit="s")
    paid = created + pd.to_timedelta(rng.integers(5, 3600, rows), unit="s")
    created_text = created.strftime("%Y-%m-%d %H:%M:%S")
    paid_text = np.where(status_idx == 2, "", paid.strftime("%Y-%m-%d %H:%M:%S"))
    refunds = np.where(rng.random(rows) < 0.1, (cents // 200).astype(str), "0")
    frame = pd.DataFrame(
        dict(zip(HEADERS, [order_ids, buyers, amounts, statuses, created_text, paid_text, refunds]))
    )
    with open(path, "w", encoding="gb18030", newline="") as fh:
        fh.write("订单报表\n导出时间：2026-11-23 09:00:00\n")
        frame.to_csv(fh, index=False, lineterminator="\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", help="write the CSV into this folder and keep it")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "orders_export.csv"
        t0 = time.perf_counter()
        writer = "import pathlib, runpy, sys; runpy.run_path(sys.argv[1])['write_export'](pathlib.Path(sys.argv[2]), int(sys.argv[3]))"
        subprocess.run([sys.executable, "-c", writer, __file__, str(path), str(args.rows)], check=True)
        size_mb = path.stat().st_size / 1024**2
        print(f"wrote {args.rows:,} rows, {size_mb:.0f} MB (GB18030) in {time.perf_counter() - t0:.1f} s")

        from opsreport.importing import values
        from opsreport.importing.readers import read_export

        timings: list[tuple[str, float]] = []
        t_all = time.perf_counter()
        t0 = time.perf_counter()
        (sheet,) = read_export(path, HEADERS)
        timings.append(("read_export", time.perf_counter() - t0))
        f = sheet.frame
        parsers = [
            ("订单编号", "to_id", lambda s: values.to_id(s)),
            ("买家会员名", "to_text", lambda s: values.to_text(s)),
            ("买家实际支付金额", "to_number", lambda s: values.to_number(s)),
            ("订单状态", "map_values", lambda s: values.map_values(s, STATUS_MAP, default="bad")),
            ("订单创建时间", "to_datetime", lambda s: values.to_datetime(s)),
            ("订单付款时间", "to_datetime", lambda s: values.to_datetime(s)),
            ("退款金额", "to_number", lambda s: values.to_number(s)),
        ]
        bad_total = 0
        for column, name, parse in parsers:
            t0 = time.perf_counter()
            _, bad = parse(f[column])
            timings.append((f"{column} ({name})", time.perf_counter() - t0))
            bad_total += int(bad.sum())
        total = time.perf_counter() - t_all

    print(f"rows read: {len(f):,} (header row {sheet.header_row}, encoding {sheet.encoding}, "
          f"first data row {f.index[0]}, last {f.index[-1]}); bad cells: {bad_total}")
    for label, seconds in timings:
        print(f"  {label:<32} {seconds:6.2f} s")
    print(f"read + parse, all columns: {total:.2f} s; peak RSS {peak_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
