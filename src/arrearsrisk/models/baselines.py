"""The baselines every training run is compared with, on the same out-of-time data.

* :func:`manual_grades`: today's manual grading as utilities describe it
  (``docs/domain.md``): the payment record over the last year, current arrears against the
  usual bill, and national industrial policy.
* :class:`LogisticBaseline`: a logistic regression on the same features (median
  imputation with missing indicators, quantile-normal scaling, one-hot categories),
  fitted on at most ``max_rows`` rows (:func:`stratified_rows`) with the thread pools
  capped (:func:`arrearsrisk.models.threads.limited_threads`): a baseline is a yardstick,
  not worth minutes of a shared machine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.models.threads import limited_threads
from arrearsrisk.vocabulary import GRADE_DTYPE

__all__ = [
    "BASELINE_MAX_ITER",
    "BASELINE_MAX_ROWS",
    "BASELINE_WARM_ITER",
    "MANUAL_RULE",
    "LogisticBaseline",
    "manual_grades",
    "stratified_rows",
]

BASELINE_MAX_ROWS = 50_000
"""Rows the logistic baseline is fitted on at most (a stratified sample of the rest).

Measured on the backtests of :func:`arrearsrisk.models.fit` (one thread, CPU seconds
of the three baseline fits; pooled out-of-time Grade I AUC and warning PR-AUC):

* the sample: every backtest's training slice (24,237 to 29,646 rows) is below it, so
  the baseline is fitted on every row and unchanged (AUC 0.922, PR-AUC 0.604, 20 s);
  a cap of 20,000 rows would give 0.923 and 0.593 (12 s), of 10,000 0.918 and 0.534;
* a 20,000-customer ledger with 18 cutoffs (107,274 to 143,227 training rows): every
  row 102 s, AUC 0.921, PR-AUC 0.601; at most 50,000 rows 39 to 47 s, AUC 0.918 to
  0.921 and PR-AUC 0.587 to 0.593 (seeds 0 to 2).  A yardstick a thousandth of AUC
  less sharp, for less than half the time."""

BASELINE_MAX_ITER = 100
"""Iterations of the L-BFGS solver at most.

The multinomial grade regression does not reach ``tol=1e-3`` in 300 iterations on the
sample (the binary warning regression stops after about 40).  Measured on the sample,
trained on the 40,537 rows of the cutoffs up to 2025-06 and scored on the last cutoff
(one thread): 300 iterations 8.4 s, Grade I AUC 0.9117; 100 iterations 2.9 s, 0.9113;
50 iterations 1.4 s, 0.9072.  (Newton-Cholesky converges in 5 iterations but costs 3.1 s
and the warning regression 0.75 s instead of 0.4 s.)"""

BASELINE_WARM_ITER = 50
"""Iterations at most of a regression warm-started from the previous backtest's.

On the sample's three backtests (windows up to 2025-04, -05, -06; scored on 2025-07,
-08, -09): cold with 100 iterations, Grade I AUC 0.9234 and 0.9113 on the second and
third, 5.1 and 5.3 s; warm with 50, 0.9237 and 0.9124, 3.2 s each; warm with 30, 0.9220
and 0.9115, 2.1 and 2.4 s (300 cold iterations: 0.9239 and 0.9117)."""

MANUAL_RULE = """\
Grade I   if 2+ bills more than 30 days late in 12 months, or arrears of at least one
          average monthly bill overdue more than 30 days, or a restricted-industry
          customer late at least once in 12 months;
Grade II  else if 2+ late bills in 12 months, or any arrears, or a restricted or
          high-energy industry;
