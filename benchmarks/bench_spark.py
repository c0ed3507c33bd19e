"""Benchmark: the Spark engine against the pandas path, results checked equal.

Run ``python benchmarks/bench_spark.py [--customers 200000 1000000 ...] [--cores 2]
[--memory 6g] [--pandas-up-to N] [--parts FOLDER]``.  Sizes above ``--pandas-up-to``
run on Spark alone (no pandas run, no comparison: sizes the pandas path cannot hold on
the machine); their per-core ratio is taken against the pandas rate of the largest size
that ran both.  ``--parts FOLDER``: take the ledgers from a Parquet dataset of part
files made by ``bench_chunked.py`` (each size its first parts, hard-linked; sizes must be
whole parts) instead of simulating one ledger per size.

For each size:

1. Generates the ledger once (``benchmarks/_data/ledger_<N>x<months>``, Parquet, the
   sample simulator with seed 0, as ``bench_ledger.py`` does).
2. **pandas**, in a fresh process with ``OMP_NUM_THREADS=1`` (one core):
   ``read_ledger``, ``build_features`` and ``score`` (``models/sample``) at ``--as-of``,
   timed; the results are written to Parquet for the comparison.
3. **Spark**, in a fresh process: a ``local[cores]`` session
   (:func:`arrearsrisk.spark.local_session`), ``read_ledger`` (validation in Spark),
   the bucket plan and the shuffle into buckets (once per ledger, kept in Spark's cache),
   then ``build_features`` and ``score`` each written to Parquet (the write is the action
   timed; each includes its peer pass), while a sampler records the peak resident memory
   of the JVM (in local mode the driver and the executor) and of the Python workers.
4. **Equality**: features equal value for value (NaN where NaN), grades, warnings and
   reasons equal, probabilities within 1e-9.

Reported: seconds, rows per second and rows per second per core of each path (each
stage alone: the one-time bucketing is reported apart), the Spark/pandas ratio per core,
peak memory, and the machine's load average while Spark ran (a busy machine slows Spark's
tasks and the ratio says so).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "models" / "sample"
GIB = 1024**3


def generate(folder: Path, customers: int, months: int) -> None:
    from arrearsrisk.sample import write_sample

    if (folder / "payments.parquet").exists():
        print(f"using {folder}", flush=True)
        return
    t0 = time.perf_counter()
    write_sample(folder, customers, months, "2023-01", seed=0, fmt="parquet")
    print(
        f"generated {customers:,} customers x {months} months in {time.perf_counter() - t0:.0f} s"
    )


def from_parts(parts: Path, customers: int, into: Path) -> Path:
    """A ledger folder of the first part files of ``parts`` holding ``customers``
    customers (hard links, no copy)."""
    import pyarrow.parquet as pq

    if (into / "_complete").exists():
        print(f"using {into}", flush=True)
        return into
    files = sorted((parts / "customers.parquet").glob("part-*.parquet"))
    taken, count = [], 0
    for f in files:
        if count >= customers:
            break
        taken.append(f.name)
        count += pq.ParquetFile(f).metadata.num_rows
    if count != customers:
        raise SystemExit(f"{customers:,} customers are not whole parts of {parts} ({count:,})")
    for table in ("customers", "bills", "payments"):
        (into / f"{table}.parquet").mkdir(parents=True, exist_ok=True)
        for name in taken:
            target = into / f"{table}.parquet" / name
            if not target.exists():
                os.link(parts / f"{table}.parquet" / name, target)
    (into / "_complete").write_text("ok")
    print(f"{customers:,} customers: the first {len(taken)} parts of {parts}", flush=True)
    return into


def run_pandas(folder: Path, as_of: str, out: Path) -> dict[str, float]:
    import arrearsrisk as ar

    warnings.simplefilter("ignore", ar.LedgerWarning)
    res: dict[str, float] = {}
    t0 = time.perf_counter()
    ledger = ar.read_ledger(folder)
    res["read_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    feats = ar.build_features(ledger, as_of)
    res["features_s"] = time.perf_counter() - t0
    res["features_rows"] = float(len(feats))
    model = ar.load_model(BUNDLE)
    t0 = time.perf_counter()
    scores = ar.score(ledger, as_of, model)
    res["score_s"] = time.perf_counter() - t0
    res["score_rows"] = float(len(scores))
    flat = feats.reset_index()
    flat.attrs = {}
    flat.to_parquet(out / "pandas_features.parquet")
    scores.to_parquet(out / "pandas_scores.parquet")
    return res


class Sampler(threading.Thread):
    """Peak resident memory of the JVM and of its Python workers, sampled every 0.5 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.jvm, self.workers, self.done = pid, 0, 0, False
        self.loads: list[float] = []

    def run(self) -> None:
        import psutil

        jvm = psutil.Process(self.pid)
        while not self.done:
            try:
                self.jvm = max(self.jvm, jvm.memory_info().rss)
                kids = [p for p in jvm.children(recursive=True) if "python" in p.name()]
                self.workers = max(self.workers, sum(p.memory_info().rss for p in kids))
            except psutil.Error:
                pass
            self.loads.append(os.getloadavg()[0])
            time.sleep(0.5)


