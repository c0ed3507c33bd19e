"""Account and industry attributes: category, industry, region, supply, tenure and the
measures already in place (prepaid meter, deposit, guarantee), plus any extra
customer columns of the ledger (numeric, boolean or categorical by their dtype).

A missing optional column or an empty cell means "unknown" and gives NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.errors import LedgerError
from arrearsrisk.features._stats import ratio
from arrearsrisk.ledger.schema import CATEGORIES

__all__ = ["BOOL_COLUMNS", "CATEGORICAL", "NAMES", "build", "extra_names"]

CATEGORICAL: tuple[str, ...] = ("category", "industry", "industry_section", "region")
BOOL_COLUMNS: tuple[str, ...] = (
    "high_energy",
    "restricted",
    "prepaid",
    "tenant",
    "budget_funded",
    "guarantee",
    "contact_ok",
)
_DAYS_PER_MONTH = 365.25 / 12

NAMES: tuple[str, ...] = (
    *CATEGORICAL,
    "voltage_kv",
    "capacity_kva",
    "tenure_months",
    *BOOL_COLUMNS,
    "in_group",
    "deposit",
    "deposit_to_bill_ratio",
)


def _levels(values: pd.Series) -> list[str]:
    return sorted(str(v) for v in values.dropna().unique() if str(v).strip())


def _categorical(values: pd.Series, levels: list[str]) -> Any:
    text = values.astype("str").where(values.notna() & (values.astype("str").str.strip() != ""))
    return pd.Categorical(text, categories=levels)


def extra_names(s: Snapshot) -> list[str]:
    """Names of the extra customer attributes (columns beyond the schema)."""
    return list(s.ledger.attribute_columns)


def build(s: Snapshot) -> dict[str, np.ndarray | pd.Categorical]:
    """Account features of every customer of the snapshot (in customer-code order)."""
    cust = s.ledger.customers.iloc[s.c_row]
    industry = cust["industry"]
    section = industry.astype("str").str.slice(0, 1).where(industry.notna())
    opened = s.c_opened.astype(np.float64)
    opened[s.c_opened == np.iinfo(np.int32).min] = np.nan
    group = cust["group_id"].astype("str")
    deposit = cust["deposit"].to_numpy(dtype=np.float64, na_value=np.nan)
    out: dict[str, Any] = {
        "category": pd.Categorical(cust["category"].astype("str"), categories=list(CATEGORIES)),
        "industry": _categorical(industry, _levels(s.ledger.customers["industry"])),
        "industry_section": _categorical(
            section, _levels(s.ledger.customers["industry"].astype("str").str.slice(0, 1))
        ),
        "region": _categorical(cust["region"], _levels(s.ledger.customers["region"])),
        "voltage_kv": cust["voltage_kv"].to_numpy(dtype=np.float64, na_value=np.nan),
        "capacity_kva": cust["capacity_kva"].to_numpy(dtype=np.float64, na_value=np.nan),
        "tenure_months": (s.day - opened) / _DAYS_PER_MONTH,
    }
    for col in BOOL_COLUMNS:
        out[col] = cust[col].to_numpy(dtype=np.float64, na_value=np.nan)
    out["in_group"] = (group.notna() & (group.str.strip() != "")).to_numpy(dtype=np.float64)
    out["deposit"] = deposit
    out["deposit_to_bill_ratio"] = ratio(deposit, s.exposure)
    for col in extra_names(s):
        if col in out or col in _RESERVED:
            raise LedgerError(
                f"customers: extra column '{col}' has the name of a feature.\n"
                f"  hint: rename it, e.g. to 'attr_{col}'.",
                table="customers",
                column=col,
                rule="reserved_name",
            )
        values = cust[col]
        if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
            out[col] = values.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            out[col] = _categorical(values, _levels(s.ledger.customers[col]))
    return out


_RESERVED: set[str] = set()
"""Feature names of all families, filled in by :mod:`arrearsrisk.features`."""
