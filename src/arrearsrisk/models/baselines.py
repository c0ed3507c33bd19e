"""The baselines every training run is compared with, on the same out-of-time data.

* :func:`manual_grades`: today's manual grading as utilities describe it
  (``docs/domain.md``): the payment record over the last year, current arrears against the
  usual bill, and national industrial policy.
* :class:`LogisticBaseline`: a logistic regression on the same features (median
  imputation with missing indicators, quantile-normal scaling, one-hot categories).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.vocabulary import GRADE_DTYPE

__all__ = ["MANUAL_RULE", "LogisticBaseline", "manual_grades"]

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


class LogisticBaseline:
    """Logistic regressions for the grade (multinomial) and the warning (binary).

    Parameters
    ----------
    features : list of str
        Input columns.
    categorical : list of str
        Those among them to one-hot encode.
    seed : int
        Random state of the quantile scaler's subsample.
    """

    def __init__(self, features: list[str], categorical: list[str], seed: int = 0) -> None:
        self.features = features
        self.categorical = categorical
        self.seed = seed

    def _pipeline(self) -> Any:
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, QuantileTransformer

        numeric = [f for f in self.features if f not in self.categorical]
        prep = ColumnTransformer(
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
        return make_pipeline(prep, LogisticRegression(max_iter=300, C=0.05, tol=1e-3))

    def _x(self, features: pd.DataFrame) -> pd.DataFrame:
        x = features[self.features].copy()
        for col in self.categorical:
            x[col] = x[col].astype("object").where(x[col].notna(), None)
        return x

    def fit(self, features: pd.DataFrame, grade: pd.Series, warning: pd.Series) -> LogisticBaseline:
        """Fit both regressions; returns self.

        The solver stops after 300 iterations: a baseline is not worth minutes, and a
        ``ConvergenceWarning`` at that point is expected and silenced.
        """
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return self._fit(features, grade, warning)

    def _fit(
        self, features: pd.DataFrame, grade: pd.Series, warning: pd.Series
    ) -> LogisticBaseline:
        x = self._x(features)
        codes = pd.Categorical(grade.astype(str), dtype=GRADE_DTYPE).codes
        self.grade_model_ = self._pipeline().fit(x, codes)
        y_w = warning.to_numpy(dtype=bool)
        self.warning_model_ = self._pipeline().fit(x, y_w) if y_w.any() and not y_w.all() else None
        return self

    def predict_proba(self, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Grade probabilities ``(n, 3)`` in order I, II, III and warning probabilities."""
        x = self._x(features)
        proba = np.zeros((len(x), 3))
        proba[:, self.grade_model_.classes_] = self.grade_model_.predict_proba(x)
        if self.warning_model_ is None:
            return proba, np.zeros(len(x))
        return proba, self.warning_model_.predict_proba(x)[:, 1]