def _progress(stage: str, seconds: float) -> None:
    """One stage's time, as it ends, to standard error (a long run shows where it is)."""
    now = time.strftime("%H:%M:%S")
    print(f"[{now}] spark {stage}: {seconds:.1f} s", file=sys.stderr, flush=True)


def run_spark(folder: Path, as_of: str, out: Path, cores: int, memory: str) -> dict[str, float]:
    import arrearsrisk as ar
    from arrearsrisk import spark as ars
    from arrearsrisk.spark.session import quiet_pyspark

    warnings.simplefilter("ignore", ar.LedgerWarning)
    res: dict[str, float] = {}
    t0 = time.perf_counter()
    spark = ars.local_session(
        cores,
        shuffle_partitions=max(4, 2 * cores),
        memory=memory,
        conf={"spark.local.dir": str(out / "spark-local")},
    )
    spark.sparkContext.setLogLevel("ERROR")
    res["session_s"] = time.perf_counter() - t0
    sampler = Sampler(int(spark.sparkContext._gateway.proc.pid))  # type: ignore[attr-defined]
    sampler.start()
    with quiet_pyspark():
        t0 = time.perf_counter()
        ledger = ars.read_ledger(spark, folder)
        res["read_s"] = time.perf_counter() - t0
        _progress("read", res["read_s"])
        from arrearsrisk.spark.buckets import bucketed_tables, plan_buckets

        t0 = time.perf_counter()
        plan = plan_buckets(ledger)
        for table in bucketed_tables(ledger, plan):
            table.count()  # the shuffle into buckets, done once per ledger and kept
        res["bucket_s"] = time.perf_counter() - t0
        _progress("bucket", res["bucket_s"])
        res["buckets"] = float(plan.count)
        t0 = time.perf_counter()
        ars.build_features(ledger, as_of).write.mode("overwrite").parquet(
            str(out / "spark_features")
        )
        res["features_s"] = time.perf_counter() - t0
        _progress("features", res["features_s"])
        t0 = time.perf_counter()
        ars.score(ledger, as_of, BUNDLE).write.mode("overwrite").parquet(str(out / "spark_scores"))
        res["score_s"] = time.perf_counter() - t0
        _progress("score", res["score_s"])
        for stage in ("features", "scores"):  # rows written (Parquet footers: cheap)
            rows = spark.read.parquet(str(out / f"spark_{stage}")).count()
            res["features_rows" if stage == "features" else "score_rows"] = float(rows)
    sampler.done = True
    sampler.join()
    res["jvm_peak_gib"] = sampler.jvm / GIB
    res["workers_peak_gib"] = sampler.workers / GIB
    res["load_mean"] = float(np.mean(sampler.loads)) if sampler.loads else float("nan")
    spark.stop()
    return res


def compare(out: Path) -> dict[str, float]:
    import pandas as pd

    want_f = pd.read_parquet(out / "pandas_features.parquet").sort_values("customer_id")
    got_f = pd.read_parquet(out / "spark_features").sort_values("customer_id")
    want_f, got_f = want_f.reset_index(drop=True), got_f.reset_index(drop=True)
    assert list(got_f.columns) == list(want_f.columns), "feature columns differ"
    assert got_f["customer_id"].tolist() == want_f["customer_id"].tolist(), "customers differ"
    for col in want_f.columns[1:]:
        a, b = got_f[col], want_f[col]
        if pd.api.types.is_float_dtype(b):
            np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(), err_msg=col)
        else:
            assert (
                a.astype(object).where(a.notna(), None).tolist()
                == b.astype(object).where(b.notna(), None).tolist()
            ), col
    want_s = pd.read_parquet(out / "pandas_scores.parquet").sort_values("customer_id")
    got_s = pd.read_parquet(out / "spark_scores").sort_values("customer_id")
    want_s, got_s = want_s.reset_index(drop=True), got_s.reset_index(drop=True)
    for col in ("customer_id", "grade", "a_warning", "reasons", "model_version"):
        assert got_s[col].tolist() == want_s[col].tolist(), col
    worst = 0.0
    for col in ("p_I", "p_II", "p_III", "p_warning", "exposure", "arrears"):
        diff = np.nanmax(np.abs(got_s[col].to_numpy() - want_s[col].to_numpy()), initial=0.0)
        worst = max(worst, float(diff))
    assert worst <= 1e-9, f"scores differ by {worst}"
    return {
        "features_checked": float(len(got_f)),
        "scores_checked": float(len(got_s)),
        "max_p_diff": worst,
    }


