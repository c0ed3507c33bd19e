"""The facts of a customer: the figures the conditions of a policy test.

:func:`check_scores` cleans a scoring table, :func:`build_facts` joins it with the
customer table into the *facts* table (one row per customer, same order), and
:func:`fill_history` adds the payment-history figures for the rows a condition needs
them for.  :mod:`arrearsrisk.plans.conditions` evaluates conditions on these facts.

What a condition sees:

* from the scores: grade, a_warning, p_I, exposure (average monthly bill), arrears,
  reasons; derived: ``expected_loss = p_I * exposure``, ``arrears_months =
  arrears / exposure``;
* from ``ledger.customers``: category, voltage_kv, ``tenure_months`` (since
  ``opened``), the flags prepaid, tenant, budget_funded, high_energy, restricted,
  guarantee, contact_ok, the optional ``high_hazard`` column, ``in_group`` (a
  non-empty ``group_id``), ``has_deposit`` (deposit > 0) and ``deposit_months =
  deposit / exposure`` (an unknown deposit counts as 0), plus any yes/no column named
  in a ``flags`` condition.  An unknown flag counts as *no* for the conditions; for
  each flag, ``known_<flag>`` says whether it is known (a column the ledger lacks is
  unknown for everyone), so the disconnection procedure can stay on the safe side
  (:mod:`arrearsrisk.plans.safety`).  Columns are found by name after stripping
  spaces and case-folding (``" High_Hazard "`` is ``high_hazard``);
* from the payment history, only when a condition asks for it
  (``automatic_payment_share_below``, ``clean_months``), the features of
  :func:`~arrearsrisk.build_features` at the scores' ``as_of`` for the customers
  still in question (pass ``features=`` to reuse features already built):
  ``automatic_payment_share = channel_share_bank_debit_12m +
  channel_share_online_12m`` (no payment in 12 months counts as 0) and ``clean_N`` =
  no late bill due in the last N months, no arrears, and billed for at least N months.

Examples
--------
>>> facts = example_facts()
>>> facts.frame[["customer_id", "grade", "exposure", "clean_12"]]
  customer_id grade  exposure  clean_12
0        X001     I   25000.0     False
1        X002    II     800.0     False
2        X003   III       NaN      True
>>> as_flag(pd.Series(["yes", "否", None]), "customers", "tenant").tolist()
[True, False, False]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.timeline import parse_as_of
from arrearsrisk.vocabulary import (
    DAYS_PER_MONTH,
    FALSE_WORDS,
    GRADES,
    TRUE_WORDS,
    WINDOWS,
    split_items,
)

__all__ = [
    "FLAG_COLUMNS",
    "SCORE_REQUIRED",
    "Facts",
    "as_flag",
    "build_facts",
    "check_scores",
    "example_facts",
    "fill_history",
    "find_column",
    "is_known",
]

FLAG_COLUMNS: tuple[str, ...] = (
    "prepaid",
    "tenant",
    "budget_funded",
    "high_energy",
    "restricted",
    "guarantee",
    "contact_ok",
    "high_hazard",
)
"""Yes/no columns of the customer table copied into the facts (missing = all no)."""

SCORE_REQUIRED: tuple[str, ...] = (
    "customer_id",
    "as_of",
    "grade",
    "a_warning",
    "p_I",
    "exposure",
    "arrears",
)
"""Columns a scoring table must have to be planned."""

_NO_WORDS = FALSE_WORDS | {""}
"""No, in a flag column of the plans: a blank counts as no (an unknown flag)."""


# -- input checks ---------------------------------------------------------------------


def check_scores(scores: pd.DataFrame) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Scores with clean types, and their single as_of date.

    Parameters
    ----------
    scores : pandas.DataFrame
        The output of scoring (see :func:`~arrearsrisk.plans.risk_plans.risk_plans`).

    Returns
    -------
    scores : pandas.DataFrame
        A copy with a fresh index, customer_id and grade as text, a_warning as bool,
        the probabilities and amounts as float64 (NaN when absent), reasons as tuples
        of texts and model_version as text ("" when absent).
    as_of : pandas.Timestamp
        The scoring date.

    Raises
    ------
    ArrearsRiskError
        If a column is missing or holds a bad value, a customer repeats, or the scores
        hold no or several as_of dates.
    """
    if not isinstance(scores, pd.DataFrame):
        raise ArrearsRiskError(f"scores must be a pandas DataFrame, got {type(scores).__name__}.")
    missing = [c for c in SCORE_REQUIRED if c not in scores.columns]
    if missing:
        raise ArrearsRiskError(
            f"scores: column(s) {missing} required but missing; scores have "
            f"{list(scores.columns)}.\n  hint: pass the output of scoring "
            "(docs/contract.md, section 3)."
        )
    out = scores.reset_index(drop=True).copy()
    out["customer_id"] = out["customer_id"].astype(str)
    dup = out["customer_id"][out["customer_id"].duplicated()]
    if len(dup):
        raise ArrearsRiskError(
            f"scores: customer_id must be unique; repeated: {sorted(set(dup))[:5]}."
        )
    out["grade"] = out["grade"].astype(str)
    bad = ~out["grade"].isin(GRADES)
    if bad.any():
        raise ArrearsRiskError(
            f"scores: grade must be one of {list(GRADES)}; got "
            f"{sorted(set(out.loc[bad, 'grade']))[:5]} for customers "
            f"{out.loc[bad, 'customer_id'].tolist()[:5]}."
        )
    out["a_warning"] = as_flag(out["a_warning"], "scores", "a_warning")
    for col in ("p_I", "p_II", "p_III", "p_warning", "exposure", "arrears"):
        if col in out.columns:
            try:
                out[col] = pd.to_numeric(out[col]).astype("float64")
            except (TypeError, ValueError) as err:
                raise ArrearsRiskError(f"scores: column '{col}' must be numbers: {err}.") from err
        else:
            out[col] = np.nan
    dates: list[Any] = list(pd.to_datetime(out["as_of"]).dropna().unique()) if len(out) else []
    if len(dates) != 1:
        if len(out) == 0:
            raise ArrearsRiskError("scores: no rows, so no as_of date to plan from.")
        raise ArrearsRiskError(
            "scores: as_of must be one date, got "
            f"{sorted(str(pd.Timestamp(d).date()) for d in dates)}."
            "\n  hint: plan one scoring at a time."
        )
    as_of = parse_as_of(pd.Timestamp(dates[0]))
    out["as_of"] = as_of
    out["reasons"] = [_reasons(r) for r in out["reasons"]] if "reasons" in out else [()] * len(out)
    out["model_version"] = (
        out["model_version"].astype(str) if "model_version" in out else [""] * len(out)
    )
    return out, as_of


