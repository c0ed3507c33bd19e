"""risk_plans with last month's statuses: every measure has a due date and a status,
each plan one first action, and statuses carried from one month to the next (through
the plans frame, plan_measures and a CSV read back)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.plans import plan_measures, risk_plans

SEP, OCT = pd.Timestamp("2025-08-31"), pd.Timestamp("2025-09-30")


def ledger() -> ar.Ledger:
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "category": ["industrial", "residential", "commercial"],
            "region": ["East", "East", "West"],
            "opened": pd.Timestamp("2010-01-01"),
            "prepaid": False,
            "contact_ok": [True, False, True],
            "deposit": 0.0,
            "high_hazard": False,
            "budget_funded": False,
            "tenant": False,
            "guarantee": False,
            "high_energy": False,
        }
    )
    bills = pd.DataFrame(
        columns=["customer_id", "period", "issue_date", "due_date", "kwh", "amount"]
    )
    payments = pd.DataFrame(columns=["customer_id", "paid_date", "amount"])
    return ar.Ledger(customers=customers, bills=bills, payments=payments)


def scores(as_of: pd.Timestamp) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "as_of": as_of,
            "grade": ["I", "II", "II"],
            "p_I": [0.6, 0.3, 0.2],
            "a_warning": [True, False, False],
            "p_warning": [0.5, 0.0, 0.0],
            "exposure": [30000.0, 200.0, 1000.0],
            "arrears": [60000.0, 0.0, 0.0],
        }
    )


def features() -> pd.DataFrame:
    ids = pd.Index(["C1", "C2", "C3"], name="customer_id")
    return pd.DataFrame(
        {
            "channel_share_bank_debit_12m": 0.0,
            "channel_share_online_12m": 0.0,
            "payments_count_12m": 12.0,
            "billing_history_months": 60.0,
            **{f"late_bills_count_{w}m": 1.0 for w in (3, 6, 12, 24)},
        },
        index=ids,
    )


def plans_at(as_of: pd.Timestamp, previous=None) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ar.LedgerWarning)
        return risk_plans(scores(as_of), ledger(), "en", previous=previous, features=features())


def test_every_measure_has_a_due_date_and_each_plan_one_first_action():
    plans = plans_at(SEP)
    long = plan_measures(plans)
    assert long["due_date"].notna().all() and (long["due_date"] > SEP).all()
    assert (long["status"] == "proposed").all() and not long["overdue"].any()
    assert long.groupby("customer_id")["first"].sum().tolist() == [1, 1, 1]
    c1 = long[long["customer_id"] == "C1"].set_index("code")
    assert c1.loc["disconnection", "due_date"] == pd.Timestamp("2025-09-17")
    assert c1.loc["guarantee", "due_date"] == pd.Timestamp("2025-09-30")
    first = plans.set_index("customer_id")[["first_action", "first_due"]]
    assert first.loc["C1"].tolist() == ["follow_up", pd.Timestamp("2025-09-03")]
    assert plans["category_priority"].tolist() == [1, 1, 1]


def test_statuses_are_carried_from_one_month_to_the_next_through_a_csv(tmp_path):
    september = plans_at(SEP)
    sheet = plan_measures(september)
    done = (sheet["customer_id"] == "C1") & (sheet["code"] == "follow_up")
    going = (sheet["customer_id"] == "C1") & (sheet["code"] == "disconnection")
    sheet["status"] = "待办"
    sheet.loc[done, "status"] = "已办结"
    sheet.loc[going, "status"] = "在办"
    sheet.loc[done | going, "status_date"] = pd.Timestamp("2025-09-05")
    sheet.loc[done | going, "status_by"] = "何健"
    path = tmp_path / "september.csv"
    sheet.to_csv(path, index=False)

    october = plans_at(OCT, previous=path)
    m = {(r.customer_id, x.code): x for r in october.itertuples() for x in r.measures}
    assert m["C1", "follow_up"].status == "done" and not m["C1", "follow_up"].overdue
    disc = m["C1", "disconnection"]
    assert (disc.status, disc.status_by, disc.proposed, disc.due, disc.overdue) == (
        "in_progress",
        "何健",
        SEP,
        pd.Timestamp("2025-09-17"),
        True,
    )
    assert [s.date for s in disc.steps][-1] == pd.Timestamp("2025-09-17")  # not restarted
    # proposed in September and not done by their due date: overdue in October
    assert m["C2", "contact_update"].overdue and m["C2", "contact_update"].due == pd.Timestamp(
        "2025-09-07"
    )
    row = october.set_index("customer_id").loc["C1"]
    # the procedure's legal dates have passed: C1 jumps the queue as a deadline
    assert (row["jump"], row["priority"]) == ("deadline", 1)
    assert row["overdue"] == sum(x.overdue for x in row["measures"])
    assert row["first_action"] != "follow_up"  # done: the first action is the next one
    # the change columns come from the grades in the CSV
    assert october.set_index("customer_id")["change"].tolist() == ["same", "same", "same"]

    # the plans frame itself is a valid previous, with the same statuses
    again = plans_at(OCT, previous=plans_at(OCT, previous=path))
    got = plan_measures(again)[["customer_id", "code", "status", "proposed_date", "due_date"]]
    want = plan_measures(october)[["customer_id", "code", "status", "proposed_date", "due_date"]]
    pd.testing.assert_frame_equal(got, want)


def test_a_previous_scoring_still_only_fills_the_change_columns():
    october = plans_at(OCT, previous=scores(SEP).assign(grade=["II", "II", "I"]))
    assert october.set_index("customer_id")["change"].to_dict() == {
        "C1": "up",
        "C2": "same",
        "C3": "down",
    }
    assert all(m.status == "proposed" for ms in october["measures"] for m in ms)


def test_a_malformed_previous_workbook_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"户号": ["C1"], "措施代码": ["follow_up"], "办理状态": ["搁置"]}).to_csv(
        path, index=False
    )
    with pytest.raises(ArrearsRiskError, match=r"unknown status \['搁置'\]"):
        plans_at(OCT, previous=path)


def test_the_sample_s_reviews_are_spread_within_each_area_s_daily_cap(sample_ledger, sample_model):
    import dataclasses

    from arrearsrisk.plans.policy import load_policy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ar.LedgerWarning)
        scored = ar.score(sample_ledger, "2025-09-30", sample_model, reasons="none")
        capped = risk_plans(scored, sample_ledger)
        free = risk_plans(
            scored, sample_ledger, policy=dataclasses.replace(load_policy(), reviews_per_day=0)
        )
    assert capped["customer_id"].tolist() == free["customer_id"].tolist()  # same queue
    assert (capped["review_date"] <= free["review_date"]).all()
    assert (capped["review_date"] > pd.Timestamp("2025-09-30")).all()
    moved = capped["review_date"] != free["review_date"]
    assert moved.any() and (capped.loc[moved, "review_date"].dt.day_of_week < 5).all()
    per_day = capped.groupby(["region", "review_date"]).size()
    assert per_day.max() <= 10 < free.groupby(["region", "review_date"]).size().max()
    grade_i = capped["grade"] == "I"
    assert capped.loc[grade_i, "review_date"].nunique() > free.loc[grade_i, "review_date"].nunique()


def test_plans_propose_the_same_measures_in_either_language(sample_ledger, sample_model):
    # the policy's reasons_any words ('late', '逾期') match a reason in either language
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ar.LedgerWarning)
        zh = ar.score(sample_ledger, "2025-12-31", sample_model)
        en = ar.score(sample_ledger, "2025-12-31", sample_model, lang="en")
        plans = {
            (s, p): risk_plans(scored, sample_ledger, lang=p)
            for s, scored in (("zh", zh), ("en", en))
            for p in ("zh", "en")
        }
    codes = {k: v.set_index("customer_id")["measure_codes"] for k, v in plans.items()}
    first = codes["zh", "zh"]
    for key, other in codes.items():
        assert other.equals(first), key
    # and a plan's reasons are in its own language, whatever the scores' language
    assert plans["zh", "en"]["reasons"].equals(plans["en", "en"]["reasons"])
    assert plans["en", "zh"]["reasons"].equals(plans["zh", "zh"]["reasons"])
