"""Risk plans: one customer, one policy (一户一策).

:func:`risk_plans` turns the scores of every Grade I / II or warned customer into a
plan: the measures of the policy table (:mod:`arrearsrisk.plans.policy`) whose conditions
hold, each with the reason it applies, its amount, dated steps, due date and status
(the first action marked); a priority by money at risk (:mod:`arrearsrisk.plans.priority`:
the amount expected still unpaid over the horizon, with A-level warnings and legal
deadlines jumping the queue); the next review date; the responsible people; and what
changed since the previous scoring.  Given last month's plans or the statuses a
station filled in (:mod:`arrearsrisk.plans.status`), plans continue: measures keep their
status and first date, and those past their due date are overdue.
:func:`plan_measures` lists the measures of a plan table one per row.
:func:`~arrearsrisk.plans.release.release_candidates` lists the Grade III customers
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

import os
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from arrearsrisk.ledger.schema import CONTACT_COLUMNS
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.plans.conditions import CONDITIONS, block_holds, block_reasons
from arrearsrisk.plans.facts import Facts, build_facts, check_scores, fill_history
from arrearsrisk.plans.people import STAFF_ROLES, add_changes, check_staff, fill_people, people
from arrearsrisk.plans.policy import Measure, Policy, load_policy
from arrearsrisk.plans.priority import (
    category_ranks,
    jump_reasons,
    money_at_risk,
    queue,
    review_dates,
    spread_reviews,
)
from arrearsrisk.plans.safety import (
    HOLD_EXPLANATION,
    HOLD_NAME,
    HOLD_SUFFIX,
    check_columns,
    hold_text,
    unknown_flags,
    warn_held,
)
from arrearsrisk.plans.status import (
    CLOSED,
    carry_statuses,
    has_statuses,
    previous_grades,
    read_statuses,
)
from arrearsrisk.scoring.reasons import translate_reasons
from arrearsrisk.vocabulary import check_lang, join_items

__all__ = [
    "PLAN_COLUMNS",
    "PlanMeasure",
    "PlanStep",
    "add_contacts",
    "plan_frame",
    "plan_measures",
    "propose",
    "rank_plans",
    "risk_plans",
]

PLAN_COLUMNS: tuple[str, ...] = (
    "priority",
    "category_priority",
    "jump",
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
    "loss_at_risk",
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
    "first_action",
    "first_due",
    "overdue",
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
    """One measure of one customer's plan.

    ``proposed`` is the date it was first proposed (this scoring's, or the one it was
    carried over from), ``due`` that date plus the measure's lead time; ``status`` one
    of :data:`~arrearsrisk.plans.status.STATUS_CODES`, set on ``status_date`` by
    ``status_by``; ``overdue``: past its due date and neither done nor waived;
    ``first``: the plan's first action (its open measure due first).
    """

    code: str
    kind: str
    name: str
    reason: str
    explanation: str
    amount: float | None
    amount_label: str
    steps: tuple[PlanStep, ...]
    proposed: pd.Timestamp = pd.NaT  # type: ignore[assignment]  # NaT: not dated
    due: pd.Timestamp = pd.NaT  # type: ignore[assignment]
    status: str = "proposed"
    status_date: pd.Timestamp = pd.NaT  # type: ignore[assignment]
    status_by: str = ""
    overdue: bool = False
    first: bool = False


def risk_plans(
    scores: pd.DataFrame,
    ledger: Ledger,
    lang: str = "zh",
    policy: Policy | None = None,
    staff: pd.DataFrame | None = None,
    previous: pd.DataFrame | str | os.PathLike[str] | None = None,
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
        The staff table (:mod:`arrearsrisk.plans.people`): one row per person with
        region, role (head / manager / officer), staff_id, name and the officers' cap,
        or one row per region with head, manager, officer.  A row with region ``"*"``
        covers regions not listed.  Each area's plans go to its officers in priority
        order, to the least loaded with room; a
        :class:`~arrearsrisk.errors.StaffWarning` names the areas left uncovered or
        beyond their officers' caps.
    previous : pandas.DataFrame or path, optional
        Last month, one of: the previous scoring (customer_id, grade, optionally
        a_warning); last month's plans frame; or a table of its measures with the
        station's status columns (status / 办理状态, status_date / 办理日期, status_by /
        办理人; a DataFrame, or the path of the workbook or a CSV:
        :func:`~arrearsrisk.plans.status.read_statuses`).  Its grades fill
        previous_grade, change (``"new"``, ``"up"``, ``"down"``, ``"same"``: risk up
        is towards Grade I), new_warning and change_text; its statuses are carried
        into this month's measures by customer and measure code
        (:func:`~arrearsrisk.plans.status.carry_statuses`): a measure keeps its
        status and the date it was first proposed (its steps and due date run from
        it), done or waived stays so, and one past its due date not done is overdue.
    features : pandas.DataFrame, optional
        Features at the scores' ``as_of`` indexed by customer_id, if already built;
        otherwise they are built for the customers a history condition needs.

    Returns
    -------
    pandas.DataFrame
        One row per plan, sorted by ``priority`` (1 = work first): first the plans
        the policy's ``[priority] jump`` lets jump the queue (``jump``: ``"deadline"``,
        an open measure reaching a legal date within ``deadline_days``;
        ``"warning"``, an A-level warning), each group by ``loss_at_risk``, the money
        at risk in CNY over the horizon (元/3个月,
        :func:`~arrearsrisk.plans.priority.money_at_risk`); ties by p_warning,
        arrears, customer_id.  ``category_priority`` numbers the plans within each
        usage category.  ``expected_loss`` is the older ``p_I * exposure`` (CNY per
        month).  With the columns of :data:`PLAN_COLUMNS`: the scores' figures,
        region, industry, category, deposit, high_hazard, reasons (tuple of texts),
        the change columns, review_date, first_action (the code of the open measure
        due first, ``""`` when none is open), first_due (its due date), overdue
        (how many measures are overdue), head / manager / officer, measure_codes
        (tuple) and measures (tuple of :class:`PlanMeasure`, in policy order, each
        with its reason, amount, dated :class:`PlanStep`, due date and status).
        After them, the customer's contact details the ledger holds (account_name,
        supply_address, phone_number; :func:`add_contacts`), never used for the plan.

    Raises
    ------
    ArrearsRiskError
        If scores, staff or previous lack a column or hold a bad value (an unknown
        status, a date that is not a date, a customer and measure twice), scores hold
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
    >>> plans[["priority", "customer_id", "grade", "loss_at_risk", "expected_loss"]]
       priority customer_id grade  loss_at_risk  expected_loss
    0         1       C0013     I      115200.0        42000.0
    1         2       C0003    II          22.5           30.0
    >>> plans.loc[0, "first_action"], str(plans.loc[0, "first_due"].date())
    ('follow_up', '2025-10-03')
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
    staff = None if staff is None else check_staff(staff)
    scores, as_of = check_scores(scores)
    grades, statuses = _previous(previous)
    needs = scores["grade"].isin(["I", "II"]).to_numpy() | scores["a_warning"].to_numpy()
    facts = build_facts(scores[needs], ledger, as_of)
    measures = [m for m in policy.measures if m.kind in ("action", "disconnection")]
    proposed = propose(facts, measures, ledger, as_of, lang, features)
    out = plan_frame(facts.frame, proposed, policy, as_of, lang, None, grades, statuses=statuses)
    out = _sort(out, policy)
    add_contacts(out, ledger)
    fill_people(out, staff)  # officers are handed customers in priority order
    out.attrs["horizon_months"] = policy.priority.horizon_months  # the unit of loss_at_risk
    return out


def add_contacts(plans: pd.DataFrame, ledger: Ledger) -> None:
    """Append to ``plans`` the contact columns (:data:`CONTACT_COLUMNS`: account_name,
    supply_address, phone_number) of which the ledger holds any value, each plan's
    customer's, as text (``NA`` when blank); a column the ledger leaves empty is not
    added.  They follow the columns of :data:`PLAN_COLUMNS`, which stay the plan's
    fixed columns.

    >>> import arrearsrisk as ar
    >>> customers = pd.DataFrame({"customer_id": ["A", "B"], "category": "residential",
    ...                           "phone_number": ["0530-0012345", " "]})
    >>> ledger = ar.Ledger(customers, pd.DataFrame(columns=["customer_id", "period",
    ...     "issue_date", "due_date", "kwh", "amount"]), pd.DataFrame(columns=[
    ...     "customer_id", "paid_date", "amount"]))
    >>> plans = pd.DataFrame({"customer_id": ["B", "A"]})
    >>> add_contacts(plans, ledger)
    >>> plans["phone_number"].isna().tolist(), plans.loc[1, "phone_number"]
    ([True, False], '0530-0012345')
    """
    customers = ledger.customers
    held = [c for c in CONTACT_COLUMNS if c in customers.columns]
    if not held:
        return
    table = customers[["customer_id", *held]].set_index("customer_id")
    ids = plans["customer_id"].astype("str")
    for col in held:
        text = table[col].astype("str").str.strip()
        text = text.where(text != "")
        if text.notna().any():
            plans[col] = pd.Series(text.reindex(ids).array, index=plans.index)


def _previous(previous: Any) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Last month's grades (for the change columns) and statuses, from ``previous``."""
    if previous is None:
        return None, None
    if isinstance(previous, pd.DataFrame) and not has_statuses(previous):
        return previous, None  # a previous scoring: grades only
    statuses = read_statuses(previous)
    if isinstance(previous, pd.DataFrame) and "measures" in previous.columns:
        return previous, statuses
    return previous_grades(statuses), statuses


