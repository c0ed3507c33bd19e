"""No leakage: nothing dated after ``as_of`` changes a feature at ``as_of``.

For generated ledgers and cut-off dates, the future is rewritten at random (bills
issued after ``as_of`` and payments made after it are dropped, changed, moved further
into the future or added, and customers opening after ``as_of`` are added), and every
column of every registered feature family, and the peer context, must stay exactly the
same.
A control test shows that the comparison does see a change made *on* ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.features import families
from arrearsrisk.ledger.schema import CATEGORIES, CHANNELS
from tests.strategies import ledger_from_tables, ledgers_with_as_of

# --- rewriting the future --------------------------------------------------------------

_days = st.integers(1, 500)
_due_after_issue = st.integers(0, 400)  # a new due date anywhere after the issue date
_cents = st.one_of(st.integers(1, 300_000), st.integers(-50_000, 0))
_positive_cents = st.integers(1, 300_000)
_kwh = st.integers(0, 500_000).map(lambda x: x / 100)
_estimated = st.sampled_from([True, False, None])
_channel = st.sampled_from([*CHANNELS, None])
_bill_change = st.sampled_from(["keep", "drop", "amount", "kwh", "estimated", "later", "due"])
_payment_change = st.sampled_from(["keep", "drop", "amount", "later", "channel"])
_period = st.integers(2021 * 12, 2027 * 12 + 11)  # new bills may be for any period
_industry = st.sampled_from(["C31", "F51", "Z99", "", None])
_region = st.sampled_from(["East", "West", "North", None])
_group = st.sampled_from(["G1", "G2", None])


def _append(table: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``table`` with ``rows`` added, in the table's own dtypes."""
    if not rows:
        return table
    new = pd.DataFrame(rows, columns=table.columns).astype(table.dtypes.to_dict())
    return pd.concat([table, new], ignore_index=True)


@st.composite
def future_changes(draw: Any, ledger: ar.Ledger, as_of: dt.date) -> ar.Ledger:
    """``ledger`` with everything dated after ``as_of`` rewritten at random."""
    t = pd.Timestamp(as_of)
    customers = ledger.customers.copy()
    bills = ledger.bills.copy()
    payments = ledger.payments.copy()

    def later(n: int) -> pd.Timedelta:
        return pd.Timedelta(days=n)

    # Customers opening after as_of: open even later, and new ones.
    for i in customers.index[customers["opened"] > t]:
        customers.loc[i, "opened"] += later(draw(_days))
    new_ids = [f"N{k}" for k in range(draw(st.integers(0, 2)))]
    customers = _append(
        customers,
        [
            {
                "customer_id": cid,
                "category": draw(st.sampled_from(CATEGORIES)),
                "opened": draw(st.sampled_from([t + later(draw(_days)), None])),
                "industry": draw(_industry),
                "region": draw(_region),
                "group_id": draw(_group),
            }
            for cid in new_ids
        ],
    )
    ids = list(customers["customer_id"])

    # Bills issued after as_of: dropped, changed, moved later; and new ones.
    for i in bills.index[bills["issue_date"] > t]:
        change = draw(_bill_change)
        if change == "drop":
            bills = bills.drop(index=i)
        elif change == "amount":
            bills.loc[i, "amount"] = draw(_cents) / 100
        elif change == "kwh":
            bills.loc[i, "kwh"] = draw(_kwh)
        elif change == "estimated":
            bills.loc[i, "estimated"] = draw(_estimated)
        elif change == "later":
            shift = later(draw(_days))
            bills.loc[i, "issue_date"] += shift
            bills.loc[i, "due_date"] += shift
        elif change == "due":
            bills.loc[i, "due_date"] = bills.loc[i, "issue_date"] + later(draw(_due_after_issue))
    taken = set(zip(bills["customer_id"], bills["period"], strict=True))
    new_bills = []
    for _ in range(draw(st.integers(0, 4))):
        cid = draw(st.sampled_from(ids))
        year, month = divmod(draw(_period), 12)
        period = f"{year:04d}-{month + 1:02d}"
        if (cid, period) in taken:
            continue
        taken.add((cid, period))
        issue = t + later(draw(_days))
        new_bills.append(
            {
                "customer_id": cid,
                "period": period,
                "issue_date": issue,
                "due_date": issue + later(draw(_due_after_issue)),
                "kwh": draw(_kwh),
                "amount": draw(_cents) / 100,
                "estimated": draw(_estimated),
            }
        )
    bills = _append(bills, new_bills)

    # Payments made after as_of: dropped, changed, moved later; and new ones.
    for i in payments.index[payments["paid_date"] > t]:
        change = draw(_payment_change)
        if change == "drop":
            payments = payments.drop(index=i)
        elif change == "amount":
            payments.loc[i, "amount"] = draw(_positive_cents) / 100
        elif change == "later":
            payments.loc[i, "paid_date"] += later(draw(_days))
        elif change == "channel":
            payments.loc[i, "channel"] = draw(_channel)
    payments = _append(
        payments,
        [
            {
                "customer_id": draw(st.sampled_from(ids)),
                "paid_date": t + later(draw(_days)),
                "amount": draw(_positive_cents) / 100,
                "channel": draw(_channel),
            }
            for _ in range(draw(st.integers(0, 5)))
        ],
    )
    return ledger_from_tables(customers=customers, bills=bills, payments=payments)


