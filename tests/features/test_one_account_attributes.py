"""The account and peers kernels (``build_one``) on literal one-account ledgers.

Each case is read twice, by the fast reader of plain rows (Python cells,
:meth:`~arrearsrisk.ledger.tables.Ledger.schema_values`) and by the validator (pandas
tables); on both, the kernels must give the values written here and those of the batch
builders on the account's snapshot.
"""

from __future__ import annotations

import gc
import math
from typing import Any

import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.asof.account import account_snapshot
from arrearsrisk.asof.snapshot import take_snapshot
from arrearsrisk.features import account, peers
from arrearsrisk.features.one_account import one_value
from arrearsrisk.ledger.rows import account_ledger
from tests.features.test_one_account_payments import _bill, _pay

AS_OF = "2025-06-30"
BASE = {"customer_id": "C1", "category": "commercial", "opened": "2020-01-01"}


BILLS = [_bill(f"2025-0{m}", f"2025-0{m + 1}-15") for m in range(1, 6)]
ON_TIME = [_pay(f"2025-0{m + 1}-10") for m in range(1, 6)]
"""Five bills, each paid before its due date: not in arrears."""


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


def _ledgers(customer: dict[str, Any], bills: list, payments: list) -> list[ar.Ledger]:
    fast = account_ledger(customer, bills, payments)
    assert fast.schema_values("customers", "region") is not None  # Python cells
    slow = ar.Ledger(
        customers=pd.DataFrame([customer]),
        bills=pd.DataFrame(bills, columns=list(BILLS[0])),
        payments=pd.DataFrame(payments, columns=["customer_id", "paid_date", "amount"]),
    )
    assert slow.schema_values("customers", "region") is None  # pandas tables
    return [fast, slow]


def _built(
    family: Any,
    customer: dict[str, Any],
    bills: list | None = None,
    payments: list | None = None,
    **context: Any,
) -> dict[str, Any]:
    """The kernel's values on both ledgers of the rows, checked equal to each other and
    to the batch builder's."""
    got = []
    for ledger in _ledgers(customer, BILLS if bills is None else bills, payments or []):
        kernel = family.build_one(account_snapshot(ledger, AS_OF), **context)
        built = family.build(take_snapshot(ledger, AS_OF), **context)
        batch = {k: one_value(v) for k, v in built.items()}
        assert list(kernel) == list(batch)
        bad = {k: (v, batch[k]) for k, v in kernel.items() if not _same(v, batch[k])}
        assert not bad, bad
        got.append(kernel)
    assert all(_same(a, b) for a, b in zip(got[0].values(), got[1].values(), strict=True))
    return got[0]


@pytest.mark.parametrize(
    ("industry", "expected", "section"),
    [
        ("C26", "C26", "C"),
        ("  C26", "  C26", None),  # blank-led: its first letter is blank
        ("", None, None),
        ("   ", None, None),
        (None, None, None),
    ],
)
def test_industry_and_its_section(industry, expected, section):
    values = _built(account.FAMILY, {**BASE, "industry": industry})
    assert (values["industry"], values["industry_section"]) == (expected, section)


def test_category_region_and_numbers():
    customer = {
        **BASE,
        "category": "industrial",
        "region": "Dongcheng",
        "voltage_kv": 10.0,
        "deposit": 160.0,
        "prepaid": True,
        "tenant": False,
    }
    values = _built(account.FAMILY, customer, payments=ON_TIME)
    assert (values["category"], values["region"]) == ("industrial", "Dongcheng")
    assert values["voltage_kv"] == 10.0 and math.isnan(values["capacity_kva"])
    assert (values["prepaid"], values["tenant"]) == (1.0, 0.0)
    assert math.isnan(values["guarantee"])
    assert values["deposit_to_bill_ratio"] == 2.0  # 160 over a mean bill of 80
    assert values["tenure_months"] == (20269 - 18262) / (365.25 / 12)  # days since opened


def test_no_bill_no_deposit_ratio_and_no_opening_date():
    values = _built(account.FAMILY, {**BASE, "opened": None, "deposit": 50.0}, bills=[])
    assert values["deposit"] == 50.0
    assert math.isnan(values["deposit_to_bill_ratio"]) and math.isnan(values["tenure_months"])


@pytest.mark.parametrize(("group", "in_group"), [("G1", 1.0), ("", 0.0), ("  ", 0.0), (None, 0.0)])
def test_group_blank_or_none_is_no_group(group, in_group):
    values = _built(account.FAMILY, {**BASE, "group_id": group})
    assert values["in_group"] == in_group
    assert _built(peers.FAMILY, {**BASE, "group_id": group})["group_size"] == in_group