def plan_measures(plans: pd.DataFrame) -> pd.DataFrame:
    """The measures of a plan table, one row per customer and measure.

    Columns: priority, customer_id, grade, a_warning, region, officer, code, kind,
    measure, reason, amount, amount_label, explanation, steps (``"YYYY-MM-DD name"``
    joined by ``"; "``), first (the plan's first action), proposed_date (first
    proposed), due_date (proposed_date plus the measure's lead time), status (a code
    of :data:`~arrearsrisk.plans.status.STATUS_CODES`), status_date, status_by and
    overdue.  Read back with its status columns, it is a valid ``previous`` of
    :func:`risk_plans`.

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
    >>> long.loc[long["first"], ["code", "due_date", "status"]].to_numpy().tolist()
    [['follow_up', Timestamp('2025-10-03 00:00:00'), 'proposed']]
    """
    rows: list[tuple[Any, ...]] = []
    cols = ("priority", "customer_id", "grade", "a_warning", "region", "officer", "measures")
    for pr, cid, grade, warn, region, officer, measures in zip(
        *(plans[c].tolist() for c in cols), strict=True
    ):
        for m in measures:
            steps = "; ".join(f"{s.date:%Y-%m-%d} {s.name}" for s in m.steps)
            head = (pr, cid, grade, warn, region, officer, m.code, m.kind, m.name, m.reason)
            rows.append(
                (
                    *head,
                    m.amount,
                    m.amount_label,
                    m.explanation,
                    steps,
                    m.first,
                    m.proposed,
                    m.due,
                    m.status,
                    m.status_date,
                    m.status_by,
                    m.overdue,
                )
            )
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
        "first",
        "proposed_date",
        "due_date",
        "status",
        "status_date",
        "status_by",
        "overdue",
    ]
    out = pd.DataFrame.from_records(rows, columns=names)
    out["amount"] = pd.to_numeric(out["amount"]).astype("float64")
    for col in ("proposed_date", "due_date", "status_date"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    for col in ("first", "overdue"):
        out[col] = out[col].astype(bool)
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
        due = as_of + pd.Timedelta(days=measure.lead_days())
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
                        as_of,
                        due,
                    )
                )
        held_rows = [i for i in held if not taken[i]]
        for i in held_rows:
            out[i].append(_hold(measure, held[i], lang, as_of))
        if held_rows:
            warn_held(measure, len(held_rows), flags_held)
    return [sorted(p, key=_order_of(measures)) for p in out]


