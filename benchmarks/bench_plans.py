"""Benchmark: risk plans and both reports for 100,000 scored customers.

The scoring model is not needed here: the scores are made from the features of a
simulated ledger with the grade mix of the sample's labels (about 8% Grade I, 14.5%
Grade II, 2% warned), so about 22,500 customers get a plan.  What is timed, with a
previous scoring for the change columns and a staff table:

* ``risk_plans`` (it builds the payment-history features of the customers a
  condition needs, i.e. those of the automatic-payment measure);
* ``release_candidates`` (features of the Grade III customers holding a deposit or
  guarantee);
* ``write_report`` (HTML; worklist capped at 500 rows and cards at 100, the default);
* ``write_workbook`` (Excel with every plan and every measure).

Run ``python benchmarks/bench_plans.py [--customers N] [--lang zh|en] [--out DIR]``;
the target is under 30 s in total for 100,000 customers on a 2-core machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import arrearsrisk as ar
from arrearsrisk.plans import plan_measures, release_candidates, risk_plans
from arrearsrisk.report import write_report, write_workbook
from arrearsrisk.sample import simulate_ledger

AS_OF = "2025-09-30"
PREVIOUS = "2025-08-31"
SHARE_I, SHARE_II = 0.08, 0.145


def demo_scores(ledger: ar.Ledger, as_of: str, seed: int = 0) -> pd.DataFrame:
    """Scores with the columns of CONTRACT.md §3, made from features (no model)."""
    f = ar.build_features(ledger, as_of)
    rng = np.random.default_rng(seed)
    late = f["late_bills_count_12m"].to_numpy(np.float64)
    serious = f["serious_late_bills_count_12m"].to_numpy(np.float64)
    ratio = np.nan_to_num(f["arrears_to_bill_ratio"].to_numpy(np.float64))
    counter = np.nan_to_num(f["channel_share_counter_12m"].to_numpy(np.float64))
    z = -3 + 0.8 * late + 1.5 * serious + 1.2 * np.minimum(ratio, 3) + rng.normal(0, 0.7, len(f))
    p1 = 1 / (1 + np.exp(-z))
    p2 = (1 - p1) / (1 + np.exp(-(z + 1.5)))
    rank = pd.Series(z).rank(ascending=False, pct=True).to_numpy()
    grade = np.where(rank <= SHARE_I, "I", np.where(rank <= SHARE_I + SHARE_II, "II", "III"))
    reasons = []
    for n_late, n_serious, r, c in zip(late, serious, ratio, counter, strict=True):
        rs = []
        if n_late > 0:
            rs.append(f"{int(n_late)} bills paid late in 12 months")
        if n_serious > 0:
            rs.append(f"{int(n_serious)} bills more than 30 days late")
        if r > 0.05:
            rs.append(f"arrears of {r:.1f} months' bills")
        if c > 0.5:
            rs.append(f"pays at the counter ({c:.0%} of payments)")
        reasons.append(rs[:3])
    return pd.DataFrame(
        {
            "customer_id": f.index.astype(str),
            "as_of": pd.Timestamp(as_of),
            "grade": grade,
            "p_I": p1,
            "p_II": p2,
            "p_III": 1 - p1 - p2,
            "a_warning": (ratio >= 2) & (grade == "I"),
            "p_warning": np.clip(p1 * np.minimum(ratio, 2) / 2, 0, 1),
            "exposure": f["bill_amount_mean_12m"].to_numpy(np.float64),
            "arrears": f["arrears_amount"].to_numpy(np.float64),
            "reasons": reasons,
            "model_version": "bench",
        }
    )


def staff_table(ledger: ar.Ledger) -> pd.DataFrame:
    regions = sorted(ledger.customers["region"].dropna().unique())
    return pd.DataFrame(
        {
            "region": [*regions, "*"],
            "head": [f"Head {r}" for r in regions] + ["Head office"],
            "manager": [f"Manager {r}" for r in regions] + ["Manager office"],
            "officer": [f"Officer {r}" for r in regions] + ["Officer office"],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    parser.add_argument("--out", default=None, help="folder for the report files")
    args = parser.parse_args()

    t0 = time.perf_counter()
    tables = simulate_ledger(args.customers, months=24, start="2024-01", seed=7)
    ledger = ar.Ledger(tables.customers, tables.bills, tables.payments)
    scores = demo_scores(ledger, AS_OF)
    previous = demo_scores(ledger, PREVIOUS, seed=1)
    staff = staff_table(ledger)
    print(f"setup (simulate {ledger!r}, demo scores): {time.perf_counter() - t0:.1f} s")

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench_plans_"))
    timings: dict[str, float] = {}

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        result = fn()
        timings[name] = time.perf_counter() - start
        return result

    plans = timed(
        "risk_plans",
        lambda: risk_plans(scores, ledger, args.lang, staff=staff, previous=previous),
    )
    release = timed(
        "release_candidates", lambda: release_candidates(scores, ledger, args.lang, staff=staff)
    )
    html = timed(
        "write_report (HTML)",
        lambda: write_report(
            plans,
            scores,
            out / f"report_{args.lang}.html",
            args.lang,
            previous=previous,
            ledger=ledger,
            release=release,
        ),
    )
    xlsx = timed(
        "write_workbook (Excel)",
        lambda: write_workbook(plans, out / f"plans_{args.lang}.xlsx", args.lang, release=release),
    )
    total = sum(timings.values())

    n_measures = len(plan_measures(plans))
    print(
        f"{len(scores):,} scored customers, {len(plans):,} plans, {n_measures:,} measures, "
        f"{len(release):,} release candidates"
    )
    for name, seconds in timings.items():
        print(f"  {name:<24} {seconds:6.2f} s")
    print(f"  {'total':<24} {total:6.2f} s  (target < 30 s)")
    print(
        f"  HTML {html.stat().st_size / 1e6:.1f} MB, "
        f"Excel {xlsx.stat().st_size / 1e6:.1f} MB in {out}"
    )


if __name__ == "__main__":
    main()