def _reasons(value: Any) -> tuple[str, ...]:
    """Reasons as a tuple of texts, from a list or one text joined by ``"；"`` or
    ``"; "`` (:func:`~arrearsrisk.vocabulary.split_items`: no reason text holds either).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        return tuple(split_items(value))
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value if v is not None and str(v).strip())
    return (str(value),)


def as_flag(values: pd.Series, table: str, column: str) -> np.ndarray:
    """A yes/no column as a bool array; unknown (missing or blank) counts as no.

    Parameters
    ----------
    values : pandas.Series
        Booleans, numbers (non-zero is yes) or the texts of
        :data:`~arrearsrisk.vocabulary.TRUE_WORDS` / :data:`~arrearsrisk.vocabulary.FALSE_WORDS`.
    table, column : str
        Where the values come from, for the error message.

    Raises
    ------
    ArrearsRiskError
        If a text is neither a yes nor a no.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool, na_value=False)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.fillna(0).to_numpy(dtype=np.float64) != 0
    text_values = values.astype("str").str.strip().str.lower().where(values.notna(), "")
    bad = ~text_values.isin(TRUE_WORDS | _NO_WORDS)
    if bad.any():
        raise ArrearsRiskError(
            f"{table}: column '{column}' must be yes/no (true/false, 1/0), got "
            f"{sorted(set(values[bad].astype(str)))[:5]}."
        )
    return text_values.isin(TRUE_WORDS).to_numpy()


def _normal(name: object) -> str:
    return str(name).replace("\u3000", " ").strip().strip("\ufeff").casefold()


def find_column(table: pd.DataFrame, name: str) -> str | None:
    """The column of ``table`` named ``name``, exactly or else after stripping spaces
    and case-folding; ``None`` if there is none (or several match loosely).

    >>> find_column(pd.DataFrame(columns=["customer_id", " High_Hazard "]), "high_hazard")
    ' High_Hazard '
    >>> find_column(pd.DataFrame(columns=["customer_id"]), "high_hazard") is None
    True
    """
    if name in table.columns:
        return name
    loose = [c for c in table.columns if _normal(c) == _normal(name)]
    return loose[0] if len(loose) == 1 else None


