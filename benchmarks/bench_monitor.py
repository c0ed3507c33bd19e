"""Benchmark: ``ar.monitor`` over 12 months against ``ar.score`` of the same months.

Run ``python benchmarks/bench_monitor.py [--customers N | --data FOLDER] [--months 12]``.

1. Simulates a ledger of ``--customers`` customers over 36 months from 2023-01 (in
   memory, seed 0), or reads the ledger folder ``--data`` (e.g. the first two parts of
   ``bench_chunked.py``'s 5-million dataset, 1,000,000 customers, linked into a folder
   as ``bench_spark.py --parts`` does), and loads the committed sample bundle; a
   reference is built from the ledger at three training months
   (:func:`arrearsrisk.monitoring.build_reference`, timed apart: training does it once
   and freezes it in the bundle).
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


def _peak_gib() -> float:
    """Peak resident memory of this process so far, in GiB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--data", type=Path, help="a ledger folder to read instead")
    parser.add_argument("--skip-score", action="store_true", help="do not time ar.score")
    parser.add_argument(
        "--score-reasons",
        nargs="+",
        default=["none", "risky"],
        choices=["none", "risky"],
        help="the reasons settings of the ar.score reference ('none' is always timed)",
    )
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    import pandas as pd

    import arrearsrisk as ar
    from arrearsrisk.monitoring import build_reference, monitor
    from arrearsrisk.sample import simulate_ledger

    warnings.simplefilter("ignore", ar.LedgerWarning)
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    t0 = time.perf_counter()
    if args.data is not None:
        ledger = ar.read_ledger(args.data)
        customers = ledger.customers.shape[0]
        how = f"read {args.data}"
    else:
        tables = simulate_ledger(args.customers, 36, "2023-01", seed=0)
        ledger = ar.Ledger(customers=tables.customers, bills=tables.bills, payments=tables.payments)
        del tables
        customers = args.customers
        how = "simulate + Ledger"
    _ = ledger.arrays
    print(f"{how}: {time.perf_counter() - t0:.1f} s ({ledger}), peak {_peak_gib():.2f} GiB")
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
    print(f"peak memory of the process so far: {_peak_gib():.2f} GiB")
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")

    if args.skip_score:
        return
    timings = {}
    for reasons in dict.fromkeys(["none", *args.score_reasons]):
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
    scale = 1_000_000 / customers
    print(
        f"extrapolated to 1,000,000 customers (linear): monitor {total * scale / 60:.1f} min, "
        f"score without reasons {timings['none'] * scale / 60:.1f} min"
    )


if __name__ == "__main__":
    main()
