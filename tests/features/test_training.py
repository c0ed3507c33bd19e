"""Training frames and the label API's guards, on the tiny literal ledger."""

from __future__ import annotations

import pandas as pd
import pytest

import arrearsrisk as ar


@pytest.fixture
def ledger(tables) -> ar.Ledger:
    return ar.Ledger(**tables)


def test_labels_need_the_outcome_window_in_the_data(ledger):
    with pytest.raises(
        ar.ArrearsRiskError, match=r"need data until 2024-06-28 .* ends on 2024-04-20"
    ):
        ar.build_labels(ledger, "2024-02-29")


def test_labels_with_allow_unobserved(ledger):
    labels = ar.build_labels(ledger, "2024-02-29", allow_unobserved=True)
    # Target bills due in (02-29, 05-29]: C1's Feb (36 days late) and Mar (never paid);
    # C2's Feb (never paid).  Both are Grade I.
    assert labels["grade"].astype(str).to_dict() == {"C1": "I", "C2": "I"}
    assert list(labels.columns) == ["grade", "a_warning"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon_months": 0}, "horizon_months must be a whole number >= 1"),
        ({"horizon_months": 2.5}, "horizon_months must be a whole number >= 1"),
        ({"grace_days": -1}, "grace_days must be a whole number >= 0"),
        ({"warning_multiple": 0}, "warning_multiple must be > 0"),
    ],
)
def test_label_parameters_are_checked(ledger, kwargs, message):
    with pytest.raises(ar.ArrearsRiskError, match=message):
        ar.build_labels(ledger, "2024-01-31", allow_unobserved=True, **kwargs)


def user_labels() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C1"],
            "as_of": ["2024-02-29", "2024-02-29", "2024-03-31"],
            "grade": ["II", "III", "I"],
            "a_warning": [False, False, True],
        }
    )


def test_training_frame_with_user_labels(ledger):
    frame = ar.training_frame(ledger, ["2024-03-31", "2024-02-29"], labels=user_labels())
    assert frame[["customer_id", "as_of", "grade", "a_warning"]].astype(str).values.tolist() == [
        ["C1", "2024-02-29", "II", "False"],
        ["C2", "2024-02-29", "III", "False"],
        ["C1", "2024-03-31", "I", "True"],
    ]
    feats = ar.build_features(ledger, "2024-03-31").loc["C1"]
    row = frame.iloc[2]
    assert row["late_bills_count_3m"] == feats["late_bills_count_3m"]
    assert list(frame.columns[:2]) == ["customer_id", "as_of"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="as_of"), "labels need columns customer_id, as_of"),
        (lambda f: f.drop(columns=["grade", "a_warning"]), "grade and/or a_warning"),
        (
            lambda f: f.assign(grade=["II", "IV", "I"]),
            r"grade' must be one of I, II, III; got \['IV'\]",
        ),
        (
            lambda f: f.assign(as_of=["2024-02-29", "soon", "x"]),
            "'as_of' has values that are not dates",
        ),
        (lambda f: f.assign(a_warning=[1, None, 0]), "'a_warning' must hold booleans"),
        (lambda f: pd.concat([f, f.iloc[[0]]]), r"\(customer_id, as_of\) must be unique"),
    ],
)
def test_bad_user_labels(ledger, change, message):
    with pytest.raises(ar.ArrearsRiskError, match=message):
        ar.training_frame(ledger, ["2024-02-29"], labels=change(user_labels()))


def test_training_frame_needs_cutoffs(ledger):
    with pytest.raises(ar.ArrearsRiskError, match="at least one cutoff"):
        ar.training_frame(ledger, [])


def test_monthly_cutoffs_are_fully_observed_month_ends(ledger):
    # Data run from 2024-02-01 to 2024-04-20: after one month of history, 02-29 is the
    # only month end whose outcome (one month, no grace: until 03-29) is in the data.
    assert ar.monthly_cutoffs(ledger, history_months=1, horizon_months=1, grace_days=0) == [
        pd.Timestamp("2024-02-29")
    ]
