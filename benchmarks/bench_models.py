"""Benchmark: the grading model against today's manual grading, the logistic regression
and a ten-feature LightGBM, on backtest months out of time.

Run ``python benchmarks/bench_models.py [--customers N] [--seed S] [--backtest K]
[--draws D] [--seeds L]``.  For the sample (``data/sample``) and for a second simulated
ledger (``--customers`` x 36 months from 2023-01, ``--seed``; generated once as Parquet
under ``benchmarks/_data/``, kept between runs), each of the last ``K`` month-end
cutoffs ``m`` is a backtest month, scored by models trained only on the cutoffs whose
outcome is observed by ``m`` (``label_end(t) <= m``).  Methods:

* ``today``: the library's current protocol, one Grade I LightGBM (``DEFAULT_PARAMS``,
  the families' monotone constraints) on the train slice of ``time_split`` (cutoffs
  labelled by the first validation cutoff), early-stopped on the validation slice (the
  3 latest cutoffs labelled by ``m``), without the ``trends`` family;
* ``today+trends``: the same with the ``trends`` family;
* ``refit``: ``today``'s rounds (scaled to the rows) refitted on every labelled cutoff;
* ``refit+trends``: that, with the ``trends`` family (its own early stopping) -- **the
  model**;
* ``refit+trends+tuned``: that, with the parameters chosen among a few shallow-tree
  variants by the validation slice's Grade I AUC;
* ``manual``: today's manual grading (``manual_grades``: ``p_I`` is 0 or 1);
* ``logistic``: ``LogisticBaseline`` on the library's features, fitted on every labelled
  cutoff;
* ``ten_features``: a plain LightGBM (``DEFAULT_PARAMS``, no constraints) on ten obvious
  ledger aggregates (:data:`TEN`), early-stopped like ``refit``, on every labelled cutoff.

Rows of the ``K`` months are pooled: Grade I AUC over all rows and over the new-onset
rows (``arrears_amount == 0`` at the cutoff), with bootstrap intervals over customers
(``--draws`` resamples of customers with all their backtest rows, seeded), of each
method and of the model's margin over ``ten_features`` and over each step.  ``--seeds``
averages every LightGBM's predictions over that many seeds.  LightGBM runs on one
thread.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd

import arrearsrisk as ar
from arrearsrisk.asof.labels import label_end
from arrearsrisk.features import families, monotone_constraints
from arrearsrisk.features.trends import FAMILY as TRENDS
from arrearsrisk.models import DEFAULT_PARAMS
from arrearsrisk.models.baselines import LogisticBaseline, manual_grades
from arrearsrisk.models.splits import time_split

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "_data"
ID_AND_LABELS = ("customer_id", "as_of", "grade", "a_warning")

TEN: tuple[str, ...] = (
    "late_bills_count_12m",
    "serious_late_bills_count_12m",
    "arrears_amount",
    "arrears_to_bill_ratio",
    "bill_amount_mean_12m",
    "days_late_mean_12m",
    "billing_history_months",
    "category",
    "kwh_trend_12m",
    "payments_count_12m",
)
"""The ten obvious aggregates of the reference: late and seriously late bills in 12
months, arrears and arrears to the average bill, the average bill, mean days late,
months of history, category, kWh trend and payments in 12 months."""

TUNING: dict[str, dict[str, Any]] = {
    "default": {},
    "slower": {"learning_rate": 0.04},
    "wider": {"num_leaves": 15, "max_depth": 5, "min_data_in_leaf": 40},
    "smoother": {"min_data_in_leaf": 200, "lambda_l2": 10.0},
    "fewer_columns": {"feature_fraction": 0.5},
}
"""Shallow-tree variants the tuned model chooses from (at most 15 leaves: the reasons'
contributions stay cheap)."""

STEPS = ("today", "refit", "refit+trends", "refit+trends+tuned")
MODEL = "refit+trends"


def ledger_for(customers: int, seed: int) -> ar.Ledger:
    from arrearsrisk.sample import write_sample

    folder = DATA / f"models_{customers}x36_seed{seed}"
    if not (folder / "payments.parquet").exists():
        t0 = time.perf_counter()
        write_sample(folder, customers, 36, "2023-01", seed=seed, fmt="parquet")
        print(f"generated {folder.relative_to(ROOT)} in {time.perf_counter() - t0:.1f} s")
    return ar.read_ledger(folder)


def _target(part: pd.DataFrame) -> np.ndarray:
    return (part["grade"].astype(str) == "I").to_numpy(dtype=np.float64)


class Trainer:
    """Grade I LightGBMs on one frame, one thread, predictions averaged over seeds."""

    def __init__(self, frame: pd.DataFrame, seeds: int) -> None:
        self.frame = frame
        self.seeds = seeds

    def rows(self, cutoffs: list[pd.Timestamp]) -> pd.DataFrame:
        return self.frame[self.frame["as_of"].isin(cutoffs)]

    def _params(self, names: list[str], extra: dict[str, Any], mono: bool, seed: int) -> dict:
        params = {**DEFAULT_PARAMS, **extra, "num_threads": 1, "seed": seed}
        if mono:
            params["monotone_constraints"] = monotone_constraints(names)
        return params

    def early(
        self,
        names: list[str],
        train: list[pd.Timestamp],
        valid: list[pd.Timestamp],
        extra: dict[str, Any] | None = None,
        mono: bool = True,
    ) -> tuple[int, float, list[Any]]:
        """Best rounds on ``valid`` (mean over seeds), its Grade I AUC, the boosters."""
        import lightgbm as lgb

        a, b = self.rows(train), self.rows(valid)
        boosters, rounds = [], []
        for seed in range(self.seeds):
            ds = lgb.Dataset(a[names], _target(a), free_raw_data=False)
            dv = lgb.Dataset(b[names], _target(b), reference=ds)
            booster = lgb.train(
                self._params(names, extra or {}, mono, seed),
                ds,
                2000,
                valid_sets=[dv],
                callbacks=[lgb.early_stopping(100, verbose=False)],
            )
            boosters.append(booster)
            rounds.append(booster.best_iteration or booster.current_iteration())
        score = np.mean([bst.predict(b[names]) for bst in boosters], axis=0)
        return int(np.mean(rounds)), auc(_target(b) == 1, score), boosters

    def refit(
        self,
        names: list[str],
        cutoffs: list[pd.Timestamp],
        rounds: int,
        extra: dict[str, Any] | None = None,
        mono: bool = True,
    ) -> list[Any]:
        import lightgbm as lgb

        rows = self.rows(cutoffs)
        return [
            lgb.train(
                self._params(names, extra or {}, mono, seed),
                lgb.Dataset(rows[names], _target(rows)),
                rounds,
            )
            for seed in range(self.seeds)
        ]


def predict(boosters: list[Any], rows: pd.DataFrame, names: list[str]) -> np.ndarray:
    return np.mean([b.predict(rows[names]) for b in boosters], axis=0)


def auc(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else float("nan")


def backtest_month(
    trainer: Trainer, names: dict[str, list[str]], m: pd.Timestamp, cuts: list[pd.Timestamp]
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every method's Grade I scores of the rows of cutoff ``m``, and what was chosen."""
    labelled = [t for t in cuts if label_end(t) <= m]
    split = time_split([*labelled, m], valid_months=3, test_months=1)
    train, valid = split["train"], split["valid"]
    rows = trainer.rows([m])
    scale = len(trainer.rows(labelled)) / max(len(trainer.rows(train)), 1)
    out: dict[str, np.ndarray] = {}

    rounds, _, boosters = trainer.early(names["base"], train, valid)
    out["today"] = predict(boosters, rows, names["base"])
    out["refit"] = predict(
        trainer.refit(names["base"], labelled, max(int(rounds * scale), 20)), rows, names["base"]
    )
    chosen: dict[str, tuple[float, int, dict[str, Any], str]] = {}
    for label, extra in TUNING.items():
        r, valid_auc, boosters = trainer.early(names["full"], train, valid, extra)
        chosen[label] = (valid_auc, r, extra, label)
        if label == "default":
            out["today+trends"] = predict(boosters, rows, names["full"])
    _, r, _, _ = chosen["default"]
    out["refit+trends"] = predict(
        trainer.refit(names["full"], labelled, max(int(r * scale), 20)), rows, names["full"]
    )
    _, r, extra, label = max(chosen.values(), key=lambda c: c[0])
    out["refit+trends+tuned"] = predict(
        trainer.refit(names["full"], labelled, max(int(r * scale), 20), extra),
        rows,
        names["full"],
    )

    out["manual"] = manual_grades(rows[names["full"]])["p_I"].to_numpy()
    fit_rows = trainer.rows(labelled)
    categorical = [n for n in names["full"] if isinstance(fit_rows[n].dtype, pd.CategoricalDtype)]
    logistic = LogisticBaseline(names["full"], categorical, 0).fit(
        fit_rows[names["full"]], fit_rows["grade"], fit_rows["a_warning"]
    )
    out["logistic"] = logistic.predict_proba(rows[names["full"]])[0][:, 0]

    r, _, _ = trainer.early(names["ten"], train, valid, mono=False)
    out["ten_features"] = predict(
        trainer.refit(names["ten"], labelled, max(int(r * scale), 20), mono=False),
        rows,
        names["ten"],
    )
    return out, {"tuned": label}


