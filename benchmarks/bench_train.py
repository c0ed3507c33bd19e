"""Benchmark: training on a shared machine, idle and with every core busy.

Run ``python benchmarks/bench_train.py [--repeats 3] [--large-repeats 1]`` (one to two
hours on the 2-core machine with the defaults; ``--skip-large`` for the sample only).

1. Frames: the sample (``data/sample``, every monthly cutoff) and a
   ``--customers`` (20,000) x 36-month ledger of the simulator (seed 11, not the
   sample's 0), generated once as Parquet under ``benchmarks/_data/`` like the other
   benchmarks, with its last ``--cutoffs`` (18) monthly cutoffs.  The training frames
   are pickled beside it (the large one is kept between runs; delete it to rebuild).
2. Each measurement is a fresh process that loads a frame, imports what training
   needs, and times ``ar.train(frame, track=False)`` alone, under one of these
   variants (nothing is patched: parameters and environment variables only):

   ``today``    the library as it is: ``fit`` sets ``num_threads`` to
                :func:`~arrearsrisk.models.threads.training_threads` (one on 2 cores);
   ``nt0``      as before that: ``params={"num_threads": 0}``, OpenMP's default, every
                core;
   ``omp1``     the plain reference: the same with ``OMP_NUM_THREADS=1``;
   ``ntK``      ``params={"num_threads": K}``; ``nt{training_threads()}`` is the proposal;
   ``limit1``   ``ar.train`` inside ``limited_threads(1)`` (the pools capped, no
                ``num_threads`` parameter);
   ``passive``  ``nt0`` with ``OMP_WAIT_POLICY=PASSIVE`` (waiting threads sleep).

   (``--variants`` picks them for the sample, default ``nt0,omp1,today``, and
   ``--large-variants`` for the large frame, default the same.)

   each **idle** (after waiting, at most ``--idle-wait`` s, for the other processes of
   the machine to use less than a quarter of a core) and **busy**: one CPU-bound
   process per usable core (a pure-Python loop), started by this script for the timing
   and terminated after (each also stops by itself after ``--busy-limit`` s).  Before
   each measurement the load average is printed; during it the worker reads
   ``/proc/stat`` to report how many cores the whole machine and training itself used.
3. Where the time goes: one idle run per frame of :func:`arrearsrisk.models.fit` with a
   step clock as its progress bar (backtests, out-of-sample evaluation, deployed model),
   and the logistic baseline alone on the same backtest folds: fitted on every row with
   the pools uncapped (as before), and as now (at most 50,000 rows, pools capped), with
   its pooled out-of-time Grade I AUC each way.

Goals (issue 9): sample training < 15 s idle, and busy at most 2x idle.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
THREAD_ENV = ("OMP_NUM_THREADS", "ARREARSRISK_THREADS", "OMP_WAIT_POLICY")

SPIN = "import time\nend = time.monotonic() + {limit}\nwhile time.monotonic() < end:\n    pass\n"


# -- the machine ---------------------------------------------------------------------


def busy_jiffies() -> int:
    """CPU time the whole machine has spent busy (not idle nor iowait), in clock ticks."""
    with open("/proc/stat") as fh:
        fields = [int(v) for v in fh.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]


def machine_cores_used(seconds: float = 1.0) -> float:
    """Cores in use on the whole machine over the next ``seconds``."""
    b0, t0 = busy_jiffies(), time.perf_counter()
    time.sleep(seconds)
    return (busy_jiffies() - b0) / HZ / (time.perf_counter() - t0)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def wait_idle(max_wait: float, threshold: float = 0.25) -> float:
    """Wait (at most ``max_wait`` s) until the machine uses less than ``threshold`` cores
    over a second; returns the last reading."""
    deadline = time.monotonic() + max_wait
    used = machine_cores_used()
    while used >= threshold and time.monotonic() < deadline:
        used = machine_cores_used()
    return used


@contextlib.contextmanager
def spinners(count: int, limit: float) -> Iterator[None]:
    """``count`` CPU-bound pure-Python processes for the duration of the block; each
    stops by itself after ``limit`` seconds if the block outlives it."""
    procs = [
        subprocess.Popen([sys.executable, "-c", SPIN.format(limit=limit)]) for _ in range(count)
    ]
    try:
        time.sleep(0.5)
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# -- frames --------------------------------------------------------------------------


def sample_frame(data: Path) -> Path:
    import arrearsrisk as ar

    path = data / "train_frame_sample.pkl"
    ledger = ar.read_ledger(SAMPLE)
    frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    frame.to_pickle(path)
    return path


def large_frame(data: Path, customers: int, months: int, cutoffs: int, seed: int) -> Path:
    import arrearsrisk as ar
    from arrearsrisk.sample import write_sample

    data = data.resolve()
    folder = data / f"ledger_{customers}x{months}_seed{seed}"
    # the cached frame is the library's features of today: keyed by their names
    names = hashlib.sha256(",".join(ar.feature_names()).encode()).hexdigest()[:8]
    path = data / f"train_frame_{customers}x{months}_seed{seed}_{cutoffs}cutoffs_{names}.pkl"
    if path.exists():
        print(f"using {path}")
        return path
    if not (folder / "payments.parquet").exists():
        t0 = time.perf_counter()
        write_sample(folder, customers, months, "2023-01", seed=seed, fmt="parquet")
        print(f"generated {folder} in {time.perf_counter() - t0:.1f} s")
    warnings.simplefilter("ignore", ar.LedgerWarning)
    t0 = time.perf_counter()
    ledger = ar.read_ledger(folder)
    cuts = ar.monthly_cutoffs(ledger)[-cutoffs:]
    frame = ar.training_frame(ledger, cuts)
    frame.to_pickle(path)
    print(f"training frame {len(frame):,} rows in {time.perf_counter() - t0:.1f} s")
    return path


# -- the worker (a fresh process per measurement) ------------------------------------


def _clock() -> Any:
    """A tqdm that draws nothing and records the seconds of each step of ``fit``."""
    from tqdm import tqdm

    class StepClock(tqdm):
        def __init__(self) -> None:
            super().__init__(total=None, disable=True)
            self.marks: list[tuple[str, float]] = []
            self.label = "start"
            self.last = time.perf_counter()

        def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
            self.label = s

        def update(self, n: float | None = 1) -> bool | None:
            now = time.perf_counter()
            self.marks.append((self.label, now - self.last))
            self.last = now
            return None

    return StepClock()


def _trees_hash(model: Any) -> str:
    """A hash of the boosters' trees, without their parameters section."""
    text = "".join(b.model_to_string().split("\nparameters:")[0] for b in model.boosters.values())
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _baselines(frame: Any) -> list[dict[str, Any]]:
    """The logistic baseline alone on the backtest folds of ``fit``: before and now."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from arrearsrisk.models import FeatureSpec
    from arrearsrisk.models.baselines import BASELINE_MAX_ROWS, LogisticBaseline
    from arrearsrisk.models.splits import time_backtests
    from arrearsrisk.models.threads import usable_cores

    frame = frame.reset_index(drop=True)
    names = [c for c in frame.columns if c not in ("customer_id", "as_of", "grade", "a_warning")]
    cats = list(FeatureSpec.from_frame(frame, names).categories)
    labels = frame.attrs.get("labels", {})
    folds = time_backtests(
        frame["as_of"],
        backtest_months=3,
        valid_months=3,
        horizon_months=int(labels.get("horizon_months", 3)),
        grace_days=int(labels.get("grace_days", 30)),
    )
    out = []
    for label, kw in (
        ("every row, pools uncapped (before)", {"max_rows": None, "threads": usable_cores()}),
        (f"at most {BASELINE_MAX_ROWS:,} rows, pools capped (now)", {}),
    ):
        seconds, truth, score, rows = 0.0, [], [], []
        for fold in folds:
            t0 = time.perf_counter()
            lb = LogisticBaseline(names, cats, 0, **kw).fit(
                frame.loc[fold.train, names],
                frame.loc[fold.train, "grade"],
                frame.loc[fold.train, "a_warning"],
            )
            lb.predict_proba(frame.loc[fold.valid, names])
            p, _ = lb.predict_proba(frame.loc[fold.test, names])
            seconds += time.perf_counter() - t0
            truth.append(frame.loc[fold.test, "grade"].astype(str).to_numpy() == "I")
            score.append(p[:, 0])
            rows.append(len(lb.rows_))
        auc = float(roc_auc_score(np.concatenate(truth), np.concatenate(score)))
        out.append({"label": label, "seconds": seconds, "auc": auc, "rows": rows})
    return out


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    frame = pd.read_pickle(spec["frame"])
    import lightgbm  # noqa: F401  (imported before the clock starts)
    import sklearn.linear_model  # noqa: F401

    import arrearsrisk as ar
    import arrearsrisk.evaluation
    from arrearsrisk.models import fit
    from arrearsrisk.models.threads import limited_threads

    params = spec.get("params")
    clock = _clock() if spec["mode"] == "steps" else None
    cap = limited_threads(spec["limit"]) if spec.get("limit") else contextlib.nullcontext()
    fitting = Path(ar.__file__).parent / "models" / "fitting.py"
    stamp = hashlib.sha256(fitting.read_bytes()).hexdigest()[:12]
    cpu0, busy0, t0 = os.times(), busy_jiffies(), time.perf_counter()
    with cap:
        if clock is None:
            result = ar.train(frame, track=False, params=params)
        else:
            result = fit(frame, params=params, progress=clock)
    wall = time.perf_counter() - t0
    cpu1, busy1 = os.times(), busy_jiffies()
    own = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    auc = {k: float(v) for k, v in result.metrics["grade_I_auc"].to_dict().items()}
    out: dict[str, Any] = {
        "wall": wall,
        "cpu": own,
        "own_cores": own / wall,
        "machine_cores": (busy1 - busy0) / HZ / wall,
        "rows": len(frame),
        "cutoffs": int(frame["as_of"].nunique()),
        "trees": _trees_hash(result.model),
        "fitting": stamp,
        "auc_model": auc["model"],
        "auc_logistic": auc["logistic"],
    }
    if clock is not None:
        out["steps"] = clock.marks
    if spec.get("baselines"):
        out["baselines"] = _baselines(frame)
    return out


# -- the driver ----------------------------------------------------------------------


def variants(cores: int) -> dict[str, dict[str, Any]]:
    from arrearsrisk.models.threads import training_threads

    proposal = training_threads()
    table: dict[str, dict[str, Any]] = {
        "today": {"label": f"library today (num_threads={proposal})"},
        "nt0": {"label": "before: num_threads=0 (all cores)", "params": {"num_threads": 0}},
        "omp1": {"label": "reference: OMP_NUM_THREADS=1", "env": {"OMP_NUM_THREADS": "1"}},
    }
    for k in range(1, cores + 1):
        table[f"nt{k}"] = {"label": f"params num_threads={k}", "params": {"num_threads": k}}
    table["limit1"] = {"label": "inside limited_threads(1)", "limit": 1}
    table["passive"] = {
        "label": "nt0 + OMP_WAIT_POLICY=PASSIVE",
        "params": {"num_threads": 0},
        "env": {"OMP_WAIT_POLICY": "PASSIVE"},
    }
    return table


def measure(
    frame: Path,
    variant: dict[str, Any],
    busy: int,
    args: argparse.Namespace,
    mode: str = "train",
    baselines: bool = False,
) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_ENV}
    env.update(variant.get("env", {}))
    spec = {
        "frame": str(frame),
        "params": variant.get("params"),
        "limit": variant.get("limit"),
        "mode": mode,
        "baselines": baselines,
    }
    seen = wait_idle(args.idle_wait) if not busy else float("nan")
    before = load()
    with spinners(busy, args.busy_limit) if busy else contextlib.nullcontext():
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", json.dumps(spec)],
            env=env,
            capture_output=True,
            text=True,
            timeout=args.busy_limit,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"worker failed:\n{proc.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["load_before"], out["idle_seen"] = before, seen
    return out


def run_frame(
    name: str, frame: Path, keys: list[str], repeats: int, args: argparse.Namespace
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    from arrearsrisk.models.threads import usable_cores

    cores = usable_cores()
    table = variants(cores)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {k: {"idle": [], "busy": []} for k in keys}
    print(
        f"\n== {name}: {repeats} repeat(s) of {', '.join(keys)}, idle and busy ({cores} spinners)"
    )
    for rep in range(repeats):
        for key in keys:
            for cond, busy in (("idle", 0), ("busy", cores)):
                r = measure(frame, table[key], busy, args)
                runs[key][cond].append(r)
                idle = f", machine before {r['idle_seen']:.2f} cores" if not busy else ""
                print(
                    f"  [{rep + 1}/{repeats}] {key:<8}{cond:<5} {r['wall']:7.1f} s "
                    f"(CPU {r['cpu']:5.1f} s)   "
                    f"load avg {r['load_before']}{idle}; during: machine "
                    f"{r['machine_cores']:.2f} cores, training {r['own_cores']:.2f}",
                    flush=True,
                )
    rows = runs[keys[0]]["idle"][0]
    print(f"\n{name}: {rows['rows']:,} rows, {rows['cutoffs']} cutoffs; medians in seconds")
    ref = statistics.median(r["wall"] for r in runs["omp1"]["idle"]) if "omp1" in runs else None
    print(
        f"{'variant':<9}{'what':<44}{'idle':>7}{'busy':>7}{'busy/idle':>10}"
        f"{'idle/omp1':>10}{'CPU idle':>9}{'CPU busy':>9}{'others idle':>12}"
        f"{'trees':>14}{'AUC lr':>8}"
    )
    for key in keys:
        idle = statistics.median(r["wall"] for r in runs[key]["idle"])
        busy = statistics.median(r["wall"] for r in runs[key]["busy"])
        others = statistics.median(r["machine_cores"] - r["own_cores"] for r in runs[key]["idle"])
        cpu_idle = statistics.median(r["cpu"] for r in runs[key]["idle"])
        cpu_busy = statistics.median(r["cpu"] for r in runs[key]["busy"])
        trees = {r["trees"] for c in ("idle", "busy") for r in runs[key][c]}
        lr = runs[key]["idle"][0]["auc_logistic"]
        vs = f"{idle / ref:>10.2f}" if ref else f"{'':>10}"
        print(
            f"{key:<9}{table[key]['label']:<44}{idle:>7.1f}{busy:>7.1f}{busy / idle:>10.2f}"
            f"{vs}{cpu_idle:>9.1f}{cpu_busy:>9.1f}{others:>12.2f}"
            f"{','.join(sorted(trees)):>14}{lr:>8.4f}"
        )
    stamps = {r["fitting"] for k in keys for c in ("idle", "busy") for r in runs[k][c]}
    if len(stamps) > 1:
        print(f"warning: fitting.py changed between measurements: {sorted(stamps)}")
    return runs


def breakdown(name: str, frame: Path, keys: list[str], args: argparse.Namespace) -> None:
    from arrearsrisk.models.threads import usable_cores

    table = variants(usable_cores())
    print(f"\n{name}: where the time goes (one idle run of fit with a step clock)")
    for i, key in enumerate(keys):
        r = measure(frame, table[key], 0, args, mode="steps", baselines=i == len(keys) - 1)
        steps = "; ".join(f"{label} {sec:.1f}" for label, sec in r["steps"])
        print(f"  {key:<8} total {r['wall']:.1f} s (CPU {r['cpu']:.1f} s): {steps}")
    print("  the logistic baseline alone on the same backtest folds (fit + predict valid/test):")
    for b in r["baselines"]:
        print(
            f"    {b['label']:<40} {b['seconds']:6.1f} s   rows per fold {b['rows']}   "
            f"pooled out-of-time Grade I AUC {b['auc']:.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--cutoffs", type=int, default=18)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeats", type=int, default=3, help="repeats on the sample")
    parser.add_argument("--large-repeats", type=int, default=1)
    parser.add_argument("--variants", default="nt0,omp1,today")
    parser.add_argument("--large-variants", default="nt0,omp1,today")
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--no-breakdown", action="store_true")
    parser.add_argument("--breakdown-variants", default="nt0,today")
    parser.add_argument("--idle-wait", type=float, default=60.0)
    parser.add_argument("--busy-limit", type=float, default=3600.0)
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "_data")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    for name in THREAD_ENV:
        if os.environ.pop(name, None) is not None:
            print(f"note: {name} unset for the measurements (each variant sets its own)")
    from arrearsrisk.models.threads import training_threads, usable_cores

    fitting = ROOT / "src" / "arrearsrisk" / "models" / "fitting.py"
    stamp = hashlib.sha256(fitting.read_bytes()).hexdigest()[:12]
    print(
        f"usable cores {usable_cores()}, training_threads() {training_threads()}; "
        f"load average {load()}; fitting.py {stamp}"
    )
    args.data.mkdir(parents=True, exist_ok=True)
    frames = []
    if not args.skip_sample:
        frames.append(("sample", sample_frame(args.data), args.variants, args.repeats))
    if not args.skip_large:
        path = large_frame(args.data, args.customers, args.months, args.cutoffs, args.seed)
        name = f"{args.customers:,} customers x {args.months} months, {args.cutoffs} cutoffs"
        frames.append((name, path, args.large_variants, args.large_repeats))
    for name, path, keys, repeats in frames:
        keys = keys.split(",")
        run_frame(name, path, keys, repeats, args)
        if not args.no_breakdown:
            breakdown(name, path, args.breakdown_variants.split(","), args)
    now = hashlib.sha256(fitting.read_bytes()).hexdigest()[:12]
    if now != stamp:
        print(f"\nwarning: fitting.py changed during the run ({stamp} -> {now})")
    print("\ngoals: sample idle < 15 s, busy <= 2x idle")


if __name__ == "__main__":
    main()
