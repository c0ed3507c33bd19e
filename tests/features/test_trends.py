"""The trend family (``arrearsrisk.features.trends``): values worked out by hand on the
tiny literal ledger of conftest.py and on an 18-month literal ledger written below,
and the same values as the slow twin (``tests/reference.py``) on generated ledgers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.asof.snapshot import take_snapshot
from arrearsrisk.features import check_feature_family, families
from arrearsrisk.features.trends import FAMILY, NAMES, build
from tests import reference as ref
from tests.strategies import build_ledger, ledgers_with_as_of

AS_OF = "2024-04-30"
EXACT = {"months_since_kwh_drop"}
"""Whole numbers: compared exactly."""


def trends(ledger: ar.Ledger, as_of: object) -> pd.DataFrame:
    """The family's columns for the active customers, built on its own."""
    snap = take_snapshot(ledger, as_of)  # type: ignore[arg-type]
    cols = build(snap)
    active = snap.active
    return pd.DataFrame(
        {name: cols[name][active] for name in NAMES},
        index=pd.Index(snap.customer_ids[active], name="customer_id"),
    )


def test_the_family_keeps_the_contract(tables):
    check_feature_family(FAMILY)
    check_feature_family(FAMILY, ar.Ledger(**tables), AS_OF)
    assert list(build(take_snapshot(ar.Ledger(**tables), AS_OF))) == list(NAMES)


def test_tiny_ledger_by_hand(tables):
    # C1: Jan due 02-15 paid 02-10 (-5 days), Feb due 03-15 settled 04-20 (+36), Mar due
    # 04-15 open (15 overdue at 04-30), its reading estimated.  C2: Jan due 02-15 paid
    # 02-12 (-3), Feb due 03-15 open (46 overdue).  Three months of history only.
    got = trends(ar.Ledger(**tables), AS_OF)
    c1, c2 = got.loc["C1"], got.loc["C2"]
    assert c1["days_late_mean_3m"] == pytest.approx((0 + 36 + 15) / 3)
    assert c2["days_late_mean_3m"] == pytest.approx((0 + 46) / 2)
    assert c1["estimated_share_24m"] == pytest.approx(1 / 3)
    assert c1["estimated_late_share_24m"] == 1.0  # the estimated March bill is overdue
    assert c2["estimated_share_24m"] == 0.0 and np.isnan(c2["estimated_late_share_24m"])
    # Nothing due 6 to 12 months ago, no kWh a year ago: the comparisons are unknown.
    for name in NAMES:
        if not name.startswith(("days_late_mean", "estimated")):
            assert np.isnan(c1[name]) and np.isnan(c2[name]), name


KWH = {
    **{f"2023-{m:02d}": 100.0 for m in range(1, 7)},
    **{f"2023-{m:02d}": 50.0 for m in range(7, 10)},  # a summer fall last year
    **{f"2023-{m:02d}": 100.0 for m in range(10, 13)},
    "2024-01": 100.0,
    "2024-02": 100.0,
    "2024-03": 100.0,
    "2024-04": 30.0,  # a drop in spring...
    "2024-05": 30.0,
    "2024-06": 200.0,  # ...and a rebound
}
ESTIMATED = {"2023-07", "2024-04"}


