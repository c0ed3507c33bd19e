"""One account scored in milliseconds: ``score_account(model, as_of, customer, bills,
payments, peers=None)``.

A billing system scoring an account when the customer calls or pays holds that
account's rows as plain Python data.  :func:`score_account` returns the account's row
of :func:`~arrearsrisk.scoring.scores.score` as a dict, the same values the monthly
batch gives it (with the batch's peer context), along one path that avoids pandas where
it costs most:

* the rows become a one-account :class:`~arrearsrisk.ledger.tables.Ledger` through
  :func:`~arrearsrisk.ledger.rows.account_ledger` (plainly valid rows are read without
  building DataFrames; anything else goes through the ledger's validator, so errors are
  its own);
* the features are :func:`~arrearsrisk.features.one_account.account_features` of that
  ledger: each feature family's one-account kernel in plain Python (``build_one``,
  twin-tested against the family's batch builder), on the account as of the date
  (:func:`~arrearsrisk.asof.account.account_snapshot`);
* the three boosters run in one numpy pass over the bundle's trees
  (:attr:`~arrearsrisk.models.risk_model.RiskModel.stack`), and the contributions
  behind the reasons on the Grade I trees (:mod:`arrearsrisk.models.tree_walk`), so
  neither loading a bundle nor scoring an account imports LightGBM;
* grades and probabilities come from the batch's arithmetic on one customer's
  numbers (:meth:`~arrearsrisk.models.risk_model.RiskModel.grade_one`, the same bits as
  :meth:`~arrearsrisk.models.risk_model.RiskModel.grade`), reasons from the same code
  as the batch (:func:`~arrearsrisk.scoring.reasons.top_reasons`).

Unlike :func:`~arrearsrisk.scoring.scores.score` of a one-account ledger, nothing warns
when ``as_of`` lies outside the account's own dates: the batch does not warn about a
dormant account, and one account's rows say nothing of whether an export covers the
date.  An account without any bill or payment is scored as the batch scores it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import numpy as np

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.features import PeerContext
from arrearsrisk.features.one_account import account_features
from arrearsrisk.ledger.rows import Rows, account_ledger
from arrearsrisk.models.risk_model import RiskModel
from arrearsrisk.scoring.reasons import top_reasons
from arrearsrisk.scoring.scores import check_attribute_types
from arrearsrisk.timeline import AsOf, parse_as_of
from arrearsrisk.vocabulary import GRADES, check_lang

__all__ = ["score_account"]


class _OneRow(Mapping[str, list[Any]]):
    """One account's values as one-row columns (what :func:`top_reasons` reads)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> list[Any]:
        return [self._values[name]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _peers(peers: PeerContext | str | os.PathLike[str] | None) -> PeerContext | None:
    if peers is None or isinstance(peers, PeerContext):
        return peers
    if isinstance(peers, str | os.PathLike):
        return PeerContext.load(peers)
    raise ArrearsRiskError(
        f"peers must be a PeerContext or the path of one saved with PeerContext.save, got "
        f"{type(peers).__name__}."
    )


def score_account(
    model: RiskModel | str | os.PathLike[str],
    as_of: AsOf,
    customer: Mapping[str, Any] | Rows,
    bills: Rows,
    payments: Rows,
    peers: PeerContext | str | os.PathLike[str] | None = None,
    lang: str = "zh",
    *,
    reasons: Literal["risky", "all", "none"] = "risky",
    top: int = 3,
) -> dict[str, Any]:
    """Grade one account from its own rows, as the batch grades it.

    Parameters
    ----------
    model : RiskModel, or str / path
        A loaded model (load it once: :func:`arrearsrisk.load_model`), a bundle folder or
        a ``models:/`` URI (loaded on each call: slower).
    as_of : str, date or Timestamp
        The scoring date; rows dated after it are ignored.
    customer : dict or pandas.DataFrame
        The customer's row: column name to value, the columns of the ledger's
        ``customers`` table (``customer_id`` and ``category`` required; extra columns
        are attributes, as in the ledger), or a one-row DataFrame.
    bills, payments : list of dict or pandas.DataFrame
        The account's rows of the ``bills`` and ``payments`` tables (whole history:
        payments settle the oldest bills first); either may be empty.
    peers : PeerContext, or str / path, optional
        The portfolio's peer context at ``as_of`` (:func:`arrearsrisk.peer_context` of
        the whole ledger), or the JSON file it was saved to with
        :meth:`~arrearsrisk.PeerContext.save`.  Without it the account is its own peer
        group and its peer rates differ from the batch's.
    lang : {"zh", "en"}, default "zh"
        Language of the reasons.
    reasons : {"risky", "all", "none"}, default "risky"
        As in :func:`arrearsrisk.score`: reasons for Grade I/II or warned accounts only,
        for every account, or none.
    top : int, default 3
        Reasons at most.

    Returns
    -------
    dict
        The account's row of :func:`arrearsrisk.score` (keys :data:`arrearsrisk.
        SCORE_COLUMNS`, in order): Python ``str``, ``float`` and ``bool`` values,
        ``as_of`` a ``Timestamp``.

    Raises
    ------
    LedgerError
        A row breaking a rule of the ledger schema, as :class:`arrearsrisk.Ledger`
        raises it (naming table, column, rule and rows); an attribute the model reads
        as a number holding text (rule ``attribute_type``).
    ArrearsRiskError
        On a bad date, language or ``reasons``, peers of another date, inputs the model
        needs missing from the rows, or an account not active at ``as_of`` (opened
        later: the batch has no row for it).
    BundleError
        If ``model`` names a damaged or incompatible bundle.

    See Also
    --------
    arrearsrisk.score : the same row for every customer of a ledger.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> model = ar.load_model("models/sample")
    >>> row = ar.score_account(
    ...     model, "2025-09-30",
    ...     {"customer_id": "C1", "category": "commercial", "industry": "F51",
    ...      "region": "R01", "opened": "2023-01-10"},
    ...     [{"customer_id": "C1", "period": "2025-08", "issue_date": "2025-09-01",
    ...       "due_date": "2025-09-15", "kwh": 5200.0, "amount": 4420.0}],
    ...     [], lang="en")
    >>> row["customer_id"], row["grade"], round(row["arrears"], 2)
    ('C1', 'I', 4420.0)
    >>> list(row) == list(ar.SCORE_COLUMNS)
    True
    """
    check_lang(lang)
    if reasons not in ("risky", "all", "none"):
        raise ArrearsRiskError(f"reasons must be 'risky', 'all' or 'none', got {reasons!r}.")
    if not isinstance(model, RiskModel):
        from arrearsrisk.models.loading import load_model

        model = load_model(model)
    ts = parse_as_of(as_of)
    context = _peers(peers)
    ledger = account_ledger(customer, bills, payments)
    account, values = account_features(ledger, ts, peers=context)
    if not account.active:
        raise ArrearsRiskError(
            f"customer {account.customer_id} is not active at {ts.date()}: it opened later "
            "(or, with no opening date, has no bill or payment by then), so it has no score.\n"
            "  hint: check as_of and the customer's 'opened' date."
        )
    if ledger.attribute_columns or ledger.identifier_columns:
        ids = np.array([account.customer_id], dtype=object)
        extra = {n: [values[n]] for n in ledger.attribute_columns if n in values}
        check_attribute_types(model.spec, ledger, extra, ids)
    x = model.spec.row(values)
    predicted, left = model.stack.walk(x)
    graded = model.grade_one({target: p[0] for target, p in predicted.items()})
    grade = GRADES[graded["code"]]
    warned = graded["a_warning"]
    text = ""
    if reasons == "all" or (reasons == "risky" and (grade != "III" or warned)):
        contrib = model.tree("grade_I").contributions(x, left["grade_I"])
        names = model.spec.names
        text = top_reasons(contrib, _OneRow(values), names, lang, top)[0]
    return {
        "customer_id": account.customer_id,
        "as_of": ts,
        "grade": grade,
        "p_I": graded["p_I"],
        "p_II": graded["p_II"],
        "p_III": graded["p_III"],
        "a_warning": warned,
        "p_warning": graded["p_warning"],
        "exposure": float(values["bill_amount_mean_12m"]),  # type: ignore[arg-type]
        "arrears": float(values["arrears_amount"]),  # type: ignore[arg-type]
        "reasons": str(text),
        "model_version": model.version,
    }