Grade III otherwise.
A-level warning if arrears reach 2 average monthly bills."""


def _col(features: pd.DataFrame, name: str) -> np.ndarray:
    return features[name].to_numpy(dtype=np.float64, na_value=np.nan)


def manual_grades(features: pd.DataFrame) -> pd.DataFrame:
    """Grades and warning by :data:`MANUAL_RULE`, as 0/1 probabilities.

    Returns a frame with the index of ``features`` and columns grade, p_I, p_II,
    p_III, a_warning, p_warning (so it can be evaluated like a model; its AUC is
    that of a three-level score).
    """
    serious = _col(features, "serious_late_bills_count_12m")
    late = _col(features, "late_bills_count_12m")
    ratio = np.nan_to_num(_col(features, "arrears_to_bill_ratio"))
    oldest = _col(features, "oldest_overdue_days")
    arrears = _col(features, "arrears_amount")
    restricted = _col(features, "restricted") == 1
    high_energy = _col(features, "high_energy") == 1
    grade_i = (serious >= 2) | ((ratio >= 1) & (oldest > 30)) | (restricted & (late >= 1))
    grade_ii = (late >= 2) | (arrears > 0) | restricted | high_energy
    codes = np.where(grade_i, 0, np.where(grade_ii, 1, 2))
    warning = ratio >= 2
    codes[warning] = 0
    onehot = np.eye(3)[codes]
    return pd.DataFrame(
        {
            "grade": pd.Categorical.from_codes(codes, dtype=GRADE_DTYPE),
            "p_I": onehot[:, 0],
            "p_II": onehot[:, 1],
            "p_III": onehot[:, 2],
            "a_warning": warning,
            "p_warning": warning.astype(np.float64),
        },
        index=features.index,
    )


def stratified_rows(
    grade: pd.Series | np.ndarray,
    warning: pd.Series | np.ndarray,
    max_rows: int | None,
    seed: int = 0,
) -> np.ndarray:
    """Positions of a seeded sample of at most ``max_rows`` rows, stratified by grade and
    warning.

    Every (grade, warning) pair present keeps its share of the rows (largest remainders,
    so the sizes add up to ``max_rows``) and at least one row, so a rare stratum (Grade I
    with a warning) is never lost.  With ``max_rows`` None or at least the number of
    rows, every row is kept.

    Parameters
    ----------
    grade, warning : array-like
        One entry per row: the grade (any labels) and the A-level warning flag.
    max_rows : int or None
        At most this many rows (at least the number of strata).
    seed : int, default 0
        Seed of the draw: the same labels and seed give the same rows.

    Returns
    -------
    numpy.ndarray
        Sorted row positions (``int64``).

    Raises
    ------
    ValueError
        If the inputs differ in length, or ``max_rows`` is below the number of strata.

    Examples
    --------
    >>> grade = np.array(["I"] * 10 + ["II"] * 30 + ["III"] * 60)
    >>> warning = np.arange(100) < 4
    >>> rows = stratified_rows(grade, warning, 20, seed=1)
    >>> len(rows), sorted(set(grade[rows].tolist())), int(warning[rows].sum())
    (20, ['I', 'II', 'III'], 1)
    >>> np.array_equal(rows, stratified_rows(grade, warning, 20, seed=1))
    True
    >>> len(stratified_rows(grade, warning, None))
    100
    """
    g = pd.Series(np.asarray(grade)).astype(str).to_numpy()
    w = np.asarray(warning, dtype=bool)
    n = len(g)
    if len(w) != n:
        raise ValueError(f"grade has {n} rows but warning has {len(w)}.")
    if max_rows is None or n <= max_rows:
        return np.arange(n, dtype=np.int64)
    keys = pd.MultiIndex.from_arrays([g, w])
    stratum, uniques = pd.factorize(keys, sort=True)
    counts = np.bincount(stratum, minlength=len(uniques))
    if max_rows < len(counts):
        raise ValueError(
            f"max_rows={max_rows} is below the {len(counts)} grade and warning strata."
        )
    quota = max_rows * counts / n
    take = np.minimum(np.maximum(np.floor(quota).astype(np.int64), 1), counts)
    short = max_rows - int(take.sum())
    if short > 0:  # largest remainders first, ties by stratum order
        order = np.argsort(-(quota - np.floor(quota)), kind="stable")
        for k in order[:short]:
            take[k] += 1
    while short < 0:  # the one-row floors overshot: trim the largest strata
        k = int(np.argmax(take))
        take[k] -= 1
        short += 1
    rng = np.random.default_rng(seed)
    rows = [
        rng.choice(np.flatnonzero(stratum == k), size=int(size), replace=False)
        for k, size in enumerate(take)
    ]
    return np.sort(np.concatenate(rows)).astype(np.int64)


class LogisticBaseline:
    """Logistic regressions for the grade (multinomial) and the warning (binary).

    Parameters
    ----------
    features : list of str
        Input columns.
    categorical : list of str
        Those among them to one-hot encode.
    seed : int
        Random state of the row sample and of the quantile scaler's subsample.
    max_rows : int or None, default :data:`BASELINE_MAX_ROWS` (50,000)
        Fit on at most this many rows: a seeded sample stratified by grade and warning
        (:func:`stratified_rows`); None fits on every row.  A frame with fewer rows is
        fitted whole.
    threads : int, optional
        Cap of the BLAS and OpenMP pools while fitting and predicting (default
        :func:`arrearsrisk.models.threads.training_threads`).  OpenBLAS threads spin
        too: on the 2-core machine with another process on one core, the three
        backtest fits of the sample took 351 s with two threads and 23 s with one.
    """

    def __init__(
        self,
        features: list[str],
        categorical: list[str],
        seed: int = 0,
        max_rows: int | None = BASELINE_MAX_ROWS,
        threads: int | None = None,
    ) -> None:
        self.features = features
        self.categorical = categorical
        self.seed = seed
        self.max_rows = max_rows
        self.threads = threads

    def _prep(self) -> Any:
        """The preprocessing, shared by both regressions (it does not look at labels)."""
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, QuantileTransformer

        numeric = [f for f in self.features if f not in self.categorical]
        return ColumnTransformer(
            [
                (
                    "num",
                    make_pipeline(
                        SimpleImputer(
                            strategy="median", add_indicator=True, keep_empty_features=True
                        ),
                        QuantileTransformer(
                            n_quantiles=200,
                            output_distribution="normal",
                            subsample=100_000,
                            random_state=self.seed,
                        ),
                    ),
                    numeric,
                ),
                (
                    "cat",
                    make_pipeline(
                        SimpleImputer(strategy="constant", fill_value="(missing)"),
                        OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20),
                    ),
                    self.categorical,
                ),
            ]
        )

    @staticmethod
    def _regression(start: Any = None) -> Any:
        """A regression; warm-started from the coefficients of ``start`` when given
        (and of the same classes)."""
        from sklearn.linear_model import LogisticRegression

        reg = LogisticRegression(max_iter=BASELINE_MAX_ITER, C=0.05, tol=1e-3)
        if start is not None and hasattr(start, "coef_"):
            reg.set_params(warm_start=True, max_iter=BASELINE_WARM_ITER)
            reg.coef_, reg.intercept_ = start.coef_.copy(), start.intercept_.copy()
        return reg

    def _x(self, features: pd.DataFrame) -> pd.DataFrame:
        x = features[self.features].copy()
        for col in self.categorical:
            x[col] = x[col].astype("object").where(x[col].notna(), None)
        return x

    def fit(
        self,
        features: pd.DataFrame,
        grade: pd.Series,
        warning: pd.Series,
        *,
        start: LogisticBaseline | None = None,
        encoding: tuple[Any, np.ndarray] | None = None,
    ) -> LogisticBaseline:
        """Fit both regressions on at most ``max_rows`` rows; returns self.

        The rows kept are in ``rows_`` (positions in ``features``); the preprocessing
        (``prep_``) is fitted once and shared by the grade and warning regressions
        (``grade_model_``, ``warning_model_``).  The solver stops after
        :data:`BASELINE_MAX_ITER` iterations: a baseline is not worth minutes, and a
        ``ConvergenceWarning`` at that point is expected and silenced.

        ``start``, a baseline fitted before on similar rows (the previous backtest's,
        whose window this one extends), gives the solver its coefficients to start
        from when its encoded columns are the same; the solver then stops after
        :data:`BASELINE_WARM_ITER` iterations (as close to the optimum as 100 from zero).

        ``encoding``, ``(prep, z)``: a preprocessing fitted before (``prep_`` of
        :meth:`fit_preprocessing`) and ``features`` encoded by it (:meth:`encode`; one
        row per row of ``features``), used instead of fitting and encoding again.  The time
        backtests share the one fitted on the first backtest's window, which every
        later window contains: nothing after a fold's training rows enters it.
        """
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        self._prep(), self._regression()  # load scikit-learn before capping its pools
        with warnings.catch_warnings(), limited_threads(self.threads):
            warnings.simplefilter("ignore", ConvergenceWarning)
            return self._fit(features, grade, warning, start, encoding)

    def fit_preprocessing(self, features: pd.DataFrame) -> LogisticBaseline:
        """Fit the preprocessing alone (``prep_``) on ``features``; it looks at no label.
        Returns self.

        Examples
        --------
        >>> a = np.where(np.arange(400) % 10 == 0, np.nan, np.arange(400.0))
        >>> x = pd.DataFrame({"a": a, "c": ["x", "y"] * 200})
        >>> base = LogisticBaseline(["a", "c"], ["c"]).fit_preprocessing(x)
        >>> base.encode(x).shape  # a, its missing indicator, c one-hot (x, y)
        (400, 4)
        """
        self._prep()  # load scikit-learn before capping its pools
        with limited_threads(self.threads):
            self.prep_ = self._prep().fit(self._x(features))
        return self

    def encode(self, features: pd.DataFrame) -> np.ndarray:
        """``features`` encoded by the fitted preprocessing (``prep_``)."""
        with limited_threads(self.threads):
            return np.asarray(self.prep_.transform(self._x(features)))

    def _fit(
        self,
        features: pd.DataFrame,
        grade: pd.Series,
        warning: pd.Series,
        start: LogisticBaseline | None,
        encoding: tuple[Any, np.ndarray] | None,
    ) -> LogisticBaseline:
        self.rows_ = stratified_rows(grade, warning, self.max_rows, self.seed)
        whole = len(self.rows_) == len(features)
        grade = grade if whole else grade.iloc[self.rows_]
        warning = warning if whole else warning.iloc[self.rows_]
        codes = pd.Categorical(grade.astype(str), dtype=GRADE_DTYPE).codes
        if encoding is None:
            self.prep_ = self._prep()
            z = self.prep_.fit_transform(self._x(features if whole else features.iloc[self.rows_]))
        else:
            self.prep_, encoded = encoding
            if len(encoded) != len(features):
                raise ValueError(
                    f"the encoding has {len(encoded)} rows but features {len(features)}."
                )
            z = encoded if whole else encoded[self.rows_]
        begin: tuple[Any, Any] = (None, None)
        if start is not None and np.array_equal(
            start.prep_.get_feature_names_out(), self.prep_.get_feature_names_out()
        ):
            begin = (start.grade_model_, start.warning_model_)
        self.grade_model_: Any = self._regression(begin[0]).fit(z, codes)
        y_w = warning.to_numpy(dtype=bool)
        self.warning_model_: Any = (
            self._regression(begin[1]).fit(z, y_w) if y_w.any() and not y_w.all() else None
        )
        return self

    def predict_proba(
        self, features: pd.DataFrame | None = None, *, encoded: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Grade probabilities ``(n, 3)`` in order I, II, III and warning probabilities,
        of ``features`` or of rows already ``encoded`` by ``prep_``."""
        with limited_threads(self.threads):
            if encoded is None:
                if features is None:
                    raise ValueError("predict_proba needs features or encoded rows.")
                encoded = self.prep_.transform(self._x(features))
            return self._predict_encoded(np.asarray(encoded))

    def _predict_encoded(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        proba = np.zeros((z.shape[0], 3))
        proba[:, self.grade_model_.classes_] = self.grade_model_.predict_proba(z)
        if self.warning_model_ is None:
            return proba, np.zeros(z.shape[0])
        return proba, self.warning_model_.predict_proba(z)[:, 1]