def is_known(values: pd.Series) -> np.ndarray:
    """Which values of a yes/no column are known: not missing, not a blank text.

    >>> is_known(pd.Series(["yes", " ", None, "否"])).tolist()
    [True, False, False, True]
    """
    known = values.notna().to_numpy(dtype=bool)
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return known
    blank = values.astype("str").str.strip().eq("").to_numpy(dtype=bool)
    return known & ~blank


# -- facts ----------------------------------------------------------------------------


@dataclass
class Facts:
    """The facts table, the customers' ledger rows (same order) and which rows have
    their payment-history facts filled in.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per customer: the clean scores plus the figures listed in the module
        docstring.
    customers : pandas.DataFrame
        The customers' rows of ``ledger.customers``, indexed by customer_id, in the
        order of ``frame`` (for ``flags`` conditions on any column).
    history_done : numpy.ndarray of bool
        Rows whose ``automatic_payment_share`` and ``clean_N`` are filled in.
    """

    frame: pd.DataFrame
    customers: pd.DataFrame
    history_done: np.ndarray

    def subset(self, keep: np.ndarray) -> Facts:
        """The facts of the rows where ``keep`` is true."""
        return Facts(
            self.frame[keep].reset_index(drop=True),
            self.customers[keep],
            self.history_done[keep],
        )


def build_facts(scores: pd.DataFrame, ledger: Ledger, as_of: pd.Timestamp) -> Facts:
    """The figures conditions test, one row per customer of ``scores`` (same order).

    ``scores`` are clean (:func:`check_scores`).  The payment-history figures start
    unknown (``automatic_payment_share`` NaN, ``clean_N`` false); :func:`fill_history`
    fills them in.

    Raises
    ------
    ArrearsRiskError
        If a customer of ``scores`` is not in the ledger.
    """
    facts = scores.reset_index(drop=True)
    customers = ledger.customers.set_index("customer_id")
    ids = pd.Index(facts["customer_id"])
    unknown = ids.difference(customers.index)
    if len(unknown):
        raise ArrearsRiskError(
            f"scores: {len(unknown)} customer_id not in the ledger, e.g. {list(unknown[:5])}."
            "\n  hint: plan with the ledger the scores were made from."
        )
    cust = customers.reindex(ids)
    exposure = facts["exposure"].to_numpy(dtype=np.float64)

    def months_of_bills(amount: np.ndarray) -> np.ndarray:
        out = np.full(len(amount), np.nan)
        np.divide(amount, exposure, out=out, where=exposure > 0)
        return out

    facts["category"] = cust["category"].astype(str).to_numpy()
    for col in ("region", "industry"):
        facts[col] = cust[col].to_numpy() if col in cust else None
    facts["voltage_kv"] = cust["voltage_kv"].to_numpy(dtype=np.float64, na_value=np.nan)
    opened = pd.to_datetime(cust["opened"])
    facts["tenure_months"] = ((as_of - opened).dt.days / DAYS_PER_MONTH).to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    for col in FLAG_COLUMNS:
        found = find_column(cust, col)
        if found is not None:
            facts[col] = as_flag(cust[found], "customers", col)
            facts[f"known_{col}"] = is_known(cust[found])
        else:
            facts[col] = False
            facts[f"known_{col}"] = False
    group = cust["group_id"].astype("str").str.strip()
    facts["in_group"] = (cust["group_id"].notna() & (group != "")).to_numpy(dtype=bool)
    deposit = cust["deposit"].to_numpy(dtype=np.float64, na_value=np.nan)
    facts["deposit"] = deposit
    facts["has_deposit"] = np.nan_to_num(deposit, nan=0.0) > 0
    facts["deposit_months"] = months_of_bills(np.nan_to_num(deposit, nan=0.0))
    facts["arrears_months"] = months_of_bills(facts["arrears"].to_numpy(dtype=np.float64))
    facts["expected_loss"] = facts["p_I"].to_numpy(dtype=np.float64) * exposure
    facts["automatic_payment_share"] = np.nan
    for w in WINDOWS:
        facts[f"clean_{w}"] = False
    return Facts(facts, cust, np.zeros(len(facts), dtype=bool))


