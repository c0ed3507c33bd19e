"""``as_of`` semantics, an ``as_of`` outside the data, and exposure never negative
(issue 10, item 4)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.asof.snapshot import take_snapshot, warn_outside_data
from arrearsrisk.timeline import parse_as_of


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-09", "2025-09-30"),
        ("2024-02", "2024-02-29"),
        ("2023-02", "2023-02-28"),
        (" 2025-12 ", "2025-12-31"),
        (np.datetime64("2025-09"), "2025-09-30"),
        (pd.Period("2025-09", "M"), "2025-09-30"),
        (pd.Period("2025-09-03", "D"), "2025-09-03"),
        ("2025-09-30", "2025-09-30"),
        ("20250930", "2025-09-30"),
        (dt.date(2025, 9, 3), "2025-09-03"),
        (np.datetime64("2025-09-03"), "2025-09-03"),
        (pd.Timestamp("2025-09-03"), "2025-09-03"),
    ],
)
def test_a_month_means_its_last_day(value, expected):
    assert parse_as_of(value) == pd.Timestamp(expected)


@pytest.mark.parametrize("value", [20250930, np.int64(20250930), 2025.09, True, np.float32(1)])
def test_a_number_is_refused(value):
    with pytest.raises(ar.ArrearsRiskError, match=r"is a number, not a date\.\n  hint: pass"):
        parse_as_of(value)


@pytest.mark.parametrize("value", ["2025", "2025-9", "2025/09", "2025.09"])
def test_other_partial_dates_are_refused(value):
    with pytest.raises(ar.ArrearsRiskError, match="is not a whole date"):
        parse_as_of(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.datetime64("2025"), "is a year, not a date"),
        (pd.Period("2025Q3", "Q"), "is a period of Q-DEC"),
        ("2025-13", "is not a whole date"),
        (None, "is not a date"),
        (pd.Timestamp("2025-09-30 10:00"), "has a time of day"),
    ],
)
def test_other_bad_dates_are_refused(value, message):
    with pytest.raises(ar.ArrearsRiskError, match=message):
        parse_as_of(value)


def test_a_month_is_the_same_as_its_last_day_everywhere(tables):
    ledger = ar.Ledger(**tables)
    pd.testing.assert_frame_equal(
        ar.build_features(ledger, "2024-03"), ar.build_features(ledger, "2024-03-31")
    )
    assert take_snapshot(ledger, "2024-03").as_of == pd.Timestamp("2024-03-31")
    frame = ar.training_frame(ledger, ["2024-02"], labels=_labels())
    assert frame["as_of"].unique().tolist() == [pd.Timestamp("2024-02-29")]


def _labels() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["C1"], "as_of": ["2024-02-29"], "grade": ["II"]})


def test_an_int_is_refused_by_build_features_and_labels(tables):
    ledger = ar.Ledger(**tables)
    with pytest.raises(ar.ArrearsRiskError, match="is a number, not a date"):
        ar.build_features(ledger, 20240331)
    with pytest.raises(ar.ArrearsRiskError, match="is a number, not a date"):
        ar.build_labels(ledger, 20240131, allow_unobserved=True)


# --- an as_of outside the data ---------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (
            "2020-06-30",
            r"as_of 2020-06-30 is before the ledger's data \(2024-02-01 to 2024-04-20\)",
        ),
        ("2024-01-31", "is before the ledger's data"),
        ("2024-05-21", "is more than a month after the ledger's data"),
        ("2031-01-31", r"more than a month after the ledger's data \(2024-02-01 to 2024-04-20\)"),
    ],
)
def test_an_as_of_outside_the_data_gives_a_warning(tables, as_of, message):
    ledger = ar.Ledger(**tables)
    with pytest.warns(ar.LedgerWarning, match=message):
        warn_outside_data(ledger, parse_as_of(as_of))


@pytest.mark.parametrize("as_of", ["2024-02-01", "2024-03-31", "2024-05-20"])
def test_an_as_of_inside_the_data_gives_no_warning(tables, as_of):
    warn_outside_data(ar.Ledger(**tables), parse_as_of(as_of))  # warnings are errors here


def test_a_ledger_without_any_bill_or_payment_is_refused(tables):
    tables["bills"] = tables["bills"].iloc[:0]
    tables["payments"] = tables["payments"].iloc[:0]
    ledger = ar.Ledger(**tables)
    with pytest.raises(ar.LedgerError, match="the ledger has no bill and no payment"):
        warn_outside_data(ledger, parse_as_of("2024-03-31"))


# --- exposure --------------------------------------------------------------------------


def test_a_correction_larger_than_all_history_gives_exposure_zero(tables):
    # C2 was billed 60 + 54 and then credited 9,000 (a correction of past over-billing).
    extra = pd.DataFrame(
        {
            "customer_id": ["C2"],
            "period": ["2024-03"],
            "issue_date": ["2024-04-01"],
            "due_date": ["2024-04-15"],
            "kwh": [0.0],
            "amount": [-9000.0],
            "estimated": [False],
        }
    )
    tables["bills"] = pd.concat([tables["bills"], extra], ignore_index=True)
    ledger = ar.Ledger(**tables)
    feats = ar.build_features(ledger, "2024-04-30")
    assert feats.loc["C2", "bill_amount_mean_12m"] == 0.0  # mean -2,962 clipped at 0
    assert feats.loc["C1", "bill_amount_mean_12m"] == pytest.approx((800 + 960 + 640) / 3)
    assert feats.loc["C2", "correction_bills_count_12m"] == 1
    assert (feats["bill_amount_mean_12m"].dropna() >= 0).all()
