"""How a training frame is split to measure a model honestly: rolling-origin backtests
in time (:func:`time_backtests`), customer-grouped folds for a frame of one or a few
dates (:func:`customer_folds`), and the single time split (:func:`time_split`).

The as-of dates of a training frame are split in time, never at random:

* **test**: the last ``test_months`` cutoffs, reported on (out of time);
* **validation**: the ``valid_months`` latest cutoffs whose outcome window ends on or
  before the first test cutoff; used for early stopping, calibration, grade cut-offs
  and the warning threshold;
* **train**: every cutoff whose outcome window ends on or before the first validation
  cutoff.

The outcome of cutoff *t* is known only at *t + H months + g days*, so the gaps
("embargo") keep every label used for fitting in the past of the data it is judged
on.  Cutoffs inside a gap are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from arrearsrisk.asof.labels import label_end
from arrearsrisk.errors import ArrearsRiskError

__all__ = ["Fold", "customer_folds", "time_backtests", "time_split"]


def time_split(
    cutoffs: list[pd.Timestamp],
    *,
    valid_months: int = 3,
    test_months: int = 3,
    horizon_months: int = 3,
    grace_days: int = 30,
) -> dict[str, list[pd.Timestamp]]:
    """Split sorted cutoffs into train, validation and test with embargo gaps.

    >>> cuts = list(pd.date_range("2024-01-31", "2025-09-30", freq="ME"))
    >>> s = time_split(cuts)
    >>> for name, part in s.items():
    ...     print(name, part[0].date(), part[-1].date(), len(part))
    train 2024-01-31 2024-09-30 9
    valid 2025-01-31 2025-03-31 3
    test 2025-07-31 2025-09-30 3
    """
    cuts = sorted(cutoffs)
    test = cuts[-test_months:] if test_months > 0 else []
    first_test = test[0] if test else cuts[-1] + pd.Timedelta(days=1)
    before = [t for t in cuts if label_end(t, horizon_months, grace_days) <= first_test]
    valid = before[-valid_months:] if valid_months > 0 else []
    train = (
        [t for t in cuts if label_end(t, horizon_months, grace_days) <= valid[0]] if valid else []
    )
    split = {"train": train, "valid": valid, "test": test}
    empty = [name for name, part in split.items() if not part]
    if empty or len(test) < test_months:
        raise ArrearsRiskError(
            f"the frame's {len(cuts)} cutoffs ({cuts[0].date()} to {cuts[-1].date()}) leave "
            f"no {' / '.join(empty) or 'full test'} slice with valid_months={valid_months}, "
            f"test_months={test_months} and the {horizon_months}-month + {grace_days}-day outcome "
            "gap between slices.\n  hint: use more cutoffs (a longer ledger) or smaller slices."
        )
    return split


@dataclass(frozen=True)
class Fold:
    """One out-of-sample evaluation of the protocol: fit on ``train``, stop early,
    calibrate and choose cut-offs on ``valid``, and score ``test``, which neither saw.

    The masks select rows of the training frame; the cutoffs say which as-of dates each
    part holds (for the bundle's record of what trained and what was measured where).
    """

    name: str
    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray

    def cutoffs(self, as_of: pd.Series) -> dict[str, list[str]]:
        """The as-of dates of each part, as ISO dates."""
        dates = pd.to_datetime(as_of).to_numpy()
        return {  # the distinct dates first: a frame has few cutoffs and many rows
            part: [str(d.date()) for d in pd.DatetimeIndex(np.unique(dates[getattr(self, part)]))]
            for part in ("train", "valid", "test")
        }


def time_backtests(
    as_of: pd.Series,
    *,
    backtest_months: int = 3,
    valid_months: int = 3,
    horizon_months: int = 3,
    grace_days: int = 30,
) -> list[Fold]:
    """Rolling-origin backtests: one fold per month of the last ``backtest_months``
    cutoffs, each trained only on what was labelled by then.

    For a backtest month *m*, the cutoffs whose outcome is known by *m*
    (``label_end(t) <= m``) are split as :func:`time_split` splits them: the last
    ``valid_months`` validate, the earlier ones whose outcome ends before the first
    validation cutoff train.  *m* itself is scored out of time.

    >>> cuts = pd.Series(pd.date_range("2024-01-31", "2025-09-30", freq="ME"))
    >>> for f in time_backtests(cuts):
    ...     c = f.cutoffs(cuts)
    ...     print(f.name, c["train"][0], c["train"][-1], c["valid"][-1], c["test"])
    2025-07-31 2024-01-31 2024-09-30 2025-03-31 ['2025-07-31']
    2025-08-31 2024-01-31 2024-09-30 2025-04-30 ['2025-08-31']
    2025-09-30 2024-01-31 2024-11-30 2025-05-31 ['2025-09-30']
    """
    dates = pd.to_datetime(as_of).to_numpy()
    cuts = sorted(pd.Timestamp(t) for t in np.unique(dates))
    if backtest_months < 1 or len(cuts) < backtest_months:
        raise ArrearsRiskError(
            f"backtest_months must be between 1 and the frame's {len(cuts)} cutoffs; "
            f"got {backtest_months}.\n  hint: validation='customers' trains a frame of one "
            "or a few dates on customer folds."
        )
    folds = []
    for month in cuts[-backtest_months:]:
        known = [t for t in cuts if label_end(t, horizon_months, grace_days) <= month]
        valid = known[-valid_months:] if valid_months > 0 else []
        train = (
            [t for t in known if label_end(t, horizon_months, grace_days) <= valid[0]]
            if valid
            else []
        )
        if not train or not valid:
            raise ArrearsRiskError(
                f"the frame's {len(cuts)} cutoffs ({cuts[0].date()} to {cuts[-1].date()}) "
                f"leave no train / valid slice before the backtest month {month.date()} "
                f"with valid_months={valid_months} and the {horizon_months}-month + "
                f"{grace_days}-day outcome gap.\n  hint: use more cutoffs, fewer "
                "backtest_months, or validation='customers' for a frame of a few dates."
            )
        folds.append(
            Fold(
                str(month.date()),
                np.isin(dates, np.array(train, dtype="datetime64[ns]")),
                np.isin(dates, np.array(valid, dtype="datetime64[ns]")),
                dates == np.datetime64(month),
            )
        )
    return folds


def customer_folds(
    customer_ids: pd.Series, strata: np.ndarray, *, folds: int = 5, seed: int = 0
) -> list[Fold]:
    """Customer-grouped, stratified K-fold: each fold scores one ``1/folds`` of the
    customers, trained on the others, of which one more share validates.

    A customer's rows (all its cutoffs) are always on one side: never in train and
    test, nor in train and valid, of the same fold.  ``strata`` (e.g. the grade)
    keeps the outcome mix alike across folds.

    >>> ids = pd.Series([f"C{i % 40}" for i in range(120)])
    >>> strata = np.arange(120) % 3
    >>> fs = customer_folds(ids, strata, folds=4)
    >>> [int(f.test.sum()) for f in fs], all(
    ...     not set(ids[f.train]) & set(ids[f.test] ) for f in fs)
    ([30, 30, 30, 30], True)
    """
    if not isinstance(folds, int) or folds < 3:
        raise ArrearsRiskError(f"folds must be a whole number of at least 3; got {folds!r}.")
    groups = pd.factorize(customer_ids.astype(str))[0]
    n_customers = int(groups.max()) + 1 if len(groups) else 0
    if n_customers < folds:
        raise ArrearsRiskError(
            f"customer folds need at least {folds} customers; the frame has {n_customers}."
        )
    y = _common_strata(np.asarray(strata), groups, folds)
    out = []
    for k, (rest, test) in enumerate(_group_split(y, groups, folds, seed), start=1):
        fit_part, valid_part = next(_group_split(y[rest], groups[rest], folds - 1, seed + k))
        masks = [np.zeros(len(y), dtype=bool) for _ in range(3)]
        masks[0][rest[fit_part]] = True
        masks[1][rest[valid_part]] = True
        masks[2][test] = True
        out.append(Fold(f"fold {k}/{folds}", *masks))
    return out


def _common_strata(y: np.ndarray, groups: np.ndarray, folds: int) -> np.ndarray:
    """Strata with fewer customers than folds merged into one (they cannot be spread)."""
    per_customer = pd.Series(y).groupby(groups).first()
    counts = per_customer.value_counts()
    rare = counts.index[counts < folds].to_numpy()
    return np.where(np.isin(y, rare), -1, y)


def _group_split(
    y: np.ndarray, groups: np.ndarray, folds: int, seed: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Stratified group K-fold; where the strata are too small to stratify, groups are
    dealt to the folds in a seeded random order."""
    import warnings

    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    try:
        with warnings.catch_warnings():
            # rare strata are merged above; a still-small one only stratifies less well
            warnings.filterwarnings("ignore", message="The least populated class")
            yield from list(splitter.split(np.zeros(len(y)), y, groups))
    except ValueError:
        unique = np.unique(groups)
        fold_of = dict(
            zip(
                np.random.default_rng(seed).permutation(unique),
                np.arange(len(unique)) % folds,
                strict=True,
            )
        )
        assigned = np.array([fold_of[g] for g in groups])
        for k in range(folds):
            yield np.flatnonzero(assigned != k), np.flatnonzero(assigned == k)
