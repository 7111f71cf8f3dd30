"""Import 1,000,000 order rows from a CSV seller order export into a new warehouse: wall time and peak memory.

    .venv/bin/python benchmarks/import_orders.py [--rows 1000000] [--encoding gb18030] [--keep DIR]

The export (source ``taobao_order_export``: 订单编号 19 digits, 买家会员名, 买家实际支付金额 "¥1,234.50",
订单状态 in Chinese, 订单创建时间, 订单付款时间 empty for unpaid orders, 宝贝标题, 宝贝总数量, 商家编码,
退款金额, under a two-line preamble) is written in a subprocess, so the peak RSS printed is that of
the import alone. The import is the whole command: read, parse, map, check the contracts, upsert
orders and order_items in one transaction into a new warehouse file. The issue's floor: <= 60 s.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADERS = ["订单编号", "买家会员名", "买家应付货款", "买家实际支付金额", "订单状态", "订单创建时间", "订单付款时间",
           "宝贝标题", "宝贝种类", "宝贝总数量", "商家编码", "退款金额"]
STATUSES = ["交易成功", "交易成功", "交易成功", "卖家已发货，等待买家确认", "买家已付款，等待卖家发货", "等待买家付款",
            "交易关闭", "退款中"]


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def write_export(path: Path, rows: int, encoding: str, seed: int = 11) -> None:
    """The export file (run in a subprocess by main)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    order_ids = (np.int64(3_400_000_000_000_000_000) + np.arange(rows, dtype=np.int64) * 7).astype(str)
    buyers = np.char.add("tb_", rng.integers(0, rows // 3 + 1, rows).astype(str))
    cents = rng.lognormal(9.5, 1.0, rows).astype(np.int64) + 100
    amounts = [f"¥{c // 100:,}.{c % 100:02d}" for c in cents.tolist()]
    status_idx = rng.integers(0, len(STATUSES), rows)
    statuses = np.array(STATUSES)[status_idx]
    created = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 330 * 86400, rows), unit="s")
    paid = created + pd.to_timedelta(rng.integers(5, 3600, rows), unit="s")
    unpaid = (status_idx == 5) | ((status_idx == 6) & (rng.random(rows) < 0.5))
    paid_text = np.where(unpaid, "", paid.strftime("%Y-%m-%d %H:%M:%S"))
    skus = np.char.add("SKU-", rng.integers(1, 500, rows).astype(str))
    qty = rng.integers(1, 4, rows)
    refunds = np.where(status_idx == 7, (cents // 100).astype(str), "0")
    frame = pd.DataFrame(dict(zip(HEADERS, [
        order_ids, buyers, amounts, amounts, statuses, created.strftime("%Y-%m-%d %H:%M:%S"), paid_text,
        np.char.add("商品", skus), np.ones(rows, dtype=np.int64), qty, skus, refunds,
    ])))
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write("订单报表\n导出时间：2026-11-23 09:00:00\n")
        frame.to_csv(fh, index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--encoding", default="gb18030", help="gb18030 (default), utf-8 or utf-8-sig")
    ap.add_argument("--keep", help="write the CSV and the warehouse into this folder and keep them")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="opsreport-bench-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "ExportOrderList.csv"
        warehouse = folder / "import_bench.duckdb"
        warehouse.unlink(missing_ok=True)
        t0 = time.perf_counter()
        writer = ("import pathlib, runpy, sys; runpy.run_path(sys.argv[1])['write_export']"
                  "(pathlib.Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4])")
        subprocess.run([sys.executable, "-c", writer, __file__, str(path), str(args.rows), args.encoding], check=True)
        size_mb = path.stat().st_size / 1024**2
        print(f"export: {args.rows:,} order rows, {size_mb:.0f} MB ({args.encoding}), written in {time.perf_counter() - t0:.1f} s")

        from opsreport.importing import import_files

        start = time.perf_counter()
        [report] = import_files(warehouse, "bench", "taobao_order_export", [path])
        wall = time.perf_counter() - start
        print(f"import wall time : {wall:,.1f} s   (issue floor: <= 60 s)")
        print(f"peak RSS         : {peak_rss_mb():,.0f} MB")
        print(f"rows read        : {report.rows_read:,}")
        for t in report.tables:
            dates = f"  ({t.first_date} ~ {t.last_date})" if t.first_date else ""
            print(f"  {t.table:<12} inserted {t.inserted:,}{dates}")
        print(f"warehouse file   : {warehouse.stat().st_size / 1024**2:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
