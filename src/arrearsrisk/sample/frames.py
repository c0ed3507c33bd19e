"""The simulated arrays as the three ledger tables of ``docs/contract.md``, section 1.

:func:`_customers_frame`, :func:`_bills_frame` and :func:`_payments_frame` turn the
customers, the bill grids and the payment buffer into pandas frames: ids and text as
pandas ``str`` (built in Arrow), dates ``datetime64[s]``, flags nullable ``boolean``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arrearsrisk.ledger.schema import CATEGORIES, CHANNELS
from arrearsrisk.sample.customers import _Customers
from arrearsrisk.sample.parameters import _IND_CODES, REGIONS
from arrearsrisk.sample.periods import _Calendar
from arrearsrisk.sample.simulation import _BillGrid, _PaymentBuffer


def _str_column(labels: list[str], codes: np.ndarray) -> pd.Series:
    """A pandas ``str`` column of ``labels[codes]`` built in Arrow; negative codes are NA."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dictionary = pa.array(labels, type=pa.large_string())
    missing = codes < 0
    indices = pa.array(codes, mask=missing) if missing.any() else pa.array(codes)
    taken = pc.take(dictionary, indices)
    return pd.Series(pd.array(taken, dtype="str"), copy=False)


def _bool_column(values: np.ndarray, known: np.ndarray | None = None) -> pd.Series:
    mask = np.zeros(values.shape, dtype=bool) if known is None else ~known
    return pd.Series(pd.arrays.BooleanArray(values.astype(bool), mask), copy=False)


def _day_column(days: np.ndarray) -> pd.Series:
    return pd.Series((np.asarray(days, dtype=np.int64) * 86400).astype("datetime64[s]"), copy=False)


def _customer_ids(n: int) -> list[str]:
    width = max(4, len(str(n)))
    return [f"C{i:0{width}d}" for i in range(1, n + 1)]


def _customers_frame(c: _Customers, ids: list[str]) -> pd.DataFrame:
    n = c.n
    industry = _str_column(list(_IND_CODES), c.industry.astype(np.int32))
    group = _str_column([f"G{g + 1:03d}" for g in range(len(c.group_names))], c.group)
    all_known = np.ones(n, dtype=bool)
    return pd.DataFrame(
        {
            "customer_id": pd.Series(ids, dtype="str"),
            "category": _str_column(list(CATEGORIES), c.cat.astype(np.int32)),
            "industry": industry,
            "region": _str_column(list(REGIONS), c.region.astype(np.int32)),
            "opened": _day_column(c.opened),
            "voltage_kv": c.voltage,
            "capacity_kva": c.capacity,
            "high_energy": _bool_column(c.high_energy, all_known),
            "restricted": _bool_column(c.restricted, all_known),
            "prepaid": _bool_column(c.prepaid, all_known),
            "tenant": _bool_column(c.tenant, c.tenant_known),
            "budget_funded": _bool_column(c.budget, all_known),
            "group_id": group,
            "deposit": c.deposit.astype(np.float64),
            "guarantee": _bool_column(c.guarantee, all_known),
            "contact_ok": _bool_column(c.contact == 1, c.contact >= 0),
        }
    )


def _bills_frame(c: _Customers, cal: _Calendar, grid: _BillGrid, ids: list[str]) -> pd.DataFrame:
    months = cal.months
    mask = grid.billed.T  # (customer, period) view: customer-major order
    counts = grid.billed.sum(axis=0)
    cust = np.repeat(np.arange(c.n, dtype=np.int32), counts)
    k_idx = np.broadcast_to(np.arange(months, dtype=np.int32), mask.shape)[mask]
    issue = cal.month_start[k_idx + 1] + grid.issue_off[k_idx, c.issue_region[cust]]
    due = cal.month_start[k_idx + 1] + c.due_day[cust] - 1
    frame = pd.DataFrame(
        {
            "customer_id": _str_column(ids, cust),
            "period": _str_column(cal.period_labels(), k_idx),
            "issue_date": _day_column(issue),
            "due_date": _day_column(due),
        },
        copy=False,
    )
    del issue, due, k_idx
    frame["kwh"] = grid.kwh.T[mask].astype(np.float64)
    frame["amount"] = grid.amount.T[mask]
    frame["estimated"] = _bool_column(grid.estimated.T[mask])
    return frame


def _payments_frame(pays: _PaymentBuffer, ids: list[str]) -> pd.DataFrame:
    """Payments sorted by customer and date; empties the buffer as it goes."""
    m = pays.size
    key = pays.cust[:m].astype(np.int64) << 32
    key |= pays.date[:m].astype(np.int64) & 0xFFFFFFFF
    order = np.argsort(key, kind="stable")
    del key
    empty = np.empty(0)
    cust = pays.cust[:m][order]
    pays.cust = empty.astype(np.int32)
    frame = pd.DataFrame({"customer_id": _str_column(ids, cust)}, copy=False)
    del cust
    frame["paid_date"] = _day_column(pays.date[:m][order])
    pays.date = empty.astype(np.int32)
    frame["amount"] = pays.amount[:m][order]
    pays.amount = empty
    frame["channel"] = _str_column(list(CHANNELS), pays.channel[:m][order].astype(np.int32))
    pays.channel = empty.astype(np.int8)
    pays.size = 0
    return frame
