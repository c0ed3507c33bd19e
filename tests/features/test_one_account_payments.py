"""The payments and quality kernels (``build_one``) on literal one-account ledgers.

Each value below is worked out by hand from the rows; the kernel must give it, and so
must the batch builder on the account's snapshot (the reference).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from arrearsrisk.asof.account import account_snapshot
from arrearsrisk.asof.snapshot import take_snapshot
from arrearsrisk.features import payments, quality
from arrearsrisk.features.one_account import one_value
from arrearsrisk.ledger.rows import account_ledger

AS_OF = "2025-09-30"
CUSTOMER = {"customer_id": "C1", "category": "commercial", "opened": "2020-01-01"}


def _bill(period: str, due: str, amount: float = 80.0, estimated: Any = None) -> dict[str, Any]:
    return {
        "customer_id": "C1",
        "period": period,
        "issue_date": f"{due[:8]}01",
        "due_date": due,
        "kwh": 100.0,
        "amount": amount,
        "estimated": estimated,
    }


def _pay(day: str, amount: float = 80.0, channel: str | None = None) -> dict[str, Any]:
    return {"customer_id": "C1", "paid_date": day, "amount": amount, "channel": channel}


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _built(family: Any, bills: list, pays: list, as_of: str = AS_OF) -> dict[str, float]:
    """The kernel's values, checked equal (exactly) to the batch builder's."""
    ledger = account_ledger(CUSTOMER, bills, pays)
    kernel = family.build_one(account_snapshot(ledger, as_of))
    batch = {k: one_value(v) for k, v in family.build(take_snapshot(ledger, as_of)).items()}
    assert list(kernel) == list(batch) == list(family.names)
    assert all(type(v) is float for v in kernel.values())
    bad = {k: (v, batch[k]) for k, v in kernel.items() if not _same(v, batch[k])}
    assert not bad, bad
    return kernel


BILLS = [
    _bill("2023-12", "2024-01-15", 50.0),  # B0: paid 5 days late, before the 12 months
    _bill("2025-04", "2025-05-15", 100.0),  # B1: paid by the two payments of 05-20
    _bill("2025-05", "2025-06-15"),  # B2: settled 07-15, 30 days late (not serious)
    _bill("2025-06", "2025-07-15"),  # B3: settled 07-16, 1 day late
    _bill("2025-07", "2025-08-15"),  # B4: settled 08-10, on time
    _bill("2025-08", "2025-09-15"),  # B5: open, 15 days overdue on 09-30
]
PAYMENTS = [
    _pay("2024-01-20", 50.0, "agent"),  # outside the 12 months
    _pay("2025-05-20", 60.0, "counter"),  # alone it would leave 40 owed: same day counts
    _pay("2025-05-20", 40.0, "online"),
    _pay("2025-06-20", 30.0, "bank_debit"),  # B2 due 06-15 and 50 of it unpaid: partial
    _pay("2025-07-15", 80.0),  # B3 due that very day: 50 still owed, partial
    _pay("2025-07-16", 49.99, "kiosk"),  # leaves 1 cent owed: within tolerance
    _pay("2025-08-10", 80.0, "bank_debit"),  # before B5 is due: nothing owed by then
]


def test_partial_payments_count_same_day_payments_together_and_bills_due_that_day():
    values = _built(payments.FAMILY, BILLS, PAYMENTS)
    assert values["payments_count_12m"] == 6.0
    assert values["partial_payments_share_12m"] == 2 / 6


def test_payment_timing_and_channel_shares():
    values = _built(payments.FAMILY, BILLS, PAYMENTS)
    assert values["pay_day_of_month_mean_12m"] == (20 + 20 + 20 + 15 + 16 + 10) / 6
    assert values["paid_in_window_share_12m"] == 1 / 6  # the 10th only
    shares = {ch: values[f"channel_share_{ch}_12m"] for ch in payments.CHANNELS}
    assert shares == {
        "counter": 1 / 6,
        "bank_debit": 2 / 6,
        "online": 1 / 6,
        "kiosk": 1 / 6,
        "agent": 0.0,  # its payment is older than 12 months
        "prepaid": 0.0,
        "other": 0.0,
    }  # the payment of unknown channel counts in no share
    assert values["days_since_last_payment"] == 51.0  # 08-10 to 09-30
    assert values["paid_to_billed_ratio_12m"] == (60.0 + 40.0 + 30.0 + 80.0 + 49.99 + 80.0) / 420.0


def test_lateness_windows_streaks_and_arrears():
    values = _built(payments.FAMILY, BILLS, PAYMENTS)
    counts = {
        w: tuple(
            values[f"{stem}_{w}m"]
            for stem in ("bills_due_count", "late_bills_count", "serious_late_bills_count")
        )
        for w in (3, 6, 12, 24)
    }
    assert counts == {
        3: (3.0, 2.0, 0.0),  # B3, B4, B5
        6: (5.0, 4.0, 0.0),
        12: (5.0, 4.0, 0.0),
        24: (6.0, 5.0, 0.0),  # and B0
    }
    assert values["late_bills_share_3m"] == 2 / 3
    assert values["serious_late_bills_share_24m"] == 0.0
    assert values["days_late_mean_12m"] == (5 + 30 + 1 + 0 + 15) / 5
    assert values["days_late_max_12m"] == 30.0
    assert (values["late_streak"], values["on_time_streak"]) == (1.0, 0.0)  # B5, after B4
    assert values["days_since_last_late"] == 15.0  # B5's due day
    assert (values["overdue_bills_open"], values["oldest_overdue_days"]) == (1.0, 15.0)
    assert values["open_balance"] == values["arrears_amount"] == 8001 / 100.0
    assert values["arrears_to_bill_ratio"] == (8001 / 100.0) / (420.0 / 5)
    assert values["days_issue_to_settlement_mean_12m"] == (19 + 44 + 15 + 9) / 4


def test_trailing_streaks_count_the_last_due_bills_in_a_row():
    late_run = _built(payments.FAMILY, BILLS[1:4], [_pay("2025-09-01", 260.0)])
    assert (late_run["late_streak"], late_run["on_time_streak"]) == (3.0, 0.0)
    assert late_run["days_since_last_late"] == 77.0  # 07-15 (B3's due day) to 09-30
    tail = _built(
        payments.FAMILY,
        BILLS[1:4],
        [_pay("2025-05-20", 100.0), _pay("2025-06-10"), _pay("2025-07-10")],
    )
    assert (tail["late_streak"], tail["on_time_streak"]) == (0.0, 2.0)  # B1 only was late
    assert tail["days_since_last_late"] == 138.0  # 05-15 to 09-30


def test_a_bill_settled_before_its_due_day_after_as_of_counts_in_the_streaks_only():
    bills = [{**_bill("2025-08", "2025-10-15"), "issue_date": "2025-09-01"}]
    values = _built(payments.FAMILY, bills, [_pay("2025-09-20")])
    assert (values["late_streak"], values["on_time_streak"]) == (0.0, 1.0)
    assert values["bills_due_count_3m"] == 0.0
    assert math.isnan(values["late_bills_share_3m"]) and math.isnan(values["days_late_max_12m"])
    assert values["days_issue_to_settlement_mean_12m"] == 19.0
    assert math.isnan(values["days_since_last_late"])


def test_no_bill_due_and_no_payment_give_nan_shares_and_streaks():
    values = _built(payments.FAMILY, [_bill("2025-08", "2025-10-15")], [], as_of="2025-10-05")
    assert math.isnan(values["late_streak"]) and math.isnan(values["on_time_streak"])
    assert values["payments_count_12m"] == 0.0
    assert math.isnan(values["partial_payments_share_12m"])
    assert math.isnan(values["channel_share_counter_12m"])
    assert math.isnan(values["days_since_last_payment"])
    assert values["open_balance"] == 80.0 and values["arrears_amount"] == 0.0


@pytest.mark.parametrize(
    ("day", "dom"),
    [
        ("2024-02-29", 29),
        ("2024-12-31", 31),
        ("2025-01-01", 1),
        ("2025-03-10", 10),
        ("2025-03-11", 11),
    ],
)
def test_the_day_of_month_of_a_payment(day, dom):
    values = _built(payments.FAMILY, [_bill(day[:7], day)], [_pay(day)], as_of=day)
    assert values["pay_day_of_month_mean_12m"] == float(dom)
    assert values["paid_in_window_share_12m"] == (1.0 if dom <= 10 else 0.0)


def test_estimated_readings():
    bills = [
        _bill("2024-08", "2024-09-15", estimated=True),  # issued 2024-09-01: too old
        _bill("2025-01", "2025-02-15", estimated=True),
        _bill("2025-02", "2025-03-15", estimated=None),  # unknown: not in the share
        _bill("2025-06", "2025-07-15", estimated=True),  # in the 3 months
        _bill("2025-07", "2025-08-15", estimated=False),
    ]
    values = _built(quality.FAMILY, bills, [])
    assert values == {"estimated_share_12m": 2 / 3, "estimated_count_3m": 1.0}
    unknown = _built(quality.FAMILY, [bills[2]], [])
    assert math.isnan(unknown["estimated_share_12m"]) and unknown["estimated_count_3m"] == 0.0
