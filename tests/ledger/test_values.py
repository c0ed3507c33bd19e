"""Numbers and dates at the edges: amounts out of range, float32 money, partial dates and
implausible dates (issue 10, items 3 and 4)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.ledger.tables import cents
from arrearsrisk.ledger.validation import FLOAT32_EXACT_CENTS, MAX_ABS_NUMBER


def build(tables: dict[str, pd.DataFrame]) -> ar.Ledger:
    return ar.Ledger(**tables)


# --- amounts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "column", "row", "value"),
    [
        ("bills", "amount", 1, 1e17),
        ("bills", "amount", 2, -1e17),
        ("bills", "amount", 0, "1e17"),
        ("payments", "amount", 2, 1e10),
        ("customers", "deposit", 0, 5e12),
        ("bills", "kwh", 3, 2e15),
    ],
)
def test_a_number_out_of_range_is_refused_by_name(tables, table, column, row, value):
    frame = tables[table].astype({column: object})
    frame.loc[row, column] = value
    tables[table] = frame
    with pytest.raises(
        ar.LedgerError, match=rf"^{table}: column '{column}' has values of magnitude 10,000,000,000"
    ) as err:
        build(tables)
    assert (err.value.table, err.value.column, err.value.rule) == (table, column, "range")
    assert f"rule 'range' broken in 1 of {len(frame)} rows" in str(err.value)
    assert "fen vs yuan" in str(err.value)


def test_the_largest_amount_inside_the_range_keeps_exact_cents(tables):
    big = MAX_ABS_NUMBER - 0.01  # 9,999,999,999.99
    tables["bills"].loc[0, "amount"] = big
    ledger = build(tables)
    assert cents(ledger.arrays.b_amount).max() == 999_999_999_999
    # The customer's arrears are the big bill minus what was paid, not zero.
    feats = ar.build_features(ledger, "2024-02-29")
    assert feats.loc["C1", "arrears_amount"] == pytest.approx(big - 800.0)


# --- float32 money ---------------------------------------------------------------------


def _float32_bills(amounts: list[float]) -> dict[str, pd.DataFrame]:
    n = len(amounts)
    periods = pd.period_range("2020-01", periods=n, freq="M")
    bills = pd.DataFrame(
        {
            "customer_id": ["C1"] * n,
            "period": periods.strftime("%Y-%m"),
            "issue_date": (periods + 1).to_timestamp().strftime("%Y-%m-%d"),
            "due_date": ((periods + 1).to_timestamp() + pd.Timedelta(days=14)).strftime("%Y-%m-%d"),
            "kwh": np.full(n, 100.0, dtype=np.float32),
            "amount": np.array(amounts, dtype=np.float32),
        }
    )
    return {
        "customers": pd.DataFrame({"customer_id": ["C1"], "category": ["commercial"]}),
        "bills": bills,
        "payments": pd.DataFrame(
            {"customer_id": ["C1"], "paid_date": ["2020-02-10"], "amount": np.float32([0.1])}
        ),
    }


# 41 bills whose cents a plain float32 -> float64 cast shifts or blurs.
AMOUNTS_41 = [
    0.01, 0.1, 0.29, 0.57, 1.15, 9.99, 19.99, 33.33, 99.95, 123.45, 703.77, 1001.01,
    1234.56, 2047.99, 4095.93, 8191.81, 9999.99, 12345.67, 16383.83, 20000.03, 32767.67,
    40000.01, 50505.05, 65535.35, 65536.65, 70000.07, 77777.77, 81234.57, 88888.88,
    90000.09, 99999.99, 100000.01, 104857.59, 110000.11, 120000.12, 123456.78, 125000.13,
    128000.27, 130000.13, 131000.31, 131071.99,
]  # fmt: skip


def test_41_float32_bills_keep_their_cents(tables):
    assert len(AMOUNTS_41) == 41
    ledger = build(_float32_bills(AMOUNTS_41))
    assert ledger.bills["amount"].dtype == "float64"
    assert ledger.bills["amount"].tolist() == AMOUNTS_41  # the decimals, exactly
    assert cents(ledger.arrays.b_amount).tolist() == [round(a * 100) for a in AMOUNTS_41]
    assert ledger.payments["amount"].tolist() == [0.1]
    assert ledger.bills["kwh"].tolist() == [100.0] * 41


def test_float32_money_from_parquet_keeps_its_cents(tmp_path: Path):
    tabs = _float32_bills(AMOUNTS_41)
    for name, frame in tabs.items():
        pq.write_table(
            pa.Table.from_pandas(frame, preserve_index=False), tmp_path / f"{name}.parquet"
        )
    assert pq.read_schema(tmp_path / "bills.parquet").field("amount").type == pa.float32()
    ledger = ar.read_ledger(tmp_path)
    assert ledger.bills["amount"].tolist() == AMOUNTS_41


def test_float32_money_too_large_for_cents_is_refused():
    amounts = [100.0, FLOAT32_EXACT_CENTS + 0.01, 200000.02]
    with pytest.raises(
        ar.LedgerError, match=r"column 'amount' is float32, which cannot hold cents at or above"
    ) as err:
        build(_float32_bills(amounts))
    assert "rule 'number' broken in 2 of 3 rows" in str(err.value)
    assert "export money as float64 or decimal" in str(err.value)


def test_float32_other_numbers_take_their_shortest_decimal():
    tabs = _float32_bills([10.0, 20.0])
    tabs["bills"]["kwh"] = np.array([0.1, 1e6 + 0.5], dtype=np.float32)
    assert build(tabs).bills["kwh"].tolist() == [0.1, 1000000.5]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-13_107_199, 13_107_199), min_size=1, max_size=20))
def test_any_float32_cent_amount_below_the_limit_reads_back_exactly(cent_values):
    amounts = [c / 100 for c in cent_values]
    ledger = build(_float32_bills(amounts))
    assert cents(ledger.arrays.b_amount).tolist() == cent_values


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2024", "2023-08", "2023/08", " 2023-8 ", "2023.08"])
@pytest.mark.parametrize(
    ("table", "column", "row"),
    [("bills", "issue_date", 1), ("payments", "paid_date", 0), ("customers", "opened", 1)],
)
def test_a_partial_date_is_refused(tables, value, table, column, row):
    tables[table].loc[row, column] = value
    with pytest.raises(
        ar.LedgerError, match=rf"^{table}: column '{column}' has partial dates"
    ) as err:
        build(tables)
    assert err.value.rule == "date"
    assert "a billing month belongs in 'period'" in str(err.value)
    assert f"rule 'date' broken in 1 of {len(tables[table])} rows" in str(err.value)


def test_whole_dates_in_other_spellings_still_parse(tables):
    tables["bills"]["issue_date"] = [
        "2024/02/01",
        "20240301",
        "2024-04-01",
        "2024-2-1",
        "2024.03.01",
    ]
    ledger = build(tables)
    assert ledger.bills["issue_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-02-01",
        "2024-03-01",
        "2024-04-01",
        "2024-02-01",
        "2024-03-01",
    ]


def test_a_period_stays_a_month(tables):
    assert build(tables).bills["period"].tolist()[:2] == ["2024-01", "2024-02"]


@pytest.mark.parametrize(
    ("table", "column", "row", "value", "message"),
    [
        ("payments", "paid_date", 1, "1900-01-01", "has dates before 1990-01-01"),
        ("customers", "opened", 0, "1900-01-01", "has dates before 1950-01-01"),
        ("bills", "due_date", 2, "2200-01-01", "has dates after 2029-04-01, 5 years after"),
        ("payments", "paid_date", 2, "2031-01-01", "has dates after 2029-04-01"),
        ("customers", "opened", 1, "2030-06-01", "has dates after 2029-04-01"),
    ],
)
def test_an_implausible_date_gives_a_warning(tables, table, column, row, value, message):
    tables[table].loc[row, column] = value
    with pytest.warns(ar.LedgerWarning, match=rf"^{table}: column '{column}' {message}") as rec:
        ledger = build(tables)
    text = str(rec[0].message)
    assert "rule 'plausible' broken in 1 of" in text and value in text
    assert "the rows are kept" in text
    assert str(ledger.__getattribute__(table)[column].iloc[row].date()) == value


def test_an_old_opening_date_is_no_warning(tables):
    tables["customers"].loc[0, "opened"] = "1975-03-01"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build(tables)


def test_a_period_far_from_its_issue_date_gives_a_warning(tables):
    tables["bills"].loc[4, "period"] = "2021-02"  # issued 2024-03-01: 37 months later
    with pytest.warns(
        ar.LedgerWarning, match=r"^bills: column 'period' is more than 24 months from issue_date"
    ) as rec:
        build(tables)
    assert "rule 'plausible' broken in 1 of 5 rows" in str(rec[0].message)


def test_a_period_24_months_from_its_issue_date_is_no_warning(tables):
    tables["bills"].loc[4, "period"] = "2022-03"  # exactly 24 months before 2024-03
    build(tables)


# --- extra columns read from CSV -------------------------------------------------------


def test_codes_with_leading_zeros_or_many_digits_stay_text(tables, tmp_path: Path):
    tables["customers"] = tables["customers"].assign(
        zone=["007", "012"], mobile_no=["13812345678", "13987654321"], floors=["3", "12"]
    )
    for name, frame in tables.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    with pytest.warns(ar.LedgerWarning, match="column 'mobile_no' looks like"):
        cust = ar.read_ledger(tmp_path).customers
    assert cust["zone"].tolist() == ["007", "012"]
    assert cust["mobile_no"].tolist() == ["13812345678", "13987654321"]
    assert cust["floors"].tolist() == [3.0, 12.0]