def _child(*args: str, env: dict[str, str] | None = None) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,  # the child's standard error (its progress) shows as it comes
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"child {args[:2]} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def report(
    n: int,
    cores: int,
    pan: dict[str, float] | None,
    spk: dict[str, float],
    eq: dict[str, float] | None,
    reference: tuple[int, dict[str, float]] | None = None,
) -> None:
    """Print one size's figures; without a pandas run (``pan`` None) the per-core ratio
    is against ``reference``, the pandas run of another size (its size, its figures)."""
    alone = "" if pan is not None else " (Spark alone)"
    print(f"\n=== {n:,} customers, Spark local[{cores}] against pandas on 1 core{alone} ===")
    print(f"{'':<22}{'pandas':>12}{'spark':>12}")

    def pandas(key: str) -> str:
        return f"{pan[key]:>12.1f}" if pan is not None else f"{'-':>12}"

    print(f"{'read + validate s':<22}{pandas('read_s')}{spk['read_s']:>12.1f}")
    print(f"{'bucket (once) s':<22}{'':>12}{spk['bucket_s']:>12.1f}")
    for stage in ("features", "score"):
        rows = spk[f"{stage}_rows"]
        s_rate = rows / spk[f"{stage}_s"]
        base, against = (n, pan) if pan is not None else (reference or (0, None))
        p_rate = against[f"{stage}_rows"] / against[f"{stage}_s"] if against else float("nan")
        where = "" if pan is not None else f" (pandas at {base:,})"
        print(f"{stage + ' s':<22}{pandas(f'{stage}_s')}{spk[f'{stage}_s']:>12.1f}")
        print(
            f"{stage + ' rows/s/core':<22}{p_rate:>12,.0f}{s_rate / cores:>12,.0f}"
            f"   spark/pandas per core {s_rate / cores / p_rate:.2f}{where}"
        )
    print(
        f"buckets {spk['buckets']:.0f}; peak memory: JVM (driver = executor) "
        f"{spk['jvm_peak_gib']:.2f} GiB, Python workers {spk['workers_peak_gib']:.2f} GiB; "
        f"load average while Spark ran {spk['load_mean']:.1f} on {os.cpu_count()} cores"
    )
    if eq is not None:
        print(
            f"equal: {eq['features_checked']:,.0f} feature rows, "
            f"{eq['scores_checked']:,.0f} scores "
            f"(largest probability difference {eq['max_p_diff']:.1e})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[200_000])
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--as-of", default="2025-06-30")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--memory", default="6g", help="driver (= executor) JVM memory")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "_data")
    parser.add_argument(
        "--pandas-up-to",
        type=int,
        default=None,
        help="sizes above this run on Spark alone (no pandas run, no comparison)",
    )
    parser.add_argument("--parts", type=Path, default=None, help="a bench_chunked.py dataset")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, folder, out = args.worker
        if kind == "pandas":
            res = run_pandas(Path(folder), args.as_of, Path(out))
        else:
            res = run_spark(Path(folder), args.as_of, Path(out), args.cores, args.memory)
        print(json.dumps(res))
        return
    reference: tuple[int, dict[str, float]] | None = None
    for n in sorted(args.customers):
        if args.parts is not None:
            folder = from_parts(args.parts, n, args.data / f"parts_ledger_{n}")
        else:
            folder = args.data / f"ledger_{n}x{args.months}"
            generate(folder, n, args.months)
        both = args.pandas_up_to is None or n <= args.pandas_up_to
        with tempfile.TemporaryDirectory(prefix="bench-spark-", dir=args.data) as tmp:
            common = ["--as-of", args.as_of, "--cores", str(args.cores), "--memory", args.memory]
            pan = eq = None
            if both:
                pan = _child(
                    "--worker", "pandas", str(folder), tmp, *common, env={"OMP_NUM_THREADS": "1"}
                )
            spk = _child("--worker", "spark", str(folder), tmp, *common)
            if pan is not None:
                eq = compare(Path(tmp))
                reference = (n, pan)
            report(n, args.cores, pan, spk, eq, reference)


if __name__ == "__main__":
    main()
