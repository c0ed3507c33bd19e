"""Features on the tiny literal ledger of conftest.py, values worked out by hand, and
the contract every feature family keeps (index, declared names, dtypes, determinism)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.features import check_feature_family, families

AS_OF = "2024-04-30"


@pytest.fixture
def features(tables) -> pd.DataFrame:
    return ar.build_features(ar.Ledger(**tables), AS_OF)


def test_customer_1_payment_history(features):
    # Jan bill 800 due 02-15 paid 02-10 (on time); Feb 960 due 03-15 settled by the
    # payment of 04-20 (36 days late); Mar 640 due 04-15 still open (15 days overdue).
    c1 = features.loc["C1"]
    expected = {
        "bills_due_count_3m": 3,
        "late_bills_count_3m": 2,
        "late_bills_share_3m": 2 / 3,
        "serious_late_bills_count_3m": 1,
        "days_late_mean_12m": (0 + 36 + 15) / 3,
        "days_late_max_12m": 36,
        "open_balance": 640,
        "arrears_amount": 640,
        "arrears_to_bill_ratio": 640 / 800,
        "overdue_bills_open": 1,
        "oldest_overdue_days": 15,
        "late_streak": 2,
        "on_time_streak": 0,
        "days_since_last_late": 15,
        "days_since_last_payment": 10,
        "payments_count_12m": 2,
        "paid_to_billed_ratio_12m": 1760 / 2400,
        "partial_payments_share_12m": 0.5,  # the 04-20 payment leaves 640 due open
        "pay_day_of_month_mean_12m": 15,
        "paid_in_window_share_12m": 0.5,
        "days_issue_to_settlement_mean_12m": (9 + 50) / 2,
        "channel_share_bank_debit_12m": 0.5,
        "channel_share_counter_12m": 0.5,
        "channel_share_online_12m": 0.0,
    }
    for name, value in expected.items():
        assert c1[name] == pytest.approx(value), name


def test_customer_1_consumption_bills_account_quality(features):
    c1 = features.loc["C1"]
    expected = {
        "kwh_mean_3m": 1000,
        "kwh_mean_12m": 1000,
        "kwh_ratio_3m_to_12m": 1.0,
        "kwh_zero_months_12m": 0,
        "kwh_months_known_12m": 3,
        "bill_amount_mean_12m": 800,
        "bill_amount_last": 640,
        "bill_amount_max_to_mean_12m": 960 / 800,
        "bills_issued_count_12m": 3,
        "billing_history_months": 3,
        "tenure_months": 485 / (365.25 / 12),
        "deposit": 500,
        "deposit_to_bill_ratio": 500 / 800,
        "tenant": 0.0,
        "estimated_share_12m": 1 / 3,
        "estimated_count_3m": 1,
        "in_group": 0.0,
    }
    for name, value in expected.items():
        assert c1[name] == pytest.approx(value), name
    assert c1["category"] == "commercial" and c1["industry_section"] == "F"
    # Only three months of history: trend needs three, year-on-year needs fifteen.
    assert not np.isnan(c1["kwh_trend_12m"]) and np.isnan(c1["kwh_yoy_ratio_3m"])


def test_customer_2_serious_arrears_and_unknowns(features):
    c2 = features.loc["C2"]
    assert c2["serious_late_bills_count_3m"] == 1  # Feb bill 46 days overdue at 04-30
    assert c2["oldest_overdue_days"] == 46
    assert c2["arrears_amount"] == pytest.approx(54)
    assert c2["tenant"] == 1.0
    assert np.isnan(c2["deposit"]) and np.isnan(c2["prepaid"])  # unknown, not False
    assert pd.isna(c2["industry"])


def test_new_account_has_explicit_empty_history(tables):
    tables["customers"].loc[2] = ["C3", "industrial", "C31", "East", "2024-04-10", None, False]
    feats = ar.build_features(ar.Ledger(**tables), AS_OF)
    c3 = feats.loc["C3"]
    assert c3["bills_due_count_12m"] == 0 and c3["payments_count_12m"] == 0
    assert np.isnan(c3["late_bills_share_12m"]) and np.isnan(c3["bill_amount_mean_12m"])
    assert np.isnan(c3["billing_history_months"]) and c3["tenure_months"] < 1


def test_customers_not_yet_opened_are_left_out(tables):
    assert list(ar.build_features(ar.Ledger(**tables), "2023-03-31").index) == ["C1"]


def test_index_names_and_dtypes_are_stable(tables):
    ledger = ar.Ledger(**tables)
    early = ar.build_features(ledger, "2024-02-29")
    late = ar.build_features(ledger, AS_OF)
    assert early.index.name == "customer_id" and early.index.is_unique
    assert list(early.columns) == ar.feature_names(ledger)
    assert (early.dtypes == late.dtypes).all()
    categorical = {"category", "industry", "industry_section", "region"}
    for name, dtype in late.dtypes.items():
        assert dtype == ("category" if name in categorical else "float64"), name


@pytest.mark.parametrize("family", families(), ids=lambda f: f.name)
def test_every_family_declares_what_it_builds(tables, family):
    # Declared names in order, one value per customer, stable dtypes, determinism, no
    # leakage, monotone directions and reason texts: the whole contract.
    check_feature_family(family, ar.Ledger(**tables), AS_OF)


def test_features_are_deterministic(tables):
    ledger = ar.Ledger(**tables)
    pd.testing.assert_frame_equal(
        ar.build_features(ledger, AS_OF), ar.build_features(ledger, AS_OF)
    )


def test_feature_names_say_their_window():
    names = ar.feature_names()
    assert len(names) == len(set(names))
    assert {"late_bills_count_12m", "serious_late_bills_share_24m", "kwh_trend_12m"} <= set(names)


def test_peer_rates_on_a_partition_equal_the_whole(tables):
    tables["customers"].loc[2] = ["C3", "commercial", "F51", "East", "2023-01-01", None, False]
    tables["bills"].loc[5] = ["C3", "2024-01", "2024-02-01", "2024-02-15", 10.0, 8.0, False]
    tables["payments"].loc[3] = ["C3", "2024-02-14", 8.0, "online"]
    ledger = ar.Ledger(**tables)
    whole = ar.build_features(ledger, AS_OF)
    ctx = ar.peer_context(ledger, AS_OF)
    part = ar.build_features(ledger.subset(["C3"]), AS_OF, peers=ctx)
    pd.testing.assert_series_equal(part.loc["C3"], whole.loc["C3"], check_names=False)
    # C1 (F51, East) is in arrears; C3 is not: C3's peers are C1 alone, shrunk to the mean.
    overall = 2 / 3
    assert whole.loc["C3", "industry_arrears_rate_6m"] == pytest.approx((1 + 20 * overall) / 21)
    alone = ar.build_features(ledger.subset(["C3"]), AS_OF)
    assert (
        alone.loc["C3", "industry_arrears_rate_6m"] != whole.loc["C3", "industry_arrears_rate_6m"]
    )


def test_peer_context_date_must_be_at_or_shortly_before_the_features(tables):
    ledger = ar.Ledger(**tables)
    with pytest.raises(ar.ArrearsRiskError, match="after the features' as_of"):
        ar.build_features(ledger, AS_OF, peers=ar.peer_context(ledger, "2024-05-31"))
    with pytest.raises(ar.ArrearsRiskError, match="more than the 31 days"):
        ar.build_features(ledger, AS_OF, peers=ar.peer_context(ledger, "2024-02-29"))
    with pytest.warns(ar.PeerContextWarning, match="2024-03-31"):  # last month end's: said
        ar.build_features(ledger, AS_OF, peers=ar.peer_context(ledger, "2024-03-31"))


@pytest.mark.parametrize("bad", ["April", "2024-04-31", "2024-04-30 12:00"])
def test_bad_as_of(tables, bad):
    with pytest.raises(ar.ArrearsRiskError, match="as_of"):
        ar.build_features(ar.Ledger(**tables), bad)