def bootstrap(
    customers: np.ndarray,
    y: np.ndarray,
    onset: np.ndarray,
    scores: dict[str, np.ndarray],
    draws: int,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """``draws`` x 2 (Grade I AUC, new-onset AUC) per method on resamples of customers."""
    codes, uniq = pd.factorize(customers)
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(uniq) + 1))
    rng = np.random.default_rng(seed)
    out = {name: np.empty((draws, 2)) for name in scores}
    for d in range(draws):
        picked = rng.integers(0, len(uniq), len(uniq))
        pick = np.concatenate([order[starts[c] : starts[c + 1]] for c in picked])
        for name, s in scores.items():
            out[name][d] = (auc(y[pick], s[pick]), auc(y[pick][onset[pick]], s[pick][onset[pick]]))
    return out


def interval(values: np.ndarray) -> tuple[float, float]:
    lo, hi = np.nanpercentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def run(name: str, ledger: ar.Ledger, args: argparse.Namespace) -> pd.DataFrame:
    t0 = time.perf_counter()
    frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    cuts = sorted(pd.to_datetime(frame["as_of"].unique()))
    trends = list(TRENDS.names)
    if not set(trends) <= set(frame.columns):
        raise SystemExit("the trends family is not registered: add it to features/registry.py")
    full = [c for c in frame.columns if c not in ID_AND_LABELS]
    names = {"full": full, "base": [c for c in full if c not in trends], "ten": list(TEN)}
    trainer = Trainer(frame, args.seeds)
    months = cuts[-args.backtest :]
    parts, scores, chosen = [], [], []
    for m in months:
        out, info = backtest_month(trainer, names, m, cuts)
        parts.append(trainer.rows([m]))
        scores.append(out)
        chosen.append(f"{m.date()}: {info['tuned']}")
    rows = pd.concat(parts, ignore_index=True)
    pooled = {k: np.concatenate([s[k] for s in scores]) for k in scores[0]}
    y = (rows["grade"].astype(str) == "I").to_numpy()
    onset = (rows["arrears_amount"] == 0).to_numpy()

    print(
        f"\n== {name}: {ledger!r}\n   backtest months {', '.join(str(m.date()) for m in months)}"
        f": {len(rows):,} rows, Grade I {y.sum():,}; new onset {onset.sum():,} rows, "
        f"Grade I {y[onset].sum():,}; tuned parameters chosen: {'; '.join(chosen)}"
    )
    boot = bootstrap(rows["customer_id"].to_numpy(), y, onset, pooled, args.draws)
    table = []
    for method, s in pooled.items():
        lo_a, hi_a = interval(boot[method][:, 0])
        lo_o, hi_o = interval(boot[method][:, 1])
        table.append(
            {
                "method": method,
                "grade_I_auc": auc(y, s),
                "grade_I_ci": f"[{lo_a:.3f}, {hi_a:.3f}]",
                "new_onset_auc": auc(y[onset], s[onset]),
                "new_onset_ci": f"[{lo_o:.3f}, {hi_o:.3f}]",
            }
        )
    result = pd.DataFrame(table).set_index("method")
    print(result.round(4).to_string())

    per_month = pd.DataFrame(
        {
            str(m.date()): {
                k: auc(
                    (part["grade"].astype(str) == "I").to_numpy(),
                    v,
                )
                for k, v in s.items()
            }
            for m, part, s in zip(months, parts, scores, strict=True)
        }
    )
    print("\n   Grade I AUC by backtest month")
    print("\n".join("   " + line for line in per_month.round(4).to_string().splitlines()))

    def margin(a: str, b: str) -> str:
        d = boot[a] - boot[b]
        pa, po = (
            auc(y, pooled[a]) - auc(y, pooled[b]),
            (auc(y[onset], pooled[a][onset]) - auc(y[onset], pooled[b][onset])),
        )
        (la, ha), (lo, ho) = interval(d[:, 0]), interval(d[:, 1])
        return (
            f"   {a + ' - ' + b:<42} grade I {pa:+.4f} [{la:+.4f}, {ha:+.4f}]   "
            f"new onset {po:+.4f} [{lo:+.4f}, {ho:+.4f}]"
        )

    print(f"\n   margins ({args.draws} customer resamples, 95% intervals)")
    for other in ("ten_features", "logistic", "manual", "today"):
        print(margin(MODEL, other))
    for before, after in itertools.pairwise(STEPS):
        print(margin(after, before))
    print(margin("today+trends", "today"))
    print(margin("refit+trends+tuned", "ten_features"))
    beats = [(boot[MODEL][:, i] - boot["ten_features"][:, i] > 0).mean() for i in (0, 1)]
    print(
        f"   the model beats ten_features in {beats[0]:.1%} (Grade I) and {beats[1]:.1%} "
        f"(new onset) of the resamples  ({time.perf_counter() - t0:.0f} s)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--backtest", type=int, default=3, help="last month-end cutoffs")
    parser.add_argument("--draws", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seeds", type=int, default=1, help="LightGBM seeds averaged")
    parser.add_argument("--skip-sample", action="store_true")
    args = parser.parse_args()
    if TRENDS.name not in [f.name for f in families()]:
        raise SystemExit("the trends family is not registered: add it to features/registry.py")
    if not args.skip_sample:
        run("sample", ar.read_ledger(ROOT / "data" / "sample"), args)
    run(
        f"simulated {args.customers:,} customers, seed {args.seed}",
        ledger_for(args.customers, args.seed),
        args,
    )


if __name__ == "__main__":
    main()
