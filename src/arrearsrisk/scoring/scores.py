"""The scoring function billing systems import: ``score(ledger, as_of, model)``.

One row per customer active at ``as_of``, with the columns ``docs/contract.md`` fixes:
customer_id, as_of, grade, p_I, p_II, p_III, a_warning, p_warning, exposure,
arrears, reasons, model_version.

Scoring imports neither MLflow nor matplotlib (unless ``model`` is a ``models:/``
URI), never writes, and keeps no state between calls: several threads may score
with one loaded :class:`~arrearsrisk.models.risk_model.RiskModel` at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from arrearsrisk.asof.snapshot import warn_outside_data
from arrearsrisk.errors import ArrearsRiskError, LedgerError
from arrearsrisk.features import PeerContext, feature_columns
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.models.risk_model import FeatureSpec, RiskModel
from arrearsrisk.scoring.reasons import top_reasons
from arrearsrisk.timeline import AsOf, parse_as_of
from arrearsrisk.vocabulary import check_lang

__all__ = ["SCORE_COLUMNS", "score"]

SCORE_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "as_of",
    "grade",
    "p_I",
    "p_II",
    "p_III",
    "a_warning",
    "p_warning",
    "exposure",
    "arrears",
    "reasons",
    "model_version",
)
"""The columns of :func:`score`, in order (``docs/contract.md``, section 3)."""

SMALL_BATCH = 64
"""Up to this many customers LightGBM runs on one thread (threads cost more than they
save on a few rows)."""


def check_features_date(features: pd.DataFrame, as_of: pd.Timestamp) -> None:
    """Refuse precomputed features built at another date than ``as_of`` (their date is
    ``features.attrs["as_of"]``, set by :func:`arrearsrisk.build_features`).

    >>> import arrearsrisk as ar
    >>> feats = ar.build_features(ar.read_ledger("data/sample"), "2025-08-31")
    >>> try:
    ...     check_features_date(feats, pd.Timestamp("2025-09-30"))
    ... except ar.ArrearsRiskError as err:
    ...     print(err)
    features were built as of 2025-08-31, scores are asked as of 2025-09-30.
      hint: build the features at the scoring date: ar.build_features(ledger, as_of).
    """
    if not isinstance(features, pd.DataFrame):
        raise ArrearsRiskError(
            f"features must be a DataFrame from ar.build_features, got {type(features).__name__}."
        )
    made = features.attrs.get("as_of")
    if made is None:
        raise ArrearsRiskError(
            "features carry no date (features.attrs['as_of'] is not set).\n"
            "  hint: build them with ar.build_features(ledger, as_of), which records the date."
        )
    if parse_as_of(made) != as_of:
        raise ArrearsRiskError(
            f"features were built as of {parse_as_of(made).date()}, scores are asked as of "
            f"{as_of.date()}.\n"
            "  hint: build the features at the scoring date: ar.build_features(ledger, as_of)."
        )


def check_attribute_types(
    spec: FeatureSpec, ledger: Ledger, feats: pd.DataFrame | Mapping[str, Any], ids: np.ndarray
) -> None:
    """Refuse an attribute the model learnt as a number that now holds text (e.g.
    ``"unknown"`` in next month's export), naming the column and the customers.

    Raises
    ------
    LedgerError
        Rule ``attribute_type`` (table ``customers``).
    """
    present = feats.columns if isinstance(feats, pd.DataFrame) else feats.keys()
    extra = set(ledger.attribute_columns) | set(ledger.identifier_columns)
    for name in spec.names:
        if name in spec.categories or name not in extra:
            continue
        if name not in present:
            if name in ledger.identifier_columns:
                raise LedgerError(
                    f"customers: column '{name}' is an input of the model, but in this ledger "
                    "it looks like a per-customer identifier (see the LedgerWarning), so it is "
                    "not a feature.\n"
                    "  hint: check the column's values: the model was trained on numbers.",
                    table="customers",
                    column=name,
                    rule="attribute_type",
                )
            continue
        values = feats[name]
        dtype = getattr(values, "dtype", None)
        if dtype is not None and (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        ):
            continue
        raw = pd.Series(np.asarray(values, dtype=object))
        bad = (pd.to_numeric(raw, errors="coerce").isna() & raw.notna()).to_numpy()
        shown = ", ".join(f"{ids[i]} ({raw.iloc[i]!r})" for i in np.flatnonzero(bad)[:5])
        raise LedgerError(
            f"customers: column '{name}' held numbers when the model was trained but now "
            f"holds text in {int(bad.sum()):,} of {len(raw):,} customers: {shown}.\n"
            "  hint: write a number, or leave the cell empty if it is unknown; or retrain "
            "on this ledger.",
            table="customers",
            column=name,
            rule="attribute_type",
        )


def score(
    ledger: Ledger,
    as_of: AsOf,
    model: RiskModel | str | os.PathLike[str],
    *,
    lang: str = "zh",
    reasons: Literal["risky", "all", "none"] = "risky",
    top: int = 3,
    peers: PeerContext | None = None,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Grade every customer of ``ledger`` active at ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        All customers (a monthly batch) or a single account's ledger.
    as_of : str, date or Timestamp
        The scoring date; data dated after it are ignored.
    model : RiskModel, or str / path
        A loaded model, a bundle folder, or an MLflow ``models:/NAME@ALIAS`` URI.
    lang : {"zh", "en"}, default "zh"
        Language of the reasons.
    reasons : {"risky", "all", "none"}, default "risky"
        Whose reasons to compute: Grade I/II or warned customers only (contributions
        cost far more than prediction), everyone, or no one (empty strings).
    top : int, default 3
        Reasons per customer.
    peers : PeerContext, optional
        Peer rates of the whole portfolio at ``as_of`` (:func:`arrearsrisk.peer_context`).
        Pass it when scoring one account or a partition: a small ledger has no peers.
    features : pandas.DataFrame, optional
        :func:`arrearsrisk.build_features` of this ledger at ``as_of``, when the caller
        has built them already (e.g. to share them with :func:`arrearsrisk.risk_plans`);
        ``peers`` is then unused.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCORE_COLUMNS`: grade ``"I"``/``"II"``/``"III"``, p_I + p_II +
        p_III = 1, a warned customer is Grade I; exposure is the average monthly bill
        (CNY, 12 months), arrears the amount overdue and unpaid at ``as_of``.

    Raises
    ------
    ArrearsRiskError
        On a bad date or language, when the ledger lacks inputs the model needs
        (the message names them), or when ``features`` were built at another date.
    LedgerError
        When an attribute the model reads as a number holds text (rule
        ``attribute_type``, naming column and customers).
    BundleError
        If ``model`` names a damaged or incompatible bundle.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> ledger = ar.read_ledger("data/sample")
    >>> scores = ar.score(ledger, "2025-09-30", "models/sample", lang="en")
    >>> list(scores.columns) == list(ar.SCORE_COLUMNS)
    True
    >>> one = ar.score(ledger.subset(["C0001"]), "2025-09-30", "models/sample",
    ...                peers=ar.peer_context(ledger, "2025-09-30"))
    >>> len(one)
    1
    """
    check_lang(lang)
    if reasons not in ("risky", "all", "none"):
        raise ArrearsRiskError(f"reasons must be 'risky', 'all' or 'none', got {reasons!r}.")
    if not isinstance(model, RiskModel):
        from arrearsrisk.models.loading import load_model

        model = load_model(model)
    ts = parse_as_of(as_of)
    warn_outside_data(ledger, ts)
    feats: pd.DataFrame | dict[str, Any]
    if features is None:
        ids, feats = feature_columns(ledger, ts, peers=peers)
    else:
        check_features_date(features, ts)
        ids, feats = features.index.to_numpy(), features
    check_attribute_types(model.spec, ledger, feats, ids)
    x = model.spec.matrix(feats)
    threads = 1 if len(x) <= SMALL_BATCH else 0
    pred = model.predict_matrix(x, num_threads=threads)
    texts = np.full(len(x), "", dtype=object)
    if reasons != "none" and len(x):
        rows = (
            np.arange(len(x))
            if reasons == "all"
            else np.flatnonzero((pred["grade"] != "III").to_numpy() | pred["a_warning"].to_numpy())
        )
        if len(rows):
            contrib = model.contributions(x[rows], "grade_I", num_threads=threads)
            texts[rows] = top_reasons(contrib, feats, model.spec.names, lang, top, rows=rows)
    return pd.DataFrame(
        {
            "customer_id": ids.astype(str),
            "as_of": ts,
            "grade": pred["grade"].astype(str).to_numpy(),
            "p_I": pred["p_I"].to_numpy(),
            "p_II": pred["p_II"].to_numpy(),
            "p_III": pred["p_III"].to_numpy(),
            "a_warning": pred["a_warning"].to_numpy(),
            "p_warning": pred["p_warning"].to_numpy(),
            "exposure": np.asarray(feats["bill_amount_mean_12m"], dtype=np.float64),
            "arrears": np.asarray(feats["arrears_amount"], dtype=np.float64),
            "reasons": texts.astype(str),
            "model_version": model.version,
        }
    )
