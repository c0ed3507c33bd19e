"""Risk plans: one customer, one policy (一户一策).

:func:`risk_plans` turns the scores of every Grade I / II or warned customer into a
plan: the measures of the policy table (:mod:`arrearsrisk.plans.policy`) whose conditions
hold, each with the reason it applies, its amount and dated steps; a priority by
expected loss; the next review date; the responsible people; and what changed since
the previous scoring.  :func:`release_candidates` lists the Grade III customers whose
measures (deposit, guarantee) can be lifted.  Plans are data; :mod:`arrearsrisk.reports.html`
renders them.

What a condition sees (the *facts* of a customer):

* from the scores: grade, a_warning, p_I, exposure (average monthly bill), arrears,
  reasons; derived: ``expected_loss = p_I * exposure``, ``arrears_months =
  arrears / exposure``;
* from ``ledger.customers``: category, voltage_kv, ``tenure_months`` (since
  ``opened``), the flags prepaid, tenant, budget_funded, high_energy, restricted,
  guarantee, contact_ok, the optional ``high_hazard`` column, ``in_group`` (a
  non-empty ``group_id``), ``has_deposit`` (deposit > 0) and ``deposit_months =
  deposit / exposure`` (an unknown deposit counts as 0), plus any yes/no column named
  in a ``flags`` condition.  An unknown flag counts as *no*;
* from the payment history, only when a condition asks for it
  (``automatic_payment_share_below``, ``clean_months``), the features of
  :func:`~arrearsrisk.build_features` at the scores' ``as_of`` for the customers
  still in question (pass ``features=`` to reuse features already built):
  ``automatic_payment_share = channel_share_bank_debit_12m +
  channel_share_online_12m`` (no payment in 12 months counts as 0) and ``clean_N`` =
  no late bill due in the last N months, no arrears, and billed for at least N months.

A customer's disconnection measure (kind ``disconnection``) is never proposed when
``high_hazard`` is true, whatever the policy's conditions say.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import check_lang, money, text
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.plans.policy import CLEAN_WINDOWS, CONDITIONS, Measure, Policy, When, load_policy
from arrearsrisk.timeline import parse_as_of

__all__ = [
    "PLAN_COLUMNS",
    "PlanMeasure",
    "PlanStep",
    "plan_measures",
    "release_candidates",
    "risk_plans",
]

GRADES = ("I", "II", "III")
_RANK = {"I": 0, "II": 1, "III": 2}
_DAYS_PER_MONTH = 365.25 / 12
_STAFF_ROLES = ("head", "manager", "officer")
_FLAG_COLUMNS = (
    "prepaid",
    "tenant",
    "budget_funded",
    "high_energy",
    "restricted",
    "guarantee",
    "contact_ok",
    "high_hazard",
)
_TRUE = {"true", "1", "yes", "y", "t", "是"}
_FALSE = {"false", "0", "no", "n", "f", "否", ""}

PLAN_COLUMNS: tuple[str, ...] = (
    "priority",
    "customer_id",
    "as_of",
    "grade",
    "a_warning",
    "p_I",
    "p_II",
    "p_III",
    "p_warning",
    "exposure",
    "arrears",
    "expected_loss",
    "region",
    "industry",
    "category",
    "deposit",
    "high_hazard",
    "reasons",
    "previous_grade",
    "change",
    "new_warning",
    "change_text",
    "review_date",
    "head",
    "manager",
    "officer",
    "measure_codes",
    "measures",
    "model_version",
)
"""Columns of a plan table, in order (see :func:`risk_plans`)."""


class PlanStep(NamedTuple):
    """A dated step of a measure."""

    code: str
    name: str
    date: pd.Timestamp


class PlanMeasure(NamedTuple):
    """One measure of one customer's plan."""

    code: str
    kind: str
    name: str
    reason: str
    explanation: str
    amount: float | None
    amount_label: str
    steps: tuple[PlanStep, ...]


