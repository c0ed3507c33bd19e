"""Benchmark: read a 1,000,000-customer ledger, build features and labels at one date.

Run ``make benchmark`` or ``python benchmarks/bench_ledger.py [--customers N]``.

1. Generates the ledger once with :func:`arrearsrisk.sample.write_sample` as Parquet
   under ``benchmarks/_data/`` (kept between runs; delete it to regenerate).
2. In a fresh process (so the generator's memory is not counted), times
   ``pyarrow.parquet.read_table`` alone on the same files, then ``read_ledger``, the
   sorted arrays, ``build_features`` and ``build_labels`` at ``--as-of``, and reports
   the peak resident memory (``VmHWM``).
3. Times the plain per-customer slow twin of the tests (``tests/reference.py``) on a
   subset of customers against the library on the same subset, so the ratio shows.

Goals on the 2-core, 24 GiB machine: features < 60 s, labels < 30 s, peak < 8 GiB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIB = 1024**3


def peak_rss() -> float:
    """Peak resident memory of this process so far, in GiB (Linux ``VmHWM``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / GIB
    return float("nan")


def generate(folder: Path, customers: int, months: int) -> None:
    from arrearsrisk.sample import write_sample

    if (folder / "payments.parquet").exists():
        print(f"using {folder}")
        return
    t0 = time.perf_counter()
    write_sample(folder, customers, months, "2023-01", seed=0, fmt="parquet", progress=True)
    print(
        f"generated {customers:,} customers x {months} months in {time.perf_counter() - t0:.1f} s"
    )


def measure(folder: Path, as_of: str, reference: int) -> dict[str, float]:
    import pyarrow.parquet as pq

    import arrearsrisk as ar
    from arrearsrisk.timeline import parse_as_of

    out: dict[str, float] = {}
    t0 = time.perf_counter()
    rows = {
        name: pq.read_table(folder / f"{name}.parquet").num_rows
        for name in ("customers", "bills", "payments")
    }
    out["pyarrow_read_s"] = time.perf_counter() - t0
    out.update({f"{k}_rows": float(v) for k, v in rows.items()})

    warnings.simplefilter("ignore", ar.LedgerWarning)
    t0 = time.perf_counter()
    ledger = ar.read_ledger(folder)
    out["read_ledger_s"] = time.perf_counter() - t0
    out["peak_after_read_gib"] = peak_rss()
    t0 = time.perf_counter()
    _ = ledger.arrays
    out["arrays_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    feats = ar.build_features(ledger, as_of)
    out["features_s"] = time.perf_counter() - t0
    out["features_rows"], out["features_cols"] = map(float, feats.shape)
    out["peak_after_features_gib"] = peak_rss()
    del feats
    t0 = time.perf_counter()
    labels = ar.build_labels(ledger, as_of)
    out["labels_s"] = time.perf_counter() - t0
    out["labels_rows"] = float(len(labels))
    out["peak_gib"] = peak_rss()

    # The slow twin on a subset, against the library on the same subset.
    sys.path.insert(0, str(ROOT / "tests"))
    import reference as twin

    ids = ledger.customers["customer_id"].iloc[:reference].tolist()
    part = ledger.subset(ids)
    day = parse_as_of(as_of).date()
    t0 = time.perf_counter()
    book = twin.book_of(part)
    twin.features(book, day)
    twin.labels(book, day)
    out["reference_subset_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ar.build_features(part, as_of)
    ar.build_labels(part, as_of)
    out["library_subset_s"] = time.perf_counter() - t0
    out["reference_customers"] = float(len(ids))
    return out


def report(m: dict[str, float], customers: int) -> None:
    per_ref = m["reference_subset_s"] / m["reference_customers"]
    per_lib = (m["features_s"] + m["labels_s"]) / customers
    print()
    print(
        f"ledger: {m['customers_rows']:,.0f} customers, {m['bills_rows']:,.0f} bills, "
        f"{m['payments_rows']:,.0f} payments"
    )
    print(f"{'step':<34}{'seconds':>10}   goal")
    print(f"{'pyarrow.parquet.read_table alone':<34}{m['pyarrow_read_s']:>10.1f}")
    print(
        f"{'read_ledger (read + validate)':<34}{m['read_ledger_s']:>10.1f}   "
        f"({m['read_ledger_s'] / m['pyarrow_read_s']:.1f}x pyarrow)"
    )
    print(f"{'sorted arrays (once per ledger)':<34}{m['arrays_s']:>10.1f}")
    print(f"{'build_features (one as_of)':<34}{m['features_s']:>10.1f}   < 60")
    print(f"{'build_labels (one as_of)':<34}{m['labels_s']:>10.1f}   < 30")
    print(
        f"{'peak memory (GiB)':<34}{m['peak_gib']:>10.2f}   < 8  "
        f"(after read {m['peak_after_read_gib']:.2f}, "
        f"after features {m['peak_after_features_gib']:.2f})"
    )
    print()
    print(
        f"slow twin on {m['reference_customers']:,.0f} customers: "
        f"{m['reference_subset_s']:.1f} s ({per_ref * 1e3:.2f} ms/customer; "
        f"library on the same subset {m['library_subset_s']:.2f} s)"
    )
    print(
        f"library at full scale: {per_lib * 1e6:.1f} us/customer for features + labels: "
        f"{per_ref / per_lib:,.0f}x faster than the slow twin; the twin would need "
        f"{per_ref * customers / 60:,.0f} min for {customers:,} customers"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--as-of", default="2025-06-30")
    parser.add_argument("--reference", type=int, default=2_000, help="customers for the slow twin")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "_data")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.as_of, args.reference)))
        return
    folder = args.data / f"ledger_{args.customers}x{args.months}"
    generate(folder, args.customers, args.months)
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            str(folder),
            "--as-of",
            args.as_of,
            "--reference",
            str(args.reference),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    report(json.loads(done.stdout.strip().splitlines()[-1]), args.customers)


if __name__ == "__main__":
    main()
