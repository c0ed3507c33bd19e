"""Each table's coverage on its own: when the payments export ends before the bills,
labels and cutoffs never reach past it (issue 10, item 6 "coverage")."""

from __future__ import annotations

import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.asof import uncovered


def monthly_ledger(months: int, paid_months: int, *, late: list | None = None) -> ar.Ledger:
    """Three customers billed monthly from 2023-01 for ``months`` months, each bill paid
    on time (the 10th of the month after the period), payments exported for the first
    ``paid_months`` only."""
    periods = pd.period_range("2023-01", periods=months, freq="M")
    ids = ["A", "B", "C"]
    bills = pd.DataFrame(
        [
            (
                cid,
                str(p),
                str((p + 1).start_time.date()),
                str((p + 1).start_time.date() + pd.Timedelta(days=14)),
                100.0,
                80.0,
            )
            for cid in ids
            for p in periods
        ],
        columns=["customer_id", "period", "issue_date", "due_date", "kwh", "amount"],
    )
    payments = pd.DataFrame(
        [
            (cid, str((p + 1).start_time.date() + pd.Timedelta(days=9)), 80.0)
            for cid in ids
            for p in periods[:paid_months]
        ]
        + (late or []),
        columns=["customer_id", "paid_date", "amount"],
    )
    customers = pd.DataFrame({"customer_id": ids, "category": ["commercial"] * 3})
    return ar.Ledger(customers=customers, bills=bills, payments=payments)


def test_with_full_data_everyone_pays_on_time():
    ledger = monthly_ledger(24, 24)  # bills issued to 2025-01-01, payments to 2025-01-10
    labels = ar.build_labels(ledger, "2024-08-31")
    assert labels["grade"].astype(str).tolist() == ["III", "III", "III"]


def test_labels_past_the_end_of_the_payments_export_are_refused():
    ledger = monthly_ledger(24, 18)  # payments stop on 2024-07-10, bills run on
    with pytest.raises(
        ar.LedgerError,
        match=r"need data until 2024-12-30 .* the payments export ends on 2024-07-10 "
        r"\(payments until 2024-12-30 are needed\)",
    ) as err:
        ar.build_labels(ledger, "2024-08-31")
    assert (err.value.table, err.value.rule) == ("payments", "coverage")
    assert "ar.monthly_cutoffs offers only covered dates" in str(err.value)
    # Labelled anyway, every customer looks Grade I: the reason for the rule.
    labels = ar.build_labels(ledger, "2024-08-31", allow_unobserved=True)
    assert labels["grade"].astype(str).tolist() == ["I", "I", "I"]


def test_labels_past_the_end_of_the_bills_export_are_refused():
    # Bills issued to 2024-01-01; a prepayment of 2024-06-01 carries the payments further.
    ledger = monthly_ledger(12, 12, late=[("A", "2024-06-01", 500.0)])
    with pytest.raises(
        ar.LedgerError, match=r"the bills export ends on 2024-01-01 \(bills due until 2024-01-31"
    ) as err:
        ar.build_labels(ledger, "2023-10-31", grace_days=0)
    assert err.value.table == "bills"


def test_monthly_cutoffs_stop_where_the_payments_export_does():
    full = ar.monthly_cutoffs(monthly_ledger(24, 24))
    short = ar.monthly_cutoffs(monthly_ledger(24, 18))
    assert [t.date().isoformat() for t in full[-2:]] == ["2024-07-31", "2024-08-31"]
    # Payments end 2024-07-10: the last cutoff whose end date (t + 3 months + 30 days)
    # is covered is 2024-02-29 (until 2024-06-28).
    assert short[-1] == pd.Timestamp("2024-02-29")
    assert all(not uncovered(monthly_ledger(24, 18), t) for t in short)
    assert set(short) < set(full)


def test_training_frames_on_the_offered_cutoffs_never_reach_past_the_payments():
    ledger = monthly_ledger(24, 18)
    frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    assert frame["as_of"].max() == pd.Timestamp("2024-02-29")
    assert set(frame["grade"].astype(str)) == {"III"}
    with pytest.raises(ar.LedgerError, match="payments export ends on 2024-07-10"):
        ar.training_frame(ledger, ["2024-08-31"])


def test_an_empty_payments_table_reaches_as_far_as_the_bills():
    ledger = monthly_ledger(12, 0)
    assert uncovered(ledger, pd.Timestamp("2023-06-30")) == []
    labels = ar.build_labels(ledger, "2023-06-30")
    assert labels["grade"].astype(str).tolist() == ["I", "I", "I"]


def test_the_sample_cutoffs_are_unchanged(sample_ledger):
    cuts = ar.monthly_cutoffs(sample_ledger)
    assert (cuts[0].date().isoformat(), cuts[-1].date().isoformat(), len(cuts)) == (
        "2024-01-31",
        "2025-09-30",
        21,
    )