def risk_plans(
    scores: pd.DataFrame,
    ledger: Ledger,
    lang: str = "zh",
    policy: Policy | None = None,
    staff: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    *,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One plan per customer in Grade I or II or with an A-level warning.

    Parameters
    ----------
    scores : pandas.DataFrame
        The output of scoring (``CONTRACT.md`` section 3): customer_id, as_of (one
        date), grade, a_warning, p_I, exposure, arrears, and optionally p_II, p_III,
        p_warning, reasons (a list of texts per customer, or one text joined by
        ``"; "``) and model_version.
    ledger : Ledger
        The ledger the customers come from (flags, category, voltage, opening date,
        deposit, the optional ``high_hazard`` column; the payment history when a
        condition needs it).
    lang : {"zh", "en"}, default "zh"
        Language of names, reasons, steps and change notes.
    policy : Policy, optional
        The policy table; by default the shipped one (:func:`~arrearsrisk.load_policy`).
        Only measures of kind ``action`` and ``disconnection`` are proposed here.
    staff : pandas.DataFrame, optional
        Responsible people by region: columns region, head, manager, officer.  A row
        with region ``"*"`` covers regions not listed.
    previous : pandas.DataFrame, optional
        The previous scoring (customer_id, grade, optionally a_warning): fills
        previous_grade, change (``"new"``, ``"up"``, ``"down"``, ``"same"``: risk
        up is towards Grade I), new_warning and change_text.
    features : pandas.DataFrame, optional
        Features at the scores' ``as_of`` indexed by customer_id, if already built;
        otherwise they are built for the customers a history condition needs.

    Returns
    -------
    pandas.DataFrame
        One row per plan, sorted by ``priority`` (1 = work first: the largest
        ``expected_loss = p_I * exposure``; ties by p_warning, arrears, customer_id),
        with the columns of :data:`PLAN_COLUMNS`: the scores' figures, region,
        industry, category, deposit, high_hazard, reasons (tuple of texts), the
        change columns, review_date, head / manager / officer, measure_codes (tuple)
        and measures (tuple of :class:`PlanMeasure`, in policy order, each with its
        reason, amount and dated :class:`PlanStep`).

    Raises
    ------
    ArrearsRiskError
        If scores, staff or previous lack a column or hold a bad value, scores hold
        several as_of dates, or a customer is not in the ledger.

    Examples
    --------
    >>> import pandas as pd, arrearsrisk as ar
    >>> from arrearsrisk.plans.risk_plans import risk_plans
    >>> ledger = ar.read_ledger("data/sample")
    >>> scores = pd.DataFrame({
    ...     "customer_id": ["C0013", "C0003"], "as_of": "2025-09-30",
    ...     "grade": ["I", "II"], "p_I": [0.7, 0.2], "p_II": [0.2, 0.6],
    ...     "p_III": [0.1, 0.2], "a_warning": [True, False], "p_warning": [0.6, 0.05],
    ...     "exposure": [60000.0, 150.0], "arrears": [90000.0, 0.0],
    ...     "reasons": [["late bills in 12 months: 4"], []], "model_version": "demo"})
    >>> plans = risk_plans(scores, ledger, lang="en")
    >>> plans[["priority", "customer_id", "grade", "expected_loss"]]
       priority customer_id grade  expected_loss
    0         1       C0013     I        42000.0
    1         2       C0003    II           30.0
    >>> print(*plans.loc[0, "measure_codes"])  # doctest: +NORMALIZE_WHITESPACE
    follow_up guarantee instalments deposit auto_payment contact_update account_manager
    disconnection
    >>> m = plans.loc[0, "measures"][3]
    >>> m.name, m.amount
    ('Deposit against the bill', 120000.0)
    >>> print(m.reason)  # doctest: +NORMALIZE_WHITESPACE
    Risk Grade I; no prepaid meter; not budget-funded; category industrial;
    deposit covers 0.0 months' bills (< 2)
    >>> [(s.code, str(s.date.date())) for s in plans.loc[0, "measures"][-1].steps][-2:]
    [('publication', '2025-10-10'), ('disconnect', '2025-10-17')]
    """
    lang = check_lang(lang)
    policy = load_policy() if policy is None else policy
    scores, as_of = _check_scores(scores)
    needs = scores["grade"].isin(["I", "II"]).to_numpy() | scores["a_warning"].to_numpy()
    facts = _facts(scores[needs], ledger, as_of)
    measures = [m for m in policy.measures if m.kind in ("action", "disconnection")]
    proposed = _propose(facts, measures, ledger, as_of, lang, features)
    out = _frame(facts.frame, proposed, policy, as_of, lang, staff, previous)
    return _sort(out)


def release_candidates(
    scores: pd.DataFrame,
    ledger: Ledger,
    lang: str = "zh",
    policy: Policy | None = None,
    staff: pd.DataFrame | None = None,
    *,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Grade III customers without a warning whose measures can be released.

    The measures of kind ``release`` of the policy (by default: return the deposit,
    release the guarantee, for customers who paid on time with no arrears for 12
    months), in the same layout as :func:`risk_plans` but only for customers with at
    least one such measure, largest deposit first (``priority`` 1).

    Examples
    --------
    >>> import pandas as pd, arrearsrisk as ar
    >>> from arrearsrisk.plans.risk_plans import release_candidates
    >>> ledger = ar.read_ledger("data/sample")
    >>> held = ledger.customers.loc[ledger.customers["deposit"] > 0, "customer_id"]
    >>> scores = pd.DataFrame({"customer_id": held, "as_of": "2025-09-30", "grade": "III",
    ...     "p_I": 0.02, "a_warning": False, "exposure": 1000.0, "arrears": 0.0})
    >>> out = release_candidates(scores, ledger, lang="en")
    >>> bool((out["grade"] == "III").all()), out.loc[0, "measures"][0].code
    (True, 'release_deposit')
    """
    lang = check_lang(lang)
    policy = load_policy() if policy is None else policy
    scores, as_of = _check_scores(scores)
    needs = (scores["grade"] == "III").to_numpy() & ~scores["a_warning"].to_numpy()
    facts = _facts(scores[needs], ledger, as_of)
    measures = [m for m in policy.measures if m.kind == "release"]
    proposed = _propose(facts, measures, ledger, as_of, lang, features)
    keep = np.array([len(p) > 0 for p in proposed], dtype=bool)
    proposed = [p for p, k in zip(proposed, keep, strict=True) if k]
    out = _frame(facts.subset(keep).frame, proposed, policy, as_of, lang, staff, None)
    order = np.lexsort((out["customer_id"].to_numpy(dtype=str), -out["deposit"].fillna(0)))
    out = out.iloc[order].reset_index(drop=True)
    out["priority"] = np.arange(1, len(out) + 1)
    return out


def plan_measures(plans: pd.DataFrame) -> pd.DataFrame:
    """The measures of a plan table, one row per customer and measure.

    Columns: priority, customer_id, grade, a_warning, region, officer, code, kind,
    measure, reason, amount, amount_label, explanation, steps (``"YYYY-MM-DD name"``
    joined by ``"; "``), due_date (date of the last step, NaT without steps).

    Examples
    --------
    >>> import pandas as pd, arrearsrisk as ar
    >>> from arrearsrisk.plans.risk_plans import risk_plans, plan_measures
    >>> ledger = ar.read_ledger("data/sample")
    >>> scores = pd.DataFrame({"customer_id": ["C0013"], "as_of": "2025-09-30",
    ...     "grade": ["I"], "p_I": [0.7], "a_warning": [False], "exposure": [60000.0],
    ...     "arrears": [90000.0]})
    >>> long = plan_measures(risk_plans(scores, ledger, lang="en"))
    >>> long.loc[long["code"] == "disconnection", "due_date"].dt.date.tolist()
    [datetime.date(2025, 10, 17)]
    """
    rows: list[tuple[Any, ...]] = []
    cols = ("priority", "customer_id", "grade", "a_warning", "region", "officer", "measures")
    for pr, cid, grade, warn, region, officer, measures in zip(
        *(plans[c].tolist() for c in cols), strict=True
    ):
        for m in measures:
            steps = "; ".join(f"{s.date:%Y-%m-%d} {s.name}" for s in m.steps)
            due = m.steps[-1].date if m.steps else pd.NaT
            head = (pr, cid, grade, warn, region, officer, m.code, m.kind, m.name, m.reason)
            rows.append((*head, m.amount, m.amount_label, m.explanation, steps, due))
    names = [
        "priority",
        "customer_id",
        "grade",
        "a_warning",
        "region",
        "officer",
        "code",
        "kind",
        "measure",
        "reason",
        "amount",
        "amount_label",
        "explanation",
        "steps",
        "due_date",
    ]
    out = pd.DataFrame.from_records(rows, columns=names)
    out["amount"] = pd.to_numeric(out["amount"]).astype("float64")
    out["due_date"] = pd.to_datetime(out["due_date"])
    return out


# -- input checks ---------------------------------------------------------------------

_SCORE_REQUIRED = ("customer_id", "as_of", "grade", "a_warning", "p_I", "exposure", "arrears")


def _check_scores(scores: pd.DataFrame) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Scores with clean types, and their single as_of date."""
    if not isinstance(scores, pd.DataFrame):
        raise ArrearsRiskError(f"scores must be a pandas DataFrame, got {type(scores).__name__}.")
    missing = [c for c in _SCORE_REQUIRED if c not in scores.columns]
    if missing:
        raise ArrearsRiskError(
            f"scores: column(s) {missing} required but missing; scores have "
            f"{list(scores.columns)}.\n  hint: pass the output of scoring (CONTRACT.md §3)."
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
    out["a_warning"] = _as_flag(out["a_warning"], "scores", "a_warning")
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
    """Reasons as a tuple of texts, from a list or one text joined by ``"; "``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(";") if p.strip())
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value if v is not None and str(v).strip())
    return (str(value),)


