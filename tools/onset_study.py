"""The out-of-time error study of the new-onset customers (issue 9, part 3).

Usage: ``.venv/bin/python tools/onset_study.py [--customers 8000] [--seed 11]
[--backtest 3] [--draws 1000] [--seeds 1]``.

On the sample (``data/sample``) and on a second, independent simulated ledger
(``--customers`` x 36 months, ``--seed``), a plain LightGBM (``DEFAULT_PARAMS``, one
thread, the families' monotone constraints) is trained on every cutoff whose outcome
window ends by the first of the last ``--backtest`` cutoffs (``label_end``), its rounds
chosen by early stopping on its own last three cutoffs, and scores those last
cutoffs.  *New onset*: not in arrears at the cutoff (``arrears_amount == 0``); their
Grade I AUC is the new-onset AUC.

It prints, per ledger:

1. the Grade I and new-onset AUC of the model on the library's features without the
   ``trends`` family, and with it;
2. who the new-onset Grade I customers are, by the simulator's mechanism (the latent
   traits and events of ``arrearsrisk.sample``, redrawn from the seed: the sample was
   written with ``--customers 3000 --months 36 --start 2023-01 --seed 0``), how highly
   each model ranks them (percentile among the cutoff's new-onset customers) and how
   many fall outside the top 20% (missed);
3. a ceiling: the same model given two latent traits no ledger shows (the customer's
   chance of an estimated reading and its lateness propensity);
4. the differences (with - without trends) with bootstrap intervals over customers
   (``--draws`` resamples of customers with all their backtest rows, seeded).

The mechanism part reads private parts of the simulator: it is a study, not library
code.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd

import arrearsrisk as ar
from arrearsrisk.asof.labels import label_end
from arrearsrisk.features import families, monotone_constraints, registered
from arrearsrisk.features.trends import FAMILY as TRENDS
from arrearsrisk.models import DEFAULT_PARAMS

ID_AND_LABELS = ("customer_id", "as_of", "grade", "a_warning")
MISSED_ABOVE = 0.8
"""A new-onset Grade I customer is *missed* when ranked below the top 20%."""


@contextmanager
def with_trends() -> Iterator[None]:
    """The ``trends`` family registered (it is, once in ``BUILTIN``)."""
    if any(f.name == TRENDS.name for f in families()):
        yield
    else:
        with registered(TRENDS):
            yield


def latent(n: int, seed: int, months: int = 36, start: str = "2023-01") -> pd.DataFrame:
    """The simulator's latent traits and events of each customer, redrawn from the seed."""
    from arrearsrisk.sample.customers import _draw_customers
    from arrearsrisk.sample.frames import _customer_ids
    from arrearsrisk.sample.periods import _Calendar

    c = _draw_customers(np.random.default_rng(seed), n, _Calendar.make(start, months))
    return pd.DataFrame(
        {
            "tenant": c.tenant,
            "vacant": c.vacant,
            "refuser": c.refuser,
            "budget": c.budget,
            "harvest": c.harvest,
            "sector_down": c.sector_down,
            "pay_onset": c.pay_onset,
            "recover": c.recover,
            "fail": c.fail,
            "stop_pay": c.stop_pay,
            "est_p": c.est_p,
            "base_logit": c.base_logit,
        },
        index=pd.Index(np.asarray(_customer_ids(n), dtype=object), name="customer_id"),
    )


def mechanism(row: Any, k: int) -> str:
    """What makes a customer Grade I after the cutoff whose latest billed period is
    ``k`` (period index from the start), first match in this order."""
    never = 1_000_000
    if row.fail < never and k - 1 <= row.fail <= k + 3:
        return "bankruptcy now"
    if k - 2 <= row.stop_pay <= k + 3 and row.fail >= never:
        return "stops paying (tenant leaving, site closing)"
    if row.pay_onset < never and k - 3 <= row.pay_onset <= k + 3:
        return "distress starting"
    if row.pay_onset < never and row.pay_onset < k - 3 and row.recover > k:
        return "distress for months"
    for trait, label in (
        ("refuser", "chronic refuser"),
        ("budget", "budget-funded unit"),
        ("harvest", "pays after harvest"),
        ("vacant", "vacant home"),
        ("sector_down", "industry downturn"),
    ):
        if getattr(row, trait):
            return label
    return "ordinary payer"


