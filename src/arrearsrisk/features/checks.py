"""The contract every feature family keeps, as one check a new family can be run
through (like scikit-learn's ``check_estimator``).

Examples
--------
>>> from arrearsrisk.features import FAMILIES
>>> for family in FAMILIES:
...     check_feature_family(family)
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.asof.account import account_snapshot
from arrearsrisk.asof.snapshot import Snapshot, take_snapshot
from arrearsrisk.errors import FeatureFamilyError, LedgerWarning
from arrearsrisk.features.build import build_family
from arrearsrisk.features.family import Column, FeatureFamily, check_declarations
from arrearsrisk.features.one_account import one_value
from arrearsrisk.features.peers import context_from_snapshot
from arrearsrisk.features.registry import reserved_names
from arrearsrisk.features.texts import is_missing
from arrearsrisk.ledger.schema import CATEGORIES, CHANNELS
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.timeline import AsOf, parse_as_of
from arrearsrisk.vocabulary import LANGS

__all__ = ["CHECK_AS_OF", "FUTURES", "check_feature_family", "check_ledger", "rewrite_future"]

CHECK_AS_OF = pd.Timestamp("2024-06-30")
"""The as-of date of :func:`check_ledger`: 18 months of history, 2 after it."""


@functools.cache
def check_ledger() -> Ledger:
    """A small ledger written out in code: five customers (one opening after
    :data:`CHECK_AS_OF`) over 2023-01..2024-08, with late, partial and missing
    payments, a correction bill, estimated readings, zero months, every channel,
    unknown values and two extra customer columns.

    >>> check_ledger()
    Ledger(5 customers, 77 bills 2023-01..2024-08, 90 payments)
    """
    customers = pd.DataFrame(
        {
            "customer_id": ["K1", "K2", "K3", "K4", "K5"],
            "category": ["commercial", "residential", "industrial", "public", "agricultural"],
            "industry": ["C31", None, "C32", "F51", "A01"],
            "region": ["East", "West", "East", None, "West"],
            "opened": ["2021-03-01", "2022-06-15", "2023-05-01", None, "2024-07-15"],
            "voltage_kv": [10.0, 0.4, 35.0, None, 0.4],
            "capacity_kva": [400.0, 8.0, 2500.0, None, 30.0],
            "high_energy": [False, False, True, None, False],
            "restricted": [False, False, True, False, None],
            "prepaid": [False, True, False, None, False],
            "tenant": [True, False, None, False, False],
            "budget_funded": [False, False, False, True, False],
            "group_id": ["G1", None, "G1", "", None],
            "deposit": [2000.0, None, 50_000.0, 0.0, None],
            "guarantee": [None, False, True, False, False],
            "contact_ok": [True, False, True, None, True],
            "substation": ["S1", "S2", "S1", None, "S2"],
            "peak_load_kw": [120.0, 3.5, None, 40.0, 12.0],
        }
    )
    bills: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    plans = {"K1": (0, 800.0), "K2": (0, 60.0), "K3": (4, 9000.0), "K4": (0, 300.0)}
    for k, (cid, (first, base)) in enumerate(plans.items()):
        for i in range(first, 20):  # periods 2023-01 .. 2024-08
            period = pd.Period("2023-01", "M") + i
            issue = period.to_timestamp() + pd.DateOffset(months=1) + pd.Timedelta(days=k)
            due = issue + pd.Timedelta(days=15)
            amount = round(base * (1 + 0.1 * ((i * (k + 3)) % 5)), 2)
            kwh = 0.0 if (cid == "K4" and i % 6 == 5) else amount * 1.25
            if cid == "K1" and i == 7:
                amount = -120.0  # a correction
            bills.append(
                {
                    "customer_id": cid,
                    "period": str(period),
                    "issue_date": issue,
                    "due_date": due,
                    "kwh": kwh,
                    "amount": amount,
                    "estimated": None if (cid == "K2" and i < 3) else (cid == "K3" and i % 4 == 0),
                }
            )
            if amount <= 0 or (cid == "K2" and i in (15, 16)):
                continue  # nothing to pay, or left unpaid
            lag = {"K1": 10 if i % 5 else 40, "K2": 25 + i, "K3": 12, "K4": 8}[cid]
            parts = 2 if cid == "K3" else 1
            for part in range(parts):
                payments.append(
                    {
                        "customer_id": cid,
                        "paid_date": issue + pd.Timedelta(days=lag + 20 * part),
                        "amount": round(amount / parts, 2) if cid != "K2" else amount - 5,
                        "channel": CHANNELS[(i + part + k) % len(CHANNELS)] if i % 7 else None,
                    }
                )
    bills.append(  # K5 opens after CHECK_AS_OF: one bill, one payment
        {
            "customer_id": "K5",
            "period": "2024-08",
            "issue_date": pd.Timestamp("2024-09-01"),
            "due_date": pd.Timestamp("2024-09-15"),
            "kwh": 500.0,
            "amount": 400.0,
            "estimated": False,
        }
    )
    payments.append({"customer_id": "K5", "paid_date": pd.Timestamp("2024-09-10"), "amount": 400.0})
    return Ledger(customers=customers, bills=pd.DataFrame(bills), payments=pd.DataFrame(payments))


def _append(table: pd.DataFrame, rows: dict[str, Any]) -> pd.DataFrame:
    """``table`` with ``rows`` (columns of equal length) added, in its own dtypes."""
    new = pd.DataFrame(rows).reindex(columns=table.columns).astype(table.dtypes.to_dict())
    return pd.concat([table, new], ignore_index=True)


FUTURES = ("dropped", "altered", "added to")
"""The ways :func:`rewrite_future` changes what happens after ``as_of``."""


def rewrite_future(ledger: Ledger, as_of: pd.Timestamp, how: str) -> Ledger:
    """``ledger`` with the bills issued and payments made after ``as_of``:

    * ``"dropped"``: removed;
    * ``"altered"``: bills with other amounts, kWh, due dates and estimated flags,
      payments larger and later;
    * ``"added to"``: a bill and two payments more for every customer, and a customer
      opening the day after ``as_of`` with its own bill and payments.
    """
    day = pd.Timedelta(days=1)
    customers, bills, payments = ledger.customers, ledger.bills.copy(), ledger.payments.copy()
    later = bills["issue_date"] > as_of
    paid_later = payments["paid_date"] > as_of
    if how == "dropped":
        bills, payments = bills[~later], payments[~paid_later]
    elif how == "altered":
        bills.loc[later, "amount"] = bills.loc[later, "amount"] * 3 + 1
        bills.loc[later, "kwh"] = bills.loc[later, "kwh"] * 2 + 5
        bills.loc[later, "due_date"] = bills.loc[later, "due_date"] + 20 * day
        bills.loc[later, "estimated"] = ~bills.loc[later, "estimated"].fillna(False)
        payments.loc[paid_later, "amount"] = payments.loc[paid_later, "amount"] * 2
        payments.loc[paid_later, "paid_date"] = payments.loc[paid_later, "paid_date"] + 7 * day
    elif how == "added to":
        newcomer = "~check-newcomer"
        ids = [*customers["customer_id"], newcomer]
        n = len(ids)
        customers = _append(
            customers,
            {"customer_id": [newcomer], "category": [CATEGORIES[0]], "opened": [as_of + day]},
        )
        bills = _append(
            bills,
            {
                "customer_id": ids,
                "period": ["2199-01"] * n,
                "issue_date": [as_of + day] * n,
                "due_date": [as_of + 2 * day] * n,
                "kwh": [1234.0] * n,
                "amount": [987.65] * n,
                "estimated": [True] * n,
            },
        )
        payments = _append(
            payments,
            {
                "customer_id": ids * 2,
                "paid_date": [as_of + day] * n + [as_of + 3 * day] * n,
                "amount": [55.5] * (2 * n),
                "channel": [CHANNELS[0]] * (2 * n),
            },
        )
    else:
        raise ValueError(f"how must be one of {FUTURES}, got {how!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LedgerWarning)
        return Ledger(customers=customers, bills=bills, payments=payments)


def _default_as_of(family: FeatureFamily, ledger: Ledger) -> pd.Timestamp:
    """The month end halfway through the ledger's bills."""
    issued = ledger.bills["issue_date"]
    if not len(issued):
        raise FeatureFamilyError(
            f"check_feature_family('{family.name}') needs as_of for a ledger without bills",
            family=family.name,
        )
    first, last = pd.Timestamp(issued.min()), pd.Timestamp(issued.max())
    return (first + (last - first) / 2 + pd.offsets.MonthEnd(0)).normalize()


