"""Benchmark: how much of the money left unpaid the first plans of the worklist capture.

On the sample ledger, for a backtest month ``T`` (default: the last month whose outcome
the sample fully observes), a model is trained only on what was known at ``T``: the
ledger cut at ``T`` (bills issued and payments made up to ``T``), its monthly cutoffs
(every one's outcome observed by ``T``).  The customers are scored at ``T`` and planned
(:func:`arrearsrisk.risk_plans`); the **realised loss** of a customer is what the
contract's A-level warning measures (docs/contract.md, section 2): at the outcome date
``E = T + 3 months + 30 days``, the amount still owed on all bills due up to
``T + 3 months`` (billed minus paid up to ``E``, at least 0).

Printed: the realised loss captured by the first 100 and 500 plans

* in the new order (the shipped policy: money at risk, legal deadlines first; a first
  scoring has no deadline carried over, so this is money at risk alone),
* the same with every A-level warning first (``jump = ["deadline", "warning"]``),
* the old order (``expected_loss = p_I x monthly bill``),
* the best possible order (sorted by the realised loss) of the same plans, and of all
  scored customers;

and the unpaid shares of the policy's ``[priority]`` estimated on the training months
(what warned and other Grade I customers left unpaid of what they owed).

Run ``python benchmarks/bench_priority.py [--as-of YYYY-MM-DD]`` (one core: about two
minutes, most of it training).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import warnings

import numpy as np
import pandas as pd

import arrearsrisk as ar
from arrearsrisk.asof.labels import label_end
from arrearsrisk.plans.policy import load_policy
from arrearsrisk.timeline import add_months

TOPS = (100, 500)


def cut_ledger(ledger: ar.Ledger, t: pd.Timestamp) -> ar.Ledger:
    """What was known at ``t``: bills issued and payments made up to ``t``."""
    bills = ledger.bills[pd.to_datetime(ledger.bills["issue_date"]) <= t]
    payments = ledger.payments[pd.to_datetime(ledger.payments["paid_date"]) <= t]
    return ar.Ledger(ledger.customers, bills, payments)


def owed_at_end(ledger: ar.Ledger, t: pd.Timestamp, horizon: int = 3, grace: int = 30) -> pd.Series:
    """Per customer: billed on bills due up to ``t + horizon`` minus paid up to ``E``."""
    end = label_end(t, horizon, grace)
    bills = ledger.bills
    due = pd.to_datetime(bills["due_date"])
    keep = (due <= add_months(t, horizon)) & (pd.to_datetime(bills["issue_date"]) <= end)
    billed = bills[keep].groupby("customer_id")["amount"].sum()
    pays = ledger.payments
    paid = pays[pd.to_datetime(pays["paid_date"]) <= end].groupby("customer_id")["amount"].sum()
    ids = ledger.customers["customer_id"].astype(str)
    owed = billed.reindex(ids, fill_value=0.0) - paid.reindex(ids, fill_value=0.0)
    return owed.clip(lower=0.0).round(2)


def captured(order_ids: pd.Series, loss: pd.Series, top: int) -> float:
    return float(loss.reindex(order_ids.iloc[:top]).fillna(0.0).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", default="data/sample")
    parser.add_argument("--as-of", default=None, help="backtest month end (default: last)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ar.LedgerWarning)

    ledger = ar.read_ledger(args.ledger)
    t = pd.Timestamp(args.as_of) if args.as_of else ar.monthly_cutoffs(ledger)[-1]
    known = cut_ledger(ledger, t)
    cutoffs = ar.monthly_cutoffs(known)
    t0 = time.perf_counter()
    frame = ar.training_frame(known, cutoffs)
    result = ar.train(frame, track=False, workers=1)
    print(
        f"backtest month {t.date()}: model trained on {len(cutoffs)} cutoffs "
        f"{cutoffs[0].date()}..{cutoffs[-1].date()} of the ledger cut at {t.date()} "
        f"({time.perf_counter() - t0:.0f} s)"
    )

    # the unpaid shares on the training months (what [priority] holds)
    policy = load_policy()
    prio = policy.priority
    num_w = den_w = num_i = den_i = 0.0
    for c in cutoffs[-6:]:
        sc = ar.score(known, c, result.model, reasons="none").set_index("customer_id")
        labels = ar.build_labels(known, c)
        owed = owed_at_end(known, c).reindex(labels.index)
        s = sc.reindex(labels.index)
        bill = s["exposure"].fillna(0.0).clip(lower=0.0)
        due = s["arrears"].fillna(0.0).clip(lower=0.0) + prio.horizon_months * bill
        cap = np.where(bill > 0, np.minimum(due, prio.warning_multiple * bill), due)
        warned = labels["a_warning"].to_numpy(dtype=bool)
        grade_i = (labels["grade"] == "I").to_numpy() & ~warned
        num_w += float(owed[warned].sum())
        den_w += float(due[warned].sum())
        num_i += float(owed[grade_i].sum())
        den_i += float(cap[grade_i].sum())
    print(
        f"unpaid shares on the last 6 training cutoffs: warned {num_w / den_w:.3f} of "
        f"arrears + 3 bills; other Grade I {num_i / den_i:.3f} of min(that, 2 bills) "
        f"(policy: {prio.unpaid_share_warning}, {prio.unpaid_share_grade_I})"
    )

    scores = ar.score(known, t, result.model)
    plans = ar.risk_plans(scores, known, "en", policy=policy)
    loss = owed_at_end(ledger, t)
    total = float(loss.reindex(scores["customer_id"].astype(str)).sum())
    warned_first = dataclasses.replace(
        policy, priority=dataclasses.replace(prio, jump=("deadline", "warning"))
    )
    warned = ar.risk_plans(scores, known, "en", policy=warned_first)
    old = plans.sort_values(
        ["expected_loss", "p_warning", "arrears", "customer_id"],
        ascending=[False, False, False, True],
        na_position="last",
        kind="stable",
    )
    best_plans = plans.assign(_loss=plans["customer_id"].map(loss)).sort_values(
        "_loss", ascending=False, kind="stable"
    )
    best_all = loss.reindex(scores["customer_id"].astype(str)).sort_values(
        ascending=False, kind="stable"
    )
    print(
        f"{len(scores):,} customers scored at {t.date()}, {len(plans):,} plans; realised "
        f"loss at {label_end(t).date()}: CNY {total:,.0f} in all"
    )
    rows = {
        "new order (shipped policy: money at risk, deadlines first)": plans["customer_id"],
        "money at risk, A-level warnings first too": warned["customer_id"],
        "old order (p_I x monthly bill)": old["customer_id"],
        "best possible order of the plans": best_plans["customer_id"],
        "best possible order of all scored customers": pd.Series(best_all.index),
    }
    head = "".join(f"{f'first {k}':>22}" for k in TOPS)
    print(f"{'realised loss captured (CNY)':<56}{head}")
    for name, ids in rows.items():
        ordered = ids.reset_index(drop=True)
        cells = ""
        for k in TOPS:
            got = captured(ordered, loss, k)
            cells += f"{got:>14,.0f} ({got / total:>4.0%})"
        print(f"{name:<56}{cells}")


if __name__ == "__main__":
    main()
