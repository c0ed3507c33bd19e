"""Who is worked first: the money at risk of each plan, the queue, and the review date.

:func:`money_at_risk` is the amount (CNY) a customer is expected to leave unpaid at
the outcome date on the bills due by the end of the horizon, from the model's
probabilities and the customer's open arrears and coming bills (the formula is
:class:`~arrearsrisk.plans.policy.Priority`'s; its unit ``元/3个月``).  :func:`queue`
orders the plans: those the policy lets jump the queue first (a legal deadline, an
A-level warning), each group by money at risk; :func:`category_ranks` numbers the plans
within each usage category (households are worked differently from large industrial
accounts); :func:`review_dates` gives each plan its next review.

Examples
--------
>>> from arrearsrisk.plans.policy import Priority
>>> money_at_risk(np.array([0.5, 0.5]), np.array([0.5, 0.0]), np.array([1000.0, 1000.0]),
...               np.array([4000.0, 0.0]), Priority()).tolist()
[2450.0, 150.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arrearsrisk.plans.policy import Policy, Priority

__all__ = [
    "category_ranks",
    "jump_reasons",
    "money_at_risk",
    "queue",
    "review_dates",
    "spread_reviews",
]


def money_at_risk(
    p_I: np.ndarray,
    p_warning: np.ndarray,
    exposure: np.ndarray,
    arrears: np.ndarray,
    priority: Priority,
) -> np.ndarray:
    """The expected amount left unpaid at the outcome date, CNY over the horizon.

    ``due = max(arrears, 0) + H * exposure``; ``p_w = min(p_warning, p_I)``;
    ``at_risk = p_w * s_w * due + (p_I - p_w) * s_I * min(due, m * exposure)`` with
    ``H``, ``s_w``, ``s_I``, ``m`` from ``priority`` (see
    :class:`~arrearsrisk.plans.policy.Priority`).  An unknown monthly bill counts as 0
    (``due`` is then the arrears, uncapped); an unknown warning probability as 0; an
    unknown ``p_I`` gives NaN (ranked last).

    Examples
    --------
    >>> money_at_risk(np.array([0.2]), np.array([np.nan]), np.array([np.nan]),
    ...               np.array([1000.0]), Priority()).tolist()
    [30.0]
    """
    p_i = np.asarray(p_I, dtype=np.float64)
    bill = np.nan_to_num(np.asarray(exposure, dtype=np.float64), nan=0.0).clip(min=0.0)
    owed = np.nan_to_num(np.asarray(arrears, dtype=np.float64), nan=0.0).clip(min=0.0)
    p_w = np.fmin(np.nan_to_num(np.asarray(p_warning, dtype=np.float64), nan=0.0), p_i)
    p_w = np.nan_to_num(p_w, nan=0.0).clip(min=0.0)
    due = owed + priority.horizon_months * bill
    cap = np.where(bill > 0, np.minimum(due, priority.warning_multiple * bill), due)
    rest = (p_i - p_w).clip(min=0.0)
    out: np.ndarray = (
        p_w * priority.unpaid_share_warning * due + rest * priority.unpaid_share_grade_I * cap
    )
    return out


def jump_reasons(warned: np.ndarray, deadline: np.ndarray, priority: Priority) -> np.ndarray:
    """Why each plan jumps the queue: the first reason of ``priority.jump`` that holds
    (``"deadline"``: an open measure reaches a legal date within ``deadline_days``;
    ``"warning"``: an A-level warning), ``""`` for none.

    >>> jump_reasons(np.array([True, True, False]), np.array([True, False, False]),
    ...              Priority(jump=("deadline", "warning"))).tolist()
    ['deadline', 'warning', '']
    """
    holds = {
        "warning": np.asarray(warned, dtype=bool),
        "deadline": np.asarray(deadline, dtype=bool),
    }
    jump = np.full(len(holds["warning"]), "", dtype=object)
    for reason in reversed(priority.jump):
        jump = np.where(holds[reason], reason, jump)
    return jump.astype(str)


def queue(
    at_risk: np.ndarray,
    jump: np.ndarray,
    tie_breaks: tuple[np.ndarray, ...],
    priority: Priority,
) -> np.ndarray:
    """The order of the plans: by jump reason (in ``priority.jump`` order, then the
    rest), then money at risk, largest first (NaN last), then ``tie_breaks``.

    Parameters
    ----------
    at_risk : numpy.ndarray
        Money at risk.
    jump : numpy.ndarray of str
        :func:`jump_reasons`.
    tie_breaks : tuple of numpy.ndarray
        Keys for equal money at risk, most important first, numbers sorted largest
        first (NaN last) and a final key of texts sorted ascending (the customer ids).

    Returns
    -------
    numpy.ndarray of int
        Positions, first to work first.

    Examples
    --------
    >>> queue(np.array([10.0, 50.0, 5.0]), np.array(["", "", "warning"]),
    ...       (np.array(["a", "b", "c"]),), Priority(jump=("warning",))).tolist()
    [2, 1, 0]
    """
    tier = np.full(len(at_risk), len(priority.jump), dtype=np.int64)
    for rank, reason in enumerate(priority.jump):
        tier[np.asarray(jump) == reason] = rank
    *numbers, names = tie_breaks
    keys = (
        np.asarray(names, dtype=str),
        *(-np.nan_to_num(np.asarray(k, dtype=np.float64), nan=-1.0) for k in reversed(numbers)),
        -np.nan_to_num(np.asarray(at_risk, dtype=np.float64), nan=-1.0),
        tier,
    )
    order: np.ndarray = np.lexsort(keys)
    return order


def category_ranks(categories: pd.Series) -> np.ndarray:
    """1, 2, ... within each category, in the order of the rows (already by priority).

    >>> category_ranks(pd.Series(["industrial", "residential", "industrial"])).tolist()
    [1, 1, 2]
    """
    return (
        categories.astype(str).groupby(categories.astype(str).to_numpy()).cumcount().to_numpy() + 1
    )


def review_dates(
    as_of: pd.Timestamp,
    grades: np.ndarray,
    warned: np.ndarray,
    at_risk: np.ndarray,
    first_due: np.ndarray,
    next_disconnection: np.ndarray,
    policy: Policy,
) -> pd.DatetimeIndex:
    """The next review of each plan.

    The grade's days (at most ``warning`` days when warned); sooner when the money at
    risk is above an ``[[review.amount]]`` tier; with ``disconnection_calendar``, no
    later than the next legal date of an open disconnection procedure; with
    ``first_action_due``, no later than the first action's due date; never before the
    day after ``as_of``.

    Parameters
    ----------
    first_due, next_disconnection : numpy.ndarray of datetime64[ns]
        NaT when a plan has none.

    Examples
    --------
    >>> from arrearsrisk.plans.policy import load_policy
    >>> day = np.datetime64("NaT", "ns")
    >>> review_dates(pd.Timestamp("2025-09-30"), np.array(["II", "I", "II"]),
    ...     np.array([False, False, False]), np.array([100.0, 100.0, 50000.0]),
    ...     np.array([day, day, day]),  # first actions' due dates (not used by default)
    ...     np.array([day, np.datetime64("2025-10-07", "ns"), day]),  # a legal date
    ...     load_policy()).strftime("%m-%d").tolist()
    ['10-30', '10-07', '10-12']
    """
    days = np.array(
        [policy.review_after(g, bool(w)) for g, w in zip(grades, warned, strict=True)],
        dtype=np.int64,
    )
    money = np.nan_to_num(np.asarray(at_risk, dtype=np.float64), nan=0.0)
    for above, tier_days in policy.review_amount:
        days = np.where(money > above, np.minimum(days, tier_days), days)
    when = (as_of + pd.to_timedelta(days, unit="D")).to_numpy(dtype="datetime64[ns]")
    for on, limit in (
        (policy.disconnection_calendar, next_disconnection),
        (policy.first_action_due, first_due),
    ):
        if on:
            limit = np.asarray(limit, dtype="datetime64[ns]")
            when = np.where(~np.isnat(limit) & (limit < when), limit, when)
    floor = np.datetime64(as_of + pd.Timedelta(days=1), "ns")
    return pd.DatetimeIndex(np.maximum(when, floor))


def spread_reviews(
    when: pd.DatetimeIndex | np.ndarray,
    fixed: np.ndarray,
    areas: np.ndarray,
    rank: np.ndarray,
    as_of: pd.Timestamp,
    per_day: int,
) -> pd.DatetimeIndex:
    """Review dates with at most ``per_day`` reviews a working day in each area.

    Each review that is not ``fixed`` (a legal date of the disconnection calendar stays
    where it is, and takes its day's room) moves to the latest working day (Monday to
    Friday) on or before its date that still has room in its area, never before the day
    after ``as_of``. Reviews are placed from the latest date back, and within a date
    from the end of the queue (``rank``, 1 = first plan), so the first plans take the
    earliest days. When an area has more reviews than room from the day after ``as_of``
    to their date, the extra ones go to that window's least-loaded day (the earliest of
    ties). ``per_day`` 0 returns ``when`` unchanged.

    Parameters
    ----------
    when : pandas.DatetimeIndex or numpy.ndarray of datetime64
        Each plan's review date (:func:`review_dates`).
    fixed : numpy.ndarray of bool
        Reviews that must stay on their date.
    areas : numpy.ndarray
        Each plan's area (supply station); missing areas form one area.
    rank : numpy.ndarray of int
        Each plan's place in the queue (1 = first).
    as_of : pandas.Timestamp
        The scoring date.
    per_day : int
        Reviews a working day in one area.

    Returns
    -------
    pandas.DatetimeIndex

    Examples
    --------
    Three plans of one station due for review on Tuesday 2025-10-14, one review a day,
    and a legal date on Monday that keeps its day: the last plan of the queue (rank 3)
    stays on Tuesday, the second goes back to Friday (Monday is taken, the weekend is
    skipped), the first to Thursday.

    >>> when = pd.DatetimeIndex(["2025-10-14"] * 3 + ["2025-10-13"])
    >>> spread_reviews(when, np.array([False, False, False, True]), np.array(["A"] * 4),
    ...     np.array([3, 1, 2, 4]), pd.Timestamp("2025-09-30"), 1).strftime("%m-%d %a").tolist()
    ['10-14 Tue', '10-09 Thu', '10-10 Fri', '10-13 Mon']
    """
    out = pd.DatetimeIndex(when).to_numpy(dtype="datetime64[D]").copy()
    if per_day <= 0 or len(out) == 0:
        return pd.DatetimeIndex(out.astype("datetime64[ns]"))
    start = np.busday_offset(np.datetime64(as_of.date(), "D") + 1, 0, roll="forward")
    last = max(out.max(), start)
    workdays = np.arange(start, last + 1)
    workdays = workdays[np.is_busday(workdays)]
    # position of the latest working day on or before each date (-1: none in the window)
    pos = np.searchsorted(workdays, out, side="right") - 1
    keys = pd.Series(np.asarray(areas, dtype=object)).fillna("").astype(str).to_numpy()
    load: dict[str, np.ndarray] = {k: np.zeros(len(workdays), dtype=np.int64) for k in set(keys)}
    fixed = np.asarray(fixed, dtype=bool)
    on_workday = (pos >= 0) & (workdays[np.maximum(pos, 0)] == out)
    for i in np.flatnonzero(fixed & on_workday).tolist():
        load[keys[i]][pos[i]] += 1
    movable = np.flatnonzero(~fixed & (pos >= 0))
    order = movable[np.lexsort((-np.asarray(rank)[movable], -pos[movable]))]
    for i in order.tolist():
        room = load[keys[i]]
        p = int(pos[i])
        while p >= 0 and room[p] >= per_day:
            p -= 1
        if p < 0:  # no room left in the window: the least-loaded day, earliest first
            p = int(np.argmin(room[: pos[i] + 1]))
        room[p] += 1
        out[i] = workdays[p]
    return pd.DatetimeIndex(out.astype("datetime64[ns]"))