def _build(
    family: FeatureFamily, ledger: Ledger, as_of: pd.Timestamp
) -> tuple[dict[str, Column], Snapshot]:
    """The family's columns on ``ledger`` at ``as_of``, given the context it needs as
    :func:`~arrearsrisk.features.feature_columns` gives it, and the snapshot."""
    snap = take_snapshot(ledger, as_of)
    context = {"peers": None, "reserved": reserved_names()}
    try:
        return build_family(family, snap, context), snap
    except FeatureFamilyError:
        raise
    except Exception as err:
        raise FeatureFamilyError(
            f"feature family '{family.name}': the builder failed at {as_of.date()}: "
            f"{type(err).__name__}: {err}",
            family=family.name,
        ) from err


def _kind(column: object) -> str | None:
    if isinstance(column, pd.Categorical):
        return "category"
    if isinstance(column, np.ndarray) and column.dtype == np.float64:
        return "float64"
    return None


def _check_columns(built: Mapping[str, Column], n: int, problems: list[str]) -> None:
    for name, column in built.items():
        if _kind(column) is None:
            what = getattr(column, "dtype", type(column).__name__)
            problems.append(
                f"column '{name}' is {what}, not float64 numbers or a pandas.Categorical"
            )
        elif np.ndim(column) != 1 or len(column) != n:
            problems.append(
                f"column '{name}' has shape {np.shape(column)}, not one value per customer "
                f"of the snapshot ({n})"
            )