def _as_flag(values: pd.Series, table: str, column: str) -> np.ndarray:
    """A yes/no column as a bool array; unknown counts as no."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool, na_value=False)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.fillna(0).to_numpy(dtype=np.float64) != 0
    text_values = values.astype("str").str.strip().str.lower().where(values.notna(), "")
    bad = ~text_values.isin(_TRUE | _FALSE)
    if bad.any():
        raise ArrearsRiskError(
            f"{table}: column '{column}' must be yes/no (true/false, 1/0), got "
            f"{sorted(set(values[bad].astype(str)))[:5]}."
        )
    return text_values.isin(_TRUE).to_numpy()


# -- facts ----------------------------------------------------------------------------


@dataclass
class _Facts:
    """The facts table, the customers' ledger rows (same order) and which rows have
    their payment-history facts filled in."""

    frame: pd.DataFrame
    customers: pd.DataFrame
    history_done: np.ndarray

    def subset(self, keep: np.ndarray) -> _Facts:
        return _Facts(
            self.frame[keep].reset_index(drop=True),
            self.customers[keep],
            self.history_done[keep],
        )


def _facts(scores: pd.DataFrame, ledger: Ledger, as_of: pd.Timestamp) -> _Facts:
    """The figures conditions test, one row per customer of ``scores`` (same order)."""
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
    facts["tenure_months"] = ((as_of - opened).dt.days / _DAYS_PER_MONTH).to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    for col in _FLAG_COLUMNS:
        if col in cust.columns:
            facts[col] = _as_flag(cust[col], "customers", col)
        else:
            facts[col] = False
    group = cust["group_id"].astype("str").str.strip()
    facts["in_group"] = (cust["group_id"].notna() & (group != "")).to_numpy(dtype=bool)
    deposit = cust["deposit"].to_numpy(dtype=np.float64, na_value=np.nan)
    facts["deposit"] = deposit
    facts["has_deposit"] = np.nan_to_num(deposit, nan=0.0) > 0
    facts["deposit_months"] = months_of_bills(np.nan_to_num(deposit, nan=0.0))
    facts["arrears_months"] = months_of_bills(facts["arrears"].to_numpy(dtype=np.float64))
    facts["expected_loss"] = facts["p_I"].to_numpy(dtype=np.float64) * exposure
    facts["reasons_text"] = [" | ".join(r).lower() for r in facts["reasons"]]
    facts["automatic_payment_share"] = np.nan
    for w in CLEAN_WINDOWS:
        facts[f"clean_{w}"] = False
    return _Facts(facts, cust, np.zeros(len(facts), dtype=bool))


def _history(
    facts: _Facts,
    rows: np.ndarray,
    ledger: Ledger,
    as_of: pd.Timestamp,
    features: pd.DataFrame | None,
) -> None:
    """Fill automatic_payment_share and clean_N in for ``rows`` (once per row)."""
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
    for w in CLEAN_WINDOWS:
        late = col(f"late_bills_count_{w}m")
        frame.loc[todo, f"clean_{w}"] = (late == 0) & (arrears <= 0.005) & (history >= w)
    facts.history_done[todo] = True


# -- evaluation -----------------------------------------------------------------------

_FORMATS = {
    "exposure": 0,
    "arrears": 0,
    "expected_loss": 0,
    "arrears_months": 1,
    "deposit_months": 1,
    "p_I": 2,
    "automatic_payment_share": 2,
    "tenure_months": 0,
    "voltage_kv": -1,
}


def _fmt(value: float, fact: str, limit: bool = False) -> str:
    """A customer figure (or, with ``limit``, a policy threshold) for a reason text."""
    digits = _FORMATS.get(fact, 2)
    if digits < 0 or (limit and float(value).is_integer()):
        return f"{value:,g}" if digits < 0 else money(value, 0)
    return money(value, digits)


def _block_mask(facts: _Facts, block: When) -> np.ndarray:
    mask = np.ones(len(facts.frame), dtype=bool)
    for key, value in block.conditions:
        mask &= _holds(facts.frame, key, value, facts.customers)
    return mask


def _holds(facts: pd.DataFrame, key: str, value: Any, cust: pd.DataFrame) -> np.ndarray:
    spec = CONDITIONS[key]
    if spec.kind in ("grades", "categories"):
        return facts[spec.fact].isin(list(value)).to_numpy()
    if spec.kind == "flag":
        return facts[spec.fact].to_numpy(dtype=bool) == value
    if spec.kind == "number":
        x = facts[spec.fact].to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            if spec.op == ">":
                return x > value
            if spec.op == ">=":
                return x >= value
            if spec.op == "<":
                return x < value
            return x <= value
    if spec.kind == "window":
        return facts[f"clean_{value}"].to_numpy(dtype=bool)
    if spec.kind == "keywords":
        pattern = "|".join(re.escape(w.lower()) for w in value)
        return facts["reasons_text"].str.contains(pattern, regex=True).to_numpy(dtype=bool)
    mask = np.ones(len(facts), dtype=bool)
    for column, flag in value:
        known = (
            _as_flag(cust[column], "customers", column)
            if column in cust.columns
            else np.zeros(len(facts), dtype=bool)
        )
        mask &= known == flag
    return mask


def _describe(facts: pd.DataFrame, rows: np.ndarray, block: When, lang: str) -> list[str]:
    """The reason a block holds for each of ``rows``: its conditions, in words."""
    parts: list[list[str]] = []
    n = len(rows)
    conditions: list[tuple[str, Any]] = list(block.conditions)
    for key, value in conditions:
        spec = CONDITIONS[key]
        if spec.kind == "grades":
            grades = facts["grade"].to_numpy()[rows]
            parts.append([text("cond_grade", lang, value=g) for g in grades])
        elif spec.kind == "categories":
            cats = facts["category"].to_numpy()[rows]
            parts.append([text("cond_category", lang, value=text(f"cat_{c}", lang)) for c in cats])
        elif spec.kind == "flag":
            parts.append([text(f"flag_{key}_{str(value).lower()}", lang)] * n)
        elif spec.kind == "number":
            limit = _fmt(value, spec.fact, limit=True)
            vals = facts[spec.fact].to_numpy(dtype=np.float64)[rows]
            parts.append(
                [text(f"cond_{key}", lang, value=_fmt(v, spec.fact), limit=limit) for v in vals]
            )
        elif spec.kind == "window":
            parts.append([text("cond_clean_months", lang, limit=value)] * n)
        elif spec.kind == "keywords":
            words = [w.lower() for w in value]
            hits = []
            for reasons in facts["reasons"].to_numpy()[rows]:
                hit = next((r for r in reasons if any(w in r.lower() for w in words)), "")
                hits.append(text("cond_reasons_any", lang, value=hit))
            parts.append(hits)
        else:
            for column, flag in value:
                key_text = f"flag_column_{str(flag).lower()}"
                parts.append([text(key_text, lang, column=column)] * n)
    sep = "；" if lang == "zh" else "; "
    return [sep.join(p) for p in zip(*parts, strict=True)] if parts else [""] * n


def _amounts(facts: pd.DataFrame, rows: np.ndarray, measure: Measure) -> list[float | None]:
    spec = measure.amount
    if spec is None:
        return [None] * len(rows)

    def fact(name: str) -> np.ndarray:
        values = facts[name].to_numpy(dtype=np.float64)[rows]
        return np.nan_to_num(values, nan=0.0) if name == "deposit" else values

    raw = fact(spec.base) * spec.times / spec.divided_by
    if spec.minus is not None:
        raw = raw - fact(spec.minus)
    steps = np.ceil(raw / spec.round_to - 1e-9)
    amount = steps * spec.round_to
    return [float(a) if a > 0 else None for a in np.nan_to_num(amount, nan=0.0)]


def _propose(
    facts: _Facts,
    measures: list[Measure],
    ledger: Ledger,
    as_of: pd.Timestamp,
    lang: str,
    features: pd.DataFrame | None,
) -> list[list[PlanMeasure]]:
    """The measures of each customer of ``facts``, in policy order."""
    n = len(facts.frame)
    out: list[list[PlanMeasure]] = [[] for _ in range(n)]
    hazard = facts.frame["high_hazard"].to_numpy(dtype=bool)
    for measure in measures:
        taken = np.zeros(n, dtype=bool)
        if measure.kind == "disconnection":
            taken |= hazard  # never for high-hazard customers
        explanation = measure.explanation(lang)
        label = measure.amount.label(lang) if measure.amount else ""
        steps = tuple(
            PlanStep(s.code, s.name(lang), as_of + pd.Timedelta(days=d))
            for s, d in zip(measure.steps, measure.step_days().values(), strict=True)
        )
        for block in measure.when:
            cheap = When(tuple(c for c in block.conditions if not CONDITIONS[c[0]].needs_features))
            mask = _block_mask(facts, cheap) & ~taken
            if block.needs_features and mask.any():
                _history(facts, np.flatnonzero(mask), ledger, as_of, features)
                mask &= _block_mask(facts, block)
            rows = np.flatnonzero(mask)
            if not len(rows):
                continue
            taken[rows] = True
            reasons = _describe(facts.frame, rows, block, lang)
            amounts = _amounts(facts.frame, rows, measure)
            for i, reason, amount in zip(rows.tolist(), reasons, amounts, strict=True):
                out[i].append(
                    PlanMeasure(
                        measure.code,
                        measure.kind,
                        measure.name(lang),
                        reason,
                        explanation,
                        amount,
                        label,
                        steps,
                    )
                )
    return [sorted(p, key=_order_of(measures)) for p in out]


def _order_of(measures: list[Measure]) -> Any:
    rank = {m.code: i for i, m in enumerate(measures)}
    return lambda pm: rank[pm.code]


# -- the plan table -------------------------------------------------------------------


def _frame(
    facts: pd.DataFrame,
    proposed: list[list[PlanMeasure]],
    policy: Policy,
    as_of: pd.Timestamp,
    lang: str,
    staff: pd.DataFrame | None,
    previous: pd.DataFrame | None,
) -> pd.DataFrame:
    out = pd.DataFrame(
        {c: facts[c] for c in PLAN_COLUMNS if c in facts.columns and c != "measures"}
    )
    days = [
        policy.review_after(g, bool(w))
        for g, w in zip(facts["grade"], facts["a_warning"], strict=True)
    ]
    out["review_date"] = as_of + pd.to_timedelta(days, unit="D")
    people = _people(facts["region"], staff)
    for role in _STAFF_ROLES:
        out[role] = people[role]
    _changes(out, previous, lang)
    out["measures"] = pd.Series([tuple(p) for p in proposed], index=out.index, dtype=object)
    out["measure_codes"] = pd.Series(
        [tuple(m.code for m in p) for p in proposed], index=out.index, dtype=object
    )
    out["reasons"] = pd.Series(list(facts["reasons"]), index=out.index, dtype=object)
    out["priority"] = 0
    return out[list(PLAN_COLUMNS)]


def _sort(plans: pd.DataFrame) -> pd.DataFrame:
    loss = plans["expected_loss"].fillna(-1.0).to_numpy()
    warn = plans["p_warning"].fillna(-1.0).to_numpy()
    arrears = plans["arrears"].fillna(-1.0).to_numpy()
    order = np.lexsort((plans["customer_id"].to_numpy(dtype=str), -arrears, -warn, -loss))
    out = plans.iloc[order].reset_index(drop=True)
    out["priority"] = np.arange(1, len(out) + 1)
    return out


def _people(regions: pd.Series, staff: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Head, manager and officer of each customer's region (``"*"`` = any other)."""
    empty = np.full(len(regions), None, dtype=object)
    if staff is None:
        return {role: empty for role in _STAFF_ROLES}
    if not isinstance(staff, pd.DataFrame):
        raise ArrearsRiskError(f"staff must be a pandas DataFrame, got {type(staff).__name__}.")
    missing = [c for c in ("region", *_STAFF_ROLES) if c not in staff.columns]
    if missing:
        raise ArrearsRiskError(
            f"staff: column(s) {missing} required but missing; staff has {list(staff.columns)}."
            "\n  hint: one row per region with region, head, manager, officer."
        )
    key = staff["region"].astype(str)
    if key.duplicated().any():
        raise ArrearsRiskError(
            f"staff: region must be unique; repeated: {sorted(set(key[key.duplicated()]))}."
        )
    table = staff.assign(region=key).set_index("region")
    wanted = regions.astype("str").where(regions.notna(), "*")
    listed = wanted.isin(table.index)
    wanted = wanted.where(listed, "*")
    found = table.reindex(pd.Index(wanted))
    return {role: found[role].to_numpy(dtype=object) for role in _STAFF_ROLES}


