"""Priority by money at risk: the formula on literal values and against a plain
per-customer twin, the queue, the review dates and the policy's [priority] section."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrearsrisk.errors import PolicyError
from arrearsrisk.plans.policy import Priority, default_policy_path, load_policy, parse_policy
from arrearsrisk.plans.priority import (
    category_ranks,
    jump_reasons,
    money_at_risk,
    queue,
    review_dates,
    spread_reviews,
)

AS_OF = pd.Timestamp("2025-09-30")
NAT = np.datetime64("NaT", "ns")


def slow_money_at_risk(p_i, p_w, bill, owed, prio: Priority) -> float:
    """The docs/worklist.md formula, one customer at a time, in plain Python."""
    bill = 0.0 if math.isnan(bill) else max(bill, 0.0)
    owed = 0.0 if math.isnan(owed) else max(owed, 0.0)
    p_w = 0.0 if math.isnan(p_w) else max(min(p_w, p_i), 0.0)
    due = owed + prio.horizon_months * bill
    cap = min(due, prio.warning_multiple * bill) if bill > 0 else due
    return p_w * prio.unpaid_share_warning * due + max(p_i - p_w, 0.0) * (
        prio.unpaid_share_grade_I * cap
    )


def test_money_at_risk_exact_values():
    prio = Priority(unpaid_share_warning=0.7, unpaid_share_grade_I=0.15)
    got = money_at_risk(
        np.array([0.5, 0.5, 0.2, 0.9]),
        np.array([0.5, 0.0, np.nan, 0.95]),  # the last: p_warning > p_I counts as p_I
        np.array([1000.0, 1000.0, np.nan, 100.0]),
        np.array([4000.0, 0.0, 1000.0, -50.0]),  # a credit counts as no arrears
        prio,
    )
    # 0.5*0.7*(4000+3000); 0.5*0.15*min(3000, 2000); 0.2*0.15*1000; 0.9*0.7*300
    assert got.tolist() == pytest.approx([2450.0, 150.0, 30.0, 189.0], abs=1e-9)


def test_a_monthly_bill_in_the_headline_is_not_the_unit():
    assert Priority().unit("zh") == "元/3个月"
    assert Priority(horizon_months=1).unit("en") == "CNY per month"


finite = st.floats(0, 1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1),
            st.one_of(st.floats(0, 1), st.just(float("nan"))),
            st.one_of(finite, st.just(float("nan"))),
            st.one_of(st.floats(-1e5, 1e6), st.just(float("nan"))),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 12),
    st.floats(0.5, 5),
)
def test_money_at_risk_equals_its_plain_twin(rows, horizon, multiple):
    prio = Priority(horizon_months=horizon, warning_multiple=multiple)
    cols = [np.array(c, dtype=float) for c in zip(*rows, strict=True)]
    got = money_at_risk(*cols, prio)
    want = [slow_money_at_risk(*r, prio) for r in rows]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)
    assert (got >= 0).all()


def test_the_queue_puts_jumpers_first_then_money_at_risk_nan_last():
    at_risk = np.array([10.0, 50.0, 5.0, np.nan, 50.0, 1.0])
    warned = np.array([False, False, True, False, False, True])
    deadline = np.array([False, False, False, False, False, True])
    prio = Priority(jump=("deadline", "warning"))
    jump = jump_reasons(warned, deadline, prio)
    assert jump.tolist() == ["", "", "warning", "", "", "deadline"]
    ids = np.array(["a", "b", "c", "d", "e", "f"])
    p_w = np.array([0.0, 0.1, 0.0, 0.0, 0.2, 0.0])
    order = queue(at_risk, jump, (p_w, ids), prio)
    assert ids[order].tolist() == ["f", "c", "e", "b", "a", "d"]
    order = queue(at_risk, jump_reasons(warned, deadline, Priority(jump=())), (p_w, ids), prio)
    assert ids[order].tolist() == ["e", "b", "a", "c", "f", "d"]


def test_category_ranks_count_within_each_category_in_row_order():
    cats = pd.Series(["industrial", "residential", "industrial", "residential", "public"])
    assert category_ranks(cats).tolist() == [1, 1, 2, 2, 1]


def test_review_dates_by_grade_warning_amount_calendar_and_floor():
    policy = load_policy()  # I 14, II 30, warning 7; > 100,000: 7; > 20,000: 12
    got = review_dates(
        AS_OF,
        np.array(["I", "II", "II", "II", "I", "I"]),
        np.array([False, False, True, False, False, False]),
        np.array([10.0, 10.0, 10.0, 150000.0, 30000.0, 10.0]),
        np.array([NAT] * 6),
        np.array(
            [
                NAT,
                NAT,
                NAT,
                NAT,
                np.datetime64("2025-10-05", "ns"),
                np.datetime64("2025-09-01", "ns"),
            ]
        ),
        policy,
    )
    assert got.strftime("%Y-%m-%d").tolist() == [
        "2025-10-14",
        "2025-10-30",
        "2025-10-07",
        "2025-10-07",
        "2025-10-05",  # the next legal date of the disconnection procedure
        "2025-10-01",  # never before the day after the scoring date
    ]


def test_review_by_first_action_due_only_when_the_policy_says_so():
    text = default_policy_path().read_text(encoding="utf-8")
    on = parse_policy(text.replace("first_action_due = false", "first_action_due = true"))
    args = (
        AS_OF,
        np.array(["II"]),
        np.array([False]),
        np.array([0.0]),
        np.array([np.datetime64("2025-10-03", "ns")]),
        np.array([NAT]),
    )
    assert review_dates(*args, on)[0] == pd.Timestamp("2025-10-03")
    assert review_dates(*args, load_policy())[0] == pd.Timestamp("2025-10-30")


OLD_POLICY = """
[review]
I = 7
II = 30
III = 90
warning = 7

