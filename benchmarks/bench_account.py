"""Benchmark: one account scored from plain Python rows, warm and from a cold start.

Run ``python benchmarks/bench_account.py [--accounts 1000] [--passes 3] [--cold-runs 5]``.

1. Warm: ``ar.score_account(model, as_of, customer, bills, payments, peers=ctx)`` on
   ``--accounts`` different active accounts of the sample ledger (rows as a billing
   system holds them: dicts, dates as ``datetime.date``), model loaded and peer context
   computed once, ``--passes`` calls per account back to back (the rows are compared
   with the batch in a pass of their own): median, p90, p99 and max wall time per call,
   and the CPU time (less sensitive to other processes on the machine); the same calls
   after ``gc.freeze()``; the median of each stage; and,
   in the same run, that every row equals the account's row of the batch ``score``.
2. The references, in the same run: today's path, ``ar.score(ledger.subset([id]),
   ...)`` including building that account's ``Ledger`` (from the loaded portfolio, and
   from the same rows as DataFrames, ``ar.Ledger(...)``); and the bare LightGBM
   ``Booster.predict`` of the same feature row (three boosters, and ``pred_contrib`` of
   the Grade I booster, one thread).
3. Cold start: a fresh ``python`` process imports arrearsrisk, loads the bundle and
   scores one account (peer context read from its JSON file); timers inside the process
   for each step and the wall time of the whole process from outside (which includes
   Python's own start, measured alone too); then ``-X importtime``'s largest imports.
   The package's bytecode is compiled first, as an installed wheel has it (a source
   checkout under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile at every start).

Goals on the 2-core machine: median and p99 under 2 ms warm; cold start (Python's
start excluded) under 1 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "models" / "sample"
DATA = ROOT / "data" / "sample"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.to_dict("records")
    for row in out:
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                row[key] = value.date()
            elif value is pd.NA or (isinstance(value, float) and value != value):
                row[key] = None
    return out


def _ms(values: list[float], q: float | None = None) -> str:
    v = statistics.median(values) if q is None else float(np.percentile(values, q))
    return f"{v * 1e3:7.3f} ms"


def warm(as_of: str, n_accounts: int, passes: int) -> None:
    import lightgbm as lgb

    import arrearsrisk as ar
    from arrearsrisk.features import feature_columns
    from arrearsrisk.features.one_account import account_features
    from arrearsrisk.ledger.rows import account_ledger
    from arrearsrisk.models.risk_model import TARGETS
    from arrearsrisk.scoring.account import _OneRow
    from arrearsrisk.scoring.reasons import top_reasons

    warnings.simplefilter("ignore", ar.LedgerWarning)
    ledger = ar.read_ledger(DATA)
    model = ar.load_model(BUNDLE)
    ctx = ar.peer_context(ledger, as_of)
    batch = ar.score(ledger, as_of, model, peers=ctx).set_index("customer_id")
    ids = [c for c in ledger.customers["customer_id"] if c in batch.index][:n_accounts]
    rows = {}
    for cid in ids:
        one = ledger.subset([cid])
        rows[cid] = (_records(one.customers)[0], _records(one.bills), _records(one.payments))
    print(f"{len(ids):,} different active accounts of the sample, as of {as_of}")

    for cid in ids[:20]:  # warm-up: first calls build caches and tables
        ar.score_account(model, as_of, *rows[cid], peers=ctx)
    wall, cpu, worst, risky = [], [], 0.0, 0
    same = True
    for _ in range(passes):  # calls back to back, nothing kept (a service returns it)
        for cid in ids:
            t0, c0 = time.perf_counter(), time.process_time()
            ar.score_account(model, as_of, *rows[cid], peers=ctx)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - t0)
    scored = {cid: ar.score_account(model, as_of, *rows[cid], peers=ctx) for cid in ids}
    for cid, row in scored.items():
        ref = batch.loc[cid]
        worst = max(worst, *(abs(row[k] - ref[k]) for k in ("p_I", "p_II", "p_III", "p_warning")))
        same &= row["grade"] == ref["grade"] and row["reasons"] == ref["reasons"]
        risky += row["reasons"] != ""
    print(
        f"score_account warm, {len(wall):,} calls ({passes} passes over the accounts): median "
        f"{_ms(wall)}, p90 {_ms(wall, 90)}, p99 {_ms(wall, 99)}, max {_ms(wall, 100)}"
        "   goal < 2 ms (median and p99)"
    )
    print(f"  CPU time per account: median {_ms(cpu)}, p99 {_ms(cpu, 99)}")
    # The same calls with the objects of the set-up (ledger, model, pandas) frozen out of
    # the garbage collector's full passes (gc.freeze, as a long-lived service may do):
    # how much of the tail is the collector walking them.
    gc.collect()
    gc.freeze()
    frozen = []
    for _ in range(passes):
        for cid in ids:
            t0 = time.perf_counter()
            ar.score_account(model, as_of, *rows[cid], peers=ctx)
            frozen.append(time.perf_counter() - t0)
    gc.unfreeze()
    print(
        f"  after gc.freeze() of the set-up's objects: median {_ms(frozen)}, "
        f"p99 {_ms(frozen, 99)}, max {_ms(frozen, 100)}"
    )
    print(
        f"  {risky} of {len(ids)} with reasons; equal to the batch rows: grades and reasons "
        f"{'all equal' if same else 'DIFFER'}, largest probability difference {worst:.1e}"
    )

    stages: dict[str, list[float]] = {}

    def timed(name: str, t0: float) -> None:
        stages.setdefault(name, []).append(time.perf_counter() - t0)

    ts = pd.Timestamp(as_of)
    names = model.spec.names
    for cid in ids:
        t0 = time.perf_counter()
        one = account_ledger(*rows[cid])
        timed("rows -> one-account Ledger", t0)
        t0 = time.perf_counter()
        _, values = account_features(one, ts, peers=ctx)
        timed("features (account_features)", t0)
        t0 = time.perf_counter()
        x = model.spec.row(values)
        timed("feature row (spec.row)", t0)
        t0 = time.perf_counter()
        predicted, left = model.stack.walk(x)
        timed("3 boosters in one walk", t0)
        t0 = time.perf_counter()
        graded = model.grade_one({target: p[0] for target, p in predicted.items()})
        timed("grading", t0)
        if graded["code"] != 2 or graded["a_warning"]:
            t0 = time.perf_counter()
            contrib = model.trees["grade_I"].contributions(x, left["grade_I"])
            timed("contributions (accounts with reasons)", t0)
            t0 = time.perf_counter()
            top_reasons(contrib, _OneRow(values), names, "zh", 3)  # as score_account does
            timed("reasons text (accounts with reasons)", t0)
    for name, values_ in stages.items():
        print(f"  {name:<40} median {_ms(values_)}")
    from arrearsrisk.asof.account import account_snapshot
    from arrearsrisk.features.registry import families, reserved_names

    per_family: dict[str, list[float]] = {}
    context = {"peers": ctx, "reserved": reserved_names()}
    for cid in ids[:300]:
        one = account_ledger(*rows[cid])
        t0 = time.perf_counter()
        snap = account_snapshot(one, ts)
        per_family.setdefault("account snapshot", []).append(time.perf_counter() - t0)
        for family in families():
            assert family.build_one is not None, family.name
            t0 = time.perf_counter()
            family.build_one(snap, **{k: context[k] for k in family.needs})
            per_family.setdefault(family.name, []).append(time.perf_counter() - t0)
    print(
        "  features by family (one-account kernels): "
        + ", ".join(f"{k} {_ms(v).strip()}" for k, v in per_family.items())
    )

    # today's path: a one-account Ledger, then score
    n_ref = min(len(ids), 200)
    subset, from_rows = [], []
    for cid in ids[:n_ref]:
        customer, bills, payments = rows[cid]
        t0 = time.perf_counter()
        ar.score(ledger.subset([cid]), as_of, model, peers=ctx)
        subset.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        one = ar.Ledger(
            customers=pd.DataFrame([customer]),
            bills=pd.DataFrame(bills),
            payments=pd.DataFrame(payments)
            if payments
            else pd.DataFrame({c: [] for c in ("customer_id", "paid_date", "amount")}),
        )
        built = time.perf_counter() - t0
        ar.score(one, as_of, model, peers=ctx)
        from_rows.append((built, time.perf_counter() - t0))
    print(
        f"reference, today's path on {n_ref} of them: ar.score(ledger.subset([id]), ...) "
        f"median {_ms(subset)}, p99 {_ms(subset, 99)}; "
        f"ar.Ledger(DataFrames of the rows) + ar.score median "
        f"{_ms([t for _, t in from_rows])} (building the Ledger {_ms([b for b, _ in from_rows])})"
    )

    boosters = {t: lgb.Booster(model_str=model.booster_texts()[f"{t}.txt"]) for t in TARGETS}
    bare, contrib_bare = [], []
    for cid in ids[:n_ref]:
        x = model.spec.matrix(feature_columns(account_ledger(*rows[cid]), ts, peers=ctx)[1])
        t0 = time.perf_counter()
        for booster in boosters.values():
            booster.predict(x, num_threads=1)
        bare.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        boosters["grade_I"].predict(x, pred_contrib=True, num_threads=1)
        contrib_bare.append(time.perf_counter() - t0)
    walks = stages["3 boosters in one walk"]
    print(
        f"reference, bare LightGBM Booster.predict of the same row: 3 boosters {_ms(bare)}, "
        f"pred_contrib of grade_I {_ms(contrib_bare)} (the numpy walk of the three: {_ms(walks)}, "
        f"contributions {_ms(stages['contributions (accounts with reasons)'])})"
    )


_CHILD = """
import json, sys, time
rows = json.load(open(sys.argv[1]))
t0 = time.perf_counter()
import arrearsrisk as ar
t1 = time.perf_counter()
model = ar.load_model(sys.argv[2])
t2 = time.perf_counter()
row = ar.score_account(model, sys.argv[3], rows["customer"], rows["bills"], rows["payments"],
                       peers=sys.argv[4])
