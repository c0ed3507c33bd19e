"""Benchmark: scoring a Parquet ledger larger than memory in buckets of customers.

Run ``python benchmarks/bench_chunked.py [--customers 5000000] [--part 500000]``.

1. Generates the ledger once under ``benchmarks/_data/parts_<N>x36/`` as a Parquet
   dataset (``customers.parquet/``, ``bills.parquet/``, ``payments.parquet/``, one part
   file per ``--part`` customers, each part simulated with its own seed and its ids
   prefixed, so the parts are distinct customers), never holding more than one part in
   memory.
2. The plain reference, in a fresh process: ``read_ledger`` + ``score`` in memory on
   the first part alone (``--part`` customers), its wall time and peak memory.
3. :func:`arrearsrisk.engines.chunked.score_parquet` in a fresh process, on that part
   and on the whole ledger: wall time per pass, customers per second, peak memory
   (the child's maximum resident set, ``ru_maxrss``), and the rows written.

Goal (issue 11): the whole ledger scored with a peak under 4 GiB whatever its size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "models" / "sample"
TABLES = ("customers", "bills", "payments")


def generate(folder: Path, customers: int, part: int, months: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from arrearsrisk.sample import simulate_ledger

    parts = -(-customers // part)
    done = folder / "_complete"
    if done.exists():
        print(f"using {folder}")
        return
    for t in TABLES:
        (folder / f"{t}.parquet").mkdir(parents=True, exist_ok=True)
    for k in range(parts):
        if all((folder / f"{t}.parquet" / f"part-{k:03d}.parquet").exists() for t in TABLES):
            continue
        t0 = time.perf_counter()
        n = min(part, customers - k * part)
        tables = simulate_ledger(n, months, "2023-01", seed=1000 + k)
        prefix = f"P{k:03d}-"
        for name, frame in zip(TABLES, tables, strict=True):
            frame = frame.copy()
            frame["customer_id"] = prefix + frame["customer_id"].astype(str)
            if name == "customers" and "group_id" in frame:
                frame["group_id"] = frame["group_id"].where(
                    frame["group_id"].isna(), prefix + frame["group_id"].astype(str)
                )
            table = pa.Table.from_pandas(frame, preserve_index=False)
            pq.write_table(table, folder / f"{name}.parquet" / f"part-{k:03d}.parquet")
        del tables
        print(
            f"  part {k + 1}/{parts}: {n:,} customers simulated in {time.perf_counter() - t0:.0f} s"
        )
    done.write_text("ok")


def child(code: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter: its printed JSON, wall time and peak memory
    (``ru_maxrss`` of that child alone, from ``os.wait4``)."""
    t0 = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        text=True,
    ) as proc:
        assert proc.stdout is not None
        printed = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"child failed ({proc.returncode})")
    result: dict[str, float] = json.loads(printed.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - t0
    result["peak_gib"] = usage.ru_maxrss / 2**20  # KiB on Linux
    return result


def in_memory(folder: Path, as_of: str) -> dict[str, float]:
    code = f"""
import json, time, warnings
import arrearsrisk as ar
warnings.simplefilter("ignore")
t0 = time.perf_counter()
ledger = ar.read_ledger({str(folder)!r})
s = ar.score(ledger, {as_of!r}, {str(BUNDLE)!r})
print(json.dumps({{"rows": len(s), "seconds": time.perf_counter() - t0}}))
"""
    return child(code)


def chunked(folder: Path, as_of: str, out: Path, chunk: int) -> dict[str, float]:
    code = f"""
import json, time
from arrearsrisk.engines.chunked import score_parquet
t0 = time.perf_counter()
run = score_parquet({str(folder)!r}, {as_of!r}, {str(BUNDLE)!r}, {str(out)!r},
                    chunk_customers={chunk}, resume=False)
print(json.dumps({{"rows": run.rows, "buckets": run.buckets,
                  "seconds": time.perf_counter() - t0, **run.seconds}}))
"""
    return child(code)


def first_part(folder: Path, into: Path) -> Path:
    """A ledger folder of the first part alone (hard links, no copy)."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    for t in TABLES:
        os.link(folder / f"{t}.parquet" / "part-000.parquet", into / f"{t}.parquet")
    return into


def report(what: str, r: dict[str, float]) -> None:
    passes = f"partition {r['partition']:.1f}, peers {r['peers']:.1f}, score {r['work']:.1f}"
    print(
        f"{what}: {r['wall']:.1f} s ({passes}), peak {r['peak_gib']:.2f} GiB, "
        f"{r['buckets']:.0f} buckets, {r['rows']:,.0f} rows, "
        f"{r['rows'] / r['seconds']:,.0f} customers/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5_000_000)
    parser.add_argument("--part", type=int, default=500_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--chunk", type=int, default=200_000, help="customers per bucket")
    parser.add_argument("--as-of", default="2025-09-30")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "_data")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}; cores {os.cpu_count()}")
    folder = args.data / f"parts_{args.customers}x{args.months}"
    if args.generate_only:
        generate(folder, args.customers, args.part, args.months)
        return
    # in a child: a child's ru_maxrss counts the pages it had before exec, so the parent
    # must stay small for the peaks measured below to be the work's alone
    subprocess.run([sys.executable, __file__, "--generate-only", *sys.argv[1:]], check=True)
    one = first_part(folder, args.data / f"part0_{args.part}x{args.months}")
    work = args.data / "_chunked_out"

    ref = in_memory(one, args.as_of)
    print(
        f"in memory, {args.part:,} customers: {ref['wall']:.1f} s, peak {ref['peak_gib']:.2f} GiB"
    )
    small = chunked(one, args.as_of, work / "part0", args.chunk)
    report(f"chunked,   {args.part:,} customers", small)
    whole = chunked(folder, args.as_of, work / "whole", args.chunk)
    report(f"chunked,   {args.customers:,} customers", whole)
    print("goal: peak < 4 GiB whatever the size")
    print(f"load average after {os.getloadavg()[0]:.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
