"""Extra customer columns: identifiers never become features, and the category levels a
bundle keeps are capped and never one customer's (issue 10, item 3)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.ledger.identifiers import identifier_columns
from arrearsrisk.models.risk_model import FeatureSpec


def many_customers(n: int = 30, **extra: list) -> dict[str, pd.DataFrame]:
    ids = [f"C{i:02d}" for i in range(n)]
    customers = pd.DataFrame({"customer_id": ids, "category": ["commercial"] * n, **extra})
    bills = pd.DataFrame(
        {
            "customer_id": ids,
            "period": ["2024-01"] * n,
            "issue_date": ["2024-02-01"] * n,
            "due_date": ["2024-02-15"] * n,
            "kwh": [100.0] * n,
            "amount": [80.0] * n,
        }
    )
    payments = pd.DataFrame(
        {"customer_id": ids, "paid_date": ["2024-02-10"] * n, "amount": [80.0] * n}
    )
    return {"customers": customers, "bills": bills, "payments": payments}


@pytest.mark.parametrize(
    "header",
    ["phone", "Mobile", "tel", "contact_phone", "address", "id_card", "IdCard", "e-mail",
     "customer_name", "电话", "手机号码", "联系地址", "身份证号", "客户名称", "meter_id"],
)  # fmt: skip
def test_an_identifier_by_name_is_never_a_feature(header):
    tabs = many_customers(segment=["A", "B", "C"] * 10, **{header: ["x", "y", "z"] * 10})
    with pytest.warns(
        ar.LedgerWarning,
        match=rf"customers: column '{header}' looks like a per-customer identifier \(its name has",
    ):
        ledger = ar.Ledger(**tabs)
    assert ledger.identifier_columns == [header]
    assert ledger.attribute_columns == ["segment"]
    assert header in ledger.customers.columns  # kept, not used
    names = ar.feature_names(ledger)
    assert "segment" in names and header not in names
    assert header not in ar.build_features(ledger, "2024-02-29").columns


def test_an_identifier_by_its_values_is_never_a_feature():
    tabs = many_customers(meter_serial=[f"M{i:05d}" for i in range(30)], zone=["N", "S"] * 15)
    with pytest.warns(
        ar.LedgerWarning, match=r"'meter_serial' .*30 distinct values in 30 customers"
    ):
        ledger = ar.Ledger(**tabs)
    assert ledger.attribute_columns == ["zone"]


def test_the_distinct_value_rule_needs_enough_customers():
    # 16 distinct values in 30 customers is over half: an identifier ...
    many = many_customers(code=[f"K{i % 16}" for i in range(30)])
    assert identifier_columns(many["customers"], ["code"]) == {
        "code": "it has 16 distinct values in 30 customers"
    }
    # ... 15 is not; and on a few customers (one account alone) the rule does not apply.
    assert (
        identifier_columns(
            many_customers(code=[f"K{i % 15}" for i in range(30)])["customers"], ["code"]
        )
        == {}
    )
    few = many_customers(5, code=["a", "b", "c", "d", "e"])
    assert identifier_columns(few["customers"], ["code"]) == {}


def test_numbers_and_safety_flags_are_not_identifiers():
    tabs = many_customers(
        income=list(np.arange(30.0)), high_hazard=[True, False] * 15, floors=[3.0] * 30
    )
    ledger = ar.Ledger(**tabs)
    assert ledger.identifier_columns == []
    assert ledger.attribute_columns == ["income", "high_hazard", "floors"]


def test_a_subset_keeps_the_verdict_of_the_whole_ledger():
    tabs = many_customers(meter_serial=[f"M{i}" for i in range(30)], zone=["N", "S"] * 15)
    with pytest.warns(ar.LedgerWarning, match="meter_serial"):
        ledger = ar.Ledger(**tabs)
    one = ledger.subset(["C01"])
    assert one.identifier_columns == ["meter_serial"]
    assert one.attribute_columns == ["zone"]


# --- category levels in bundles ---------------------------------------------------------


def frame_of(levels: list[str], cutoffs: int = 3) -> pd.DataFrame:
    n = len(levels)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)] * cutoffs,
            "as_of": np.repeat(pd.date_range("2024-01-31", periods=cutoffs, freq="ME"), n),
            "zone": pd.Categorical(levels * cutoffs),
        }
    )


def test_a_level_of_fewer_than_five_customers_becomes_other():
    # "S" is held by 4 customers (12 rows over 3 cutoffs): fewer than 5 customers.
    spec = FeatureSpec.from_frame(frame_of(["N"] * 5 + ["S"] * 4 + ["T"]), ["zone"])
    assert spec.categories == {"zone": ("N", "(other)")}
    codes = spec.matrix(pd.DataFrame({"zone": pd.Categorical(["N", "S", "T", "new", None])}))
    assert codes[:, 0].tolist()[:4] == [0.0, 1.0, 1.0, 1.0]
    assert np.isnan(codes[4, 0])


def test_at_most_fifty_levels_are_kept():
    levels = [f"L{i:03d}" for i in range(80) for _ in range(5 + i % 7)]
    spec = FeatureSpec.from_frame(frame_of(levels, cutoffs=1), ["zone"])
    kept = spec.categories["zone"]
    assert len(kept) == 51 and kept[-1] == "(other)"
    # The 50 kept are those held by the most customers (11, then 10, ... customers).
    held = pd.Series(levels).value_counts()
    assert held[list(kept[:-1])].min() >= held.drop(list(kept[:-1])).max()


def test_levels_without_a_cap_are_kept_as_they_were():
    spec = FeatureSpec.from_frame(frame_of(["N"] * 5 + ["S"] * 6), ["zone"])
    assert spec.categories == {"zone": ("N", "S")}
    unseen = spec.matrix(pd.DataFrame({"zone": pd.Categorical(["Q"])}))
    assert np.isnan(unseen[0, 0])  # no (other): unseen is missing, as before


def test_a_per_customer_text_column_writes_no_value_into_the_spec():
    phones = [f"138{i:08d}" for i in range(40)]
    frame = frame_of(phones, cutoffs=20)  # each value in 20 rows, of one customer
    spec = FeatureSpec.from_frame(frame, ["zone"])
    assert spec.categories == {"zone": ("(other)",)}
    assert not any(p in json.dumps(spec.categories) for p in phones)


def test_numbers_are_matched_to_text_levels():
    spec = FeatureSpec(("zone",), {"zone": ("3", "12", "(other)")})
    codes = spec.matrix({"zone": np.array([3.0, 12.0, 5.0, np.nan])})[:, 0]
    assert codes[:3].tolist() == [0.0, 1.0, 2.0] and np.isnan(codes[3])