def test_extra_columns_by_their_kind():
    customer = {**BASE, "score": 2.5, "floors": 3, "vip": True, "substation": "S1", "zone": "  "}
    values = _built(account.FAMILY, customer)
    assert list(values)[-5:] == ["score", "floors", "vip", "substation", "zone"]
    assert [values[k] for k in ("score", "floors", "vip", "substation", "zone")] == [
        2.5,
        3.0,
        1.0,
        "S1",
        None,
    ]


@pytest.mark.parametrize(
    ("extra", "reserved"), [("in_group", ()), ("deposit_to_bill_ratio", ()), ("zone", {"zone"})]
)
def test_a_reserved_extra_column_name_is_refused_as_the_batch_refuses_it(extra, reserved):
    message = f"extra column '{extra}' has the name of a feature"
    for ledger in _ledgers({**BASE, extra: "x"}, BILLS, []):
        with pytest.raises(ar.LedgerError, match=message) as one:
            account.build_one(account_snapshot(ledger, AS_OF), reserved)
        with pytest.raises(ar.LedgerError, match=message) as batch:
            account.build(take_snapshot(ledger, AS_OF), reserved)
        assert str(one.value) == str(batch.value)


def test_without_peers_the_account_is_its_own_peer_group():
    customer = {**BASE, "industry": "C26", "region": "R1", "group_id": "G1"}
    late = _built(peers.FAMILY, customer)  # nothing paid: in arrears
    assert late == {
        "industry_arrears_rate_6m": 1.0,
        "region_arrears_rate_6m": 1.0,
        "group_size": 1.0,
    }
    paid = _built(peers.FAMILY, customer, payments=ON_TIME)
    assert paid == {
        "industry_arrears_rate_6m": 0.0,
        "region_arrears_rate_6m": 0.0,
        "group_size": 1.0,
    }


@pytest.mark.parametrize(
    ("period", "due", "paid", "rate"),
    [
        ("2025-04", "2025-05-15", "2025-06-14", 0.0),  # 30 days late: not serious
        ("2025-04", "2025-05-15", "2025-06-15", 1.0),  # 31 days
        ("2024-11", "2024-12-30", None, 0.0),  # due 6 months before as_of: out of the window
        ("2024-11", "2024-12-31", None, 1.0),
    ],
)
def test_serious_arrears_is_more_than_30_days_late_on_a_bill_due_in_6_months(
    period, due, paid, rate
):
    bills = [_bill(period, due)]
    payments = [_pay(paid)] if paid else []
    values = _built(peers.FAMILY, {**BASE, "industry": "C26"}, bills, payments)
    assert values["industry_arrears_rate_6m"] == rate


def _context(n: int = 5, hits: int = 1) -> ar.PeerContext:
    counts = pd.DataFrame({"customers": [n, 8 - n], "in_arrears": [hits, 3 - hits]})
    industry = counts.set_axis(["F51", "(none)"])
    region = counts.set_axis(["R01", "R02"])
    return ar.PeerContext(AS_OF, industry, region, pd.Series({"G1": 4}), 8, 3)


def test_keys_of_the_context_and_keys_absent_from_it():
    ctx = _context()
    overall = 3 / 8
    known = {**BASE, "industry": "F51", "region": "R01", "group_id": "G1"}
    values = _built(peers.FAMILY, known, peers=ctx)  # in arrears: one of F51's 1
    assert values == {
        "industry_arrears_rate_6m": (0 + 20 * overall) / (4 + 20),
        "region_arrears_rate_6m": (0 + 20 * overall) / (4 + 20),
        "group_size": 4.0,
    }
    absent = {**BASE, "industry": "X99", "region": "R99", "group_id": "G9"}
    values = _built(peers.FAMILY, absent, payments=ON_TIME, peers=ctx)
    assert values == {
        "industry_arrears_rate_6m": overall,
        "region_arrears_rate_6m": overall,
        "group_size": 0.0,
    }
    none = _built(peers.FAMILY, {**BASE, "industry": " "}, payments=ON_TIME, peers=ctx)
    assert none["industry_arrears_rate_6m"] == (2 + 20 * overall) / (2 + 20)  # "(none)"


def test_each_context_is_looked_up_in_its_own_counts():
    customer = {**BASE, "industry": "F51"}
    first = _built(peers.FAMILY, customer, payments=ON_TIME, peers=_context(5, 1))
    gc.collect()  # the first context is gone: its id may be reused
    second = _built(peers.FAMILY, customer, payments=ON_TIME, peers=_context(3, 2))
    assert first["industry_arrears_rate_6m"] == (1 + 20 * 3 / 8) / (4 + 20)
    assert second["industry_arrears_rate_6m"] == (2 + 20 * 3 / 8) / (2 + 20)
