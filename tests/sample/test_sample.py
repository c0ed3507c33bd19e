"""The sample-ledger simulator: determinism, the schema of docs/contract.md, and its mechanisms.

The behavioural tests settle bills FIFO with a plain pandas helper (independent of the
library's settlement code) and check the properties the simulation promises.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from arrearsrisk.cli import main
from arrearsrisk.ledger.schema import CATEGORIES, CHANNELS, SCHEMA
from arrearsrisk.sample import (
    SampleTables,
    count_rows,
    downturn_period,
    simulate_ledger,
    write_sample,
)

MONTHS = 36
START = "2023-01"


@pytest.fixture(scope="module")
def ledger() -> SampleTables:
    return simulate_ledger(3000, MONTHS, START, seed=11)


def fifo_settlement(bills: pd.DataFrame, payments: pd.DataFrame) -> pd.Series:
    """Settlement date of each bill (NaT if unsettled), payments settling oldest bills first.

    Plain pandas: per customer, a bill is settled by the first payment that brings the
    cumulative payments up to the cumulative billed amount through that bill (one cent
    of tolerance); a bill already covered by earlier credit is settled on its issue date.
    """
    b = bills.sort_values(["customer_id", "due_date", "period"], kind="stable").copy()
    b["cum"] = np.rint(b["amount"] * 100).astype("int64").groupby(b["customer_id"]).cumsum()
    b["key"] = b["cum"] - 1
    p = payments.sort_values(["customer_id", "paid_date"], kind="stable").copy()
    p["pcum"] = np.rint(p["amount"] * 100).astype("int64").groupby(p["customer_id"]).cumsum()
    merged = pd.merge_asof(
        b.reset_index().sort_values("key", kind="stable"),
        p[["customer_id", "pcum", "paid_date"]].sort_values("pcum", kind="stable"),
        left_on="key",
        right_on="pcum",
        by="customer_id",
        direction="forward",
    ).set_index("index")
    settled = merged["paid_date"].where(merged["key"] > 0, merged["issue_date"])
    return settled.reindex(bills.index)


def test_fifo_helper_on_a_small_case() -> None:
    day = pd.Timestamp
    bills = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "period": ["2024-01", "2024-02", "2024-01"],
            "issue_date": [day("2024-02-01"), day("2024-03-01"), day("2024-02-01")],
            "due_date": [day("2024-02-20"), day("2024-03-20"), day("2024-02-20")],
            "amount": [100.0, 50.0, 10.0],
        }
    )
    payments = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "paid_date": [day("2024-02-05"), day("2024-03-25")],
            "amount": [60.0, 90.0],
        }
    )
    settled = fifo_settlement(bills, payments)
    assert settled.tolist()[:2] == [day("2024-03-25"), day("2024-03-25")]
    assert pd.isna(settled.iloc[2])


def test_same_seed_same_tables_other_seed_other_tables() -> None:
    first = simulate_ledger(400, 12, START, seed=5)
    again = simulate_ledger(400, 12, START, seed=5)
    for a, b in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(a, b)
    other = simulate_ledger(400, 12, START, seed=6)
    assert not first.customers.equals(other.customers)
    assert not first.bills.equals(other.bills)
    assert not first.payments.equals(other.payments)


@pytest.mark.parametrize("n", [1, 7, 120, 1001])
def test_sizes_scale(n: int) -> None:
    tables = simulate_ledger(n, 6, START, seed=0)
    customers = tables.customers
    assert len(customers) == n
    assert customers["customer_id"].is_unique
    width = max(4, len(str(n)))
    assert customers["customer_id"].str.fullmatch(rf"C\d{{{width}}}").all()
    # Every customer has a bill (the account opened within the window at the latest).
    assert set(tables.bills["customer_id"]) == set(customers["customer_id"])


def test_columns_and_dtypes_follow_the_contract(ledger: SampleTables) -> None:
    for name, frame in zip(SampleTables._fields, ledger, strict=True):
        spec = SCHEMA[name]
        assert tuple(frame.columns) == spec.names
        for col in spec.columns:
            dtype = frame[col.name].dtype
            if col.kind == "date":
                assert dtype == "datetime64[s]", (name, col.name)
            elif col.kind == "float":
                assert dtype == np.float64, (name, col.name)
            elif col.kind == "bool":
                assert dtype == "boolean", (name, col.name)
            else:
                assert pd.api.types.is_string_dtype(dtype), (name, col.name)
            if not col.nullable:
                assert frame[col.name].notna().all(), (name, col.name)


def test_schema_invariants(ledger: SampleTables) -> None:
    customers, bills, payments = ledger
    ids = set(customers["customer_id"])
    assert customers["customer_id"].is_unique
    assert set(customers["category"]) == set(CATEGORIES)
    assert not bills.duplicated(["customer_id", "period"]).any()
    assert (bills["due_date"] >= bills["issue_date"]).all()
    assert (bills["kwh"] >= 0).all()
    assert (payments["amount"] > 0).all()
    assert set(payments["channel"]) <= set(CHANNELS)
    assert set(bills["customer_id"]) <= ids
    assert set(payments["customer_id"]) <= ids
    for frame, col in ((bills, "amount"), (payments, "amount"), (customers, "deposit")):
        cents = frame[col] * 100
        assert np.allclose(cents, np.round(cents), atol=1e-6), col
    assert (customers["deposit"] >= 0).all()
    assert bills["period"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").all()


def test_billing_calendar(ledger: SampleTables) -> None:
    customers, bills, payments = ledger
    period = bills["period"].to_numpy(dtype="datetime64[M]")
    assert (bills["issue_date"].to_numpy().astype("datetime64[M]") == period + 1).all()
    assert bills["issue_date"].dt.day.between(1, 3).all()
    assert (bills["due_date"].to_numpy().astype("datetime64[M]") == period + 1).all()
    assert bills["due_date"].dt.day.between(15, 20).all()
    # Bills only from the month the account opened; some accounts open in the window.
    opened = bills["customer_id"].map(customers.set_index("customer_id")["opened"])
    assert (period >= opened.to_numpy().astype("datetime64[M]")).all()
    first = bills.groupby("customer_id")["period"].min()
    assert (first > START).mean() > 0.05
    # Payments never precede the opening, and the extract ends after the last issue month.
    paid_opened = payments["customer_id"].map(customers.set_index("customer_id")["opened"])
    assert (payments["paid_date"] >= paid_opened).all()
    assert payments["paid_date"].max() <= pd.Timestamp("2026-01-31")


def test_realistic_mix(ledger: SampleTables) -> None:
    customers, bills, _ = ledger
    share = customers["category"].value_counts(normalize=True)
    assert 0.55 < share["residential"] < 0.65
    assert 0.10 < share["commercial"] < 0.20
    amount = (
        bills["amount"]
        .groupby(bills["customer_id"].map(customers.set_index("customer_id")["category"]))
        .median()
    )
    assert 50 < amount["residential"] < 400
    assert 1_000 < amount["commercial"] < 20_000
    assert 10_000 < amount["industrial"] < 500_000
    # Households have no industry; a few optional values are unknown.
    res = customers["category"] == "residential"
    assert customers.loc[res, "industry"].isna().all()
    assert customers.loc[~res, "industry"].notna().all()
    assert customers["contact_ok"].isna().any()
    assert customers.loc[res, "voltage_kv"].isna().any()
    # Estimated readings are a few percent; negative corrections are few.
    assert 0.02 < bills["estimated"].mean() < 0.10
    assert 0 < (bills["amount"] < 0).mean() < 0.01


def test_prepaid_customers_are_rarely_late() -> None:
    customers, bills, payments = simulate_ledger(2000, 24, START, seed=2)
    end = payments["paid_date"].max()
    bills = bills[(bills["amount"] > 0) & (bills["due_date"] <= end - pd.Timedelta(days=60))]
    settled = fifo_settlement(bills, payments)
    late = ~(settled <= bills["due_date"])  # late or unsettled
    prepaid = bills["customer_id"].map(customers.set_index("customer_id")["prepaid"])
    main_channel = payments.groupby("customer_id")["channel"].agg(lambda s: s.mode().iloc[0])
    counter = bills["customer_id"].map(main_channel).eq("counter")
    prepaid_late = late[prepaid.astype(bool)].mean()
    counter_late = late[counter & ~prepaid.astype(bool)].mean()
    assert prepaid_late < 0.03
    assert counter_late > 3 * prepaid_late
    # Prepaid customers pay up front: their bills are settled by the day they are issued.
    up_front = settled <= bills["issue_date"]
    assert up_front[prepaid.astype(bool)].mean() > 0.95
    assert up_front[~prepaid.astype(bool)].mean() < 0.5
    assert (payments["channel"] == "prepaid").any()


def test_restricted_industries_fall_behind_after_the_downturn(ledger: SampleTables) -> None:
    customers, bills, payments = ledger
    end = payments["paid_date"].max()
    bills = bills[(bills["amount"] > 0) & (bills["due_date"] <= end - pd.Timedelta(days=31))]
    settled = fifo_settlement(bills, payments)
    unpaid_30 = ~(settled <= bills["due_date"] + pd.Timedelta(days=30))
    restricted = (
        bills["customer_id"].map(customers.set_index("customer_id")["restricted"]).astype(bool)
    )
    k = (bills["period"].to_numpy(dtype="datetime64[M]") - np.datetime64(START, "M")).astype(int)
    turn = downturn_period(MONTHS)
    before = unpaid_30[restricted & (k < turn)].mean()
    after = unpaid_30[restricted & (k >= turn + 3)].mean()
    others_after = unpaid_30[~restricted & (k >= turn + 3)].mean()
    assert after > 2 * before
    assert after > others_after


def test_group_accounts_pay_on_the_same_day(ledger: SampleTables) -> None:
    customers, _, payments = ledger
    group = payments["customer_id"].map(customers.set_index("customer_id")["group_id"])
    grouped = payments[group.notna()].assign(group=group[group.notna()])
    month = grouped["paid_date"].dt.to_period("M")
    modal_share = grouped.groupby(["group", month])["paid_date"].agg(
        lambda s: s.value_counts().iloc[0] / len(s)
    )
    assert len(modal_share) > 0
    assert modal_share.mean() > 0.9


def test_write_sample_csv(tmp_path) -> None:
    written = write_sample(tmp_path / "csv", 300, 12, START, seed=4, fmt="csv")
    assert set(written) == {"customers", "bills", "payments"}
    tables = simulate_ledger(300, 12, START, seed=4)
    for name, path in written.items():
        text = path.read_text()
        header, *lines = text.splitlines()
        assert header.split(",") == list(SCHEMA[name].names)  # no index column
        assert count_rows(path) == len(lines) == len(getattr(tables, name))
        assert '"' not in text
        assert not re.search(r"\.\d{3,}", text), "floats keep at most 2 decimals"
        assert not re.search(r"\d{2}:\d{2}", text), "dates are plain days"
    customers = written["customers"].read_text().splitlines()
    at = customers[0].split(",").index("contact_ok")
    flags = {line.split(",")[at] for line in customers[1:]}
    assert flags == {"true", "false", ""}
    read = pd.read_csv(written["bills"], dtype={"customer_id": "str", "period": "str"})
    assert np.allclose(read["amount"], tables.bills["amount"])
    assert (
        pd.to_datetime(read["due_date"], format="%Y-%m-%d") == tables.bills["due_date"].to_numpy()
    ).all()


def test_write_sample_parquet(tmp_path) -> None:
    written = write_sample(tmp_path / "pq", 200, 6, START, seed=4, fmt="parquet")
    tables = simulate_ledger(200, 6, START, seed=4)
    for name, path in written.items():
        assert path.suffix == ".parquet"
        read = pd.read_parquet(path)
        assert count_rows(path) == len(read)
        expected = getattr(tables, name)
        pd.testing.assert_frame_equal(read, expected, check_dtype=False)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n_customers"):
        simulate_ledger(0)
    with pytest.raises(ValueError, match="months"):
        simulate_ledger(10, months=0)
    with pytest.raises(ValueError, match="YYYY-MM"):
        simulate_ledger(10, start="2023-13")
    with pytest.raises(ValueError, match="YYYY-MM"):
        simulate_ledger(10, start="2023")
    with pytest.raises(ValueError, match="fmt"):
        write_sample("unused", 10, fmt="xlsx")  # type: ignore[arg-type]


def test_cli_sample(tmp_path) -> None:
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        main, ["sample", "--out", str(out), "--customers", "50", "--months", "6", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "customers 50 rows" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["bills.csv", "customers.csv", "payments.csv"]
    bad = CliRunner().invoke(main, ["sample", "--out", str(out), "--start", "January"])
    assert bad.exit_code == 2
