"""Account and industry attributes: category, industry, region, supply, tenure and the
measures already in place (prepaid meter, deposit, guarantee), plus any extra
customer columns of the ledger (numeric, boolean or categorical by their dtype).

A missing optional column or an empty cell means "unknown" and gives NaN.  An extra
column may not take a name in ``reserved`` (every registered feature and the id and
label columns, passed by :func:`arrearsrisk.features.feature_columns`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.asof.account import AccountSnapshot
from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.errors import LedgerError
from arrearsrisk.features._stats import ratio
from arrearsrisk.features.family import FeatureFamily
from arrearsrisk.features.texts import (
    NO_BILL,
    CategoryText,
    FlagText,
    NameAndValue,
    NumberText,
    ReasonText,
    is_missing,
    zh_en,
)
from arrearsrisk.industries import IndustryLabels
from arrearsrisk.ledger.schema import CATEGORIES
from arrearsrisk.ledger.tables import NO_DAY, Ledger
from arrearsrisk.vocabulary import DAYS_PER_MONTH, LANGS

__all__ = [
    "BOOL_COLUMNS",
    "CATEGORICAL",
    "FAMILY",
    "NAMES",
    "REASONS",
    "build",
    "build_one",
    "extra_names",
]

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


def _texts(column: pd.Series, first_letter: bool = False) -> tuple[np.ndarray, list[str | None]]:
    """A customer column as codes into its distinct values (``-1``: missing) and each
    value as text, ``None`` when blank (or, with ``first_letter``, its first letter).

    The text work runs on the distinct values only: as cheap for one customer as for
    millions (a handful of industries, regions and groups).
    """
    codes, uniques = pd.factorize(column)
    texts = [str(u)[:1] if first_letter else str(u) for u in uniques]
    return np.asarray(codes), [t if t.strip() else None for t in texts]


def _cells_texts(
    cells: list[Any], first_letter: bool = False
) -> tuple[np.ndarray, list[str | None]]:
    """:func:`_texts` of a column held as Python values (``str`` or ``None``)."""
    first: dict[Any, int] = {}
    codes = [first.setdefault(v, len(first)) if v is not None else -1 for v in cells]
    texts = [str(u)[:1] if first_letter else str(u) for u in first]
    return np.array(codes, dtype=np.intp), [t if t.strip() else None for t in texts]


Column = pd.Series | list[Any]
"""A customer column: the table's Series, or its cells as Python values
(:meth:`~arrearsrisk.ledger.tables.Ledger.schema_values`)."""


def _categorical(
    column: Column, rows: np.ndarray, levels: Sequence[str] | None = None, **how: bool
) -> pd.Categorical:
    """The text of ``column`` at ``rows`` as a categorical: empty or blank cells missing;
    levels all the non-blank texts of the whole column, sorted (or ``levels``)."""
    if isinstance(column, list):
        codes, texts = _cells_texts(column, **how)
    else:
        codes, texts = _texts(column, **how)
    if levels is None:
        levels = sorted({t for t in texts if t is not None})
    index = {t: i for i, t in enumerate(levels)}
    lookup = np.array([index.get(t, -1) if t is not None else -1 for t in texts] + [-1])
    return pd.Categorical.from_codes(lookup[codes[rows]], dtype=_dtype(tuple(levels)))


@lru_cache(maxsize=512)
def _dtype(levels: tuple[str, ...]) -> pd.CategoricalDtype:
    """The categorical dtype of ``levels`` (built once: building one costs more than
    the features of one customer)."""
    return pd.CategoricalDtype(list(levels))


def _numbers(column: Column, rows: np.ndarray) -> np.ndarray:
    if isinstance(column, list):
        cells = [np.nan if v is None else float(v) for v in column]
        return np.array(cells, dtype=np.float64).reshape(len(cells))[rows]
    return column.to_numpy(dtype=np.float64, na_value=np.nan)[rows]


class _Columns:
    """The ledger's customer columns by name: Python cells where the ledger holds them
    (one account read from rows), else the table's Series."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def __getitem__(self, name: str) -> Column:
        cells = self._ledger.schema_values("customers", name)
        return cells if cells is not None else self._ledger.customers[name]


def extra_names(ledger: Ledger) -> list[str]:
    """Names of the extra customer attributes (columns beyond the schema)."""
    return list(ledger.attribute_columns)


