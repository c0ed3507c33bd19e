"""Matching the header of a ledger table to the schema's column names.

A header names a schema column when it is *equal* to the column's name after one
normalisation, :func:`normalise_header`:

1. Unicode NFKC (full-width letters and digits become ASCII: ``ｒｅｇｉｏｎ`` is
   ``region``);
2. surrounding whitespace stripped, including full-width (``U+3000``) and no-break
   spaces, and invisible marks left over from a BOM or a copy-paste (``U+FEFF``,
   ``U+200B`` to ``U+200D``, ``U+2060``);
3. case-folded (``Region``, ``CHANNEL``).

So ``" high_hazard "``, ``Region`` and ``CHANNEL`` name ``high_hazard``, ``region`` and
``channel``, and the table is renamed to the schema's spelling.  Every other header is
an extra column (a customer *attribute*) unless it is a **near miss**: a header that
matches a known column only after a closer look is refused, never taken as an extra
attribute, because an optional safety flag (``high_hazard``, ``budget_funded``) read
under a wrong name would silently be "unknown".  A near miss is a header whose
normalised form

- equals a known name once separators (space, ``_``, ``-``, ``.``, ``/``) are dropped
  (``high-hazard``, ``highhazard``, ``High Hazard``), or
- is within an edit distance (Levenshtein) of 2 of a known name of 5 or more
  characters, or of 1 of a shorter name (``kwh``), e.g. ``high_hazrd``, ``regoin``.

The known names of a table are its schema columns and the optional attributes the
library reads by name (:data:`~arrearsrisk.ledger.schema.READ_ATTRIBUTES`).  Two headers
with the same normalised form (``region`` and ``Region``) are refused, and so is an
empty header.

Examples
--------
>>> normalise_header("\\ufeff High_Hazard\\u3000")
'high_hazard'
>>> match_headers("customers", ["customer_id", "Category", " region "])
{'Category': 'category', ' region ': 'region'}
>>> try:
...     match_headers("customers", ["customer_id", "category", "high-hazard"])
... except LedgerError as err:
...     print(err.rule, str(err).splitlines()[1][:35])
near_miss_column   hint: did you mean 'high_hazard'?
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Hashable, Sequence

from arrearsrisk.errors import LedgerError
from arrearsrisk.ledger.schema import READ_ATTRIBUTES, SCHEMA

__all__ = [
    "edit_distance",
    "known_names",
    "match_headers",
    "near_miss",
    "normalise_header",
]

_EDGES = re.compile(r"^[\s\ufeff\u200b-\u200d\u2060]+|[\s\ufeff\u200b-\u200d\u2060]+$")
_SEPARATORS = re.compile(r"[\s_\-./]+")
_SHORT = 4
"""Names of at most this many characters allow an edit distance of 1, longer ones 2."""


def normalise_header(name: object) -> str:
    """The header as compared with schema names: NFKC, stripped, case-folded.

    Examples
    --------
    >>> normalise_header("  CHANNEL ")
    'channel'
    >>> normalise_header("ｃｕｓｔｏｍｅｒ＿ｉｄ")
    'customer_id'
    """
    text = unicodedata.normalize("NFKC", str(name))
    return _EDGES.sub("", text).casefold()


def _skeleton(normalised: str) -> str:
    return _SEPARATORS.sub("", normalised)


def edit_distance(a: str, b: str) -> int:
    """The Levenshtein distance: insertions, deletions and substitutions.

    Examples
    --------
    >>> edit_distance("high_hazard", "high_hazrd"), edit_distance("kwh", "kvah")
    (1, 2)
    """
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def known_names(table: str) -> tuple[str, ...]:
    """The names a header of ``table`` is matched against: schema columns, then the
    optional attributes the library reads by name.

    Examples
    --------
    >>> known_names("payments")
    ('customer_id', 'paid_date', 'amount', 'channel')
    >>> known_names("customers")[-1]
    'high_hazard'
    """
    return SCHEMA[table].names + READ_ATTRIBUTES.get(table, ())


def near_miss(normalised: str, names: Sequence[str]) -> list[str]:
    """The known names a normalised header is close to but not equal to (closest first).

    Examples
    --------
    >>> near_miss("high hazard", ["high_hazard", "high_energy"])
    ['high_hazard']
    >>> near_miss("tariff", ["high_hazard", "region"])
    []
    """
    found: list[tuple[int, str]] = []
    for name in names:
        if normalised == name:
            continue
        if _skeleton(normalised) == _skeleton(name):
            found.append((0, name))
            continue
        limit = 1 if len(name) <= _SHORT else 2
        if abs(len(normalised) - len(name)) > limit:
            continue
        distance = edit_distance(normalised, name)
        if distance <= limit:
            found.append((distance, name))
    return [name for _, name in sorted(found)]


def _error(where: str, table: str, column: str, rule: str, what: str, hint: str) -> LedgerError:
    return LedgerError(
        f"{where}: column {column!r} {what}\n  hint: {hint}", table=table, column=column, rule=rule
    )


def match_headers(
    table: str, headers: Sequence[Hashable], *, source: str | None = None
) -> dict[Hashable, str]:
    """Check a table's headers and map those spelt differently to the schema's spelling.

    Parameters
    ----------
    table : {"customers", "bills", "payments"}
        Which table.
    headers : sequence
        The column labels as they come (a CSV header, or ``frame.columns``).
    source : str, optional
        The file the table comes from, named in errors in place of the table.

    Returns
    -------
    dict
        ``{header: name}`` for each header that names a known column under another
        spelling (rename the table with it); headers already spelt right and extra
        columns are not in it.

    Raises
    ------
    LedgerError
        Rule ``duplicate_column`` when two headers normalise alike, ``empty_header``
        for an empty header, ``near_miss_column`` for a near miss ("did you mean"),
        ``required_column`` when a required column is missing.

    Examples
    --------
    >>> match_headers("payments", ["customer_id", "paid_date", "amount", "Channel "])
    {'Channel ': 'channel'}
    >>> match_headers("payments", ["customer_id", "paid_date", "amount", "region", "Region"])
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.LedgerError: payments: column 'region' appears more than once (...
    ...
    """
    where = source or table
    names = known_names(table)
    canonical = {name: name for name in names}
    seen: dict[str, list[Hashable]] = {}
    for position, header in enumerate(headers, 1):
        key = normalise_header(header)
        if not key:
            raise _error(
                where,
                table,
                str(header),
                "empty_header",
                f"(position {position}) has an empty header.",
                "name the column, or remove it (a trailing separator in a CSV?).",
            )
        seen.setdefault(key, []).append(header)
    for key, spellings in seen.items():
        if len(spellings) > 1:
            shown = ", ".join(repr(str(s)) for s in spellings)
            raise _error(
                where,
                table,
                canonical.get(key, str(spellings[0])),
                "duplicate_column",
                f"appears more than once (headers {shown}).",
                "headers are compared stripped and case-folded; keep one column.",
            )
    for key, (header,) in seen.items():
        if key in canonical:
            continue
        close = near_miss(key, names)
        if close:
            also = f" or {close[1]!r}" if len(close) > 1 else ""
            raise _error(
                where,
                table,
                str(header),
                "near_miss_column",
                f"is not a known column name but is close to {close[0]!r}{also}.",
                f"did you mean {close[0]!r}? Rename the header to {close[0]!r} (headers are "
                "compared stripped and case-folded), or to a clearly different name if it "
                "is another attribute.",
            )
    for col in SCHEMA[table].columns:
        if col.required and col.name not in seen:
            extras = [str(h) for k, (h,) in seen.items() if k not in canonical]
            close_extra = difflib.get_close_matches(col.name, extras, n=1)
            hint = f"expected: {col.meaning or col.name}."
            if close_extra:
                hint = f"is {close_extra[0]!r} meant to be {col.name!r}? " + hint
            what = "is required but missing."
            raise _error(where, table, col.name, "required_column", what, hint)
    return {
        header: canonical[key]
        for key, (header,) in seen.items()
        if key in canonical and header != canonical[key]
    }
