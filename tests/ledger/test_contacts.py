"""Contact details of the customers (account_name, supply_address, phone_number): schema
text columns, read as text (leading zeros kept), matched like schema headers, and never
features nor reasons: features, scores and the model's view are the same with them or
without them."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import arrearsrisk as ar
from arrearsrisk.errors import LedgerError
from arrearsrisk.ledger.schema import CONTACT_COLUMNS, SCHEMA
from tests.conftest import tiny_tables

AS_OF = "2024-03-31"
CONTACTS = {
    "account_name": ["恒泰化工有限公司", "王建国"],
    "supply_address": ["东城工业园区建设路12号", None],
    "phone_number": ["0530-00123456", "07550001234"],
}


def with_contacts(**contacts: list[object]) -> dict[str, pd.DataFrame]:
    tabs = tiny_tables()
    tabs["customers"] = tabs["customers"].assign(**(contacts or CONTACTS))
    return tabs


def quiet_ledger(tabs: dict[str, pd.DataFrame]) -> ar.Ledger:
    """The ledger of ``tabs``, failing on any LedgerWarning (a contact column must
    not be taken for an identifier attribute)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ar.LedgerWarning)
        return ar.Ledger(**tabs)


def test_the_contact_columns_are_optional_text_columns_of_the_schema():
    spec = SCHEMA["customers"]
    assert CONTACT_COLUMNS == ("account_name", "supply_address", "phone_number")
    assert spec.names[-3:] == CONTACT_COLUMNS
    for name in CONTACT_COLUMNS:
        col = spec.column(name)
        assert (col.kind, col.required, col.nullable) == ("str", False, True)


def test_contacts_are_kept_as_text_and_are_not_attributes():
    ledger = quiet_ledger(with_contacts())
    customers = ledger.customers.set_index("customer_id")
    assert customers.loc["C2", "phone_number"] == "07550001234"
    assert customers.loc["C1", "account_name"] == "恒泰化工有限公司"
    assert pd.isna(customers.loc["C2", "supply_address"])
    assert ledger.attribute_columns == [] and ledger.identifier_columns == []


def test_a_ledger_without_contacts_has_them_empty():
    ledger = quiet_ledger(tiny_tables())
    assert ledger.customers[list(CONTACT_COLUMNS)].isna().all().all()


def test_csv_phone_numbers_keep_their_leading_zeros(tmp_path):
    tabs = with_contacts(phone_number=["0530-00123456", "007"], account_name=["甲", "乙"])
    for name, frame in tabs.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    ledger = ar.read_ledger(tmp_path)
    assert ledger.customers["phone_number"].tolist() == ["0530-00123456", "007"]
    assert ledger.customers["account_name"].tolist() == ["甲", "乙"]


def test_a_contact_column_of_numbers_is_refused():
    tabs = with_contacts(phone_number=[13800001234.0, float("nan")])
    with pytest.raises(LedgerError, match=r"customers: column 'phone_number' must hold text"):
        ar.Ledger(**tabs)


def test_contact_headers_are_matched_like_schema_headers():
    tabs = tiny_tables()
    tabs["customers"] = tabs["customers"].assign(**{" Phone_Number ": ["0530-001", None]})
    assert quiet_ledger(tabs).customers["phone_number"].iloc[0] == "0530-001"
    tabs = tiny_tables()
    tabs["customers"] = tabs["customers"].assign(phone_numbr=["0530-001", None])
    with pytest.raises(LedgerError, match=r"did you mean 'phone_number'\?"):
        ar.Ledger(**tabs)


def test_contacts_never_become_features_exactly():
    plain = ar.build_features(quiet_ledger(tiny_tables()), AS_OF)
    contacted = ar.build_features(quiet_ledger(with_contacts()), AS_OF)
    assert_frame_equal(contacted, plain)
    assert not set(CONTACT_COLUMNS) & set(contacted.columns)
    assert ar.feature_names(quiet_ledger(with_contacts())) == ar.feature_names(
        quiet_ledger(tiny_tables())
    )


def test_contacts_in_one_account_rows_are_not_features_either():
    tabs = with_contacts()
    ledger = quiet_ledger(tabs)
    account = ar.Ledger(
        tabs["customers"][tabs["customers"]["customer_id"] == "C1"],
        tabs["bills"][tabs["bills"]["customer_id"] == "C1"],
        tabs["payments"][tabs["payments"]["customer_id"] == "C1"],
    )
    assert list(ar.build_features(account, AS_OF).columns) == list(
        ar.build_features(ledger, AS_OF).columns
    )


def test_the_sample_model_scores_the_same_with_or_without_contacts(sample_ledger, sample_model):
    ids = sorted(sample_ledger.customers["customer_id"])[:400]
    ledger = sample_ledger.subset(ids)
    assert ledger.customers["phone_number"].notna().sum() > 300  # the sample has them
    bare = ar.Ledger(
        ledger.customers.drop(columns=list(CONTACT_COLUMNS)), ledger.bills, ledger.payments
    )
    assert_frame_equal(
        ar.score(ledger, "2025-09-30", sample_model), ar.score(bare, "2025-09-30", sample_model)
    )
    assert not set(CONTACT_COLUMNS) & set(sample_model.spec.names)