def _same(a: Column, b: Column) -> bool:
    """Identical columns: same kind, values (NaN equal to NaN) and categories."""
    if isinstance(a, pd.Categorical) and isinstance(b, pd.Categorical):
        return list(a.categories) == list(b.categories) and np.array_equal(a.codes, b.codes)
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    return False


def _values(column: Column, rows: np.ndarray) -> list[object]:
    """Values of ``rows``, categories as their text (the levels may legitimately
    differ: they list every value of the customers table), NaN as None."""
    return [None if is_missing(v) else v for v in np.asarray(column, dtype=object)[rows]]


def _check_reason_values(
    family: FeatureFamily, built: Mapping[str, Column], problems: list[str]
) -> None:
    for name, column in built.items():
        entry = family.reason(name)
        if entry is None:
            problems.append(f"no reason text for '{name}' and no default_reason")
            continue
        present = [v for v in np.asarray(column, dtype=object) if not is_missing(v)][:3]
        for value in [*present, np.nan]:
            for lang in LANGS:
                try:
                    entry.say(name, value, lang)
                except Exception as err:  # any failure of a template is the family's
                    problems.append(
                        f"reason text of '{name}' fails in '{lang}' for {value!r}: "
                        f"{type(err).__name__}: {err}"
                    )


def _close(a: object, b: object) -> bool:
    """One account's value against the batch's: equal, NaN alike, or numbers within
    1e-12 relative (the batch sums some grids in numpy's order)."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def _check_kernel(
    family: FeatureFamily,
    ledger: Ledger,
    as_of: pd.Timestamp,
    built: Mapping[str, Column],
    snap: Snapshot,
    problems: list[str],
) -> None:
    """``build_one`` of each active customer equals its row of ``build``."""
    if family.build_one is None:
        return
    context = {"peers": context_from_snapshot(snap), "reserved": reserved_names()}
    for i in np.flatnonzero(snap.active).tolist():
        cid = snap.customer_ids[i]
        account = account_snapshot(ledger.subset([cid]), as_of)
        try:
            one = family.build_one(account, **{k: context[k] for k in family.needs})
        except Exception as err:  # any failure of the kernel is the family's
            problems.append(f"build_one failed for customer {cid}: {type(err).__name__}: {err}")
            return
        if list(one) != list(built):
            problems.append(f"build_one built {list(one)}, not the columns of build")
            return
        for name, column in built.items():
            expected = one_value(column[i : i + 1])
            if not _close(one[name], expected):
                problems.append(
                    f"build_one differs from build on '{name}' for customer {cid}: "
                    f"{one[name]!r} against {expected!r}"
                )


def _raise(family: FeatureFamily, problems: list[str]) -> None:
    if problems:
        lines = "\n".join(f"  - {p}" for p in dict.fromkeys(problems))
        raise FeatureFamilyError(
            f"feature family '{family.name}' breaks its contract:\n{lines}", family=family.name
        )


def check_feature_family(
    family: FeatureFamily, ledger: Ledger | None = None, as_of: AsOf | None = None
) -> None:
    """Check that ``family`` keeps the contract of a feature family.

    On ``ledger`` at ``as_of`` (default: :func:`check_ledger` at :data:`CHECK_AS_OF`;
    for another ledger, the month end halfway through its bills):

    * its declarations are complete: names, builder, known context, monotone
      directions of its own features only, each -1, 0 or 1, and reason texts in every
      language for every feature (or a ``default_reason``) that render without error,
      also for the values the builder gives;
    * the builder returns exactly the declared columns, in order, each ``float64`` or
      a ``pandas.Categorical`` with one value per customer of the snapshot, of the same
      kind on dates with less history (a year earlier, and before the first bill);
    * it is deterministic: built twice, the columns are identical;
    * its one-account kernel, if it has one (``build_one``), gives each active
      customer's row of the builder (numbers within 1e-12 relative);
    * there is no leakage: with the bills and payments dated after ``as_of`` dropped,
      altered, or added to along with a customer opening after it
      (:func:`rewrite_future`), no column changes for the customers active at
      ``as_of``.

    Raises
    ------
    FeatureFamilyError
        Naming the family and everything that is missing or wrong.

    Examples
    --------
    >>> from dataclasses import replace
    >>> from arrearsrisk.features import FAMILIES
    >>> payments = FAMILIES[0]
    >>> check_feature_family(payments)
    >>> check_feature_family(replace(payments, monotone={"kwh_mean_3m": 1}))
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.FeatureFamilyError: feature family 'payments' breaks its contract:
      - monotone names 'kwh_mean_3m', not a feature of the family
    """
    check_declarations(family)
    if ledger is None:
        ledger = check_ledger()
        t = CHECK_AS_OF if as_of is None else parse_as_of(as_of)
    else:
        t = parse_as_of(as_of) if as_of is not None else _default_as_of(family, ledger)

    problems: list[str] = []
    built, snap = _build(family, ledger, t)
    _check_columns(built, snap.n, problems)
    _raise(family, problems)

    first_bill = pd.Timestamp(ledger.bills["issue_date"].min()) if len(ledger.bills) else t
    for earlier in sorted({t - pd.DateOffset(years=1), first_bill - pd.Timedelta(days=1)}):
        other, other_snap = _build(family, ledger, pd.Timestamp(earlier))
        _check_columns(other, other_snap.n, problems)
        for name, column in built.items():
            if _kind(other[name]) != _kind(column):
                problems.append(
                    f"column '{name}' is {_kind(column)} at {t.date()} but "
                    f"{_kind(other[name])} at {pd.Timestamp(earlier).date()} (unstable dtype)"
                )

    again, _ = _build(family, ledger, t)
    for name, column in built.items():
        if not _same(column, again[name]):
            problems.append(f"column '{name}' differs when built twice (not deterministic)")

    rows = np.flatnonzero(snap.active)
    ids = snap.customer_ids[rows]
    for how in FUTURES:
        changed, changed_snap = _build(family, rewrite_future(ledger, t, how), t)
        where = pd.Index(changed_snap.customer_ids).get_indexer(ids)
        if (where < 0).any() or int(changed_snap.active.sum()) != len(ids):
            problems.append(f"the customers active at {t.date()} change when the future changes")
            continue
        for name, column in built.items():
            if _values(column, rows) != _values(changed[name], where):
                problems.append(
                    f"column '{name}' changes when the bills and payments dated after "
                    f"{t.date()} are {how} (leakage)"
                )

    _check_reason_values(family, built, problems)
    _check_kernel(family, ledger, t, built, snap, problems)
    _raise(family, problems)
