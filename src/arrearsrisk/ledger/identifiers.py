"""Extra customer columns that identify a person or an account, and are never features.

An extra customer column (an *attribute*) becomes a feature of the same name, and the
levels of a text feature are written into the model bundle and MLflow.  A column that
names or reaches a person (a phone number, an address, an id card) must never get
there.  :func:`identifier_columns` finds them by two rules:

* **by name**: a word of the header (split at ``_``, ``-``, spaces and case changes) is
  one of :data:`IDENTIFIER_WORDS`, or the header contains one of
  :data:`IDENTIFIER_PARTS` (Chinese headers have no word breaks);
* **by values**: a text column with at least :data:`MIN_VALUES_FOR_RATIO` non-empty
  values has more than :data:`MAX_DISTINCT_SHARE` distinct values per customer
  holding one (about one value per customer is an identifier, not a category).

The ratio rule needs enough customers to mean anything: on a one-account ledger every
value is distinct.  :class:`~arrearsrisk.ledger.tables.Ledger` keeps the result of the
whole ledger in its subsets.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = [
    "IDENTIFIER_PARTS",
    "IDENTIFIER_WORDS",
    "MAX_DISTINCT_SHARE",
    "MIN_VALUES_FOR_RATIO",
    "identifier_columns",
]

IDENTIFIER_WORDS: frozenset[str] = frozenset(
    {
        "id",
        "uuid",
        "guid",
        "idcard",
        "ssn",
        "passport",
        "phone",
        "telephone",
        "cellphone",
        "mobile",
        "tel",
        "fax",
        "email",
        "mail",
        "address",
        "addr",
        "street",
        "name",
        "surname",
        "firstname",
        "lastname",
        "wechat",
        "weixin",
        "qq",
        "iban",
        "licence",
        "license",
    }
)
"""Header words that mark a per-person or per-account column (``id_card`` splits to
``id`` and ``card``; ``e-mail`` to ``e`` and ``mail``)."""

IDENTIFIER_PARTS: tuple[str, ...] = (
    "电话",
    "手机",
    "联系方式",
    "地址",
    "住址",
    "身份证",
    "证件",
    "姓名",
    "户名",
    "名称",
    "联系人",
    "邮箱",
    "微信",
    "账号",
    "帐号",
    "银行卡",
    "户号",
    "编号",
)
"""Parts of a header that mark such a column in Chinese."""

MAX_DISTINCT_SHARE = 0.5
"""A text column with more distinct values than this share of its non-empty cells
(one per customer) is an identifier."""

MIN_VALUES_FOR_RATIO = 20
"""Fewer non-empty values than this and the distinct-value rule is not applied."""

_SPLIT = re.compile(r"[^0-9a-z]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _words(header: str) -> set[str]:
    spaced = _CAMEL.sub(" ", header.strip())
    return {w for w in _SPLIT.split(spaced.casefold()) if w}


def _by_name(header: str) -> str | None:
    hits = sorted(_words(header) & IDENTIFIER_WORDS)
    if hits:
        return f"its name has the word '{hits[0]}'"
    part = next((p for p in IDENTIFIER_PARTS if p in header), None)
    return f"its name has '{part}'" if part else None


def _by_values(values: pd.Series) -> str | None:
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return None
    text = values.dropna().astype("str").str.strip()
    text = text[text != ""]
    if len(text) < MIN_VALUES_FOR_RATIO:
        return None
    distinct = text.nunique()
    if distinct > MAX_DISTINCT_SHARE * len(text):
        return f"it has {distinct:,} distinct values in {len(text):,} customers"
    return None


def identifier_columns(customers: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    """The columns among ``columns`` of ``customers`` that identify a customer, each
    with the reason in words.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"customer_id": [f"C{i}" for i in range(30)],
    ...                           "mobile": ["138"] * 30,
    ...                           "meter_serial": [f"M{i}" for i in range(30)],
    ...                           "segment": ["A", "B"] * 15})
    >>> found = identifier_columns(customers, ["mobile", "meter_serial", "segment"])
    >>> for column, reason in found.items():
    ...     print(f"{column}: {reason}")
    mobile: its name has the word 'mobile'
    meter_serial: it has 30 distinct values in 30 customers
    """
    found: dict[str, str] = {}
    for column in columns:
        reason = _by_name(str(column)) or _by_values(customers[column])
        if reason:
            found[column] = reason
    return found