def split(frame: pd.DataFrame, backtest: int) -> tuple[list[pd.Timestamp], list[pd.Timestamp]]:
    cuts = sorted(pd.to_datetime(frame["as_of"].unique()))
    test = cuts[-backtest:]
    return [t for t in cuts if label_end(t) <= test[0]], test


def fit_score(
    frame: pd.DataFrame,
    names: list[str],
    train: list[pd.Timestamp],
    test: list[pd.Timestamp],
    seeds: int,
) -> np.ndarray:
    """Grade I scores of the ``test`` rows, mean over ``seeds`` LightGBM seeds."""
    import lightgbm as lgb

    def target(part: pd.DataFrame) -> np.ndarray:
        return (part["grade"].astype(str) == "I").to_numpy(dtype=np.float64)

    rows = frame[frame["as_of"].isin(train)]
    inner_valid = train[-3:]
    inner_train = [t for t in train if label_end(t) <= inner_valid[0]]
    a, b = rows[rows["as_of"].isin(inner_train)], rows[rows["as_of"].isin(inner_valid)]
    scores = []
    for seed in range(seeds):
        params = {**DEFAULT_PARAMS, "num_threads": 1, "seed": seed}
        params["monotone_constraints"] = monotone_constraints(names)
        ds = lgb.Dataset(a[names], target(a), free_raw_data=False)
        dv = lgb.Dataset(b[names], target(b), reference=ds)
        early = lgb.train(
            params, ds, 2000, valid_sets=[dv], callbacks=[lgb.early_stopping(100, verbose=False)]
        )
        rounds = max(int(early.best_iteration * len(train) / max(len(inner_train), 1)), 20)
        booster = lgb.train(params, lgb.Dataset(rows[names], target(rows)), rounds)
        scores.append(booster.predict(frame.loc[frame["as_of"].isin(test), names]))
    return np.mean(scores, axis=0)


