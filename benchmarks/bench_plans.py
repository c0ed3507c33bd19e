"""Benchmark: risk plans and both reports for 100,000 scored customers.

The scores come from the committed sample model (``models/sample``) on a simulated
ledger, this month and the month before (for the change columns); scoring is set-up,
not timed.  What is timed, with a staff table:

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

import pandas as pd

import arrearsrisk as ar
from arrearsrisk.plans import plan_measures, release_candidates, risk_plans
from arrearsrisk.reports import write_report, write_workbook
from arrearsrisk.sample import simulate_ledger

AS_OF = "2025-09-30"
PREVIOUS = "2025-08-31"


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
    model = ar.load_model(Path(__file__).resolve().parents[1] / "models" / "sample")
    scores = ar.score(ledger, AS_OF, model, lang=args.lang)
    previous = ar.score(ledger, PREVIOUS, model, lang=args.lang, reasons="none")
    staff = staff_table(ledger)
    print(
        f"setup (simulate {ledger!r}, score with {model.version}): {time.perf_counter() - t0:.1f} s"
    )

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