def build(s: Snapshot, reserved: Collection[str] = ()) -> dict[str, np.ndarray | pd.Categorical]:
    """Account features of every customer of the snapshot (in customer-code order);
    an extra column named as a feature or in ``reserved`` is refused."""
    customers, rows = _Columns(s.ledger), s.c_row
    opened = s.c_opened.astype(np.float64)
    opened[s.c_opened == np.iinfo(np.int32).min] = np.nan
    groups = customers["group_id"]
    group_codes, group_texts = _cells_texts(groups) if isinstance(groups, list) else _texts(groups)
    in_group = np.array([t is not None for t in group_texts] + [False], dtype=np.float64)
    deposit = _numbers(customers["deposit"], rows)
    out: dict[str, Any] = {
        "category": _categorical(customers["category"], rows, CATEGORIES),
        "industry": _categorical(customers["industry"], rows),
        "industry_section": _categorical(customers["industry"], rows, first_letter=True),
        "region": _categorical(customers["region"], rows),
        "voltage_kv": _numbers(customers["voltage_kv"], rows),
        "capacity_kva": _numbers(customers["capacity_kva"], rows),
        "tenure_months": (s.day - opened) / DAYS_PER_MONTH,
    }
    for col in BOOL_COLUMNS:
        out[col] = _numbers(customers[col], rows)
    out["in_group"] = in_group[group_codes[rows]]
    out["deposit"] = deposit
    out["deposit_to_bill_ratio"] = ratio(deposit, s.exposure)
    for col in extra_names(s.ledger):
        if col in out or col in reserved:
            raise LedgerError(
                f"customers: extra column '{col}' has the name of a feature.\n"
                f"  hint: rename it, e.g. to 'attr_{col}'.",
                table="customers",
                column=col,
                rule="reserved_name",
            )
        values = s.ledger.customers[col]
        if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
            out[col] = _numbers(values, rows)
        else:
            out[col] = _categorical(values, rows)
    return out


_NAN = math.nan
_CATEGORY_SET = frozenset(CATEGORIES)
_NUMBER_COLUMNS = ("voltage_kv", "capacity_kva")
_READ = ("category", "industry", "region", *_NUMBER_COLUMNS, *BOOL_COLUMNS, "group_id", "deposit")
"""The schema columns the features read."""
_FIRST_ROW = np.zeros(1, dtype=np.intp)


def _reserved_name(col: str) -> LedgerError:
    """The error :func:`build` raises for an extra column named as a feature (or a
    reserved name), word for word."""
    return LedgerError(
        f"customers: extra column '{col}' has the name of a feature.\n"
        f"  hint: rename it, e.g. to 'attr_{col}'.",
        table="customers",
        column=col,
        rule="reserved_name",
    )


def _cells(ledger: Ledger) -> dict[str, Any]:
    """The account's cells of the schema columns the features read, as Python values
    (``None`` when empty): the ledger's Python cells if it holds them, else its table's
    row (read once: a pandas column costs more than all these features)."""
    out: dict[str, Any] = {}
    row: dict[str, Any] | None = None
    for name in _READ:
        cells = ledger.schema_values("customers", name)
        if cells is not None:
            value = cells[0]
        else:
            if row is None:
                customers = ledger.customers
                row = dict(zip(customers.columns.tolist(), customers.iloc[0].tolist(), strict=True))
            value = row[name]
        out[name] = None if is_missing(value) else value
    return out


def _text_of(value: Any) -> str | None:
    """A cell as a categorical's text, as :func:`_texts` reads it: ``None`` when empty
    or blank."""
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def _extra_value(ledger: Ledger, name: str) -> float | str | None:
    """The account's value of extra customer column ``name``, as :func:`build` reads it:
    a number for a boolean or numeric column, else its text (``None``: empty or blank)."""
    values = ledger.customers[name]
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return float(_numbers(values, _FIRST_ROW)[0])
    value = values.tolist()[0]
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return _text_of(value)


def build_one(account: AccountSnapshot, reserved: Collection[str] = ()) -> dict[str, Any]:
    """Account features of one account: the one-account twin of :func:`build`.

    Parameters
    ----------
    account : AccountSnapshot
        The account as of the date.
    reserved : collection of str
        Names an extra customer column may not take (as in :func:`build`).

    Returns
    -------
    dict
        ``{name: value}`` in ``FAMILY.columns(account.ledger)`` order: numbers as
        ``float`` (NaN: unknown), categoricals as their text or ``None``.

    Raises
    ------
    LedgerError
        If an extra customer column has the name of a feature or of ``reserved``.

    Examples
    --------
    >>> from arrearsrisk.asof.account import _example
    >>> values = build_one(_example())
    >>> values["category"], values["industry"], values["in_group"], values["deposit"]
    ('commercial', None, 0.0, nan)
    """
    ledger = account.ledger
    cells = _cells(ledger)
    category = _text_of(cells["category"])
    industry = cells["industry"]
    deposit = cells["deposit"]
    deposit = _NAN if deposit is None else float(deposit)
    exposure = account.exposure
    opened = account.opened
    out: dict[str, Any] = {
        "category": category if category in _CATEGORY_SET else None,
        "industry": _text_of(industry),
        "industry_section": None if industry is None else _text_of(str(industry)[:1]),
        "region": _text_of(cells["region"]),
    }
    for col in _NUMBER_COLUMNS:
        value = cells[col]
        out[col] = _NAN if value is None else float(value)
    out["tenure_months"] = _NAN if opened == NO_DAY else (account.day - opened) / DAYS_PER_MONTH
    for col in BOOL_COLUMNS:
        value = cells[col]
        out[col] = _NAN if value is None else float(value)
    out["in_group"] = 0.0 if _text_of(cells["group_id"]) is None else 1.0
    out["deposit"] = deposit
    out["deposit_to_bill_ratio"] = deposit / exposure if exposure > 0 else _NAN
    for col in extra_names(ledger):
        if col in out or col in reserved:
            raise _reserved_name(col)
        out[col] = _extra_value(ledger, col)
    return out