# --- comparing -------------------------------------------------------------------------


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain values: their levels may legitimately differ (they
    list every value of the customers table), their values may not."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = out[name].astype(object)
    return out


def family_columns(ledger: ar.Ledger) -> dict[str, list[str]]:
    """The columns of ``build_features`` each registered family is responsible for."""
    return {fam.name: fam.columns(ledger) for fam in families()}


def assert_same_features(before: pd.DataFrame, after: pd.DataFrame, ledger: ar.Ledger) -> None:
    """Every column of every family is unchanged (categories compared by value)."""
    columns = family_columns(ledger)
    assert [c for cols in columns.values() for c in cols] == list(before.columns)
    assert list(after.columns) == list(before.columns)
    for family, cols in columns.items():
        pd.testing.assert_frame_equal(
            _as_text(before[cols]), _as_text(after[cols]), obj=f"'{family}' features"
        )


def assert_same_peers(before: ar.PeerContext, after: ar.PeerContext) -> None:
    assert before.as_of == after.as_of
    pd.testing.assert_frame_equal(before.industry, after.industry, obj="peer industry counts")
    pd.testing.assert_frame_equal(before.region, after.region, obj="peer region counts")
    pd.testing.assert_series_equal(before.group, after.group, obj="peer group sizes")
    assert before.overall_rate == after.overall_rate


# --- properties ------------------------------------------------------------------------


def test_every_feature_column_belongs_to_a_family():
    ledger = ar.Ledger(**_one_customer())
    names = [n for cols in family_columns(ledger).values() for n in cols]
    assert names == ar.feature_names() == list(ar.build_features(ledger, "2024-06-30").columns)
    assert len({fam.name for fam in families()}) == len(families())


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_no_feature_of_any_family_changes_when_the_future_changes(data):
    ledger, as_of = data.draw(ledgers_with_as_of(), label="ledger, as_of")
    changed = data.draw(future_changes(ledger, as_of), label="changed")
    assert_same_features(
        ar.build_features(ledger, as_of), ar.build_features(changed, as_of), ledger
    )
    assert_same_peers(ar.peer_context(ledger, as_of), ar.peer_context(changed, as_of))


@settings(max_examples=15, deadline=None)
@given(ledgers_with_as_of(), st.integers(1, 300_000), st.integers(0, 30), st.data())
def test_a_bill_or_payment_on_as_of_does_change_features(case, cents, due_in, data):
    # The control: the comparison above would see a change made on as_of itself.
    ledger, as_of = case
    t = pd.Timestamp(as_of)
    before = ar.build_features(ledger, as_of)
    cid = data.draw(st.sampled_from([*before.index, "NEW"]), label="customer")
    customers = ledger.customers
    if cid == "NEW":
        customers = _append(customers, [{"customer_id": cid, "category": "residential"}])
    bill = {
        "customer_id": cid,
        "period": "2030-01",  # outside the consumption grid: only money and timing move
        "issue_date": t,
        "due_date": t + pd.Timedelta(days=due_in),
        "kwh": 0.0,
        "amount": cents / 100,
    }
    with_bill = ledger_from_tables(customers, _append(ledger.bills, [bill]), ledger.payments)
    more = ledger_from_tables(
        customers, _append(ledger.bills, [{**bill, "amount": cents / 100 + 1}]), ledger.payments
    )
    a, b = ar.build_features(with_bill, as_of), ar.build_features(more, as_of)
    assert b.loc[cid, "open_balance"] == pytest.approx(a.loc[cid, "open_balance"] + 1)
    with pytest.raises(AssertionError, match="'payments' features"):
        assert_same_features(a, b, with_bill)

    paid = ledger_from_tables(
        customers,
        _append(ledger.bills, [bill]),
        _append(ledger.payments, [{"customer_id": cid, "paid_date": t, "amount": 0.01}]),
    )
    c = ar.build_features(paid, as_of)
    assert c.loc[cid, "days_since_last_payment"] == 0
    with pytest.raises(AssertionError, match="'payments' features"):
        assert_same_features(a, c, with_bill)


def _one_customer() -> dict[str, pd.DataFrame]:
    return {
        "customers": pd.DataFrame({"customer_id": ["C1"], "category": ["residential"]}),
        "bills": pd.DataFrame(
            {
                "customer_id": ["C1"],
                "period": ["2024-01"],
                "issue_date": ["2024-02-01"],
                "due_date": ["2024-02-15"],
                "kwh": [100.0],
                "amount": [80.0],
            }
        ),
        "payments": pd.DataFrame(
            {"customer_id": ["C1"], "paid_date": ["2024-02-10"], "amount": [80.0]}
        ),
    }
