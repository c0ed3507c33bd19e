"""Shared fixtures: a tiny literal ledger a reader can check by hand, and the committed
sample ledger and model (read once per test process)."""

from __future__ import annotations

import os

# Tests run in two xdist workers on two cores: one OpenMP thread each, or LightGBM's
# spinning threads oversubscribe the cores (set before lightgbm is imported).
os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path

import pandas as pd
import pytest

import arrearsrisk as ar

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SAMPLE_MODEL = ROOT / "models" / "sample"


def tiny_tables() -> dict[str, pd.DataFrame]:
    """Two customers, three months; every value written out."""
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "category": ["commercial", "residential"],
            "industry": ["F51", None],
            "region": ["East", "West"],
            "opened": ["2023-01-01", "2023-06-01"],
            "deposit": [500.0, None],
            "tenant": [False, True],
        }
    )
    bills = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C1", "C2", "C2"],
            "period": ["2024-01", "2024-02", "2024-03", "2024-01", "2024-02"],
            "issue_date": ["2024-02-01", "2024-03-01", "2024-04-01", "2024-02-01", "2024-03-01"],
            "due_date": ["2024-02-15", "2024-03-15", "2024-04-15", "2024-02-15", "2024-03-15"],
            "kwh": [1000.0, 1200.0, 800.0, 100.0, 90.0],
            "amount": [800.0, 960.0, 640.0, 60.0, 54.0],
            "estimated": [False, False, True, False, False],
        }
    )
    payments = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C2"],
            "paid_date": ["2024-02-10", "2024-04-20", "2024-02-12"],
            "amount": [800.0, 960.0, 60.0],
            "channel": ["bank_debit", "counter", "online"],
        }
    )
    return {"customers": customers, "bills": bills, "payments": payments}


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    """Fresh copies of :func:`tiny_tables` for a test to corrupt."""
    return tiny_tables()


@pytest.fixture(scope="session")
def sample_ledger() -> ar.Ledger:
    """The committed sample ledger (3,000 customers x 36 months); do not modify it."""
    return ar.read_ledger(SAMPLE)


@pytest.fixture(scope="session")
def sample_model() -> ar.RiskModel:
    """The committed sample bundle, loaded."""
    return ar.load_model(SAMPLE_MODEL)
