"""The ledger schema, as data.

One table in code lists every column of the three ledger tables, its kind, whether it
is required and the rules it obeys.  :mod:`arrearsrisk.ledger.validation` produces every
:class:`~arrearsrisk.errors.LedgerError` from this table and nothing else, and the
tests loop over it.  See ``docs/contract.md``, section 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "CONTACT_COLUMNS",
    "READ_ATTRIBUTES",
    "SCHEMA",
    "ColumnSpec",
    "ForeignKey",
    "TableSpec",
]

Kind = Literal["id", "str", "category", "date", "period", "float", "bool"]

CATEGORIES: tuple[str, ...] = (
    "residential",
    "commercial",
    "industrial",
    "agricultural",
    "public",
    "temporary",
)
"""Usage categories of a customer (``public`` = budget-funded institutions)."""

CHANNELS: tuple[str, ...] = (
    "counter",
    "bank_debit",
    "online",
    "kiosk",
    "agent",
    "prepaid",
    "other",
)
"""Payment channels."""


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a ledger table.

    Parameters
    ----------
    name : str
        Column name.
    kind : {"id", "str", "category", "date", "period", "float", "bool"}
        How values are parsed: ``id`` and ``str`` are text, ``category`` is text from
        ``choices``, ``date`` a calendar day, ``period`` a ``YYYY-MM`` month.
    required : bool
        The column must be present.
    nullable : bool
        Empty cells are allowed (they mean "unknown").
    choices : tuple of str, optional
        Allowed values of a ``category`` column.
    min_value, gt_value : float, optional
        Inclusive and strict lower bounds of a ``float`` column.
    meaning : str
        One line for docs and error hints.
    """

    name: str
    kind: Kind
    required: bool = False
    nullable: bool = True
    choices: tuple[str, ...] = ()
    min_value: float | None = None
    gt_value: float | None = None
    meaning: str = ""


@dataclass(frozen=True)
class ForeignKey:
    """``column`` of this table must exist in ``ref_table.ref_column``."""

    column: str
    ref_table: str
    ref_column: str


@dataclass(frozen=True)
class TableSpec:
    """One ledger table: its columns, key and cross-column rules."""

    name: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    ordered: tuple[tuple[str, str], ...] = field(default=())
    """Pairs ``(earlier, later)`` of date columns with ``later >= earlier``."""

    def column(self, name: str) -> ColumnSpec:
        """The spec of column ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the columns the schema knows."""
        return tuple(c.name for c in self.columns)


CUSTOMERS = TableSpec(
    name="customers",
    columns=(
        ColumnSpec("customer_id", "id", required=True, nullable=False, meaning="account key"),
        ColumnSpec(
            "category",
            "category",
            required=True,
            nullable=False,
            choices=CATEGORIES,
            meaning="usage category",
        ),
        ColumnSpec("industry", "str", meaning="industry code, e.g. C31; empty for households"),
        ColumnSpec("region", "str", meaning="supply area (county or station)"),
        ColumnSpec("opened", "date", meaning="account opened"),
        ColumnSpec("voltage_kv", "float", min_value=0.0, meaning="supply voltage (kV)"),
        ColumnSpec("capacity_kva", "float", min_value=0.0, meaning="contracted capacity (kVA)"),
        ColumnSpec("high_energy", "bool", meaning="high-energy-consumption industry"),
        ColumnSpec("restricted", "bool", meaning="industry under national restriction policy"),
        ColumnSpec("prepaid", "bool", meaning="prepaid smart meter installed"),
        ColumnSpec("tenant", "bool", meaning="the payer is not the property owner"),
        ColumnSpec("budget_funded", "bool", meaning="bills are paid from a public budget"),
        ColumnSpec("group_id", "str", meaning="group customer paying many accounts together"),
        ColumnSpec(
            "deposit", "float", min_value=0.0, meaning="deposit held against the bill (CNY)"
        ),
        ColumnSpec("guarantee", "bool", meaning="guarantee contract signed"),
        ColumnSpec("contact_ok", "bool", meaning="valid mobile number for reminders"),
        ColumnSpec("account_name", "str", meaning="account name (户名): a person or a unit"),
        ColumnSpec("supply_address", "str", meaning="address of the supply point (用电地址)"),
        ColumnSpec(
            "phone_number", "str", meaning="contact phone (联系电话), text: leading zeros kept"
        ),
    ),
    key=("customer_id",),
)

CONTACT_COLUMNS: tuple[str, ...] = ("account_name", "supply_address", "phone_number")
"""The customers' contact details: text columns of the schema that plans, cards and the
workbook show when the ledger holds them, and that are never features (only the
attributes beyond the schema are) nor reasons.  Read as text, so a phone such as
``0755-12345678`` keeps its leading zero."""

BILLS = TableSpec(
    name="bills",
    columns=(
        ColumnSpec("customer_id", "id", required=True, nullable=False),
        ColumnSpec(
            "period", "period", required=True, nullable=False, meaning="billing month YYYY-MM"
        ),
        ColumnSpec("issue_date", "date", required=True, nullable=False),
        ColumnSpec("due_date", "date", required=True, nullable=False),
        ColumnSpec("kwh", "float", required=True, nullable=False, min_value=0.0),
        ColumnSpec(
            "amount",
            "float",
            required=True,
            nullable=False,
            meaning="CNY due; negative only for corrections",
        ),
        ColumnSpec("estimated", "bool", meaning="the reading was estimated"),
    ),
    key=("customer_id", "period"),
    foreign_keys=(ForeignKey("customer_id", "customers", "customer_id"),),
    ordered=(("issue_date", "due_date"),),
)

PAYMENTS = TableSpec(
    name="payments",
    columns=(
        ColumnSpec("customer_id", "id", required=True, nullable=False),
        ColumnSpec("paid_date", "date", required=True, nullable=False),
        ColumnSpec("amount", "float", required=True, nullable=False, gt_value=0.0),
        ColumnSpec("channel", "category", choices=CHANNELS, meaning="how it was paid"),
    ),
    foreign_keys=(ForeignKey("customer_id", "customers", "customer_id"),),
)

SCHEMA: dict[str, TableSpec] = {t.name: t for t in (CUSTOMERS, BILLS, PAYMENTS)}
"""The three ledger tables, in the order they are validated."""

READ_ATTRIBUTES: dict[str, tuple[str, ...]] = {"customers": ("high_hazard",)}
"""Optional columns outside the schema that the library reads by name (the plans'
safety flag ``high_hazard``).  They stay attributes, but their headers are matched like
schema columns (:mod:`arrearsrisk.ledger.headers`): a near miss such as ``high-hazard``
is refused instead of being kept as another attribute."""
