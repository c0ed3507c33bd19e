"""Every rule of the ledger schema gets a bad value and a matching error message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.ledger.schema import SCHEMA


def build(tables: dict[str, pd.DataFrame]) -> ar.Ledger:
    return ar.Ledger(**tables)


def test_the_tiny_ledger_is_valid(tables):
    ledger = build(tables)
    assert repr(ledger) == "Ledger(2 customers, 5 bills 2024-01..2024-03, 3 payments)"
    assert ledger.bills["issue_date"].dtype == "datetime64[s]"
    assert ledger.customers["tenant"].dtype == "boolean"


@pytest.mark.parametrize(
    ("table", "column"),
    [(t.name, c.name) for t in SCHEMA.values() for c in t.columns if c.required],
)
def test_missing_required_column(tables, table, column):
    tables[table] = tables[table].drop(columns=column)
    with pytest.raises(ar.LedgerError, match=rf"^{table}: column '{column}' is required") as err:
        build(tables)
    assert (err.value.table, err.value.column, err.value.rule) == (table, column, "required_column")


def test_missing_column_suggests_a_close_name(tables):
    tables["bills"] = tables["bills"].rename(columns={"due_date": "duedate"})
    with pytest.raises(ar.LedgerError, match=r"(?s)'duedate' .* close to 'due_date'.*did you mean"):
        build(tables)


# (table, column, row, bad value, rule, message)
BAD_VALUES = [
    ("bills", "issue_date", 1, "2024-13-45", "date", "not dates"),
    ("payments", "paid_date", 0, "yesterday", "date", "not dates"),
    ("customers", "opened", 0, "01/02/2023x", "date", "not dates"),
    ("bills", "amount", 2, "12,5", "number", "not numbers"),
    ("bills", "kwh", 0, "lots", "number", "not numbers"),
    ("customers", "deposit", 0, "five hundred", "number", "not numbers"),
    ("bills", "amount", 0, np.inf, "number", "infinite"),
    ("bills", "kwh", 3, -1.0, "min_value", r"must be >= 0"),
    ("customers", "deposit", 0, -10.0, "min_value", r"must be >= 0"),
    ("payments", "amount", 1, 0.0, "gt_value", r"must be > 0"),
    ("payments", "amount", 2, -60.0, "gt_value", r"must be > 0"),
    ("customers", "category", 1, "residental", "choices", "did you mean 'residential'"),
    ("payments", "channel", 0, "cheque", "choices", "allowed: counter"),
    ("bills", "period", 0, "2024-1", "period", "not months YYYY-MM"),
    ("bills", "period", 0, "2024-13", "period", "not months YYYY-MM"),
    ("customers", "tenant", 0, "maybe", "boolean", "not booleans"),
    ("bills", "estimated", 0, 2, "boolean", "not booleans"),
    ("customers", "deposit", 0, True, "number", "not numbers"),
    ("customers", "customer_id", 1, None, "required_value", "missing values"),
    ("bills", "amount", 1, None, "required_value", "missing values"),
    ("payments", "paid_date", 1, "", "required_value", "missing values"),
    ("bills", "due_date", 0, "2024-01-20", "date_order", "must not be before issue_date"),
    ("bills", "issue_date", 0, pd.Timestamp("2024-02-01 13:30"), "date", "time of day"),
]


@pytest.mark.parametrize(("table", "column", "row", "value", "rule", "message"), BAD_VALUES)
def test_bad_value(tables, table, column, row, value, rule, message):
    frame = tables[table].astype({column: object})
    frame.loc[row, column] = value
    tables[table] = frame
    with pytest.raises(ar.LedgerError, match=message) as err:
        build(tables)
    text = str(err.value)
    assert text.startswith(f"{table}: column '{column}'")
    assert f"rule '{rule}' broken in 1 of {len(frame)} rows" in text
    assert err.value.rule == rule
    assert err.value.column == column


def test_error_names_the_offending_rows(tables):
    bills = tables["bills"]
    bills.loc[[1, 3], "kwh"] = -5.0
    with pytest.raises(ar.LedgerError, match=r"broken in 2 of 5 rows") as err:
        build(tables)
    lines = str(err.value).splitlines()
    shown = [line for line in lines if line.strip().startswith(("1 ", "3 "))]
    assert len(shown) == 2 and "-5.0" in shown[0]


def test_at_most_five_rows_are_shown(tables):
    bills = pd.concat([tables["bills"]] * 4, ignore_index=True)
    bills["period"] = [f"20{20 + i // 12:02d}-{i % 12 + 1:02d}" for i in range(len(bills))]
    bills["kwh"] = -1.0
    tables["bills"] = bills
    with pytest.raises(ar.LedgerError, match="broken in 20 of 20 rows; first 5") as err:
        build(tables)
    assert len(str(err.value).splitlines()) == 2 + 1 + 5  # message, rule, header, 5 rows


def test_duplicate_customer(tables):
    tables["customers"] = pd.concat([tables["customers"], tables["customers"].iloc[[0]]])
    with pytest.raises(
        ar.LedgerError, match=r"customers: column 'customer_id' key \(customer_id\) is not unique"
    ):
        build(tables)


def test_duplicate_bill_period(tables):
    tables["bills"].loc[1, "period"] = "2024-01"
    with pytest.raises(ar.LedgerError, match=r"key \(customer_id, period\) is not unique") as err:
        build(tables)
    assert err.value.rule == "unique_key"


@pytest.mark.parametrize("table", ["bills", "payments"])
def test_rows_of_unknown_customers(tables, table):
    tables[table].loc[0, "customer_id"] = "C9"
    with pytest.raises(
        ar.LedgerError, match=rf"^{table}: column 'customer_id' has ids not found in customers"
    ) as err:
        build(tables)
    assert err.value.rule == "unknown_reference"
    assert "C9" in str(err.value)


def test_empty_ledger(tables):
    tables = {name: frame.iloc[0:0] for name, frame in tables.items()}
    with pytest.raises(ar.LedgerError, match="ledger has no customers"):
        build(tables)


def test_missing_table(tables):
    del tables["payments"]
    with pytest.raises(TypeError, match="payments"):
        build(tables)
    with pytest.raises(ar.LedgerError, match="payments: table is missing"):
        ar.Ledger(customers=tables["customers"], bills=tables["bills"], payments=None)  # type: ignore[arg-type]


def test_not_a_dataframe(tables):
    tables["bills"] = tables["bills"].to_dict()
    with pytest.raises(ar.LedgerError, match="bills: must be a pandas DataFrame, got dict"):
        build(tables)


def test_duplicate_column_names(tables):
    bills = tables["bills"]
    tables["bills"] = pd.concat([bills, bills[["kwh"]]], axis=1)
    with pytest.raises(ar.LedgerError, match="column 'kwh' appears more than once"):
        build(tables)


def test_numeric_ids_are_rejected_when_not_text(tables):
    tables["customers"]["customer_id"] = [1.5, 2.5]
    with pytest.raises(ar.LedgerError, match="customer_id' must hold text"):
        build(tables)


def test_payment_of_a_customer_without_bills_warns(tables):
    tables["customers"].loc[2] = ["C3", "residential", None, "West", "2024-01-01", None, False]
    tables["payments"].loc[3] = ["C3", "2024-03-01", 100.0, "online"]
    with pytest.warns(ar.LedgerWarning, match="1 payments of 1 customers that have no bill"):
        ledger = build(tables)
    assert len(ledger.payments) == 4  # kept, not dropped


def test_errors_are_value_errors(tables):
    tables["bills"].loc[0, "kwh"] = -1
    with pytest.raises(ValueError, match="kwh"):
        build(tables)


def test_missing_optional_columns_mean_unknown(tables):
    tables["customers"] = tables["customers"][["customer_id", "category"]]
    tables["payments"] = tables["payments"].drop(columns="channel")
    ledger = build(tables)
    assert ledger.customers["prepaid"].isna().all()
    assert ledger.customers["opened"].isna().all()
    assert ledger.payments["channel"].isna().all()


def test_extra_customer_columns_are_kept(tables):
    tables["customers"]["substation"] = ["S1", "S2"]
    tables["customers"]["peak_load_kw"] = [120.0, 3.5]
    ledger = build(tables)
    assert ledger.attribute_columns == ["substation", "peak_load_kw"]
    feats = ar.build_features(ledger, "2024-04-30")
    assert feats["peak_load_kw"].tolist() == [120.0, 3.5]
    assert feats["substation"].dtype == "category"


def test_extra_column_with_a_feature_name_is_refused(tables):
    tables["customers"]["late_streak"] = [1.0, 2.0]
    with pytest.raises(
        ar.LedgerError, match="extra column 'late_streak' has the name of a feature"
    ):
        ar.build_features(build(tables), "2024-04-30")


def write(tables: dict[str, pd.DataFrame], folder: Path, fmt: str) -> None:
    folder.mkdir()
    for name, frame in tables.items():
        if fmt == "csv":
            frame.to_csv(folder / f"{name}.csv", index=False)
        else:
            frame.to_parquet(folder / f"{name}.parquet", index=False)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_read_ledger_round_trip(tables, tmp_path, fmt):
    write(tables, tmp_path / "ledger", fmt)
    ledger = ar.read_ledger(tmp_path / "ledger")
    direct = build(tables)
    for name in ("customers", "bills", "payments"):
        read = getattr(ledger, name).reset_index(drop=True)
        # Parquet text columns of repeated values come dictionary-encoded (categorical).
        categorical = [c for c, t in read.dtypes.items() if t == "category"]
        assert fmt == "parquet" or not categorical
        pd.testing.assert_frame_equal(
            read.astype({c: "str" for c in categorical}),
            getattr(direct, name).reset_index(drop=True),
            check_dtype=False,
        )


def test_csv_ids_keep_leading_zeros_and_extra_columns_get_types(tables, tmp_path):
    tables["customers"]["customer_id"] = ["007", "010"]
    tables["bills"]["customer_id"] = ["007", "007", "007", "010", "010"]
    tables["payments"]["customer_id"] = ["007", "007", "010"]
    tables["customers"]["meters"] = [2, 1]
    tables["customers"]["vip"] = ["yes", "no"]
    write(tables, tmp_path / "ledger", "csv")
    ledger = ar.read_ledger(tmp_path / "ledger")
    assert ledger.customers["customer_id"].tolist() == ["007", "010"]
    assert ledger.customers["meters"].dtype == "float64"
    assert ledger.customers["vip"].tolist() == [True, False]


def test_read_ledger_missing_file(tables, tmp_path):
    write(tables, tmp_path / "ledger", "csv")
    (tmp_path / "ledger" / "bills.csv").unlink()
    with pytest.raises(
        ar.LedgerError, match=r"bills: table is missing: no bills\.parquet or bills\.csv"
    ):
        ar.read_ledger(tmp_path / "ledger")


def test_read_ledger_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="ledger folder not found"):
        ar.read_ledger(tmp_path / "nowhere")


def test_parsed_values_are_not_coerced(tables):
    ledger = build(tables)
    assert ledger.bills["amount"].tolist() == [800.0, 960.0, 640.0, 60.0, 54.0]
    assert ledger.bills["issue_date"].iloc[0] == pd.Timestamp("2024-02-01")
    assert ledger.customers["deposit"].isna().tolist() == [False, True]


def test_subset_keeps_only_the_named_customers(tables):
    part = build(tables).subset(["C2"])
    assert part.customers["customer_id"].tolist() == ["C2"]
    assert set(part.bills["customer_id"]) == {"C2"} and len(part.payments) == 1
    with pytest.raises(ar.LedgerError, match=r"unknown customer_id \['C7'\]"):
        build(tables).subset(["C7"])