t3 = time.perf_counter()
heavy = [m for m in ("lightgbm", "sklearn", "scipy") if m in sys.modules]
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "score": t3 - t2, "grade": row["grade"],
                  "heavy": heavy}))
"""


def cold(as_of: str, runs: int) -> None:
    import arrearsrisk as ar

    warnings.simplefilter("ignore", ar.LedgerWarning)
    ledger = ar.read_ledger(DATA)
    one = ledger.subset(["C0017"])
    rows = {
        "customer": _records(one.customers)[0],
        "bills": _records(one.bills),
        "payments": _records(one.payments),
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.json"
        path.write_text(json.dumps(rows, default=str))
        peers = Path(tmp) / "peers.json"
        ar.peer_context(ledger, as_of).save(peers)
        script = Path(tmp) / "child.py"
        script.write_text(_CHILD)
        args = [str(script), str(path), str(BUNDLE), as_of, str(peers)]
        # The package's bytecode, as an installed wheel (and `make install`) has it: under
        # PYTHONDONTWRITEBYTECODE, a source checkout is otherwise compiled at every start.
        package = Path(ar.__file__).parent
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
        inner, outer, start = [], [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            start.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, *args], check=True, capture_output=True, text=True
            )
            outer.append(time.perf_counter() - t0)
            inner.append(json.loads(out.stdout))
        total = [r["import"] + r["load"] + r["score"] for r in inner]
        print(
            f"cold start, {runs} fresh processes (medians): import arrearsrisk "
            f"{statistics.median(r['import'] for r in inner):.3f} s + load_model "
            f"{statistics.median(r['load'] for r in inner):.3f} s + score_account "
            f"{statistics.median(r['score'] for r in inner):.3f} s = "
            f"{statistics.median(total):.3f} s (Python's start excluded)   goal < 1 s"
        )
        print(
            f"  whole process from outside {statistics.median(outer):.3f} s, of which "
            f"Python's own start ({sys.executable} -c pass) {statistics.median(start):.3f} s; "
            f"heavy modules imported: {inner[0]['heavy'] or 'none'} (grade {inner[0]['grade']}); "
            f"arrearsrisk's bytecode compiled first ({package})"
        )
        trace = subprocess.run(
            [sys.executable, "-X", "importtime", *args], check=True, capture_output=True, text=True
        ).stderr
    top: list[tuple[int, str]] = []
    for line in trace.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if name.strip() and not name.startswith("   ") and cumulative.strip().isdigit():
            top.append((int(cumulative), name.strip()))
    top.sort(reverse=True)
    shown = ", ".join(f"{name} {us / 1e3:.0f} ms" for us, name in top[:6])
    print(f"  -X importtime, largest top-level imports (cumulative): {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2025-09-30")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--passes", type=int, default=3, help="warm calls per account")
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} at start")
    warm(args.as_of, args.accounts, args.passes)
    if args.cold_runs > 0:
        cold(args.as_of, args.cold_runs)


if __name__ == "__main__":
    main()
