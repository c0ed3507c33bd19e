"""The fitted risk model: LightGBM boosters, calibration, cut-offs and thresholds.

Three binary LightGBM models, all calibrated (Platt scaling) on a later time slice
than they were trained on:

* ``grade_I``: Grade I versus the rest;
* ``grade_I_II``: Grade I or II versus Grade III (grades are ordered outcomes, so
  ``P(I) <= P(I or II)`` is enforced after calibration);
* ``warning``: the A-level warning.

Then ``p_I = P(I)``, ``p_II = P(I or II) - P(I)``, ``p_III = 1 - P(I or II)``, summing to
one.  A customer is Grade I when ``p_I >= cutoff_I``, else Grade II when
``p_I + p_II >= cutoff_I_II``, else Grade III; the cut-offs are chosen on the
validation slice (see :func:`arrearsrisk.models.fitting.fit`).  The warning fires when
``p_warning >= warning_threshold``, and a warned customer is Grade I.

Learned state is plain data (:class:`FeatureSpec`, :class:`Calibrator`, floats): a
model turns itself into a plain manifest and back (:meth:`RiskModel.to_manifest`,
:meth:`RiskModel.from_manifest`), and :mod:`arrearsrisk.models.bundle` writes that
manifest as JSON beside the boosters' text models.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError, BundleError
from arrearsrisk.models.booster_text import check_model_text
from arrearsrisk.models.bundle import MANIFEST, read_bundle, write_bundle
from arrearsrisk.models.calibration import Calibrator
from arrearsrisk.models.manifest_checks import TARGETS, check_model_fields
from arrearsrisk.models.tree_stack import EnsembleStack
from arrearsrisk.models.tree_walk import TreeEnsemble
from arrearsrisk.vocabulary import GRADE_DTYPE, grade_codes

if TYPE_CHECKING:
    import lightgbm as lgb

__all__ = ["MONITORING_FILE", "TARGETS", "Calibrator", "FeatureSpec", "RiskModel"]

MONITORING_FILE = "monitoring.json"
"""The bundle file holding the frozen monitoring reference (:attr:`RiskModel.reference`),
written only when the model has one; bundles without it load as before."""

_CONTENT_VERSION = re.compile(r"(?P<date>\d{8})-(?P<hash>[0-9a-f]{8})")


@dataclass(frozen=True)
class FeatureSpec:
    """The model's input columns: names, and category levels of categorical ones.

    The levels are written into the bundle's ``manifest.json`` (and MLflow), so they are
    capped: a level is kept only when at least :attr:`MIN_CUSTOMERS` customers of the
    training frame hold it, and at most :attr:`MAX_CATEGORIES` of the most common are
    kept.  The others become the one level :attr:`OTHER`, to which any level unseen in
    training is mapped too; no value of a single customer reaches the bundle.

    Examples
    --------
    >>> frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(7)],
    ...                       "zone": ["N"] * 5 + ["S", "T"]})
    >>> FeatureSpec.from_frame(frame, ["zone"]).categories
    {'zone': ('N', '(other)')}
    """

    names: tuple[str, ...]
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)

    MAX_CATEGORIES: ClassVar[int] = 50
    MIN_CUSTOMERS: ClassVar[int] = 5
    OTHER: ClassVar[str] = "(other)"

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, names: list[str]) -> FeatureSpec:
        """Learn the spec from training features (categorical = pandas category or text);
        customers are told apart by the ``customer_id`` column (or the index)."""
        owners = frame["customer_id"] if "customer_id" in frame.columns else frame.index.to_series()
        cats: dict[str, tuple[str, ...]] = {}
        for name in names:
            col = frame[name]
            if isinstance(col.dtype, pd.CategoricalDtype):
                levels = tuple(str(c) for c in col.cat.categories)
            elif not (
                pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype)
            ):
                levels = tuple(sorted(str(v) for v in col.dropna().unique()))
            else:
                continue
            cats[name] = cls._capped(levels, col, owners)
        return cls(tuple(names), cats)

    @classmethod
    def _capped(cls, levels: tuple[str, ...], col: pd.Series, owners: pd.Series) -> tuple[str, ...]:
        """``levels`` without those held by fewer than :attr:`MIN_CUSTOMERS` customers
        and beyond the :attr:`MAX_CATEGORIES` most common, plus :attr:`OTHER` if any
        was dropped (kept in their order)."""
        text = col.astype("str").where(col.notna())
        held = (
            pd.DataFrame({"level": text.to_numpy(), "owner": owners.to_numpy()})
            .dropna()
            .groupby("level")["owner"]
            .nunique()
        )
        common = held[held >= cls.MIN_CUSTOMERS]
        common = common.sort_values(ascending=False, kind="stable").iloc[: cls.MAX_CATEGORIES]
        kept = tuple(level for level in levels if level in common.index)
        return kept if len(kept) == len(levels) else (*kept, cls.OTHER)

    @cached_property
    def _numeric(self) -> tuple[list[int], list[str]]:
        """Positions and names of the numeric features."""
        numeric = [i for i, n in enumerate(self.names) if n not in self.categories]
        return numeric, [self.names[i] for i in numeric]

    @cached_property
    def _positions(self) -> dict[str, dict[str, int]]:
        """Each categorical feature's levels by their training code."""
        return {n: {level: i for i, level in enumerate(v)} for n, v in self.categories.items()}

    @property
    def categorical_indices(self) -> list[int]:
        """Positions of the categorical features."""
        return [i for i, n in enumerate(self.names) if n in self.categories]

    def matrix(self, frame: pd.DataFrame | Mapping[str, Any]) -> np.ndarray:
        """The features as a float64 matrix in spec order; categories become their
        training codes, and a level unseen in training becomes missing (NaN).

        ``frame`` is a features DataFrame or a mapping of column name to array or
        ``pandas.Categorical`` (as :func:`arrearsrisk.features.feature_columns` gives).

        Raises
        ------
        ArrearsRiskError
            If columns are missing, naming them.
        """
        present = frame.columns if isinstance(frame, pd.DataFrame) else frame.keys()
        missing = [n for n in self.names if n not in present]
        if missing:
            raise ArrearsRiskError(
                f"features are missing {len(missing)} columns the model needs: {missing[:10]}.\n"
                "  hint: the ledger lacks these inputs (e.g. an extra customer column the model "
                "was trained with); add them or retrain on this ledger's columns."
            )
        n_rows = len(frame) if isinstance(frame, pd.DataFrame) else len(frame[self.names[0]])
        out = np.empty((n_rows, len(self.names)), dtype=np.float64)
        numeric, names = self._numeric
        if numeric and isinstance(frame, pd.DataFrame):  # one conversion for all columns
            out[:, numeric] = frame[names].to_numpy(dtype=np.float64, na_value=np.nan)
        elif 0 < n_rows <= _FEW_ROWS:  # one array of all columns: a few rows, many columns
            out[:, numeric] = np.array([_floats(frame[n]) for n in names]).reshape(-1, n_rows).T
        else:
            for i, n in zip(numeric, names, strict=True):
                out[:, i] = _floats(frame[n])
        for i in self.categorical_indices:
            out[:, i] = self._codes(self.names[i], frame[self.names[i]])
        return out

    def row(self, values: Mapping[str, float | str | None]) -> np.ndarray:
        """One account's features (name to a ``float``, or a categorical's text, None
        when missing: :func:`~arrearsrisk.features.one_account.account_features`) as a
        ``(1, n)`` matrix, the row :meth:`matrix` gives for the same account.

        Raises
        ------
        ArrearsRiskError
            If values are missing, naming them.

        Examples
        --------
        >>> spec = FeatureSpec(("kwh", "zone"), {"zone": ("N", "S", "(other)")})
        >>> spec.row({"kwh": 3.5, "zone": "S"}).tolist()
        [[3.5, 1.0]]
        >>> spec.row({"kwh": 1.0, "zone": "W"}).tolist()  # unseen: (other)
        [[1.0, 2.0]]
        """
        try:
            cells = [values[n] for n in self.names]
        except KeyError:
            return self.matrix({n: [values[n]] for n in self.names if n in values})  # names them
        for i, (name, position) in self._row_codes:
            text = cells[i]
            if text is None:
                cells[i] = math.nan
            else:
                code = position.get(text if type(text) is str else _text_of(text), -1)
                cells[i] = float(code if code >= 0 else self._other[name])
        return np.array([cells], dtype=np.float64)

    @cached_property
    def _row_codes(self) -> list[tuple[int, tuple[str, dict[str, int]]]]:
        return [
            (i, (n, self._positions[n])) for i, n in enumerate(self.names) if n in self.categories
        ]

    @cached_property
    def _other(self) -> dict[str, float]:
        """Each categorical's code of a level unseen in training: :attr:`OTHER`, or NaN."""
        return {
            n: float(v.index(self.OTHER)) if self.OTHER in v else math.nan
            for n, v in self.categories.items()
        }

    def _codes(self, name: str, values: Any) -> np.ndarray:
        """Training codes of a categorical column: NaN for missing values; a level
        unseen in training is :attr:`OTHER` when the spec has it, else NaN.  Numbers
        are matched by their text (``3.0`` as ``"3"``)."""
        levels = self.categories[name]
        if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
            values = values.array
        if isinstance(values, pd.Categorical):  # map the few levels, then the codes
            position = self._positions[name]
            texts = values.categories.tolist()
            if not all(isinstance(t, str) for t in texts):
                texts = values.categories.astype("str").tolist()
            codes = np.array([*(position.get(t, -1) for t in texts), -2])[values.codes]
        else:
            known = pd.Index(levels)
            series = pd.Series(values)
            if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
                series.dtype
            ):
                floats = series.to_numpy(dtype=np.float64, na_value=np.nan)
                whole = np.isfinite(floats) & (floats == np.round(floats))
                text: pd.Series = pd.Series(
                    np.where(
                        whole, np.char.mod("%d", np.where(whole, floats, 0)), series.astype("str")
                    ),
                    index=series.index,
                    dtype=object,
                ).where(series.notna())
            else:
                text = series.astype("str").where(series.notna())
            codes = np.where(text.isna().to_numpy(), -2, known.get_indexer(pd.Index(text)))
        other = levels.index(self.OTHER) if self.OTHER in levels else -1
        codes = np.where(codes == -1, other, codes)  # unseen level: (other), or missing
        return np.where(codes < 0, np.nan, codes).astype(np.float64)


