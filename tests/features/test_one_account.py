"""One account's kernels equal the batch builders: every feature of every family.

:func:`arrearsrisk.features.one_account.account_features` (each family's ``build_one``
on an :class:`~arrearsrisk.asof.account.AccountSnapshot`) is the fast twin of
:func:`arrearsrisk.build_features` for one account; the batch is the reference.  Counts,
days and other whole numbers must be equal exactly; other numbers within 1e-12 relative
(the batch sums some grids pairwise, the kernels in order); categoricals as text.
Checked on accounts of the sample at month ends and mid-month, with the portfolio's
peers and without, and on generated ledgers full of edge cases.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import arrearsrisk as ar
from arrearsrisk.asof.account import account_snapshot
from arrearsrisk.asof.snapshot import take_snapshot
from arrearsrisk.errors import FeatureFamilyError
from arrearsrisk.features import check_feature_family, families, registered
from arrearsrisk.features.one_account import account_features, one_value
from tests.features.test_families import TOY
from tests.strategies import ledgers_with_as_of

SAMPLE_DATES = ("2024-06-30", "2025-02-28", "2025-09-30", "2025-10-15")


def _family_of(name: str) -> str:
    for family in families():
        if name in family.names:
            return family.name
    return "account (extra column)"


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, str) or b is None or isinstance(a, str) or a is None:
        return a == b
    if math.isnan(b) or math.isnan(a):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def mismatches(ledger: ar.Ledger, as_of: Any, peers: ar.PeerContext | None) -> list[str]:
    """Every (customer, feature) where the kernels differ from the batch."""
    batch = ar.build_features(ledger, as_of, peers=peers)
    bad = []
    for cid in ledger.customers["customer_id"]:
        account, values = account_features(ledger.subset([cid]), as_of, peers=peers)
        assert account.active == (cid in batch.index), cid
        if cid not in batch.index:
            continue
        assert list(values) == list(batch.columns)
        at = batch.index.get_loc(cid)
        for name, value in values.items():
            column = batch[name].array
            expected = one_value(
                column[at : at + 1] if column.dtype == "category" else [column[at]]
            )
            if not _same(value, expected):
                bad.append(
                    f"{cid} {name} ({_family_of(name)}): one account {value!r}, batch {expected!r}"
                )
    return bad


@pytest.fixture(scope="module")
def sample_part(sample_ledger: ar.Ledger) -> ar.Ledger:
    ids = sample_ledger.customers["customer_id"]
    return sample_ledger.subset(ids[::12])  # every 12th customer: ~170 accounts


@pytest.mark.parametrize("as_of", SAMPLE_DATES)
def test_the_kernels_equal_the_batch_on_sample_accounts_with_the_portfolios_peers(
    sample_ledger, sample_part, as_of
):
    peers = ar.peer_context(sample_ledger, pd.Timestamp(as_of).to_period("M").to_timestamp("M"))
    if peers.as_of > pd.Timestamp(as_of):
        peers = ar.peer_context(sample_ledger, as_of)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ar.PeerContextWarning)
        bad = mismatches(sample_part, as_of, peers)
    assert not bad, "\n".join(bad[:20])


def test_the_kernels_equal_the_batch_on_sample_accounts_without_peers(sample_part):
    # No peers: each account is its own peer group (the batch of one account).
    one = sample_part.subset(sample_part.customers["customer_id"][:40])
    for cid in one.customers["customer_id"]:
        single = one.subset([cid])
        assert not mismatches(single, "2025-09-30", None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers_with_as_of())
def test_the_kernels_equal_the_batch_on_generated_ledgers(case):
    ledger, as_of = case
    bad = mismatches(ledger, as_of, ar.peer_context(ledger, as_of))
    assert not bad, "\n".join(bad[:20])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers_with_as_of())
def test_the_account_snapshot_equals_the_batch_snapshot(case):
    ledger, as_of = case
    snap = take_snapshot(ledger, as_of)
    for code, cid in enumerate(snap.customer_ids):
        one = account_snapshot(ledger.subset([cid]), as_of)
        bills = snap.b_cust == code
        pays = snap.p_cust == code
        for field in ("b_period", "b_issue", "b_due", "b_kwh", "b_amount", "b_estimated"):
            np.testing.assert_array_equal(getattr(one, field), getattr(snap, field)[bills])
        np.testing.assert_array_equal(one.b_cents, snap.b_cents[bills])
        np.testing.assert_array_equal(one.b_settled, snap.b_settled[bills])
        np.testing.assert_array_equal(one.b_days_late, snap.b_days_late[bills])
        np.testing.assert_array_equal(one.b_is_due, snap.b_is_due[bills])
        for field in ("p_date", "p_amount", "p_channel"):
            np.testing.assert_array_equal(getattr(one, field), getattr(snap, field)[pays])
        np.testing.assert_array_equal(one.p_cents, snap.p_cents[pays])
        np.testing.assert_array_equal(one.grid_kwh, snap.grid_kwh[code])
        np.testing.assert_array_equal(one.grid_amount, snap.grid_amount[code])
        np.testing.assert_array_equal(one.exposure, snap.exposure[code])
        assert one.active == bool(snap.active[code])
        assert one.opened == int(snap.c_opened[code])
        assert (one.day, one.month, one.window_start) == (snap.day, snap.month, snap.window_start)


def test_a_family_without_a_kernel_is_built_by_its_batch_builder(tables):
    ledger = ar.Ledger(**tables)
    with registered(TOY):
        _, values = account_features(ledger.subset(["C1"]), "2024-04-30")
        batch = ar.build_features(ledger.subset(["C1"]), "2024-04-30")
        assert list(values)[-2:] == list(TOY.names)
        assert values["toy_due_bills_count_3m"] == batch.loc["C1", "toy_due_bills_count_3m"] == 3
        assert values["toy_bill_band"] == "high"


def test_a_kernel_building_other_columns_is_refused(tables):
    import dataclasses

    broken = dataclasses.replace(TOY, build_one=lambda a: {"toy_due_bills_count_3m": 1.0})
    with (
        registered(broken),
        pytest.raises(FeatureFamilyError, match=r"build_one built .* not its declared"),
    ):
        account_features(ar.Ledger(**tables).subset(["C1"]), "2024-04-30")


def test_a_ledger_of_several_customers_is_refused(tables):
    with pytest.raises(
        ar.ArrearsRiskError, match="those of a ledger of one account, got 2 customers"
    ):
        account_features(ar.Ledger(**tables), "2024-04-30")


def _toy_one(account: Any) -> dict[str, Any]:
    due = [
        d
        for d, is_due in zip(account.b_due, account.b_is_due, strict=True)
        if is_due and account.in_window(d, 3)
    ]
    band = None if math.isnan(account.exposure) else "high" if account.exposure > 500 else "low"
    return {"toy_due_bills_count_3m": float(len(due)), "toy_bill_band": band}


def test_the_contract_check_compares_a_kernel_with_its_builder():
    import dataclasses

    check_feature_family(dataclasses.replace(TOY, build_one=_toy_one))

    def off_by_one(account: Any) -> dict[str, Any]:
        out = _toy_one(account)
        out["toy_due_bills_count_3m"] += 1.0
        return out

    with pytest.raises(
        FeatureFamilyError, match=r"build_one differs from build on 'toy_due_bills_count_3m'"
    ):
        check_feature_family(dataclasses.replace(TOY, build_one=off_by_one))
    with pytest.raises(FeatureFamilyError, match=r"build_one failed for customer .*KeyError"):
        check_feature_family(dataclasses.replace(TOY, build_one=lambda a: {}["x"]))


def test_peer_keys_differing_only_by_a_trailing_nul_stay_apart(tables):
    # numpy's fixed-width strings drop trailing NULs: "C26\x00" and "C26" were merged
    # (and "\x00" became a blank key the peer context refuses)
    tables["customers"]["industry"] = ["C26\x00", "C26"]
    tables["customers"]["group_id"] = ["\x00", "G1"]
    ledger = ar.Ledger(**tables)
    ctx = ar.peer_context(ledger, "2024-04-30")
    assert sorted(ctx.industry.index) == ["C26", "C26\x00"]
    assert ctx.industry["customers"].tolist() == [1, 1]
    batch = ar.build_features(ledger, "2024-04-30")
    assert batch["group_size"].tolist() == [1.0, 1.0]
    assert not mismatches(ledger, "2024-04-30", ctx)
    for cid in ("C1", "C2"):  # each its own peer group
        assert not mismatches(ledger.subset([cid]), "2024-04-30", None)