def auc(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else float("nan")


def both_aucs(y: np.ndarray, onset: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    return auc(y, s), auc(y[onset], s[onset])


def bootstrap(
    customers: np.ndarray,
    y: np.ndarray,
    onset: np.ndarray,
    scores: dict[str, np.ndarray],
    draws: int,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """``draws`` x 2 (Grade I AUC, new-onset AUC) per model, on resamples of customers."""
    codes, uniq = pd.factorize(customers)
    rows_of = pd.Series(np.arange(len(codes))).groupby(codes).apply(np.asarray).to_list()
    rng = np.random.default_rng(seed)
    out = {name: np.empty((draws, 2)) for name in scores}
    for d in range(draws):
        pick = np.concatenate([rows_of[c] for c in rng.integers(0, len(uniq), len(uniq))])
        for name, s in scores.items():
            out[name][d] = both_aucs(y[pick], onset[pick], s[pick])
    return out


def interval(values: np.ndarray) -> str:
    lo, hi = np.nanpercentile(values, [2.5, 97.5])
    return f"[{lo:+.4f}, {hi:+.4f}]"


def study(name: str, ledger: ar.Ledger, traits: pd.DataFrame, args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    trends = list(TRENDS.names)
    base = [c for c in frame.columns if c not in (*ID_AND_LABELS, *trends)]
    train, test = split(frame, args.backtest)
    te = frame[frame["as_of"].isin(test)].reset_index(drop=True)
    y = (te["grade"].astype(str) == "I").to_numpy()
    onset = (te["arrears_amount"] == 0).to_numpy()
    print(
        f"\n== {name}: {ledger!r}\n   train {len(train)} cutoffs {train[0].date()}.."
        f"{train[-1].date()}, backtest {', '.join(str(t.date()) for t in test)}: "
        f"{len(te):,} rows, Grade I {y.sum():,}; new onset {onset.sum():,} rows, "
        f"Grade I {y[onset].sum():,} ({y[onset].mean():.1%})"
    )
    scores = {
        "without trends": fit_score(frame, base, train, test, args.seeds),
        "with trends": fit_score(frame, base + trends, train, test, args.seeds),
    }
    with_traits = frame.join(traits[["est_p", "base_logit"]], on="customer_id")
    scores["ceiling: + 2 latent traits"] = fit_score(
        with_traits, [*base, "est_p", "base_logit"], train, test, args.seeds
    )
    print(f"   {'model':<28} grade_I_auc  new_onset_auc")
    for label, s in scores.items():
        a, o = both_aucs(y, onset, s)
        print(f"   {label:<28} {a:11.4f}  {o:13.4f}")

    # Who the new-onset Grade I customers are, and how each model ranks them.
    k = (te["as_of"].dt.year - 2023) * 12 + te["as_of"].dt.month - 2  # latest billed period
    rows = te.loc[onset, ["customer_id", "as_of"]].copy()
    lat = traits.loc[rows["customer_id"]]
    rows["mechanism"] = [mechanism(r, kk) for r, kk in zip(lat.itertuples(), k[onset], strict=True)]
    rows["grade_I"] = y[onset]
    for label in ("without trends", "with trends"):
        rows[label] = (
            pd.Series(scores[label][onset], index=rows.index).groupby(rows["as_of"]).rank(pct=True)
        )
    pos = rows[rows["grade_I"]]
    table = pos.groupby("mechanism").agg(
        n=("grade_I", "size"),
        pct_without=("without trends", "median"),
        missed_without=("without trends", lambda p: (p < MISSED_ABOVE).sum()),
        pct_with=("with trends", "median"),
        missed_with=("with trends", lambda p: (p < MISSED_ABOVE).sum()),
    )
    table.loc["all"] = [
        len(pos),
        pos["without trends"].median(),
        (pos["without trends"] < MISSED_ABOVE).sum(),
        pos["with trends"].median(),
        (pos["with trends"] < MISSED_ABOVE).sum(),
    ]
    print("\n   new-onset Grade I by mechanism (pct: median percentile among new onset;")
    print("   missed: outside the top 20%)")
    shown = table.sort_values("n", ascending=False).round(3).to_string()
    print("\n".join("   " + line for line in shown.splitlines()))
    neg = rows[~rows["grade_I"]]
    print(
        "   new-onset non-Grade-I rows by mechanism: "
        + ", ".join(f"{m} {c}" for m, c in neg["mechanism"].value_counts().items())
    )

    boot = bootstrap(
        te["customer_id"].to_numpy(),
        y,
        onset,
        {k: v for k, v in scores.items() if k != "ceiling: + 2 latent traits"},
        args.draws,
    )
    diff = boot["with trends"] - boot["without trends"]
    point = np.subtract(
        both_aucs(y, onset, scores["with trends"]), both_aucs(y, onset, scores["without trends"])
    )
    print(f"\n   gain of trends ({args.draws} customer resamples, 95% interval):")
    print(f"     grade_I_auc   {point[0]:+.4f} {interval(diff[:, 0])}")
    print(f"     new_onset_auc {point[1]:+.4f} {interval(diff[:, 1])}")
    print(f"   ({time.perf_counter() - t0:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--backtest", type=int, default=3, help="last cutoffs scored")
    parser.add_argument("--draws", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seeds", type=int, default=1, help="LightGBM seeds averaged")
    args = parser.parse_args()
    from arrearsrisk.sample import simulate_ledger

    with with_trends():
        study("sample", ar.read_ledger("data/sample"), latent(3000, 0), args)
        tables = simulate_ledger(args.customers, months=36, start="2023-01", seed=args.seed)
        ledger = ar.Ledger(tables.customers, tables.bills, tables.payments)
        study(
            f"simulated {args.customers:,} customers, seed {args.seed}",
            ledger,
            latent(args.customers, args.seed),
            args,
        )


if __name__ == "__main__":
    main()
