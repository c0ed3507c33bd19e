"""Risk plans: one customer, one policy (一户一策).

:func:`risk_plans` turns the scores of every Grade I / II or warned customer into a
plan: the measures of the policy table (:mod:`arrearsrisk.plans.policy`) whose conditions
hold, each with the reason it applies, its amount and dated steps; a priority by
expected loss; the next review date; the responsible people; and what changed since
the previous scoring.  :func:`plan_measures` lists the measures of a plan table one per
row.  :func:`~arrearsrisk.plans.release.release_candidates` lists the Grade III customers
whose measures (deposit, guarantee) can be lifted.  Plans are data;
:mod:`arrearsrisk.reports.html` renders them.

What a condition sees, the *facts* of a customer, is described in
:mod:`arrearsrisk.plans.facts`; the conditions themselves are the registry of
:mod:`arrearsrisk.plans.conditions`.

A customer's disconnection measure (kind ``disconnection``) is never proposed when
``high_hazard`` is true, whatever the policy's conditions say, nor when it or a flag the
measure's conditions test is unknown: the plan then holds the procedure and says why
(:mod:`arrearsrisk.plans.safety`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.plans.conditions import CONDITIONS, block_holds, block_reasons
from arrearsrisk.plans.facts import Facts, build_facts, check_scores, fill_history
from arrearsrisk.plans.people import STAFF_ROLES, add_changes, people
from arrearsrisk.plans.policy import Measure, Policy, load_policy
from arrearsrisk.plans.safety import (
    HOLD_EXPLANATION,
    HOLD_NAME,
    HOLD_SUFFIX,
    check_columns,
    hold_text,
    unknown_flags,
    warn_held,
)
from arrearsrisk.vocabulary import check_lang, join_items

__all__ = [
    "PLAN_COLUMNS",
    "PlanMeasure",
    "PlanStep",
    "plan_frame",
    "plan_measures",
    "propose",
    "risk_plans",
]

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
        The output of scoring (``docs/contract.md`` section 3): customer_id, as_of (one
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
    >>> ledger = ar.Ledger(ledger.customers.assign(high_hazard=False), ledger.bills,
    ...                    ledger.payments)  # the sample has no high-hazard flag
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
    scores, as_of = check_scores(scores)
    needs = scores["grade"].isin(["I", "II"]).to_numpy() | scores["a_warning"].to_numpy()
    facts = build_facts(scores[needs], ledger, as_of)
    measures = [m for m in policy.measures if m.kind in ("action", "disconnection")]
    proposed = propose(facts, measures, ledger, as_of, lang, features)
    out = plan_frame(facts.frame, proposed, policy, as_of, lang, staff, previous)
    return _sort(out)


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
    >>> ledger = ar.Ledger(ledger.customers.assign(high_hazard=False), ledger.bills,
    ...                    ledger.payments)  # the sample has no high-hazard flag
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


# -- measures -------------------------------------------------------------------------


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


def propose(
    facts: Facts,
    measures: list[Measure],
    ledger: Ledger,
    as_of: pd.Timestamp,
    lang: str,
    features: pd.DataFrame | None,
) -> list[list[PlanMeasure]]:
    """The measures of each customer of ``facts``, in policy order.

    A measure applies to a customer when all the conditions of one of its ``when``
    blocks hold; the first such block gives the reason.  The conditions on the payment
    history are evaluated last, and the history is filled in only for the customers the
    other conditions of the block leave in question.  A disconnection measure is never
    proposed to a high-hazard customer; for a customer whose high-hazard flag, or a flag
    the block tests, is unknown it is held: a measure ``<code>_hold`` says so in its
    place, and a :class:`~arrearsrisk.errors.LedgerWarning` counts the customers held.

    Parameters
    ----------
    facts : Facts
        The customers' facts (:func:`~arrearsrisk.plans.facts.build_facts`); their
        history is filled in as needed.
    measures : list of Measure
        The measures to consider, in policy order.
    ledger : Ledger
        For building the history features when ``features`` is not given.
    as_of : pandas.Timestamp
        The scoring date, from which steps are dated.
    lang : {"zh", "en"}
        Language of names, reasons, explanations and steps.
    features : pandas.DataFrame, optional
        Features at ``as_of`` indexed by customer_id, if already built.

    Returns
    -------
    list of list of PlanMeasure
        One list per row of ``facts.frame``.

    Raises
    ------
    PolicyError
        A measure tests a customer column the ledger lacks in every block, or a
        ``reasons_any`` word matches nothing (:func:`~arrearsrisk.plans.safety.check_columns`).
    """
    check_columns(measures, ledger)
    n = len(facts.frame)
    out: list[list[PlanMeasure]] = [[] for _ in range(n)]
    hazard = facts.frame["high_hazard"].to_numpy(dtype=bool)
    for measure in measures:
        taken = np.zeros(n, dtype=bool)
        held: dict[int, list[str]] = {}
        flags_held: dict[str, bool] = {}
        if measure.kind == "disconnection":
            taken |= hazard  # never for high-hazard customers
        explanation = measure.explanation(lang)
        label = measure.amount.label(lang) if measure.amount else ""
        steps = tuple(
            PlanStep(s.code, s.name(lang), as_of + pd.Timedelta(days=d))
            for s, d in zip(measure.steps, measure.step_days().values(), strict=True)
        )
        for block in measure.when:
            cheap = [c for c in block.conditions if not CONDITIONS[c[0]].needs_features]
            mask = block_holds(cheap, facts) & ~taken
            if block.needs_features and mask.any():
                fill_history(facts, np.flatnonzero(mask), ledger, as_of, features)
                mask &= block_holds(block.conditions, facts)
            if measure.kind == "disconnection" and mask.any():
                unsure_any = np.zeros(n, dtype=bool)
                for column, (unknown, missing) in unknown_flags(block.conditions, facts).items():
                    unsure = mask & unknown
                    if not unsure.any():
                        continue
                    unsure_any |= unsure
                    flags_held[column] = flags_held.get(column, False) or missing
                    text = hold_text(column, missing=missing, lang=lang)
                    for i in np.flatnonzero(unsure).tolist():
                        texts = held.setdefault(i, [])
                        if text not in texts:
                            texts.append(text)
                mask &= ~unsure_any  # an unknown flag never lets the procedure go ahead
            rows = np.flatnonzero(mask)
            if not len(rows):
                continue
            taken[rows] = True
            reasons = block_reasons(block.conditions, facts, rows, lang)
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
        held_rows = [i for i in held if not taken[i]]
        for i in held_rows:
            out[i].append(_hold(measure, held[i], lang))
        if held_rows:
            warn_held(measure, len(held_rows), flags_held)
    return [sorted(p, key=_order_of(measures)) for p in out]


def _hold(measure: Measure, texts: list[str], lang: str) -> PlanMeasure:
    """The measure standing in for ``measure`` held for unknown flags (``texts``)."""
    return PlanMeasure(
        measure.code + HOLD_SUFFIX,
        "action",
        HOLD_NAME[lang],
        join_items(texts, lang),
        HOLD_EXPLANATION[lang],
        None,
        "",
        (),
    )


def _order_of(measures: list[Measure]) -> Any:
    rank = {m.code: i for i, m in enumerate(measures)}
    rank.update({m.code + HOLD_SUFFIX: i for i, m in enumerate(measures)})
    return lambda pm: rank[pm.code]


# -- the plan table -------------------------------------------------------------------


def plan_frame(
    facts: pd.DataFrame,
    proposed: list[list[PlanMeasure]],
    policy: Policy,
    as_of: pd.Timestamp,
    lang: str,
    staff: pd.DataFrame | None,
    previous: pd.DataFrame | None,
) -> pd.DataFrame:
    """The plan table of ``facts`` (one row each) with the measures ``proposed``.

    Columns of :data:`PLAN_COLUMNS`; ``priority`` is left 0 for the caller to rank.
    """
    out = pd.DataFrame(
        {c: facts[c] for c in PLAN_COLUMNS if c in facts.columns and c != "measures"}
    )
    days = [
        policy.review_after(g, bool(w))
        for g, w in zip(facts["grade"], facts["a_warning"], strict=True)
    ]
    out["review_date"] = as_of + pd.to_timedelta(days, unit="D")
    named = people(facts["region"], staff)
    for role in STAFF_ROLES:
        out[role] = named[role]
    add_changes(out, previous, lang)
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
