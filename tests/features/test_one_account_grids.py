"""The one-account kernels of the grid families (trends, consumption, billing) on
literal accounts whose values are worked out by hand, each also equal to the batch
builder on the same account (the generic twin test is tests/features/test_one_account.py).

Every account is cut at 2024-12-31: its grids cover the periods 2022-12 (column 0) to
2024-11 (column 23), its 12-month rows 2023-12 to 2024-11.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from arrearsrisk.asof.account import AccountSnapshot, account_snapshot
from arrearsrisk.asof.snapshot import take_snapshot
from arrearsrisk.features import billing, consumption, trends
from arrearsrisk.features._one_stats import pairwise_sum
from arrearsrisk.features.one_account import one_value
from arrearsrisk.ledger.rows import account_ledger

AS_OF = "2024-12-31"


def _period(months_after_2022_12: int) -> str:
    """The period ``months_after_2022_12`` months after 2022-12 (0: 2022-12, 23: 2024-11)."""
    index = 2022 * 12 + 11 + months_after_2022_12
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _bill(period: str, kwh: float, amount: float, issue: dt.date | None = None) -> dict:
    year, month = (int(x) for x in period.split("-"))
    if issue is None:  # the 1st of the next month
        issue = dt.date(year + month // 12, month % 12 + 1, 1)
    return {
        "customer_id": "K",
        "period": period,
        "issue_date": issue,
        "due_date": issue + dt.timedelta(days=14),
        "kwh": kwh,
        "amount": amount,
    }


def _account(bills: list[dict]) -> AccountSnapshot:
    return account_snapshot(
        account_ledger({"customer_id": "K", "category": "commercial"}, bills, []), AS_OF
    )


def _grid_account(kwh: dict[int, float], amount: dict[int, float] | None = None) -> AccountSnapshot:
    """An account with a bill for each grid column given (kWh, and amount or 1.0)."""
    amounts = amount if amount is not None else dict.fromkeys(kwh, 1.0)
    columns = sorted(kwh.keys() | amounts.keys())
    return _account([_bill(_period(c), kwh.get(c, 0.0), amounts.get(c, 0.0)) for c in columns])


def _kernel_and_batch(module, account: AccountSnapshot) -> dict[str, float]:
    """The kernel's values, after checking they equal the batch's to the last bit."""
    got = module.build_one(account)
    batch = module.build(take_snapshot(account.ledger, account.as_of))
    for name, value in got.items():
        expected = one_value(batch[name])
        assert type(value) is float, name
        assert value == expected or (math.isnan(value) and math.isnan(expected)), name
    return got


def test_pairwise_sum_adds_in_numpys_order():
    # 1e16 + 1 + 1 ... one by one loses every 1 (the spacing of floats there is 2);
    # numpy's 8 running sums add seven of them up first.
    values = [1e16] + [1.0] * 11
    one_by_one = 0.0
    for v in values:
        one_by_one += v
    assert one_by_one == 1e16
    assert pairwise_sum(values) == float(np.sum(np.array(values))) == 1e16 + 8.0
    assert pairwise_sum(values[:7]) == 1e16  # below 8 values: one by one, as numpy


def test_relative_slope_of_three_readings():
    # 2024-09..11 (positions 9, 10, 11 of the 12): 100, 110, 120 kWh.  Slope 10 a month
    # against a mean of 110; 2 readings only: no trend (the batch's n >= 3).
    got = _kernel_and_batch(consumption, _grid_account({21: 100.0, 22: 110.0, 23: 120.0}))
    assert got["kwh_trend_12m"] == 10 / 110
    assert got["kwh_months_known_12m"] == 3.0
    assert got["kwh_mean_3m"] == got["kwh_mean_12m"] == 110.0
    two = _kernel_and_batch(consumption, _grid_account({22: 110.0, 23: 120.0}))
    assert math.isnan(two["kwh_trend_12m"]) and two["kwh_mean_12m"] == 115.0


def test_relative_slope_across_gaps_and_without_consumption():
    # positions 1, 5, 9 of the 12: 90, 70, 50: slope -5 a month, mean 70.
    got = _kernel_and_batch(consumption, _grid_account({13: 90.0, 17: 70.0, 21: 50.0}))
    assert got["kwh_trend_12m"] == -5 / 70
    assert got["kwh_zero_months_12m"] == 0.0
    # all zero: mean 0, no relative slope, no coefficient of variation; 3 zero months
    zero = _kernel_and_batch(consumption, _grid_account({13: 0.0, 17: 0.0, 21: 0.0}))
    assert math.isnan(zero["kwh_trend_12m"]) and math.isnan(zero["kwh_cv_12m"])
    assert zero["kwh_zero_months_12m"] == 3.0
    # no reading in the 12 months: zero months unknown, months known 0
    none = _kernel_and_batch(consumption, _grid_account({0: 10.0}))
    assert math.isnan(none["kwh_zero_months_12m"]) and none["kwh_months_known_12m"] == 0.0


def test_seasonal_amplitude_of_the_two_year_profile():
    # 100 kWh every month except 40 in the first year's 4th month (averaged with 100:
    # 70) and 200 in the second year's 6th (with 100: 150).  Profile mean 1220 / 12.
    kwh = {c: 100.0 for c in range(24)} | {3: 40.0, 17: 200.0}
    got = _kernel_and_batch(consumption, _grid_account(kwh))
    assert got["kwh_seasonal_amplitude_24m"] == (150.0 - 70.0) / (1220.0 / 12)
    # a calendar month known in one year only counts with that year's value (100) ...
    one_year = {c: v for c, v in kwh.items() if c != 3}
    got = _kernel_and_batch(consumption, _grid_account(one_year))
    assert got["kwh_seasonal_amplitude_24m"] == (150.0 - 100.0) / (1250.0 / 12)
    # ... a calendar month unknown in both years leaves the amplitude unknown
    gap = {c: v for c, v in kwh.items() if c not in (3, 15)}
    assert math.isnan(
        _kernel_and_batch(consumption, _grid_account(gap))["kwh_seasonal_amplitude_24m"]
    )


def test_months_since_kwh_drop_takes_the_latest_fall():
    # A year earlier (columns 0..11) 100 a month; now (12..23) 100 but 2024-07..09
    # (columns 19..21) at 20.  Against 70% of 300 (210): the windows ending in column
    # 21 (60) and 22 (140) fall, the one ending in 23 (220) does not: 1 period ago.
    kwh = {c: 100.0 for c in range(24)} | {19: 20.0, 20: 20.0, 21: 20.0}
    assert _kernel_and_batch(trends, _grid_account(kwh))["months_since_kwh_drop"] == 1.0
    # with 2024-10 and 11 back at 200, only the windows ending at 21 and 22 fall:
    # (20 + 20 + 200 = 240) is not below 210, (20 + 20 + 20) is: 2 periods ago
    back = kwh | {22: 200.0, 23: 200.0}
    got = _kernel_and_batch(trends, _grid_account(back))
    assert got["months_since_kwh_drop"] == 2.0
    assert got["kwh_yoy_ratio_1m"] == 2.0
    assert got["kwh_yoy_ratio_6m"] == ((100 + 20 * 3 + 200 * 2) / 6) / 100
    # exactly 70% (3 x 70 = 210 against 300) is no drop; an unknown month hides one
    assert math.isnan(
        _kernel_and_batch(trends, _grid_account(kwh | {19: 70.0, 20: 70.0, 21: 70.0}))[
            "months_since_kwh_drop"
        ]
    )
    hidden = {c: v for c, v in kwh.items() if c != 10}  # a year before column 22
    assert _kernel_and_batch(trends, _grid_account(hidden))["months_since_kwh_drop"] == 2.0
    assert math.isnan(
        _kernel_and_batch(trends, _grid_account({c: v for c, v in kwh.items() if c < 20}))[
            "months_since_kwh_drop"
        ]
    )


def test_max_to_mean_swing_and_cv_with_a_correction_bill():
    # 12-month bills (columns 12..23): 2024-09 100, 2024-10 100, 2024-11 -50.
    got = _kernel_and_batch(billing, _grid_account({}, {21: 100.0, 22: 100.0, 23: -50.0}))
    assert got["bill_amount_max_to_mean_12m"] == 100.0 / 50.0
    assert got["bill_amount_swing_12m"] == ((0.0 + 150.0) / 2) / 50.0
    assert got["bill_amount_cv_12m"] == math.sqrt(15000.0 / 3) / 50.0
    assert got["bill_amount_last"] == -50.0
    assert (got["bills_issued_count_12m"], got["correction_bills_count_12m"]) == (3.0, 1.0)
    assert got["bill_amount_mean_12m"] == 50.0
    # a net refund: mean -25, so no ratio at all, and an exposure of 0
    refund = _kernel_and_batch(billing, _grid_account({}, {22: 100.0, 23: -150.0}))
    for name in ("bill_amount_max_to_mean_12m", "bill_amount_swing_12m", "bill_amount_cv_12m"):
        assert math.isnan(refund[name]), name
    assert refund["bill_amount_mean_12m"] == 0.0


def test_billing_history_from_the_first_period_and_last_from_the_grid():
    bills = [
        _bill("2023-03", 10.0, 5.0),  # the first period: 21 months before 2024-12
        _bill("2024-10", 10.0, 7.0),
        # the December bill, issued early: outside the grid, so not the last grid cell
        _bill("2024-12", 10.0, 9.0, issue=dt.date(2024, 12, 20)),
        # a late bill of an older period, issued after as_of: not known yet
        _bill("2023-02", 10.0, 3.0, issue=dt.date(2025, 1, 5)),
    ]
    got = _kernel_and_batch(billing, _account(bills))
    assert got["billing_history_months"] == 21.0
    assert got["bill_amount_last"] == 7.0
    assert got["bills_issued_count_12m"] == 2.0
    # nothing issued by as_of: no history, no last bill, no exposure, counts 0
    later = _kernel_and_batch(billing, _account(bills[3:]))
    for name in ("billing_history_months", "bill_amount_last", "bill_amount_mean_12m"):
        assert math.isnan(later[name]), name
    assert later["bills_issued_count_12m"] == 0.0


@pytest.mark.parametrize("module", [trends, consumption, billing])
def test_the_kernel_is_the_familys_build_one(module):
    assert module.FAMILY.build_one is module.build_one
    assert list(module.build_one(_grid_account({23: 1.0}))) == list(module.NAMES)
