"""Benchmark: ``ar.monitor`` over 12 months against ``ar.score`` of the same months.

Run ``python benchmarks/bench_monitor.py [--customers N] [--months 12]``.

1. Simulates a ledger of ``--customers`` customers over 36 months (in memory, seed 0)
   and loads the committed sample bundle; that bundle predates frozen references, so
   one is built from the ledger at three training months
   (:func:`arrearsrisk.monitoring.build_reference`, timed apart: training does it once).
2. ``ar.monitor`` over the last ``--months`` month ends whose features the ledger has
   (2025-01 to 2025-12 by default): features, predictions, every check by segment, the
   labels and realised performance of the months whose outcomes are complete.
3. The plain reference in the same run: ``ar.score`` of the same months, without
   reasons (the same features and predictions) and with the default reasons.

Goal on the 2-core machine: monitoring a month costs about what scoring it does (no
more than 1.5 times ``score`` without reasons): the checks are vectorised counts, their
cost does not grow with the number of customers beyond the bincounts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "models" / "sample"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--skip-score", action="store_true", help="do not time ar.score")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    import pandas as pd

    import arrearsrisk as ar
    from arrearsrisk.monitoring import build_reference, monitor
    from arrearsrisk.sample import simulate_ledger

    warnings.simplefilter("ignore", ar.LedgerWarning)
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    t0 = time.perf_counter()
    tables = simulate_ledger(args.customers, 36, "2023-01", seed=0)
    ledger = ar.Ledger(customers=tables.customers, bills=tables.bills, payments=tables.payments)
    del tables
    _ = ledger.arrays
    print(f"simulate + Ledger: {time.perf_counter() - t0:.1f} s ({ledger})")
    model = ar.load_model(BUNDLE)

    t0 = time.perf_counter()
    reference = build_reference(ledger, model, ["2024-10-31", "2024-11-30", "2024-12-31"])
    print(f"build_reference (3 months, fallback for old bundles): {time.perf_counter() - t0:.1f} s")

    months = pd.date_range(end="2025-12-31", periods=args.months, freq="ME")
    t0 = time.perf_counter()
    result = monitor(ledger, model, list(months), reference=reference)
    total = time.perf_counter() - t0
    print(
        f"monitor {args.months} months: {total:.1f} s ({total / args.months:.2f} s a month), "
        f"{len(result.table):,} rows, {len(result.matured)} matured months"
    )
    print(result.table["verdict"].value_counts().to_string())

    if args.skip_score:
        return
    timings = {}
    for reasons in ("none", "risky"):
        t0 = time.perf_counter()
        for m in months:
            ar.score(ledger, m, model, reasons=reasons)
        timings[reasons] = time.perf_counter() - t0
        print(
            f"score {args.months} months, reasons={reasons!r}: {timings[reasons]:.1f} s "
            f"({timings[reasons] / args.months:.2f} s a month)"
        )
    ratio = total / timings["none"]
    print(f"monitor / score(reasons='none'): {ratio:.2f}   goal <= 1.5")
    scale = 1_000_000 / args.customers
    print(
        f"extrapolated to 1,000,000 customers (linear): monitor {total * scale / 60:.1f} min, "
        f"score without reasons {timings['none'] * scale / 60:.1f} min"
    )


if __name__ == "__main__":
    main()