def _hold(measure: Measure, texts: list[str], lang: str, as_of: pd.Timestamp) -> PlanMeasure:
    """The measure standing in for ``measure`` held for unknown flags (``texts``): due
    by the measure's first step (the flags are checked before it), else its lead time."""
    days = next(iter(measure.step_days().values())) if measure.steps else measure.lead_days()
    return PlanMeasure(
        measure.code + HOLD_SUFFIX,
        "action",
        HOLD_NAME[lang],
        join_items(texts, lang),
        HOLD_EXPLANATION[lang],
        None,
        "",
        (),
        as_of,
        as_of + pd.Timedelta(days=days),
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
    *,
    statuses: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The plan table of ``facts`` (one row each) with the measures ``proposed``.

    Columns of :data:`PLAN_COLUMNS`; ``statuses`` (:func:`~arrearsrisk.plans.status.read_statuses`)
    are carried into the measures; ``priority`` and ``category_priority`` are left 0
    for the caller to rank (:func:`rank_plans`).
    """
    out = pd.DataFrame(
        {c: facts[c] for c in PLAN_COLUMNS if c in facts.columns and c != "measures"}
    )
    ids = facts["customer_id"].astype(str).tolist()
    proposed = carry_statuses(ids, proposed, statuses, _lead_days(policy), as_of)
    first, first_due, overdue, deadline, next_disc = _summary(proposed, policy, as_of)
    prio = policy.priority
    out["loss_at_risk"] = money_at_risk(
        facts["p_I"].to_numpy(dtype=np.float64),
        facts["p_warning"].to_numpy(dtype=np.float64),
        facts["exposure"].to_numpy(dtype=np.float64),
        facts["arrears"].to_numpy(dtype=np.float64),
        prio,
    )
    warned = facts["a_warning"].to_numpy(dtype=bool)
    out["jump"] = jump_reasons(warned, deadline, prio)
    when = review_dates(
        as_of,
        facts["grade"].to_numpy(),
        warned,
        out["loss_at_risk"].to_numpy(),
        first_due,
        next_disc,
        policy,
    )
    if policy.reviews_per_day:  # at most so many reviews a working day in each area
        rank = np.empty(len(out), dtype=np.int64)
        rank[_queue_order(out, policy)] = np.arange(1, len(out) + 1)
        legal = policy.disconnection_calendar & (when.to_numpy() == next_disc)
        when = spread_reviews(
            when, legal, facts["region"].to_numpy(), rank, as_of, policy.reviews_per_day
        )
    out["review_date"] = when
    out["first_action"] = first
    out["first_due"] = pd.DatetimeIndex(first_due)
    out["overdue"] = overdue
    named = people(facts["region"], staff)
    for role in STAFF_ROLES:
        out[role] = named[role]
    add_changes(out, previous, lang)
    out["measures"] = pd.Series([tuple(p) for p in proposed], index=out.index, dtype=object)
    out["measure_codes"] = pd.Series(
        [tuple(m.code for m in p) for p in proposed], index=out.index, dtype=object
    )
    out["reasons"] = pd.Series(  # in the plan's language whatever the scores' language
        [tuple(translate_reasons(r, lang)) for r in facts["reasons"]], index=out.index, dtype=object
    )
    out["priority"] = 0
    out["category_priority"] = 0
    return out[list(PLAN_COLUMNS)]


def _lead_days(policy: Policy) -> dict[str, int]:
    """Lead time of every measure code a plan may hold (held measures included)."""
    out = {m.code: m.lead_days() for m in policy.measures}
    for m in policy.measures:
        out[m.code + HOLD_SUFFIX] = next(iter(m.step_days().values())) if m.steps else m.lead_days()
    return out


def _summary(
    proposed: list[list[PlanMeasure]], policy: Policy, as_of: pd.Timestamp
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per plan: the first action's code and due date, the number of overdue measures,
    whether an open measure reaches a legal date within ``deadline_days``, and the next
    legal date (after ``as_of``) of an open disconnection procedure."""
    legal = {m.code: {s.code for s in m.steps if s.legal} for m in policy.measures}
    legal = {code: steps for code, steps in legal.items() if steps}
    soon = as_of + pd.Timedelta(days=policy.priority.deadline_days)
    n = len(proposed)
    sizes = [len(p) for p in proposed]
    flat = [m for p in proposed for m in p]
    plan_of = np.repeat(np.arange(n), sizes)
    is_open = np.array([m.status not in CLOSED for m in flat], dtype=bool)
    late = np.array([m.overdue for m in flat], dtype=bool) & is_open
    overdue = np.bincount(plan_of[late], minlength=n).astype(np.int64)
    first = [""] * n
    first_due = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    firsts = [k for k, m in enumerate(flat) if m.first]
    if firsts:
        rows = plan_of[firsts]
        first_due[rows] = pd.DatetimeIndex([flat[k].due for k in firsts]).to_numpy()
        for row, k in zip(rows.tolist(), firsts, strict=True):
            first[row] = flat[k].code
    next_disc = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    deadline = np.zeros(n, dtype=bool)
    for k in np.flatnonzero(is_open).tolist():  # only the measures with legal steps
        m = flat[k]
        codes = legal.get(m.code)
        if not codes:
            continue
        dates = [s.date for s in m.steps if s.code in codes]
        i = int(plan_of[k])
        if dates and min(dates) <= soon:
            deadline[i] = True
        after = [d for d in dates if d > as_of]
        if m.kind == "disconnection" and after:
            day = np.datetime64(min(after), "ns")
            if np.isnat(next_disc[i]) or day < next_disc[i]:
                next_disc[i] = day
    return first, first_due, overdue, deadline, next_disc


def rank_plans(plans: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """``plans`` in ``order``, numbered: ``priority`` 1, 2, ... and
    ``category_priority`` 1, 2, ... within each usage category."""
    out = plans.iloc[order].reset_index(drop=True)
    out["priority"] = np.arange(1, len(out) + 1)
    out["category_priority"] = category_ranks(out["category"])
    return out


def _sort(plans: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    return rank_plans(plans, _queue_order(plans, policy))


def _queue_order(plans: pd.DataFrame, policy: Policy) -> np.ndarray:
    """Positions of ``plans`` in the queue's order (:func:`~arrearsrisk.plans.priority.queue`)."""
    return queue(
        plans["loss_at_risk"].to_numpy(dtype=np.float64),
        plans["jump"].to_numpy(dtype=str),
        (
            plans["p_warning"].to_numpy(dtype=np.float64),
            plans["arrears"].to_numpy(dtype=np.float64),
            plans["customer_id"].to_numpy(dtype=str),
        ),
        policy.priority,
    )
