"""FIFO settlement and labels on tiny literal ledgers a reader can check by hand.

Every bill below is written out; the comments do the arithmetic.  Periods are billed
on the 1st of the next month and due two weeks later unless said otherwise.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.asof.snapshot import take_snapshot
from arrearsrisk.ledger.settlement import UNSETTLED

EPOCH = dt.date(1970, 1, 1)


def ledger(
    bills: list[tuple[str, str, str, str, float]],
    payments: list[tuple[str, str, float]],
) -> ar.Ledger:
    """A ledger from ``(customer, period, issue, due, amount)`` bills and
    ``(customer, paid_date, amount)`` payments."""
    ids = sorted({b[0] for b in bills} | {p[0] for p in payments})
    return ar.Ledger(
        customers=pd.DataFrame({"customer_id": ids, "category": "residential"}),
        bills=pd.DataFrame(
            bills, columns=["customer_id", "period", "issue_date", "due_date", "amount"]
        ).assign(kwh=100.0),
        payments=pd.DataFrame(payments, columns=["customer_id", "paid_date", "amount"]),
    )


def settled_on(book: ar.Ledger, as_of: str) -> dict[tuple[str, str], str | None]:
    """``(customer, period) -> settlement date`` (``None`` while open) at ``as_of``."""
    snap = take_snapshot(book, as_of)
    out = {}
    for code, period, day in zip(snap.b_cust, snap.b_period, snap.b_settled, strict=True):
        year, month = divmod(int(period), 12)
        date = None if day == UNSETTLED else str(EPOCH + dt.timedelta(days=int(day)))
        out[(str(snap.customer_ids[code]), f"{year}-{month + 1:02d}")] = date
    return out


# --- settlement ------------------------------------------------------------------------


def test_overpayment_credit_settles_the_next_bill_on_the_earlier_payment_day():
    # 200 paid on 02-10 covers January (100) and, as credit, February (100): February
    # is settled on 02-10, before it was even issued, and so is on time.
    book = ledger(
        [
            ("A", "2024-01", "2024-02-01", "2024-02-15", 100.00),
            ("A", "2024-02", "2024-03-01", "2024-03-15", 100.00),
        ],
        [("A", "2024-02-10", 200.00)],
    )
    assert settled_on(book, "2024-03-31") == {
        ("A", "2024-01"): "2024-02-10",
        ("A", "2024-02"): "2024-02-10",
    }
    feats = ar.build_features(book, "2024-03-31").loc["A"]
    assert feats["late_bills_count_3m"] == 0 and feats["open_balance"] == 0


def test_partial_payments_leave_the_bill_open():
    # 40 + 30 = 70 of 100: still open on 03-31, 30 in arrears, 45 days overdue.
    book = ledger(
        [("B", "2024-01", "2024-02-01", "2024-02-15", 100.00)],
        [("B", "2024-02-10", 40.00), ("B", "2024-02-20", 30.00)],
    )
    assert settled_on(book, "2024-03-31") == {("B", "2024-01"): None}
    feats = ar.build_features(book, "2024-03-31").loc["B"]
    assert feats["arrears_amount"] == pytest.approx(30.00)
    assert feats["overdue_bills_open"] == 1
    assert feats["days_late_max_12m"] == 45
    # The 02-10 payment came before the due date; the 02-20 one left 30 overdue.
    assert feats["partial_payments_share_12m"] == 0.5


def test_a_negative_correction_reduces_what_the_next_bill_needs():
    # Cumulative billed in FIFO order: 100, 100 - 30 = 70, 70 + 50 = 120.
    # Paid: 100 on 01-10, then 20 on 03-10 (cumulative 120).
    book = ledger(
        [
            ("C", "2023-12", "2024-01-02", "2024-01-16", 100.00),
            ("C", "2024-01", "2024-02-01", "2024-02-01", -30.00),  # due on issue
            ("C", "2024-02", "2024-03-01", "2024-03-15", 50.00),
        ],
        [("C", "2024-01-10", 100.00), ("C", "2024-03-10", 20.00)],
    )
    assert settled_on(book, "2024-03-31") == {
        ("C", "2023-12"): "2024-01-10",
        ("C", "2024-01"): "2024-01-10",  # 70 was already paid on 01-10
        ("C", "2024-02"): "2024-03-10",  # only 20 of its 50 had to be paid
    }


def test_a_bill_covered_by_an_earlier_credit_is_settled_on_its_issue_date():
    # Cumulative billed: -20, then -20 + 15 = -5: both covered without any payment.
    book = ledger(
        [
            ("D", "2024-01", "2024-02-01", "2024-02-01", -20.00),
            ("D", "2024-02", "2024-03-01", "2024-03-15", 15.00),
        ],
        [],
    )
    assert settled_on(book, "2024-03-31") == {
        ("D", "2024-01"): "2024-02-01",
        ("D", "2024-02"): "2024-03-01",
    }


def test_a_payment_one_cent_short_settles_two_cents_short_does_not():
    book = ledger(
        [
            ("E1", "2024-01", "2024-02-01", "2024-02-15", 100.00),
            ("E2", "2024-01", "2024-02-01", "2024-02-15", 100.00),
        ],
        [("E1", "2024-02-15", 99.99), ("E2", "2024-02-15", 99.98)],
    )
    assert settled_on(book, "2024-03-31") == {
        ("E1", "2024-01"): "2024-02-15",
        ("E2", "2024-01"): None,
    }


def test_bills_issued_or_payments_made_after_as_of_are_not_seen():
    book = ledger(
        [("F", "2024-01", "2024-02-01", "2024-02-15", 100.00)],
        [("F", "2024-02-16", 100.00)],
    )
    assert settled_on(book, "2024-01-31") == {}
    assert settled_on(book, "2024-02-15") == {("F", "2024-01"): None}
    assert settled_on(book, "2024-02-16") == {("F", "2024-01"): "2024-02-16"}


# --- labels ----------------------------------------------------------------------------
# as_of 2024-03-31, horizon 3 months, grace 30 days: target bills are due in
# (2024-03-31, 2024-06-30]; the outcome is observed until E = 2024-07-30.

AS_OF = "2024-03-31"


def _history(cid: str) -> list[tuple[str, str, str, str, float]]:
    """A February bill paid on time, then the target bill of March, due 04-15."""
    return [
        (cid, "2024-02", "2024-03-01", "2024-03-15", 100.00),
        (cid, "2024-03", "2024-04-01", "2024-04-15", 100.00),
    ]


@pytest.fixture
def graded() -> ar.Ledger:
    cases = {
        "NEVER": None,  # never paid: unsettled at E
        "AFTER_E": "2024-08-01",  # paid after E: unsettled at E
        "LATE_31": "2024-05-16",  # 31 days late: more than the grace
        "LATE_30": "2024-05-15",  # 30 days late: within the grace
        "LATE_5": "2024-04-20",
        "ON_DUE": "2024-04-15",  # on the due date: on time
        "EARLY": "2024-04-02",
    }
    bills, payments = [], []
    for cid, paid in cases.items():
        bills += _history(cid)
        payments.append((cid, "2024-03-10", 100.00))  # February's bill, on time
        if paid:
            payments.append((cid, paid, 100.00))
    bills += [
        ("OLD", "2024-02", "2024-03-01", "2024-03-15", 100.00),  # due before the window
        ("LATER", "2024-06", "2024-07-01", "2024-07-15", 100.00),  # due after it
        ("CREDIT", "2024-03", "2024-04-01", "2024-04-15", -100.00),  # not a target bill
    ]
    return ledger(bills, payments)


def test_grades_by_hand(graded):
    labels = ar.build_labels(graded, AS_OF)
    assert labels["grade"].astype(str).to_dict() == {
        "AFTER_E": "I",
        "EARLY": "III",
        "LATE_30": "II",
        "LATE_31": "I",
        "LATE_5": "II",
        "NEVER": "I",
        "ON_DUE": "III",
    }
    assert not labels["a_warning"].any()  # nobody owes 2 x 100 at E


def test_a_shorter_grace_makes_five_days_late_grade_I(graded):
    labels = ar.build_labels(graded, AS_OF, grace_days=4)
    assert labels.loc["LATE_5", "grade"] == "I"
    assert labels.loc["LATE_30", "grade"] == "I"
    assert labels.loc["ON_DUE", "grade"] == "III"


def test_labels_need_data_until_the_end_date(graded):
    with pytest.raises(ar.ArrearsRiskError, match=r"need data until 2024-08-29"):
        ar.build_labels(graded, AS_OF, grace_days=60)
    with pytest.raises(ar.ArrearsRiskError, match="horizon_months must be a whole number >= 1"):
        ar.build_labels(graded, AS_OF, horizon_months=0)


def _warning_case(cid: str, paid: float) -> tuple[list, list]:
    # Three bills of 100.40 issued in the 12 months up to as_of (average 100.40), and the
    # target bill of March: 4 x 100.40 = 401.60 billed and due by 06-30.
    bills = [
        (cid, "2023-12", "2024-01-02", "2024-01-16", 100.40),
        (cid, "2024-01", "2024-02-01", "2024-02-15", 100.40),
        (cid, "2024-02", "2024-03-01", "2024-03-15", 100.40),
        (cid, "2024-03", "2024-04-01", "2024-04-15", 100.40),
    ]
    payments = [(cid, "2024-01-15", paid)] if paid else []
    return bills, payments


def _label(cid: str, paid: float) -> pd.Series:
    bills, payments = _warning_case(cid, paid)
    # Another customer's bill and payment of 08-01 show that both exports run past E.
    book = ledger(
        [*bills, ("Z", "2024-07", "2024-08-01", "2024-08-01", 1.00)],
        [*payments, ("Z", "2024-08-01", 1.00)],
    )
    return ar.build_labels(book, AS_OF).loc[cid]


def test_a_level_warning_when_owing_four_average_bills():
    label = _label("W", 0)  # owes 401.60 >= 2 x 100.40 at E
    assert label["a_warning"] and label["grade"] == "I"


def test_a_level_warning_when_owing_exactly_twice_the_average_bill():
    # Paid 200.80: owes 401.60 - 200.80 = 200.80 = 2 x 100.40 at E: "at least" twice.
    label = _label("W", 200.80)
    assert label["a_warning"] and label["grade"] == "I"


def test_no_warning_when_owing_a_cent_less_than_twice_the_average_bill():
    # Paid 200.81: owes 200.79 < 200.80.  Still Grade I: the March bill is unpaid.
    label = _label("W", 200.81)
    assert not label["a_warning"] and label["grade"] == "I"