def fill_history(
    facts: Facts,
    rows: np.ndarray,
    ledger: Ledger,
    as_of: pd.Timestamp,
    features: pd.DataFrame | None,
) -> None:
    """Fill automatic_payment_share and clean_N in for ``rows`` (once per row).

    Parameters
    ----------
    facts : Facts
        Changed in place.
    rows : numpy.ndarray of int
        Positions in ``facts.frame``; rows already filled in are skipped.
    ledger : Ledger
        The payment history, when ``features`` is not given.
    as_of : pandas.Timestamp
        The scoring date.
    features : pandas.DataFrame, optional
        Features at ``as_of`` indexed by customer_id; by default built for ``rows``.

    Raises
    ------
    ArrearsRiskError
        If ``features`` lack a column the figures need.
    """
    todo = rows[~facts.history_done[rows]]
    if not len(todo):
        return
    frame = facts.frame
    ids = frame["customer_id"].to_numpy()[todo]
    if features is None:
        from arrearsrisk.features import build_features

        feats = build_features(ledger.subset(list(ids)), as_of)
    else:
        feats = features
    feats = feats.reindex(pd.Index(ids))

    def col(name: str) -> np.ndarray:
        if name not in feats.columns:
            raise ArrearsRiskError(
                f"features: column '{name}' is needed by the policy but missing.\n"
                "  hint: pass the output of build_features at the scores' as_of."
            )
        return feats[name].to_numpy(dtype=np.float64, na_value=np.nan)

    share = np.nan_to_num(col("channel_share_bank_debit_12m"), nan=0.0) + np.nan_to_num(
        col("channel_share_online_12m"), nan=0.0
    )
    share[np.isnan(col("payments_count_12m"))] = np.nan  # not active at as_of: unknown
    frame.loc[todo, "automatic_payment_share"] = share
    arrears = frame["arrears"].to_numpy(dtype=np.float64)[todo]
    history = col("billing_history_months")
    for w in WINDOWS:
        late = col(f"late_bills_count_{w}m")
        frame.loc[todo, f"clean_{w}"] = (late == 0) & (arrears <= 0.005) & (history >= w)
    facts.history_done[todo] = True


def example_facts() -> Facts:
    """A small facts table of three made-up customers, history filled in.

    Every column :func:`build_facts` and :func:`fill_history` make is there, with a
    mix of values (every grade, yes and no flags, an unknown monthly bill), and the
    customer table has a ``capacity_increase`` column; for checking a condition
    (:func:`~arrearsrisk.plans.conditions.check_condition`) without a ledger.
    """
    ids = ["X001", "X002", "X003"]
    reasons = [("late bills in 12 months: 4", "arrears 3 months"), ("近12个月逾期2笔",), ()]
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "as_of": pd.Timestamp("2025-09-30"),
            "grade": ["I", "II", "III"],
            "p_I": [0.7, 0.2, 0.01],
            "a_warning": [True, False, False],
            "p_II": [0.2, 0.6, 0.09],
            "p_III": [0.1, 0.2, 0.9],
            "p_warning": [0.6, 0.05, 0.0],
            "exposure": [25000.0, 800.0, np.nan],
            "arrears": [60000.0, 0.0, 0.0],
            "reasons": reasons,
            "model_version": "example",
            "category": ["industrial", "residential", "public"],
            "region": ["East", "West", None],
            "industry": ["C33", None, None],
            "voltage_kv": [10.0, 0.4, np.nan],
            "tenure_months": [8.0, 130.5, np.nan],
            "prepaid": [False, True, False],
            "tenant": [True, False, False],
            "budget_funded": [False, False, True],
            "high_energy": [True, False, False],
            "restricted": [False, False, False],
            "guarantee": [False, True, False],
            "contact_ok": [False, True, True],
            "high_hazard": [False, False, True],
            "in_group": [False, True, False],
            "deposit": [0.0, 1200.0, np.nan],
            "has_deposit": [False, True, False],
            "deposit_months": [0.0, 1.5, np.nan],
            "arrears_months": [2.4, 0.0, np.nan],
            "expected_loss": [17500.0, 160.0, np.nan],
            "automatic_payment_share": [0.0, 0.75, np.nan],
            **{f"clean_{w}": [False, w <= 6, True] for w in WINDOWS},
            **{f"known_{c}": [True, True, True] for c in FLAG_COLUMNS},
        }
    )
    customers = pd.DataFrame(
        {"capacity_increase": [True, False, None], "deposit": [0.0, 1200.0, np.nan]},
        index=pd.Index(ids, name="customer_id"),
    )
    return Facts(frame, customers, np.ones(len(ids), dtype=bool))
