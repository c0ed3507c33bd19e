"""The validated ledger: customers, monthly bills and payments.

:class:`Ledger` holds the three typed tables (see ``docs/contract.md``, section 1) and,
built once on first use, the same data as numpy arrays sorted by customer and date
(:class:`LedgerArrays`) on which every feature builder and the labels work.
Files are read by :func:`arrearsrisk.ledger.reading.read_ledger`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from arrearsrisk.errors import LedgerError, LedgerWarning
from arrearsrisk.ledger.identifiers import identifier_columns
from arrearsrisk.ledger.schema import CHANNELS, SCHEMA
from arrearsrisk.ledger.validation import validate_ledger
from arrearsrisk.timeline import dates_to_days

__all__ = ["NO_DAY", "Ledger", "LedgerArrays", "MoneyInCents", "cents"]

NO_DAY = np.iinfo(np.int32).min
"""Day number standing for a missing date."""


class MoneyInCents:
    """Exact integer cents of the ``b_amount`` and ``p_amount`` arrays (computed on
    access, so arrays of millions of rows are not kept twice)."""

    b_amount: np.ndarray
    p_amount: np.ndarray

    @property
    def b_cents(self) -> np.ndarray:
        """Bill amounts in integer cents."""
        return cents(self.b_amount)

    @property
    def p_cents(self) -> np.ndarray:
        """Payment amounts in integer cents."""
        return cents(self.p_amount)


@dataclass(frozen=True)
class LedgerArrays(MoneyInCents):
    """The ledger as flat arrays, customers coded ``0..n-1`` in ``customer_id`` order.

    Bills are sorted by customer, then due date, then period (the order in which
    payments settle them); payments by customer, then date.  Dates are day numbers,
    periods month numbers, money in CNY (:func:`cents` gives exact integer cents).
    When a table already comes sorted, its money columns are views, not copies.
    """

    customer_ids: np.ndarray
    b_cust: np.ndarray
    b_period: np.ndarray
    b_issue: np.ndarray
    b_due: np.ndarray
    b_kwh: np.ndarray
    b_amount: np.ndarray
    b_estimated: np.ndarray
    """1 estimated, 0 not, -1 unknown."""
    p_cust: np.ndarray
    p_date: np.ndarray
    p_amount: np.ndarray
    p_channel: np.ndarray
    """Index into :data:`~arrearsrisk.ledger.schema.CHANNELS`, -1 unknown."""
    c_opened: np.ndarray
    """Day the account opened, ``NO_DAY`` if unknown."""
    c_row: np.ndarray
    """Row position in :attr:`Ledger.customers` of each customer code."""

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return len(self.customer_ids)

    @classmethod
    def in_order(cls, **arrays: np.ndarray) -> LedgerArrays:
        """The arrays of the fields, given in table order (customer codes already in
        ``customer_id`` order), with bills sorted by customer, due date and period and
        payments by customer and date (:meth:`Ledger.arrays`, and one account's rows in
        :func:`arrearsrisk.ledger.rows.account_ledger`).

        >>> a = LedgerArrays.in_order(
        ...     customer_ids=np.array(["C1"], dtype=object), c_opened=np.array([NO_DAY]),
        ...     c_row=np.array([0]), b_cust=np.array([0, 0]), b_period=np.array([2, 1]),
        ...     b_issue=np.array([20, 10]), b_due=np.array([30, 20]),
        ...     b_kwh=np.array([1.0, 2.0]), b_amount=np.array([5.0, 6.0]),
        ...     b_estimated=np.array([0, -1], dtype=np.int8), p_cust=np.array([], dtype=int),
        ...     p_date=np.array([], dtype=int), p_amount=np.array([]),
        ...     p_channel=np.array([], dtype=np.int8))
        >>> a.b_period.tolist(), a.b_amount.tolist()
        ([1, 2], [6.0, 5.0])
        """
        b_order = _order(arrays["b_cust"], arrays["b_due"], arrays["b_period"])
        p_order = _order(arrays["p_cust"], arrays["p_date"])
        fields = {}
        for name, values in arrays.items():
            order = b_order if name.startswith("b_") else p_order if name.startswith("p_") else None
            fields[name] = _take(values, order)
        return cls(**fields)


def cents(amount: np.ndarray) -> np.ndarray:
    """CNY amounts as exact integer cents (int64).

    >>> cents(np.array([0.1, 0.2, 19.99])).tolist()
    [10, 20, 1999]
    """
    return np.rint(amount * 100.0).astype(np.int64)


def _take(values: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    """``values[order]``, or ``values`` itself when the table is already in order."""
    return values if order is None else values[order]


def _order(*keys: np.ndarray) -> np.ndarray | None:
    """Stable order by several integer keys, first key most significant; ``None`` when
    the rows are in that order already.

    One composite int64 key sorted with a stable sort: near-linear when the table
    already comes sorted by customer and date, as billing exports usually do.
    """
    composite = np.zeros(len(keys[0]), dtype=np.int64)
    for key in keys:
        k = key.astype(np.int64) - (int(key.min()) if len(key) else 0)
        composite = composite * (int(k.max(initial=0)) + 1) + k
    order = np.argsort(composite, kind="stable")
    del composite
    return None if (order[1:] > order[:-1]).all() else order


class Ledger:
    """A validated billing ledger.

    Parameters
    ----------
    customers, bills, payments : pandas.DataFrame
        The three tables of ``docs/contract.md``, section 1.  Text columns may be strings
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
        checked = validate_ledger(
            {"customers": customers, "bills": bills, "payments": payments},
            infer_extra=_infer_extra,
        )
        self.customers: pd.DataFrame = checked.tables["customers"]
        self.bills: pd.DataFrame = checked.tables["bills"]
        self.payments: pd.DataFrame = checked.tables["payments"]
        self._bill_rows = checked.customer_rows["bills"]
        self._payment_rows = checked.customer_rows["payments"]
        self._bill_periods = checked.bill_periods
        known = set(SCHEMA["customers"].names)
        extra = [c for c in self.customers.columns if c not in known]
        self._identifiers = identifier_columns(self.customers, extra)
        for column, reason in self._identifiers.items():
            warnings.warn(
                f"customers: column '{column}' looks like a per-customer identifier "
                f"({reason}); it is kept in the ledger but never used as a feature.\n"
                "  hint: drop it from the export, or rename it if it is a category.",
                LedgerWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        periods = self._bill_periods
        span = ""
        if len(periods):
            first, last = divmod(int(periods.min()), 12), divmod(int(periods.max()), 12)
            span = f" {first[0]}-{first[1] + 1:02d}..{last[0]}-{last[1] + 1:02d}"
        return (
            f"Ledger({len(self.customers):,} customers, {len(self.bills):,} bills{span}, "
            f"{len(self.payments):,} payments)"
        )

    @property
    def attribute_columns(self) -> list[str]:
        """Customer columns beyond the schema, used by the models as attributes (every
        extra column except the :attr:`identifier_columns`)."""
        known = set(SCHEMA["customers"].names)
        return [c for c in self.customers.columns if c not in known and c not in self._identifiers]

    @cached_property
    def data_span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """First and last date of the ledger's data (bill issue and payment dates), or
        ``None`` without any bill or payment; a subset keeps its whole ledger's span.

        >>> import arrearsrisk as ar
        >>> [d.date().isoformat() for d in ar.read_ledger("data/sample").data_span]
        ['2023-01-01', '2026-01-31']
        """
        dates = [
            col.dropna()
            for col in (self.bills["issue_date"], self.payments["paid_date"])
            if col.notna().any()
        ]
        if not dates:
            return None
        return pd.Timestamp(min(d.min() for d in dates)), pd.Timestamp(max(d.max() for d in dates))

    @property
    def identifier_columns(self) -> list[str]:
        """Extra customer columns that identify a customer (a phone number, an address,
        about one distinct text value per customer): kept, never used as features
        (:func:`arrearsrisk.ledger.identifiers.identifier_columns`)."""
        return list(self._identifiers)

    def schema_values(self, table: str, column: str) -> list[Any] | None:
        """A schema column's cells as Python values, when the ledger holds them so.

        A one-account ledger read from plain rows
        (:func:`arrearsrisk.ledger.rows.account_ledger`) holds them: text as ``str``,
        numbers as ``float``, flags as ``bool``, ``None`` for an empty cell (NaN for a
        number).  Other ledgers return ``None``: read the table's column instead.
        Feature code reads these to spare one account pandas' cost per column.

        >>> import arrearsrisk as ar
        >>> ar.read_ledger("data/sample").schema_values("customers", "region") is None
        True
        """
        return None

    def subset(self, customer_ids: list[str] | pd.Index | np.ndarray) -> Ledger:
        """The ledger of some customers only (e.g. one partition of a distributed job).

        Examples
        --------
        >>> import arrearsrisk as ar
        >>> ar.read_ledger("data/sample").subset(["C0001"]).customers.shape[0]
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
        keep = self.customers["customer_id"].isin(wanted).to_numpy()
        new_row = np.cumsum(keep) - 1  # old customer row -> new row
        keep_b, keep_p = keep[self._bill_rows], keep[self._payment_rows]
        new = object.__new__(Ledger)
        new.customers = self.customers[keep]
        new.bills = self.bills[keep_b]
        new.payments = self.payments[keep_p]
        new._bill_rows = new_row[self._bill_rows[keep_b]].astype(np.int32)
        new._payment_rows = new_row[self._payment_rows[keep_p]].astype(np.int32)
        new._bill_periods = self._bill_periods[keep_b]
        new._identifiers = self._identifiers  # judged on the whole ledger
        new.__dict__["data_span"] = self.data_span
        return new

    @cached_property
    def arrays(self) -> LedgerArrays:
        """The ledger as sorted flat arrays (built once, on first use)."""
        cust = self.customers
        order = np.asarray(pc.sort_indices(pa.array(cust["customer_id"].astype("str"))))
        code_of_row = np.empty(len(order), dtype=np.int32)
        code_of_row[order] = np.arange(len(order), dtype=np.int32)
        ids = cust["customer_id"].to_numpy(dtype=object)[order]
        opened = dates_to_days(cust["opened"])[order]

        bills = self.bills
        est = bills["estimated"].to_numpy(dtype="float64", na_value=-1.0).astype(np.int8)
        pay = self.payments
        codes, uniques = pd.factorize(pay["channel"])
        channel = np.append(pd.Index(list(CHANNELS)).get_indexer(pd.Index(uniques)), -1)[codes]
        return LedgerArrays.in_order(
            customer_ids=ids,
            b_cust=code_of_row[self._bill_rows],
            b_period=self._bill_periods,
            b_issue=dates_to_days(bills["issue_date"]),
            b_due=dates_to_days(bills["due_date"]),
            b_kwh=bills["kwh"].to_numpy(dtype=np.float64),
            b_amount=bills["amount"].to_numpy(dtype=np.float64),
            b_estimated=est,
            p_cust=code_of_row[self._payment_rows],
            p_date=dates_to_days(pay["paid_date"]),
            p_amount=pay["amount"].to_numpy(dtype=np.float64),
            p_channel=channel.astype(np.int8),
            c_opened=opened,
            c_row=order,
        )