_FEW_ROWS = 256
"""Up to this many rows, :meth:`FeatureSpec.matrix` converts the numeric columns as one
array (one call instead of one per column)."""


def _text_of(value: Any) -> str:
    """A categorical value as :meth:`FeatureSpec._codes` reads it: numbers by their
    text, whole ones without decimals (``3.0`` as ``"3"``)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and number == round(number):
            return f"{number:.0f}"
    return str(value)


def _floats(values: Any) -> np.ndarray:
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.asarray(values, dtype=np.float64)


class RiskModel:
    """Grades, probabilities and the A-level warning from a features frame.

    Build one with :func:`arrearsrisk.train`, or :func:`arrearsrisk.load_model`.

    Parameters
    ----------
    boosters : dict of str to lightgbm.Booster
        One per name in :data:`TARGETS`.  A model loaded from a bundle holds the text
        models instead and builds its boosters on first use of :attr:`boosters`
        (importing LightGBM); :attr:`trees` predicts without LightGBM.
    spec : FeatureSpec
        Input columns.
    calibrators : dict of str to Calibrator
        One per name in :data:`TARGETS`.
    cutoff_I, cutoff_I_II : float
        Grade cut-offs on ``p_I`` and ``p_I + p_II``.
    warning_threshold : float
        The warning fires when ``p_warning`` reaches it.
    info : dict
        Provenance kept in the bundle's manifest: training window, label parameters,
        metrics, how the thresholds were chosen.

    Attributes
    ----------
    reference : dict or None
        The frozen monitoring reference (plain JSON data, read by
        :class:`arrearsrisk.monitoring.MonitoringReference`), set by
        :func:`arrearsrisk.train` and saved in the bundle as :data:`MONITORING_FILE`;
        ``None`` for a model trained before references existed.
    """

    def __init__(
        self,
        boosters: dict[str, lgb.Booster],
        spec: FeatureSpec,
        calibrators: dict[str, Calibrator],
        cutoff_I: float,
        cutoff_I_II: float,
        warning_threshold: float,
        info: dict[str, Any] | None = None,
        version: str = "unsaved",
    ) -> None:
        self._boosters: dict[str, lgb.Booster] | None = dict(boosters)
        self._texts: dict[str, str] | None = None
        self._trees: dict[str, TreeEnsemble] | None = None
        self._stack: EnsembleStack | None = None
        self._source = "<model>"
        self._lock = threading.Lock()
        self.spec = spec
        self.calibrators = calibrators
        self.cutoff_I = cutoff_I
        self.cutoff_I_II = cutoff_I_II
        self.warning_threshold = warning_threshold
        self.info = dict(info or {})
        self.version = version
        self._reference: dict[str, Any] | None = None
        self._reference_text: tuple[str, Path] | None = None  # a bundle's, parsed on use

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_lock"]  # a lock does not pickle; a copy gets its own
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def reference(self) -> dict[str, Any] | None:
        """The frozen monitoring reference (plain JSON data), or ``None``.

        A bundle's ``monitoring.json`` (1.5 MB for the sample) is checked against its
        hash when the bundle is loaded and parsed here on first use, so scoring never
        pays for it.

        Raises
        ------
        BundleError
            If the file is not a JSON object.
        """
        if self._reference is None and self._reference_text is not None:
            self._reference = _reference(*self._reference_text)
            self._reference_text = None
        return self._reference

    @reference.setter
    def reference(self, value: dict[str, Any] | None) -> None:
        self._reference = value
        self._reference_text = None

    def __repr__(self) -> str:
        return (
            f"RiskModel(version={self.version!r}, {len(self.spec.names)} features, "
            f"cutoffs I>={self.cutoff_I:.3f}, I+II>={self.cutoff_I_II:.3f}, "
            f"warning>={self.warning_threshold:.3f})"
        )

    @property
    def boosters(self) -> dict[str, lgb.Booster]:
        """The LightGBM boosters, by target.  A model loaded from a bundle parses them on
        first use (LightGBM is imported then: about a second, mostly scikit-learn).

        Raises
        ------
        BundleError
            If LightGBM cannot read a model text.
        """
        boosters = self._boosters
        if boosters is None:
            with self._lock:
                if self._boosters is None:
                    self._boosters = _parse_boosters(self._texts or {}, self._source)
                boosters = self._boosters
        return boosters

    @boosters.setter
    def boosters(self, boosters: Mapping[str, lgb.Booster]) -> None:
        with self._lock:
            self._boosters = dict(boosters)
            self._texts = None
            self._trees = None
            self._stack = None

    @property
    def trees(self) -> dict[str, TreeEnsemble]:
        """The boosters' trees as numpy arrays (:class:`~arrearsrisk.models.tree_walk.
        TreeEnsemble`), by target: the same raw scores and contributions as the boosters,
        without LightGBM (what :func:`arrearsrisk.score_account` uses).

        >>> import arrearsrisk as ar
        >>> model = ar.load_model("models/sample")
        >>> sorted(model.trees), model.trees["warning"].n_trees
        (['grade_I', 'grade_I_II', 'warning'], 116)
        """
        return {t: self.tree(t) for t in TARGETS}

    def tree(self, target: str) -> TreeEnsemble:
        """One booster's trees (:attr:`trees`), parsed on first use: scoring one account
        needs only the Grade I trees, for the contributions behind its reasons.

        >>> import arrearsrisk as ar
        >>> ar.load_model("models/sample").tree("warning").n_trees
        116
        """
        trees = self._trees
        if trees is None or target not in trees:
            texts = self.booster_texts()
            with self._lock:
                if self._trees is None:
                    self._trees = {}
                if target not in self._trees:
                    self._trees[target] = _parse_trees(texts, self._source, (target,))[target]
                trees = self._trees
        return trees[target]

    @property
    def stack(self) -> EnsembleStack:
        """The three boosters walked as one (:class:`~arrearsrisk.models.tree_stack.
        EnsembleStack`), by target: :attr:`trees`' predictions in one pass, for one
        account at a time.

        >>> import arrearsrisk as ar
        >>> model = ar.load_model("models/sample")
        >>> model.stack.names
        ('grade_I', 'grade_I_II', 'warning')
        """
        stack = self._stack
        if stack is None:
            texts = self.booster_texts()
            with self._lock:
                if self._stack is None:
                    self._stack = _parse_stack(texts, self._source)
                stack = self._stack
        return stack

    def raw(self, x: np.ndarray, target: str, num_threads: int = 0) -> np.ndarray:
        """Uncalibrated probability of one target."""
        return np.asarray(self.boosters[target].predict(x, num_threads=num_threads))

    def predict_matrix(self, x: np.ndarray, num_threads: int = 0) -> pd.DataFrame:
        """Probabilities, grade and warning for a matrix in spec order.

        ``num_threads=0`` lets LightGBM choose; pass 1 for single rows (threads cost
        more than they save on a handful of rows).
        """
        return self.predict_raw({t: self.raw(x, t, num_threads) for t in TARGETS})

    def predict_raw(self, raw: dict[str, np.ndarray]) -> pd.DataFrame:
        """:meth:`predict_matrix` from the boosters' raw probabilities (one array per
        target), e.g. computed once for several uses."""
        graded = self.grade(raw)
        return pd.DataFrame(
            {
                "grade": pd.Categorical.from_codes(graded.pop("codes"), dtype=GRADE_DTYPE),
                **graded,
            }
        )

    def grade(self, raw: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The arithmetic of :meth:`predict_raw` without a DataFrame: arrays ``codes``
        (0 = Grade I, 1 = II, 2 = III, :data:`~arrearsrisk.vocabulary.GRADE_DTYPE`'s
        order), ``p_I``, ``p_II``, ``p_III``, ``a_warning`` and ``p_warning``.

        >>> import arrearsrisk as ar
        >>> model = ar.load_model("models/sample")
        >>> g = model.grade({"grade_I": np.array([0.9]), "grade_I_II": np.array([0.95]),
        ...                  "warning": np.array([0.01])})
        >>> int(g["codes"][0]), round(float(g["p_I"][0] + g["p_II"][0] + g["p_III"][0]), 12)
        (0, 1.0)
        """
        p1 = self.calibrators["grade_I"](raw["grade_I"])
        p12 = np.maximum(self.calibrators["grade_I_II"](raw["grade_I_II"]), p1)
        pw = self.calibrators["warning"](raw["warning"])
        warned = pw >= self.warning_threshold
        return {
            "codes": grade_codes(p1, p12, self.cutoff_I, self.cutoff_I_II, warned),
            "p_I": p1,
            "p_II": p12 - p1,
            "p_III": 1.0 - p12,
            "a_warning": warned,
            "p_warning": pw,
        }

    def grade_one(self, raw: Mapping[str, float]) -> dict[str, Any]:
        """:meth:`grade` of one customer, without arrays (what scoring one account needs:
        about 7 µs against 45 µs for :meth:`grade` of one row): ``code`` (0 = Grade I,
        1 = II, 2 = III), ``p_I``, ``p_II``, ``p_III``, ``a_warning`` and ``p_warning`` as
        Python values, the same bits as :meth:`grade` of a one-row array (tested).

        >>> import arrearsrisk as ar
        >>> model = ar.load_model("models/sample")
        >>> g = model.grade_one({"grade_I": 0.9, "grade_I_II": 0.95, "warning": 0.01})
        >>> g["code"], g["p_I"] == float(model.grade({"grade_I": np.array([0.9]),
        ...     "grade_I_II": np.array([0.95]), "warning": np.array([0.01])})["p_I"][0])
        (0, True)
        """
        p1 = self.calibrators["grade_I"].one(raw["grade_I"])
        p12 = self.calibrators["grade_I_II"].one(raw["grade_I_II"])
        if p12 == p12 and (p1 != p1 or p1 > p12):  # np.maximum: NaN wins, else the larger
            p12 = p1
        pw = self.calibrators["warning"].one(raw["warning"])
        warned = pw >= self.warning_threshold
        code = 0 if warned or p1 >= self.cutoff_I else (1 if p12 >= self.cutoff_I_II else 2)
        return {
            "code": code,
            "p_I": p1,
            "p_II": p12 - p1,
            "p_III": 1.0 - p12,
            "a_warning": bool(warned),
            "p_warning": pw,
        }

    def predict(self, features: pd.DataFrame, num_threads: int = 0) -> pd.DataFrame:
        """Grade, probabilities and warning for each row of a features frame.

        Returns a frame with the index of ``features`` and columns grade, p_I, p_II,
        p_III, a_warning, p_warning.
        """
        out = self.predict_matrix(self.spec.matrix(features), num_threads)
        out.index = features.index
        return out

    def contributions(
        self, x: np.ndarray, target: str = "grade_I", num_threads: int = 0
    ) -> np.ndarray:
        """Per-feature contributions (log-odds, SHAP values from LightGBM) of ``target``,
        shape ``(n, n_features + 1)``; the last column is the expected value."""
        return np.asarray(
            self.boosters[target].predict(x, pred_contrib=True, num_threads=num_threads)
        )

    def feature_importance(self, target: str = "grade_I") -> pd.Series:
        """Total gain of each feature in one booster, largest first."""
        gain = self.boosters[target].feature_importance(importance_type="gain")
        return pd.Series(gain, index=list(self.spec.names)).sort_values(ascending=False)

    def to_manifest(self) -> dict[str, Any]:
        """Everything the model learned but the boosters, as plain JSON-able data.

        >>> import arrearsrisk as ar
        >>> m = ar.load_model("models/sample").to_manifest()
        >>> sorted(m)[:4]
        ['calibration', 'features', 'grade_cutoffs', 'info']
        """
        return {
            "model_version": self.version,
            "features": [
                {
                    "name": n,
                    "kind": "categorical" if n in self.spec.categories else "numeric",
                    **(
                        {"categories": list(self.spec.categories[n])}
                        if n in self.spec.categories
                        else {}
                    ),
                }
                for n in self.spec.names
            ],
            "calibration": {
                t: {"method": "platt", "a": c.a, "b": c.b} for t, c in self.calibrators.items()
            },
            "grade_cutoffs": {"I": self.cutoff_I, "I_II": self.cutoff_I_II},
            "warning_threshold": self.warning_threshold,
            "info": self.info,
        }

    def booster_texts(self) -> dict[str, str]:
        """The boosters as LightGBM text models, by bundle file name (a loaded model's
        texts as read: byte-identical to ``model_to_string()`` of their boosters)."""
        texts = self._texts
        if texts is not None:
            return {f"{t}.txt": texts[t] for t in TARGETS}
        return {f"{t}.txt": self.boosters[t].model_to_string() for t in TARGETS}

    def content_hash(self, texts: Mapping[str, str] | None = None) -> str:
        """The 8 hex digits after the date in a trained model's version.

        The sha256 of the boosters' text models (in :data:`TARGETS` order) and the repr
        of the calibrators and thresholds: :func:`arrearsrisk.models.fitting.fit` names
        the model with it and loading checks it.  ``texts`` (by bundle file name) stand
        for the boosters' texts.

        >>> import arrearsrisk as ar
        >>> model = ar.load_model("models/sample")
        >>> model.version.endswith(model.content_hash())
        True
        """
        if texts is None:
            texts = self.booster_texts()
        stamp = "".join(texts[f"{t}.txt"] for t in TARGETS) + repr(
            (self.calibrators, self.cutoff_I, self.cutoff_I_II, self.warning_threshold)
        )
        return hashlib.sha256(stamp.encode()).hexdigest()[:8]

    @classmethod
    def from_manifest(
        cls, manifest: Mapping[str, Any], texts: Mapping[str, str], source: str = "<manifest>"
    ) -> RiskModel:
        """The model of :meth:`to_manifest` and :meth:`booster_texts` output.

        Everything is checked before LightGBM sees a byte: the manifest's fields (see
        :mod:`arrearsrisk.models.manifest_checks`), each text model's structure and
        features (see :mod:`arrearsrisk.models.booster_text`), and a trained model's
        version (``YYYYMMDD-xxxxxxxx``) against :meth:`content_hash`, so a cut-off,
        calibration or model file changed after training is refused.  (A version of
        another form, given by hand, is kept as it is.)  The texts are then parsed into
        :attr:`trees`; LightGBM is imported and parses them only when :attr:`boosters`
        is first used (scoring a batch), so loading and :func:`arrearsrisk.score_account`
        never import it.

        Raises
        ------
        BundleError
            If the manifest lacks a field or has one of the wrong kind, a text model is
            missing or malformed, or the version does not match (``source`` names where
            it came from).
        """
        fields = check_model_fields(manifest, source)
        for target in TARGETS:
            text = texts.get(f"{target}.txt")
            if not isinstance(text, str):
                raise BundleError(f"{source}: the text model {target}.txt is missing.")
            where = f"{source}: {target}.txt"
            if source.endswith(MANIFEST):  # the model file beside the manifest
                where = str(Path(source).with_name(f"{target}.txt"))
            check_model_text(text, source=where, names=fields.names, categorical=fields.categories)
        spec = FeatureSpec(fields.names, fields.categories)
        calibrators = {t: Calibrator(a, b) for t, (a, b) in fields.calibration.items()}
        model = cls(
            {},
            spec,
            calibrators,
            *fields.cutoffs,
            fields.warning_threshold,
            info=fields.info,
            version=fields.version or "unsaved",
        )
        stamped = _CONTENT_VERSION.fullmatch(model.version)
        if stamped and stamped["hash"] != model.content_hash(texts):
            raise BundleError(
                f"{source}: model_version {model.version} does not match the model files, "
                f"calibration and thresholds (they hash to {model.content_hash(texts)}): they "
                "were changed after training.\n"
                "  hint: restore the bundle from where it was saved, or retrain."
            )
        model._boosters = None  # parsed by LightGBM on first use
        model._texts = {t: texts[f"{t}.txt"] for t in TARGETS}
        model._source = source
        model._stack = _parse_stack(model._texts, source)  # the texts are checked here
        return model

    def save(self, path: str | os.PathLike[str]) -> str:
        """Save as a bundle folder (LightGBM text models + JSON manifest, see
        :mod:`arrearsrisk.models.bundle`), with the monitoring reference as
        :data:`MONITORING_FILE` when the model has one.  Returns the folder."""
        texts = self.booster_texts()
        if self.reference is not None:
            texts[MONITORING_FILE] = json.dumps(
                self.reference, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            )
        return str(write_bundle(path, texts, self.to_manifest()))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RiskModel:
        """Load a bundle folder written by :meth:`save`: the files, hashes and versions
        checked by :func:`~arrearsrisk.models.bundle.read_bundle`, then everything
        :meth:`from_manifest` checks.

        >>> RiskModel.load("models/sample").spec.names[:2]
        ('bills_due_count_3m', 'late_bills_count_3m')
        """
        folder = Path(path)
        source = str(folder / MANIFEST)

        def check(manifest: dict[str, Any]) -> None:
            check_model_fields(manifest, source)

        texts, manifest = read_bundle(folder, required=[f"{t}.txt" for t in TARGETS], check=check)
        model = cls.from_manifest(manifest, texts, source=source)
        if "model_version" not in manifest:
            model.version = folder.name
        if MONITORING_FILE in texts:  # its hash checked; parsed on first use
            model._reference_text = (texts[MONITORING_FILE], folder / MONITORING_FILE)
        return model


def _reference(text: str, file: Path) -> dict[str, Any]:
    """The monitoring reference's JSON object (its fields are checked when used)."""
    try:
        data = json.loads(text)
    except ValueError as err:
        raise BundleError(f"{file} is not valid JSON ({err}); the bundle is damaged.") from None
    if not isinstance(data, dict):
        raise BundleError(f"{file} must hold a JSON object; the bundle is damaged.")
    return data


def _parse_stack(texts: Mapping[str, str], source: str) -> EnsembleStack:
    """The text models (by target, or by bundle file name) walked as one; a text that
    is not a model raises the error of :func:`_parse_trees`, naming its file."""
    try:
        return EnsembleStack({t: texts.get(t, texts.get(f"{t}.txt", "")) for t in TARGETS})
    except BundleError as err:
        _parse_trees(texts, source)  # names the file at fault
        raise BundleError(f"{source}: the text models do not go together: {err}") from None


def _parse_trees(
    texts: Mapping[str, str], source: str, targets: tuple[str, ...] = TARGETS
) -> dict[str, TreeEnsemble]:
    """The text models (by target, or by bundle file name) as tree ensembles."""
    out = {}
    for target in targets:
        text = texts.get(target, texts.get(f"{target}.txt"))
        if text is None:
            raise BundleError(f"{source}: the text model {target}.txt is missing.")
        try:
            out[target] = TreeEnsemble(text)
        except BundleError as err:
            where = f"{source}: {target}.txt"
            if source.endswith(MANIFEST):  # the model file beside the manifest
                where = str(Path(source).with_name(f"{target}.txt"))
            raise BundleError(f"{where} is {err}") from None
    return out


def _parse_boosters(texts: Mapping[str, str], source: str) -> dict[str, lgb.Booster]:
    """The text models (by target) parsed by LightGBM (imported here)."""
    import lightgbm as lgb

    try:
        return {t: lgb.Booster(model_str=texts[t]) for t in TARGETS}
    except lgb.basic.LightGBMError as err:
        raise BundleError(f"{source}: LightGBM cannot read a model file: {err}.") from None