[[measure]]
code = "follow_up"
name_zh = "催费"
name_en = "Reminder"
explain_zh = "提醒"
explain_en = "Remind"
  [[measure.when]]
  grade = ["I"]
  [[measure.step]]
  code = "remind"
  name_zh = "提醒"
  name_en = "remind"
  days = 2

[[measure]]
code = "visit"
name_zh = "走访"
name_en = "Visit"
explain_zh = "走访"
explain_en = "Visit"
  [[measure.when]]
  grade = ["I"]
"""


def test_an_older_policy_file_still_loads_with_documented_defaults():
    policy = parse_policy(OLD_POLICY)
    assert policy.priority == Priority()
    assert policy.review_amount == ()
    assert not policy.disconnection_calendar and not policy.first_action_due
    assert policy.measure("follow_up").lead_days() == 2  # its last step
    assert policy.measure("visit").lead_days() == 30  # no step: DEFAULT_LEAD_DAYS


def test_the_shipped_policy_gives_every_measure_a_lead_time():
    policy = load_policy()
    assert all(m.due_days is not None for m in policy.measures)
    assert [s.code for s in policy.measure("disconnection").steps if s.legal] == [
        "notice",
        "publication",
        "disconnect",
    ]


@pytest.mark.parametrize(
    ("section", "match"),
    [
        (
            '[priority]\njump = ["warning", "vip"]',
            r"\[priority\]: 'jump' must be a list of distinct",
        ),
        ('[priority]\njump = ["warning", "warning"]', r"'jump' must be a list of distinct"),
        (
            "[priority]\nunpaid_share_warning = 1.5",
            r"'unpaid_share_warning' must be a number from 0 to 1",
        ),
        ("[priority]\nwarning_multiple = 0", r"'warning_multiple' must be a number > 0"),
        ("[priority]\nhorizon_months = 0", r"'horizon_months' must be a whole number from 1 to 24"),
        ("[priority]\nhorizon = 3", r"unknown field 'horizon'\. Did you mean 'horizon_months'\?"),
        ("[priority]\ndeadline_days = -2", r"'deadline_days' must be a whole number of days"),
    ],
)
def test_a_bad_priority_section_is_refused(section, match):
    with pytest.raises(PolicyError, match=match):
        parse_policy(section + "\n" + OLD_POLICY)


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ("disconnection_calendar = 1", r"'disconnection_calendar' must be true or false"),
        ("reviews_per_day = -1", r"'reviews_per_day' must be a whole number from 0 to 10000"),
        ("reviews_per_day = true", r"'reviews_per_day' must be a whole number from 0 to 10000"),
        (
            "  [[review.amount]]\n  above = -5\n  days = 3",
            r"\[\[review.amount\]\] #1: 'above' must be",
        ),
        ("  [[review.amount]]\n  above = 5\n  dayz = 3", r"unknown field 'dayz'"),
        ("  [[review.amount]]\n  above = 5\n  days = 2.5", r"'days' must be a whole number"),
    ],
)
def test_bad_review_rules_are_refused(extra, match):
    text = OLD_POLICY.replace("warning = 7\n", "warning = 7\n" + extra + "\n", 1)
    with pytest.raises(PolicyError, match=match):
        parse_policy(text)


def test_reviews_per_day_is_read_and_off_in_an_older_policy():
    assert parse_policy(OLD_POLICY).reviews_per_day == 0
    text = OLD_POLICY.replace("warning = 7\n", "warning = 7\nreviews_per_day = 4\n", 1)
    assert parse_policy(text).reviews_per_day == 4
    assert load_policy().reviews_per_day == 10


def test_bad_lead_times_and_legal_flags_are_refused():
    with pytest.raises(PolicyError, match=r"measure 'visit': 'due_days' must be a whole number"):
        parse_policy(OLD_POLICY.replace('code = "visit"\n', 'code = "visit"\ndue_days = "soon"\n'))
    with pytest.raises(PolicyError, match=r"step 'remind': 'legal' must be true or false"):
        parse_policy(OLD_POLICY.replace("  days = 2\n", '  days = 2\n  legal = "yes"\n'))


def slow_spread(when, fixed, areas, rank, as_of, per_day):
    """:func:`spread_reviews` in plain Python, one day at a time with ``datetime``."""
    days = [w.date() for w in when]
    start = as_of.date() + dt.timedelta(days=1)
    while start.weekday() >= 5:
        start += dt.timedelta(days=1)
    load: dict[tuple[str, dt.date], int] = {}
    area = ["" if a is None else str(a) for a in areas]
    for i, day in enumerate(days):
        if fixed[i] and day >= start and day.weekday() < 5:
            load[area[i], day] = load.get((area[i], day), 0) + 1
    out = list(days)

    def latest_workday(day: dt.date) -> dt.date:
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return day

    todo = [i for i in range(len(days)) if not fixed[i]]
    todo.sort(key=lambda i: (latest_workday(days[i]), rank[i]), reverse=True)
    for i in todo:
        window = [
            start + dt.timedelta(days=k)
            for k in range((days[i] - start).days + 1)
            if (start + dt.timedelta(days=k)).weekday() < 5
        ]
        if not window:
            continue  # no working day before it: the date stays
        free = [d for d in window if load.get((area[i], d), 0) < per_day]
        day = free[-1] if free else min(window, key=lambda d: (load.get((area[i], d), 0), d))
        load[area[i], day] = load.get((area[i], day), 0) + 1
        out[i] = day
    return [pd.Timestamp(d) for d in out]


def test_reviews_spread_over_working_days_exactly():
    # 2025-09-30 is a Tuesday; Grade I reviews due Tuesday 10-14, two a day
    when = pd.DatetimeIndex(["2025-10-14"] * 5 + ["2025-10-13", "2025-10-01"])
    fixed = np.array([False] * 5 + [True, False])
    areas = np.array(["A"] * 4 + ["B", "A", "A"], dtype=object)
    rank = np.array([5, 1, 3, 2, 4, 6, 7])
    got = spread_reviews(when, fixed, areas, rank, AS_OF, 2).strftime("%m-%d").tolist()
    # A: ranks 5 and 3 keep Tuesday, the legal date fills one place on Monday, rank 2
    # takes the other, rank 1 goes back to Friday; B's one review keeps its date;
    # 10-01, the day after scoring, keeps its date
    assert got == ["10-14", "10-10", "10-14", "10-13", "10-14", "10-13", "10-01"]
    assert spread_reviews(when, fixed, areas, rank, AS_OF, 0).equals(when)


def test_more_reviews_than_room_go_to_the_least_loaded_days():
    when = pd.DatetimeIndex(["2025-10-02"] * 5)  # Thursday: two working days in the window
    got = spread_reviews(when, np.zeros(5, bool), np.array(["A"] * 5), np.arange(1, 6), AS_OF, 2)
    # ranks 5 and 4 keep Thursday, 3 and 2 take Wednesday, 1 has no room: the least
    # loaded day of the window, the earliest of ties, Wednesday
    assert got.strftime("%m-%d").tolist() == ["10-01", "10-01", "10-01", "10-02", "10-02"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 40),  # days after the scoring date
            st.booleans(),  # fixed
            st.sampled_from(["A", "B", None]),
        ),
        min_size=1,
        max_size=60,
    ),
    st.integers(1, 4),
    st.sampled_from(["2025-09-30", "2025-10-03", "2025-10-04"]),
)
def test_spread_reviews_equals_its_plain_twin_and_keeps_its_promises(plans, per_day, day):
    as_of = pd.Timestamp(day)
    when = pd.DatetimeIndex([as_of + pd.Timedelta(days=max(d, 1)) for d, _, _ in plans])
    fixed = np.array([f for _, f, _ in plans])
    areas = np.array([a for _, _, a in plans], dtype=object)
    rank = np.random.default_rng(len(plans)).permutation(len(plans)) + 1
    got = spread_reviews(when, fixed, areas, rank, as_of, per_day)
    assert got.tolist() == slow_spread(when, fixed, areas, rank, as_of, per_day)
    moved = got != when
    assert not moved[fixed].any()  # legal dates stay
    assert (got <= when).all() and (got > as_of).all()  # never later, never before tomorrow
    assert (got[moved].day_of_week < 5).all()  # moved only onto working days
    frame = pd.DataFrame({"area": pd.Series(areas).fillna(""), "day": got, "rank": rank})
    frame["due"] = when
    for _, same in frame.groupby(["area", "due"]):  # the first plans take the earlier days
        same = same.sort_values("rank")
        assert same["day"].is_monotonic_increasing or (fixed[same.index]).any()