def _year_and_a_half() -> ar.Ledger:
    """One customer, 18 monthly bills (0.50 CNY/kWh) issued on the 1st of the next month
    and due on the 15th, paid in full on the 10th except the estimated July 2023 bill,
    paid on 2023-08-20 (5 days late)."""
    bills, payments = [], []
    for period, kwh in KWH.items():
        year, month = (int(x) for x in period.split("-"))
        issue = dt.date(year + month // 12, month % 12 + 1, 1)
        paid = issue.replace(day=20 if period == "2023-07" else 10)
        cents = int(kwh * 50)
        bills.append(
            {
                "customer_id": "Y",
                "period": period,
                "issue_date": issue,
                "due_date": issue.replace(day=15),
                "kwh": kwh,
                "cents": cents,
                "estimated": period in ESTIMATED,
            }
        )
        payments.append({"customer_id": "Y", "paid_date": paid, "cents": cents})
    return build_ledger([{"customer_id": "Y", "category": "commercial"}], bills, payments)


def test_eighteen_months_by_hand():
    y = trends(_year_and_a_half(), "2024-07-31").loc["Y"]  # latest period 2024-06
    expected = {
        # Due in the last 3 months (May-July 15th): all 5 days early, none late.
        "days_late_mean_3m": 0.0,
        # Last 6 months all on time; the 6 before (due 2023-08-15..2024-01-15): 5, 0 x 5.
        "days_late_change_6m": 0.0 - 5 / 6,
        # -5 days a bill now; the 9 before: +5 once and -5 eight times.
        "payment_timing_drift_3m": -5 - (5 - 8 * 5) / 9,
        "kwh_yoy_ratio_1m": 200 / 100,  # June 2024 against June 2023
        "kwh_yoy_ratio_6m": ((3 * 100 + 30 + 30 + 200) / 6) / 100,
        # Apr-Jun 2024 (260) is not below 70% of Apr-Jun 2023 (300); Mar-May 2024 (160) is.
        "months_since_kwh_drop": 1.0,
        # Last year's July-September (50 a month) against its April-June (100).
        "kwh_season_ahead_ratio_3m": 0.5,
        "estimated_share_24m": 2 / 18,
        "estimated_late_share_24m": 1 / 2,
    }
    for name, value in expected.items():
        assert y[name] == pytest.approx(value), name


def test_a_drop_of_exactly_70_percent_is_not_a_drop():
    ledger = _year_and_a_half()
    bills = ledger.bills.copy()
    # Apr-Jun 2024: 70 + 70 + 70 = exactly 70% of last year's 300; Mar-May stays a drop.
    bills.loc[bills["period"].isin(["2024-04", "2024-05", "2024-06"]), "kwh"] = 70.0
    bills.loc[bills["period"] == "2024-03", "kwh"] = 10.0
    same = ar.Ledger(ledger.customers, bills, ledger.payments)
    assert trends(same, "2024-07-31").loc["Y", "months_since_kwh_drop"] == 1.0
    bills.loc[bills["period"] == "2024-06", "kwh"] = 69.0
    lower = ar.Ledger(ledger.customers, bills, ledger.payments)
    assert trends(lower, "2024-07-31").loc["Y", "months_since_kwh_drop"] == 0.0


def test_a_month_earlier_the_rebound_is_not_known_yet():
    # At 2024-06-30 the latest period is May 2024: the June rebound (billed 07-01) is
    # unknown, so Mar-May 2024 is the latest drop, 0 periods ago.
    june = trends(_year_and_a_half(), "2024-06-30").loc["Y"]
    assert june["kwh_yoy_ratio_1m"] == pytest.approx(30 / 100)  # May 2024 / May 2023
    assert june["months_since_kwh_drop"] == 0.0
    assert june["kwh_season_ahead_ratio_3m"] == pytest.approx((100 + 50 + 50) / (100 + 100 + 100))


@settings(max_examples=100, deadline=None)
@given(ledgers_with_as_of())
def test_trend_features_match_the_slow_twin(case):
    ledger, as_of = case
    got = trends(ledger, as_of)
    want = pd.DataFrame.from_dict(ref.trend_features(ref.book_of(ledger), as_of), orient="index")
    assert sorted(got.index) == list(want.index)
    if want.empty:
        return
    got = got.loc[want.index]
    assert set(ref.TREND_FEATURES) == set(NAMES)
    for name in NAMES:
        actual, expected = got[name].to_numpy(), want[name].to_numpy(dtype=np.float64)
        if name in EXACT:
            np.testing.assert_array_equal(actual, expected, err_msg=name)
        else:
            np.testing.assert_allclose(actual, expected, rtol=1e-9, equal_nan=True, err_msg=name)


_dense_kwh = st.sampled_from([0.0, 7.0, 10.0, 30.0, 70.0, 100.0, 123.45])
"""Few values, so sums fall exactly on 70% of a year earlier now and then."""


@st.composite
def dense_ledgers(draw):
    """1-3 customers billed nearly every month of 2023-01..2024-12 (so the year-on-year
    comparisons and drops are known), paid on time, late, in part or not at all."""
    customers, bills, payments = [], [], []
    for cid in draw(st.lists(st.sampled_from(["D1", "D2", "D3"]), min_size=1, unique=True)):
        customers.append({"customer_id": cid, "category": "industrial"})
        skip = draw(st.sets(st.integers(0, 23), max_size=3))
        for index in range(24):
            if index in skip:
                continue
            year, month = 2023 + index // 12, index % 12 + 1
            issue = dt.date(year + month // 12, month % 12 + 1, 1)
            kwh = draw(_dense_kwh)
            cents = round(kwh * 80)
            bills.append(
                {
                    "customer_id": cid,
                    "period": f"{year}-{month:02d}",
                    "issue_date": issue,
                    "due_date": issue.replace(day=15),
                    "kwh": kwh,
                    "cents": cents,
                    "estimated": draw(st.sampled_from([False, False, True, None])),
                }
            )
            lag = draw(st.sampled_from([5, 12, 14, 15, 20, 50, None]))
            if lag is not None and cents > 0:
                share = draw(st.sampled_from([1.0, 1.0, 0.5]))
                payments.append(
                    {
                        "customer_id": cid,
                        "paid_date": issue + dt.timedelta(days=lag),
                        "cents": max(int(cents * share), 1),
                    }
                )
    month_end = draw(st.integers(12, 25))
    year, month = 2023 + month_end // 12, month_end % 12 + 1
    as_of = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return build_ledger(customers, bills, payments), as_of


@settings(max_examples=60, deadline=None)
@given(dense_ledgers())
def test_trend_features_match_the_slow_twin_on_long_histories(case):
    ledger, as_of = case
    got = trends(ledger, as_of)
    want = pd.DataFrame.from_dict(ref.trend_features(ref.book_of(ledger), as_of), orient="index")
    got = got.loc[want.index]
    for name in NAMES:
        actual, expected = got[name].to_numpy(), want[name].to_numpy(dtype=np.float64)
        np.testing.assert_allclose(actual, expected, rtol=1e-9, equal_nan=True, err_msg=name)


def test_registered_family_builds_the_same_columns(tables):
    if FAMILY not in families():
        pytest.skip("the trends family is not registered")
    ledger = ar.Ledger(**tables)
    feats = ar.build_features(ledger, AS_OF)
    pd.testing.assert_frame_equal(feats[list(NAMES)], trends(ledger, AS_OF).loc[feats.index])