_CATEGORY_ZH = {
    "residential": "居民",
    "commercial": "商业",
    "industrial": "工业",
    "agricultural": "农业",
    "public": "公共事业（财政）",
    "temporary": "临时用电",
}
_UNKNOWN_ZH = {"zh": "未知"}
_INDUSTRY_LABELS = {lang: IndustryLabels(lang) for lang in LANGS}
_NO_INDUSTRY = {"zh": "未知", "en": "unknown"}


def _flag(yes: tuple[str, str], no: tuple[str, str], unknown: tuple[str, str]) -> FlagText:
    return FlagText(zh_en(*yes), zh_en(*no), zh_en(*unknown))


REASONS: dict[str, ReasonText] = {
    "category": CategoryText(
        zh_en("用电类别：{v}", "usage category {v}"), {"zh": _CATEGORY_ZH}, _UNKNOWN_ZH
    ),
    "industry": CategoryText(  # GB/T 4754 names: 所属行业：化学原料和化学制品制造业（C26）
        zh_en("所属行业：{v}", "industry: {v}"), _INDUSTRY_LABELS, _NO_INDUSTRY
    ),
    "industry_section": CategoryText(
        zh_en("行业门类：{v}", "industry section: {v}"), _INDUSTRY_LABELS, _NO_INDUSTRY
    ),
    "region": CategoryText(zh_en("供电区域：{v}", "supply area {v}"), unknown=_UNKNOWN_ZH),
    "voltage_kv": NumberText(
        zh_en("供电电压{v:g}千伏", "supplied at {v:g} kV"),
        unknown=zh_en("供电电压未知", "supply voltage unknown"),
    ),
    "capacity_kva": NumberText(
        zh_en("合同容量{v:,.0f}千伏安", "contracted capacity {v:,.0f} kVA"),
        unknown=zh_en("合同容量未知", "contracted capacity unknown"),
    ),
    "tenure_months": NumberText(
        zh_en("开户{v:.0f}个月", "account {v:.0f} months old"),
        unknown=zh_en("开户日期未知", "account opening date unknown"),
    ),
    "high_energy": _flag(
        ("高耗能行业", "high-energy-consumption industry"),
        ("非高耗能行业", "not a high-energy industry"),
        ("是否高耗能行业未知", "unknown whether high-energy"),
    ),
    "restricted": _flag(
        ("属国家限制类产业", "industry under national restriction policy"),
        ("非限制类产业", "industry not restricted"),
        ("是否限制类产业未知", "unknown whether a restricted industry"),
    ),
    "prepaid": _flag(
        ("已装预付费表", "prepaid meter installed"),
        ("未装预付费表", "no prepaid meter"),
        ("是否预付费未知", "unknown whether prepaid"),
    ),
    "tenant": _flag(
        ("租户缴费（非产权人）", "the payer is a tenant, not the owner"),
        ("产权人缴费", "the owner pays"),
        ("缴费人是否产权人未知", "unknown whether the payer owns the property"),
    ),
    "budget_funded": _flag(
        ("财政拨款单位", "budget-funded unit"),
        ("非财政拨款单位", "not budget-funded"),
        ("是否财政拨款未知", "unknown whether budget-funded"),
    ),
    "guarantee": _flag(
        ("已签电费担保合同", "guarantee contract signed"),
        ("无电费担保", "no guarantee contract"),
        ("担保情况未知", "guarantee unknown"),
    ),
    "contact_ok": _flag(
        ("联系方式有效", "valid mobile number"),
        ("无有效手机号，无法短信提醒", "no valid mobile number for reminders"),
        ("联系方式是否有效未知", "contact details unverified"),
    ),
    "in_group": _flag(
        ("集团户成员", "member of a group customer"),
        ("非集团户", "not in a group"),
        ("是否集团户未知", "group membership unknown"),
    ),
    "deposit": NumberText(
        zh_en("电费保证金{v:,.0f}元", "deposit CNY {v:,.0f}"),
        unknown=zh_en("保证金情况未知", "deposit unknown"),
    ),
    "deposit_to_bill_ratio": NumberText(
        zh_en("保证金仅覆盖{v:.1f}个月电费", "deposit covers only {v:.1f} months of bills"), NO_BILL
    ),
}
"""Reason texts by feature name; a missing category reads 未知 / unknown, a missing flag,
supply figure, opening date or deposit says it is unknown (no fact: never a top
reason); extra customer columns read ``name: value``."""

FAMILY = FeatureFamily(
    name="account",
    names=NAMES,
    build=build,
    monotone={},
    reasons=REASONS,
    needs=("reserved",),
    build_one=build_one,
    extra_names=extra_names,
    default_reason=NameAndValue(),
    summary="category, industry, region, supply, tenure, measures in place, extra customer columns",
)
