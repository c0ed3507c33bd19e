"""The simulator's contact details: their own random stream (every other column is the
same with them or without them), obviously fictitious phone numbers that follow
``contact_ok``, names and addresses that fit the customer, and the committed sample."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from arrearsrisk.ledger.schema import CONTACT_COLUMNS
from arrearsrisk.sample import simulate_ledger
from arrearsrisk.sample.contacts import AREA_NAMES
from tests.conftest import SAMPLE

MOBILE = re.compile(r"1\d{2}0000\d{4}")  # the 0000 block: made up
SHORT_MOBILE = re.compile(r"1\d{2}0000\d{3}")  # one digit short: an invalid contact
LANDLINE = re.compile(r"0530-00\d{6}")  # no local number starts with 0
PERSON = re.compile(r"[\u4e00-\u9fff]{2,3}")


@pytest.fixture(scope="module", params=[0, 7])
def both(request) -> tuple:
    kw = {"n_customers": 500, "months": 12, "seed": request.param}
    return simulate_ledger(**kw), simulate_ledger(**kw, contacts=False)


def test_every_other_column_is_the_same_with_or_without_contacts(both):
    with_, without = both
    assert_frame_equal(with_.bills, without.bills)
    assert_frame_equal(with_.payments, without.payments)
    assert_frame_equal(with_.customers.drop(columns=list(CONTACT_COLUMNS)), without.customers)
    assert not set(CONTACT_COLUMNS) & set(without.customers.columns)


def test_contacts_are_seeded():
    a = simulate_ledger(200, months=6, seed=3).customers[list(CONTACT_COLUMNS)]
    b = simulate_ledger(200, months=6, seed=3).customers[list(CONTACT_COLUMNS)]
    c = simulate_ledger(200, months=6, seed=4).customers[list(CONTACT_COLUMNS)]
    assert_frame_equal(a, b)
    assert (a["account_name"] != c["account_name"]).mean() > 0.5


def test_phone_numbers_are_fictitious_and_follow_contact_ok(both):
    c = both[0].customers
    phone, ok = c["phone_number"], c["contact_ok"]
    held = phone.dropna()
    assert held.map(
        lambda p: bool(MOBILE.fullmatch(p) or SHORT_MOBILE.fullmatch(p) or LANDLINE.fullmatch(p))
    ).all()
    valid = ok.fillna(False).astype(bool)
    assert phone[valid].map(lambda p: isinstance(p, str) and bool(MOBILE.fullmatch(p))).all()
    invalid = phone[ok.eq(False).fillna(False).astype(bool)]
    assert not invalid.dropna().map(lambda p: bool(MOBILE.fullmatch(p))).any()
    assert invalid.isna().any() and invalid.dropna().str.startswith("0530").any()


def test_names_and_addresses_fit_the_customer(both):
    c = both[0].customers
    households = c[(c["category"] == "residential") & c["group_id"].isna()]
    assert households["account_name"].map(lambda n: bool(PERSON.fullmatch(n))).all()
    firms = c[c["category"].isin(["industrial", "commercial", "public"])]
    assert firms["account_name"].str.len().ge(4).all()
    assert c["account_name"].notna().all()
    for _, members in c[c["group_id"].notna()].groupby("group_id"):
        assert members["account_name"].str[:2].nunique() == 1  # one operator, chain, town
    addressed = c[c["supply_address"].notna()]
    assert 0.9 < len(addressed) / len(c) < 1.0
    area = addressed["region"].map(AREA_NAMES)
    assert all(a.startswith(r) for a, r in zip(addressed["supply_address"], area, strict=True))
    for col in CONTACT_COLUMNS:  # the CSV is written unquoted
        assert not c[col].dropna().str.contains(r'[,"\n]').any()


def test_the_committed_sample_holds_the_simulated_contacts():
    shipped = pd.read_csv(SAMPLE / "customers.csv", dtype=str, keep_default_na=False)
    simulated = simulate_ledger(3000, 36, "2023-01", seed=0).customers
    for col in CONTACT_COLUMNS:
        assert shipped[col].tolist() == simulated[col].fillna("").tolist()
    assert shipped["phone_number"].str.startswith("0530-00").sum() > 50  # leading zeros
