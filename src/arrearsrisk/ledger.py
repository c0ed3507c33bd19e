"""The validated ledger: customers, monthly bills and payments.

:class:`Ledger` holds the three typed tables (see ``CONTRACT.md`` section 1) and,
built once on first use, the same data as numpy arrays sorted by customer and date
(:class:`LedgerArrays`) on which every feature builder and the labels work.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from arrearsrisk.errors import LedgerError
from arrearsrisk.schema import CHANNELS, SCHEMA
from arrearsrisk.timeline import dates_to_days, period_numbers
from arrearsrisk.validation import validate_ledger

__all__ = ["Ledger", "LedgerArrays", "read_ledger"]

NO_DAY = np.iinfo(np.int32).min
"""Day number standing for a missing date."""


@dataclass(frozen=True)
class LedgerArrays:
    """The ledger as flat arrays, customers coded ``0..n-1`` in ``customer_id`` order.

    Bills are sorted by customer, then due date, then period (the order in which
    payments settle them); payments by customer, then date.  Dates are day numbers,
    periods month numbers, money both in CNY (float) and in cents (int64, exact sums).
    """

    customer_ids: np.ndarray
    b_cust: np.ndarray
    b_period: np.ndarray
    b_issue: np.ndarray
    b_due: np.ndarray
    b_kwh: np.ndarray
    b_amount: np.ndarray
    b_cents: np.ndarray
    b_estimated: np.ndarray
    """1 estimated, 0 not, -1 unknown."""
    p_cust: np.ndarray
    p_date: np.ndarray
    p_amount: np.ndarray
    p_cents: np.ndarray
    p_channel: np.ndarray
    """Index into :data:`~arrearsrisk.schema.CHANNELS`, -1 unknown."""
    c_opened: np.ndarray
    """Day the account opened, ``NO_DAY`` if unknown."""
    c_row: np.ndarray
    """Row position in :attr:`Ledger.customers` of each customer code."""

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return len(self.customer_ids)


def _codes(ids: pd.Series, known: pd.Index) -> np.ndarray:
    codes = known.get_indexer(pd.Index(ids))
    assert (codes >= 0).all(), "validated ledgers have no orphan rows"
    return codes.astype(np.int32)


def _cents(amount: np.ndarray) -> np.ndarray:
    return np.rint(amount * 100.0).astype(np.int64)


class Ledger:
    """A validated billing ledger.

    Parameters
    ----------
    customers, bills, payments : pandas.DataFrame
        The three tables of ``CONTRACT.md`` section 1.  Text columns may be strings
        (e.g. as read from CSV); they are parsed to dates, numbers and booleans.
        ``payments`` may be empty but must have its columns.

    Raises
    ------
    LedgerError
        If a table breaks a rule of the schema; the message names table, column,
        rule and up to five offending rows.

    Examples
    --------
    >>> import pandas as pd, arrearsrisk as ar
    >>> ledger = ar.Ledger(
    ...     customers=pd.DataFrame({"customer_id": ["C1"], "category": ["commercial"]}),
    ...     bills=pd.DataFrame({"customer_id": ["C1"], "period": ["2024-01"],
    ...                         "issue_date": ["2024-02-01"], "due_date": ["2024-02-15"],
    ...                         "kwh": [1200.0], "amount": [960.0]}),
    ...     payments=pd.DataFrame({"customer_id": ["C1"], "paid_date": ["2024-02-10"],
    ...                            "amount": [960.0]}))
    >>> ledger
    Ledger(1 customers, 1 bills 2024-01..2024-01, 1 payments)
    """

    def __init__(
        self,
        customers: pd.DataFrame,
        bills: pd.DataFrame,
        payments: pd.DataFrame,
        *,
        _infer_extra: bool = False,
    ) -> None:
        typed = validate_ledger(
            {"customers": customers, "bills": bills, "payments": payments},
            infer_extra=_infer_extra,
        )
        self.customers: pd.DataFrame = typed["customers"]
        self.bills: pd.DataFrame = typed["bills"]
        self.payments: pd.DataFrame = typed["payments"]

    def __repr__(self) -> str:
        periods = self.bills["period"]
        span = f" {periods.min()}..{periods.max()}" if len(periods) else ""
        return (
            f"Ledger({len(self.customers):,} customers, {len(self.bills):,} bills{span}, "
            f"{len(self.payments):,} payments)"
        )

    @property
    def attribute_columns(self) -> list[str]:
        """Customer columns beyond the schema, used by the models as attributes."""
        known = set(SCHEMA["customers"].names)
        return [c for c in self.customers.columns if c not in known]

    def subset(self, customer_ids: list[str] | pd.Index | np.ndarray) -> Ledger:
        """The ledger of some customers only (e.g. one partition of a distributed job).

        Examples
        --------
        >>> import arrearsrisk as ar
        >>> ar.read_ledger("data/sample").subset(["C0000001"]).customers.shape[0]
        1
        """
        wanted = pd.Index(customer_ids)
        missing = wanted.difference(pd.Index(self.customers["customer_id"]))
        if len(missing):
            raise LedgerError(
                f"customers: subset asks for unknown customer_id {list(missing[:5])}.",
                table="customers",
                column="customer_id",
                rule="unknown_reference",
            )
        new = object.__new__(Ledger)
        new.customers = self.customers[self.customers["customer_id"].isin(wanted)]
        new.bills = self.bills[self.bills["customer_id"].isin(wanted)]
        new.payments = self.payments[self.payments["customer_id"].isin(wanted)]
        return new

    @cached_property
    def arrays(self) -> LedgerArrays:
        """The ledger as sorted flat arrays (built once, on first use)."""
        cust = self.customers
        order = np.argsort(cust["customer_id"].to_numpy(dtype=object), kind="stable")
        ids = cust["customer_id"].to_numpy(dtype=object)[order]
        known = pd.Index(ids)
        opened = dates_to_days(cust["opened"])[order]

        bills = self.bills
        b_cust = _codes(bills["customer_id"], known)
        b_period = period_numbers(bills["period"])
        b_issue = dates_to_days(bills["issue_date"])
        b_due = dates_to_days(bills["due_date"])
        b_order = np.lexsort((b_period, b_due, b_cust))
        b_amount = bills["amount"].to_numpy(dtype=np.float64)[b_order]
        est = bills["estimated"].to_numpy(dtype="float64", na_value=-1.0)[b_order].astype(np.int8)

        pay = self.payments
        p_cust = _codes(pay["customer_id"], known)
        p_date = dates_to_days(pay["paid_date"])
        p_order = np.lexsort((p_date, p_cust))
        p_amount = pay["amount"].to_numpy(dtype=np.float64)[p_order]
        channel = pd.Categorical(pay["channel"], categories=list(CHANNELS)).codes
        return LedgerArrays(
            customer_ids=ids,
            b_cust=b_cust[b_order],
            b_period=b_period[b_order],
            b_issue=b_issue[b_order],
            b_due=b_due[b_order],
            b_kwh=bills["kwh"].to_numpy(dtype=np.float64)[b_order],
            b_amount=b_amount,
            b_cents=_cents(b_amount),
            b_estimated=est,
            p_cust=p_cust[p_order],
            p_date=p_date[p_order],
            p_amount=p_amount,
            p_cents=_cents(p_amount),
            p_channel=channel[p_order].astype(np.int8),
            c_opened=opened,
            c_row=order,
        )


def _find(folder: Path, name: str) -> Path | None:
    for ext in (".parquet", ".csv", ".csv.gz"):
        path = folder / f"{name}{ext}"
        if path.exists():
            return path
    return None


def read_ledger(path: str | os.PathLike[str]) -> Ledger:
    """Read and validate a ledger from a folder of ``.csv`` or ``.parquet`` files.

    The folder holds ``customers``, ``bills`` and ``payments`` (each as
    ``NAME.parquet``, ``NAME.csv`` or ``NAME.csv.gz``).  CSV cells are read as text
    and parsed by the schema, so ids keep leading zeros and nothing is guessed;
    extra customer columns become numbers or booleans when every value parses.

    Parameters
    ----------
    path : str or path-like
        The folder.

    Returns
    -------
    Ledger

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    LedgerError
        If a table is missing or breaks a rule.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> ar.read_ledger("data/sample")  # doctest: +ELLIPSIS
    Ledger(3,000 customers, ... bills 2023-01..2025-12, ... payments)
    """
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"ledger folder not found: {folder}")
    tables: dict[str, pd.DataFrame] = {}
    for name in SCHEMA:
        file = _find(folder, name)
        if file is None:
            raise LedgerError(
                f"{name}: table is missing: no {name}.parquet or {name}.csv in {folder}.\n"
                "  hint: a ledger folder holds customers, bills and payments.",
                table=name,
                column=None,
                rule="missing_table",
            )
        if file.suffix == ".parquet":
            tables[name] = pd.read_parquet(file)
        else:
            tables[name] = pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""])
    return Ledger(**tables, _infer_extra=True)
