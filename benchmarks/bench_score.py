"""Benchmark: score() on 1,000,000 customers, one account, and a cold start.

Run ``python benchmarks/bench_score.py [--customers N]`` (after bench_ledger.py has
generated ``benchmarks/_data/ledger_Nx36``; this script generates it if missing).

1. Batch: ``read_ledger`` once, then ``score`` end to end at ``--as-of`` with the
   committed sample bundle (``models/sample``), and the same work stage by stage
   (features, the three boosters, contributions and reasons) to show the share of
   each, beside LightGBM's bare ``Booster.predict`` on the same rows.
2. One account: median of ``score`` on a one-customer ledger (portfolio peer rates
   passed in), once the model is loaded; and of building that ``Ledger`` from tables.
3. Cold start: ``python -c`` importing arrearsrisk, loading the bundle and scoring one
   customer from a CSV folder, wall time of the whole process.

Goals on the 2-core machine: batch < 120 s, one account < 20 ms, cold start < 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "models" / "sample"


def batch(folder: Path, as_of: str) -> None:
    import arrearsrisk as ar
    from arrearsrisk.features import build_features
    from arrearsrisk.scoring.reasons import top_reasons

    warnings.simplefilter("ignore", ar.LedgerWarning)
    t0 = time.perf_counter()
    ledger = ar.read_ledger(folder)
    _ = ledger.arrays
    print(f"read_ledger + arrays: {time.perf_counter() - t0:.1f} s ({ledger})")
    model = ar.load_model(BUNDLE)

    t0 = time.perf_counter()
    scores = ar.score(ledger, as_of, model)
    total = time.perf_counter() - t0
    risky = int(((scores["grade"] != "III") | scores["a_warning"]).sum())
    print(
        f"score end to end: {total:.1f} s for {len(scores):,} customers "
        f"({risky:,} with reasons)   goal < 120 s"
    )

    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    feats = build_features(ledger, as_of)
    stages["features"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    x = model.spec.matrix(feats)
    stages["feature matrix"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = model.predict_matrix(x)
    stages["3 boosters + calibration"] = time.perf_counter() - t0
    rows = np.flatnonzero((pred["grade"] != "III").to_numpy() | pred["a_warning"].to_numpy())
    t0 = time.perf_counter()
    contrib = model.contributions(x[rows])
    stages["contributions (risky rows)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    top_reasons(contrib, feats.iloc[rows], model.spec.names, "zh", 3)
    stages["reasons text"] = time.perf_counter() - t0
    whole = sum(stages.values())
    for name, sec in stages.items():
        print(f"  {name:<28}{sec:>7.1f} s  {sec / whole:6.1%}")
    t0 = time.perf_counter()
    for booster in model.boosters.values():
        booster.predict(x)
    print(
        f"  bare LightGBM predict, 3 boosters on the same {len(x):,} rows: "
        f"{time.perf_counter() - t0:.1f} s"
    )


def one_account(as_of: str) -> None:
    import arrearsrisk as ar

    ledger = ar.read_ledger(ROOT / "data" / "sample")
    model = ar.load_model(BUNDLE)
    peers = ar.peer_context(ledger, as_of)
    one = ledger.subset(["C0017"])
    tables = {"customers": one.customers, "bills": one.bills, "payments": one.payments}
    for _ in range(10):
        ar.score(one, as_of, model, peers=peers)
    times, builds = [], []
    for _ in range(200):
        t0 = time.perf_counter()
        ar.score(one, as_of, model, peers=peers)
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ar.Ledger(**tables)
        builds.append(time.perf_counter() - t0)
    print(
        f"one account: score median {statistics.median(times) * 1e3:.1f} ms "
        f"(p90 {np.percentile(times, 90) * 1e3:.1f} ms)   goal < 20 ms; "
        f"building its Ledger from tables: median {statistics.median(builds) * 1e3:.1f} ms"
    )
    x = model.spec.matrix(ar.build_features(one, as_of, peers=peers))
    t0 = time.perf_counter()
    for _ in range(200):
        model.boosters["grade_I"].predict(x, num_threads=1)
    print(
        f"  bare LightGBM predict of that row, one booster: "
        f"{(time.perf_counter() - t0) / 200 * 1e6:.0f} us"
    )


def cold_start(as_of: str) -> None:
    import arrearsrisk as ar

    ledger = ar.read_ledger(ROOT / "data" / "sample").subset(["C0017"])
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("customers", "bills", "payments"):
            getattr(ledger, name).to_csv(Path(tmp) / f"{name}.csv", index=False)
        code = (
            "import arrearsrisk as ar; "
            f"m = ar.load_model({str(BUNDLE)!r}); "
            f"print(ar.score(ar.read_ledger({tmp!r}), {as_of!r}, m)['grade'].iloc[0])"
        )
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
            runs.append(time.perf_counter() - t0)
    print(
        f"cold start (import, load bundle, read a one-customer CSV ledger, score): "
        f"median {statistics.median(runs):.2f} s of {[round(r, 2) for r in runs]}   goal < 2 s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--as-of", default="2025-06-30")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "_data")
    args = parser.parse_args()
    folder = args.data / f"ledger_{args.customers}x36"
    if not (folder / "payments.parquet").exists():
        from arrearsrisk.sample import write_sample

        write_sample(folder, args.customers, 36, "2023-01", seed=0, fmt="parquet", progress=True)
    one_account("2025-09-30")
    cold_start("2025-09-30")
    batch(folder, args.as_of)


if __name__ == "__main__":
    main()
