"""Header matching: one normalisation (NFKC, strip, case-fold) names a column; a near
miss is refused with "did you mean"; duplicates and empty headers are refused."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.ledger.headers import (
    edit_distance,
    known_names,
    match_headers,
    near_miss,
    normalise_header,
)
from arrearsrisk.ledger.schema import READ_ATTRIBUTES, SCHEMA
from tests.conftest import tiny_tables

CUSTOMERS = ["customer_id", "category"]


@pytest.mark.parametrize(
    ("header", "normalised"),
    [
        ("region", "region"),
        (" high_hazard ", "high_hazard"),
        ("Region", "region"),
        ("CHANNEL", "channel"),
        ("\ufeffcustomer_id", "customer_id"),
        ("\u3000deposit\u3000", "deposit"),
        ("\xa0tenant\t", "tenant"),
        ("\u200bprepaid\u2060", "prepaid"),
        ("ｒｅｇｉｏｎ", "region"),
        ("ＣＵＳＴＯＭＥＲ＿ＩＤ", "customer_id"),
        ("high hazard", "high hazard"),  # inner spaces are kept
        (7, "7"),
    ],
)
def test_normalise_header(header, normalised):
    assert normalise_header(header) == normalised


def test_known_names_are_schema_columns_then_read_attributes():
    assert known_names("customers") == (*SCHEMA["customers"].names, "high_hazard")
    assert READ_ATTRIBUTES == {"customers": ("high_hazard",)}
    assert known_names("bills") == SCHEMA["bills"].names


def test_spellings_that_normalise_alike_are_renamed():
    headers = ["Customer_ID", " CATEGORY", "Region\u3000", "high_hazard ", "tariff", "region_code"]
    assert match_headers("customers", headers) == {
        "Customer_ID": "customer_id",
        " CATEGORY": "category",
        "Region\u3000": "region",
        "high_hazard ": "high_hazard",
    }


def test_headers_spelt_right_need_no_renaming():
    assert match_headers("payments", ["customer_id", "paid_date", "amount", "channel"]) == {}


@pytest.mark.parametrize(
    ("table", "header", "meant"),
    [
        ("customers", "high-hazard", "high_hazard"),
        ("customers", "highhazard", "high_hazard"),
        ("customers", "high hazard", "high_hazard"),
        ("customers", "HighHazard", "high_hazard"),
        ("customers", "High.Hazard", "high_hazard"),
        ("customers", "high_hazrd", "high_hazard"),
        ("customers", "hihg_hazard", "high_hazard"),
        ("customers", "high_hazards", "high_hazard"),
        ("customers", "budget-funded", "budget_funded"),
        ("customers", "Budget Funded", "budget_funded"),
        ("customers", "regoin", "region"),
        ("customers", "regions", "region"),
        ("customers", "deposit_", "deposit"),
        ("customers", "contactok", "contact_ok"),
        ("bills", "kw", "kwh"),
        ("bills", "Estimate", "estimated"),
        ("payments", "chanel", "channel"),
        ("payments", "paid date", "paid_date"),
    ],
)
def test_near_misses_are_refused_with_did_you_mean(table, header, meant):
    headers = [*[c.name for c in SCHEMA[table].columns if c.required], header]
    with pytest.raises(ar.LedgerError, match=rf"did you mean '{meant}'\?") as err:
        match_headers(table, headers)
    assert (err.value.table, err.value.column, err.value.rule) == (
        table,
        header,
        "near_miss_column",
    )
    assert str(err.value).startswith(f"{table}: column {header!r} is not a known column name")


def test_a_near_miss_is_refused_even_beside_the_right_column():
    with pytest.raises(ar.LedgerError, match="'high-hazard' is not a known column name"):
        match_headers("customers", [*CUSTOMERS, "high_hazard", "high-hazard"])


def test_a_near_miss_of_a_required_column_is_refused_before_it_is_missing():
    with pytest.raises(ar.LedgerError, match="did you mean 'customer_id'") as err:
        match_headers("customers", ["Customer ID", "category"])
    assert err.value.rule == "near_miss_column"


@pytest.mark.parametrize(
    ("table", "header"),
    [
        ("customers", "tariff"),
        ("customers", "zone"),
        ("customers", "substation"),
        ("customers", "tenure_months"),
        ("customers", "capacity_increase"),
        ("customers", "region_code"),
        ("customers", "phone"),
        ("bills", "kvah"),  # 2 edits from kwh, a 3-letter name allows 1
        ("bills", "kvarh"),
        ("payments", "receipt_no"),
    ],
)
def test_clearly_different_names_stay_extra_columns(table, header):
    headers = [*[c.name for c in SCHEMA[table].columns if c.required], header]
    assert match_headers(table, headers) == {}


@pytest.mark.parametrize(
    "headers",
    [
        [*CUSTOMERS, "region", "Region"],
        [*CUSTOMERS, "region", " region"],
        [*CUSTOMERS, "tariff", "TARIFF"],
        ["customer_id", "customer_id", "category"],
    ],
)
def test_duplicates_after_normalisation_are_refused(headers):
    with pytest.raises(ar.LedgerError, match=r"appears more than once \(headers ") as err:
        match_headers("customers", headers)
    assert err.value.rule == "duplicate_column"


def test_duplicate_message_names_both_spellings_and_the_file():
    with pytest.raises(ar.LedgerError) as err:
        match_headers("customers", [*CUSTOMERS, "region", "Region"], source="customers.csv")
    assert str(err.value) == (
        "customers.csv: column 'region' appears more than once (headers 'region', 'Region').\n"
        "  hint: headers are compared stripped and case-folded; keep one column."
    )


@pytest.mark.parametrize("empty", ["", "  ", "\ufeff", "\u3000"])
def test_an_empty_header_is_refused(empty):
    with pytest.raises(ar.LedgerError, match=r"column .* \(position 3\) has an empty header") as e:
        match_headers("customers", [*CUSTOMERS, empty])
    assert e.value.rule == "empty_header"


def test_a_missing_required_column_names_a_similar_extra():
    with pytest.raises(ar.LedgerError) as err:
        match_headers("bills", ["customer_id", "period", "issue_date", "due_date", "kwh", "amt"])
    assert str(err.value) == (
        "bills: column 'amount' is required but missing.\n"
        "  hint: is 'amt' meant to be 'amount'? expected: CNY due; negative only for corrections."
    )
    assert err.value.rule == "required_column"


def test_edit_distance():
    assert edit_distance("", "abc") == 3
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("high_hazard", "high_hazard") == 0
    assert edit_distance("abc", "acb") == 2


def test_near_miss_lists_the_closest_first():
    assert near_miss("tenent", ["tenant", "tenents"]) == ["tenant", "tenents"]
    assert near_miss("tenant", ["tenant"]) == []


def test_no_two_known_names_are_near_misses_of_each_other():
    for table in SCHEMA:
        names = known_names(table)
        for name in names:
            assert near_miss(name, [n for n in names if n != name]) == [], name


# -- through Ledger: DataFrame columns are matched the same way ------------------------


def test_ledger_renames_columns_and_keeps_high_hazard_as_the_attribute():
    tables = tiny_tables()
    tables["customers"] = tables["customers"].rename(columns={"region": "Region"})
    tables["customers"][" high_hazard "] = [True, False]
    tables["payments"] = tables["payments"].rename(columns={"channel": "CHANNEL"})
    ledger = ar.Ledger(**tables)
    assert ledger.customers["region"].tolist() == ["East", "West"]
    assert ledger.payments["channel"].tolist() == ["bank_debit", "counter", "online"]
    assert ledger.attribute_columns == ["high_hazard"]
    assert ledger.customers["high_hazard"].tolist() == [True, False]


def test_ledger_refuses_a_near_miss_safety_flag():
    tables = tiny_tables()
    tables["customers"]["budget funded"] = [True, False]
    with pytest.raises(ar.LedgerError, match="did you mean 'budget_funded'"):
        ar.Ledger(**tables)


def test_ledger_refuses_duplicates_by_case():
    tables = tiny_tables()
    tables["customers"]["Region"] = ["x", "y"]
    with pytest.raises(ar.LedgerError, match=r"customers: column 'region' appears more than once"):
        ar.Ledger(**tables)


# -- properties ----------------------------------------------------------------------

_ALL = [(t, n) for t in SCHEMA for n in known_names(t)]
_OPTIONAL = [
    (t, n)
    for t in SCHEMA
    for n in known_names(t)
    if n not in SCHEMA[t].names or not SCHEMA[t].column(n).required
]
_PAD = st.text(st.sampled_from(" \t\u3000\xa0\ufeff\u200b"), max_size=3)


@st.composite
def _respelt(draw: st.DrawFn) -> tuple[str, str, str]:
    table, name = draw(st.sampled_from(_ALL))
    cases = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    body = "".join(c.upper() if up else c for c, up in zip(name, cases, strict=True))
    return table, name, draw(_PAD) + body + draw(_PAD)


@given(_respelt())
def test_any_spelling_that_strips_and_case_folds_to_a_name_maps_to_it(case):
    table, name, header = case
    required = [c.name for c in SCHEMA[table].columns if c.required and c.name != name]
    renames = match_headers(table, [*required, header])
    assert renames.get(header, header) == name


_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_- ."


@st.composite
def _misspelt(draw: st.DrawFn, names: list[tuple[str, str]] = _OPTIONAL) -> tuple[str, str, str]:
    table, name = draw(st.sampled_from(names))
    at = draw(st.integers(0, len(name)))
    edit = draw(st.sampled_from(["insert", "delete", "substitute"]))
    char = draw(st.sampled_from(_LETTERS))
    if edit == "insert":
        wrong = name[:at] + char + name[at:]
    elif edit == "delete":
        at = min(at, len(name) - 1)
        wrong = name[:at] + name[at + 1 :]
    else:
        at = min(at, len(name) - 1)
        wrong = name[:at] + char + name[at + 1 :]
    return table, name, wrong


@given(_misspelt())
def test_any_one_edit_misspelling_of_an_optional_column_is_refused(case):
    table, name, wrong = case
    assume(normalise_header(wrong) not in known_names(table))  # e.g. a space added at an end
    required = [c.name for c in SCHEMA[table].columns if c.required]
    with pytest.raises(ar.LedgerError, match=r"did you mean '") as err:
        match_headers(table, [*required, wrong])
    assert err.value.rule == "near_miss_column"
    assert f"is close to {name!r}" in str(err.value) or f"or {name!r}" in str(err.value)


@given(_misspelt([("customers", "high_hazard")]))
def test_a_misspelt_high_hazard_never_becomes_another_attribute(case):
    """Through the Ledger: the flag is either read as ``high_hazard`` or refused."""
    _, _, wrong = case
    tables = tiny_tables()
    tables["customers"][wrong] = [True, False]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ar.LedgerWarning)
        try:
            ledger = ar.Ledger(**tables)
        except ar.LedgerError as err:
            assert err.rule in ("near_miss_column", "duplicate_column"), str(err)
            return
    assert ledger.customers["high_hazard"].tolist() == [True, False]
    assert pd.Index(ledger.attribute_columns).tolist() == ["high_hazard"]