def _changes(out: pd.DataFrame, previous: pd.DataFrame | None, lang: str) -> None:
    n = len(out)
    if previous is None:
        out["previous_grade"] = pd.Series([None] * n, index=out.index, dtype=object)
        out["change"] = pd.Series([None] * n, index=out.index, dtype=object)
        out["new_warning"] = False
        out["change_text"] = ""
        return
    if not isinstance(previous, pd.DataFrame):
        raise ArrearsRiskError(
            f"previous must be a pandas DataFrame, got {type(previous).__name__}."
        )
    missing = [c for c in ("customer_id", "grade") if c not in previous.columns]
    if missing:
        raise ArrearsRiskError(
            f"previous: column(s) {missing} required but missing; previous has "
            f"{list(previous.columns)}."
        )
    prev = previous.assign(customer_id=previous["customer_id"].astype(str))
    prev = prev.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    ids = pd.Index(out["customer_id"])
    before = prev["grade"].astype("str").where(prev["grade"].notna()).reindex(ids)
    warned_before = (
        _as_flag(prev["a_warning"], "previous", "a_warning")
        if "a_warning" in prev.columns
        else np.zeros(len(prev), dtype=bool)
    )
    was_warned = pd.Series(warned_before, index=prev.index).reindex(ids, fill_value=False)
    change: list[str] = []
    texts: list[str] = []
    sep = "；" if lang == "zh" else "; "
    now_warned = out["a_warning"].to_numpy(dtype=bool)
    new_warning = now_warned & ~was_warned.to_numpy(dtype=bool)
    cleared = ~now_warned & was_warned.to_numpy(dtype=bool)
    for g, b, nw, cl in zip(out["grade"], before.to_numpy(), new_warning, cleared, strict=True):
        if not isinstance(b, str) or b not in _RANK:
            code, words = "new", [text("change_new", lang)]
        elif _RANK[g] < _RANK[b]:
            code, words = "up", [text("change_up", lang, before=b, after=g)]
        elif _RANK[g] > _RANK[b]:
            code, words = "down", [text("change_down", lang, before=b, after=g)]
        else:
            code, words = "same", [text("change_same", lang)]
        if nw:
            words.append(text("change_new_warning", lang))
        if cl:
            words.append(text("change_warning_cleared", lang))
        change.append(code)
        texts.append(sep.join(words))
    out["previous_grade"] = pd.Series(
        [b if isinstance(b, str) else None for b in before.to_numpy()],
        index=out.index,
        dtype=object,
    )
    out["change"] = pd.Series(change, index=out.index, dtype=object)
    out["new_warning"] = new_warning
    out["change_text"] = texts
