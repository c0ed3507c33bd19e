"""Who works a plan, and what changed since the previous scoring.

Every plan names three people (一户一策): the head of the customer's area (第一责任人),
the managing person (管理责任人) and the officer doing the work (具体责任人).  They come
from a **staff table**, one row per person:

========== ==================================================================
column     what
========== ==================================================================
region     the area (supply station) the person works for, as text; ``"*"``
           covers every area the table does not list (and customers without one)
role       ``head``, ``manager`` or ``officer`` (also 第一责任人 / 负责人,
           管理责任人 / 管理人, 具体责任人 / 责任人)
staff_id   the person's id, as text (``007`` stays ``007``)
name       the person's name
phone      optional
cap        officers only: the most customers the officer takes (empty: no cap)
========== ==================================================================

Chinese headers are read too (区域 / 供电所, 角色, 工号, 姓名, 电话, 上限).  An area has
at most one head and one manager, and any number of officers; an officer listed under
two areas (same staff_id) has one cap for both.  The older layout, one row per area
with columns region, head, manager, officer (names), is still read: each area then has
one officer without a cap.

:func:`assign_people` hands the customers of each area to its officers in priority
order, each to the least loaded officer who still has room (ties: the first listed),
so loads differ by at most one unless caps stop it.  What it cannot do is said, never
dropped: a :class:`~arrearsrisk.errors.StaffWarning` names the areas nobody covers,
the areas without officers and those with more customers than their officers' caps
(those customers, the last in priority, keep their head and manager but no officer).
An empty table, a missing column, an unknown role or a bad cap is an
:class:`~arrearsrisk.errors.ArrearsRiskError`.

:func:`add_changes` compares the grades and warnings of a plan table with the previous
scoring.

Examples
--------
>>> import pandas as pd
>>> staff = pd.DataFrame({
...     "region": ["East", "East", "East", "East"],
...     "role": ["head", "manager", "officer", "officer"],
...     "staff_id": ["001", "002", "007", "008"], "name": ["Li", "Zhao", "Sun", "Zhou"],
...     "cap": [None, None, 2, 1]})
>>> done = assign_people(pd.Series(["East"] * 4), staff, warn=False)  # 4 plans, caps 2 + 1
>>> done.officer.tolist(), done.officer_id.tolist(), done.over_cap
(['Sun', 'Zhou', 'Sun', None], ['007', '008', '007', None], {'East': 1})
>>> done.loads[["staff_id", "cap", "load"]].to_dict("list")
{'staff_id': ['007', '008'], 'cap': [2, 1], 'load': [2, 1]}
"""

from __future__ import annotations

import contextlib
import heapq
import os
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError, StaffWarning
from arrearsrisk.i18n import text
from arrearsrisk.ledger.headers import normalise_header
from arrearsrisk.plans.facts import as_flag
from arrearsrisk.vocabulary import GRADES, join_items

__all__ = [
    "ANY_REGION",
    "STAFF_COLUMNS",
    "STAFF_ROLES",
    "Assignment",
    "add_changes",
    "assign_people",
    "check_staff",
    "fill_people",
    "people",
    "read_staff",
    "staff_loads",
    "strict_staff",
]

STAFF_ROLES: tuple[str, ...] = ("head", "manager", "officer")
"""The responsible people of a plan, by role (the plan table's columns)."""

STAFF_COLUMNS: tuple[str, ...] = ("region", "role", "staff_id", "name", "phone", "cap")
"""Columns of a staff table as :func:`check_staff` returns it (one row per person)."""

ANY_REGION = "*"
"""The region of a staff row that covers every area the table does not list."""

_HEADERS: dict[str, tuple[str, ...]] = {
    "region": ("region", "area", "station", "区域", "供电所", "所属供电所", "供电单位"),
    "role": ("role", "角色", "职责", "岗位"),
    "staff_id": ("staff_id", "工号", "员工编号", "人员编号"),
    "name": ("name", "姓名"),
    "phone": ("phone", "电话", "联系电话", "手机"),
    "cap": ("cap", "上限", "工作量上限", "承办上限", "户数上限"),
    # the one-row-per-area layout
    "head": ("head", "第一责任人", "负责人"),
    "manager": ("manager", "管理责任人", "管理人"),
    "officer": ("officer", "具体责任人", "责任人"),
}
_ROLES: dict[str, str] = {
    normalise_header(word): role
    for role, words in {
        "head": ("head", "第一责任人", "负责人"),
        "manager": ("manager", "管理责任人", "管理人"),
        "officer": ("officer", "具体责任人", "工作责任人", "责任人"),
    }.items()
    for word in words
}
_REQUIRED = ("region", "role", "staff_id", "name")
_NO_AREA = "(no area)"
_TEXT_COLUMNS = ("region", "role", "staff_id", "name", "phone")
_RANK = {g: i for i, g in enumerate(GRADES)}


# -- the staff table ------------------------------------------------------------------


def read_staff(path: str | os.PathLike[str], *, encoding: str | None = None) -> pd.DataFrame:
    """Read a staff table file and check it (:func:`check_staff`).

    A CSV is decoded like a ledger file (``encoding``, else a byte-order mark, UTF-8 or
    GB18030; commas or tabs) and every column is read as text, so codes keep their
    leading zeros (region ``0001``, staff_id ``007``); a Parquet file keeps the types
    it was written with.

    Parameters
    ----------
    path : path
        A ``.csv`` (or ``.txt``, tab-separated) or ``.parquet`` file.
    encoding : str, optional
        Encoding of a CSV (default: detected).

    Returns
    -------
    pandas.DataFrame
        As :func:`check_staff`.

    Raises
    ------
    ArrearsRiskError
        If the file cannot be read or the table breaks a rule of :func:`check_staff`.
    FileNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     file = pathlib.Path(tmp) / "staff.csv"
    ...     _ = file.write_text("供电所,角色,工号,姓名,上限\\n0001,负责人,001,李明,\\n"
    ...                         "0001,具体责任人,007,孙丽,30\\n", encoding="utf-8")
    ...     read_staff(file)[["region", "role", "staff_id", "cap"]].to_dict("list")
    {'region': ['0001', '0001'], 'role': ['head', 'officer'], 'staff_id': ['001', '007'], \
'cap': [None, 30]}
    """
    import io

    from arrearsrisk.ledger.encoding import read_text, sniff_delimiter

    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"file not found: {file}")
    if file.is_dir():
        raise ArrearsRiskError(f"{file}: is a folder, not a staff table file.")
    if file.suffix.lower() == ".parquet":
        try:
            table = pd.read_parquet(file)
        except (OSError, ValueError) as err:
            raise ArrearsRiskError(
                f"{file}: cannot be read as Parquet: {type(err).__name__}: {err}"
            ) from err
        return check_staff(table, source=file.name)
    try:
        content = read_text(file, encoding=encoding)
    except ArrearsRiskError as err:
        raise ArrearsRiskError(str(err)) from None
    sep = sniff_delimiter(content.split("\n", 1)[0])
    try:
        table = pd.read_csv(
            io.StringIO(content), sep=sep, dtype=str, keep_default_na=False, index_col=False
        )
    except (pd.errors.ParserError, ValueError) as err:
        raise ArrearsRiskError(
            f"{file}: not a readable CSV table: {str(err).strip().splitlines()[0]}."
            "\n  hint: one header row, then one row per person."
        ) from None
    table = table.replace({"": None})
    return check_staff(table, source=file.name)


def check_staff(staff: pd.DataFrame, *, source: str = "staff") -> pd.DataFrame:
    """A staff table checked and in the long layout, one row per person.

    Parameters
    ----------
    staff : pandas.DataFrame
        One row per person (region, role, staff_id, name, optionally phone and cap), or
        the older one row per area (region, head, manager, officer).  Headers may be in
        Chinese (see the module docstring).
    source : str
        What to call the table in messages.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`STAFF_COLUMNS`: texts (phone ``None`` when not given), role one
        of :data:`STAFF_ROLES`, cap a nullable integer (``<NA>``: no cap; always
        ``<NA>`` for heads and managers); rows in the table's order.

    Raises
    ------
    ArrearsRiskError
        If the table is empty, lacks a column, holds codes as numbers, leaves a region,
        role, staff_id or name empty, names an unknown role, gives an area two heads or
        two managers, lists a person twice in one area and role, gives one staff_id two
        names or two caps, or has a cap that is not a whole number >= 0 or that is not
        an officer's.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"region": ["East"], "head": ["Li"], "manager": ["Zhao"],
    ...                      "officer": ["Sun"]})
    >>> check_staff(wide)[["role", "staff_id", "name"]].to_dict("list")
    {'role': ['head', 'manager', 'officer'], 'staff_id': ['Li', 'Zhao', 'Sun'], \
'name': ['Li', 'Zhao', 'Sun']}
    """
    if not isinstance(staff, pd.DataFrame):
        raise ArrearsRiskError(f"staff must be a pandas DataFrame, got {type(staff).__name__}.")
    table = _rename(staff, source)
    if "role" not in table.columns and any(r in table.columns for r in STAFF_ROLES):
        table = _from_wide(table, source)
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise ArrearsRiskError(
            f"{source}: column(s) {missing} required but missing; it has "
            f"{list(staff.columns)}.\n  hint: one row per person with region, role "
            "(head / manager / officer), staff_id, name, and cap for officers."
        )
    if not len(table):
        raise ArrearsRiskError(
            f"{source}: the staff table is empty: no plan could name anyone."
            "\n  hint: one row per person: region, role, staff_id, name, cap."
        )
    out = pd.DataFrame(index=pd.RangeIndex(len(table)))
    for column in _TEXT_COLUMNS:
        out[column] = (
            _texts(table[column], column, source)
            if column in table.columns
            else pd.Series([None] * len(table), dtype=object)
        )
    for column in _REQUIRED:
        empty = out[column].isna().to_numpy()
        if empty.any():
            raise ArrearsRiskError(
                f"{source}: {column} is empty in row(s) {_rows(empty)}; every person needs "
                "a region, role, staff_id and name."
            )
    roles = out["role"].map(lambda v: _ROLES.get(normalise_header(v)))
    unknown = roles.isna().to_numpy()
    if unknown.any():
        raise ArrearsRiskError(
            f"{source}: unknown role(s) {sorted(set(out['role'][unknown]))} in row(s) "
            f"{_rows(unknown)}; a role is head, manager or officer (第一责任人 / 负责人, "
            "管理责任人 / 管理人, 具体责任人 / 责任人)."
        )
    out["role"] = roles.astype(object)
    out["cap"] = _caps(table, out, source)
    _check_people(out, source)
    return out[list(STAFF_COLUMNS)]


def _rename(staff: pd.DataFrame, source: str) -> pd.DataFrame:
    """The table with its headers in the canonical spelling (English or Chinese)."""
    names = {normalise_header(w): c for c, words in _HEADERS.items() for w in words}
    renamed: dict[object, str] = {}
    for column in staff.columns:
        canonical = names.get(normalise_header(column))
        if canonical is None:
            continue
        if canonical in renamed.values():
            first = next(k for k, v in renamed.items() if v == canonical)
            raise ArrearsRiskError(
                f"{source}: columns {first!r} and {column!r} both mean {canonical}; keep one."
            )
        renamed[column] = canonical
    return staff.rename(columns=renamed)


def _from_wide(table: pd.DataFrame, source: str) -> pd.DataFrame:
    """The one-row-per-area layout (region, head, manager, officer) as one row per person."""
    missing = [c for c in ("region", *STAFF_ROLES) if c not in table.columns]
    if missing:
        raise ArrearsRiskError(
            f"{source}: column(s) {missing} required but missing; {source} has "
            f"{list(table.columns)}.\n  hint: one row per region with region, head, manager, "
            "officer; or one row per person with region, role, staff_id, name, cap."
        )
    key = table["region"].astype(str)
    if key.duplicated().any():
        raise ArrearsRiskError(
            f"{source}: region must be unique; repeated: {sorted(set(key[key.duplicated()]))}."
        )
    rows = [
        (region, role, name)
        for region, *names in zip(
            *(table[c].tolist() for c in ("region", *STAFF_ROLES)), strict=True
        )
        for role, name in zip(STAFF_ROLES, names, strict=True)
        if not _missing(name)
    ]
    frame = pd.DataFrame(rows, columns=["region", "role", "name"], dtype=object)
    frame["name"] = frame["name"].map(str)
    frame["staff_id"] = frame["name"]
    return frame


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _texts(values: pd.Series, column: str, source: str) -> pd.Series:
    """A column as stripped texts (``None`` when empty); codes given as numbers refused."""
    if column in ("region", "staff_id", "phone"):
        numbers = [v for v in values.tolist() if isinstance(v, int | float | np.number)]
        numbers = [v for v in numbers if not _missing(v) and not isinstance(v, bool)]
        if numbers:
            raise ArrearsRiskError(
                f"{source}: {column} holds numbers ({numbers[0]!r}...): codes must be text, or "
                "leading zeros are lost (007 would be 7)."
                "\n  hint: read the file with arrearsrisk.read_staff, or pandas with dtype=str."
            )

    def clean(v: object) -> str | None:
        if _missing(v):
            return None
        s = str(v).strip()
        return s or None

    return pd.Series([clean(v) for v in values.tolist()], dtype=object)


def _caps(table: pd.DataFrame, out: pd.DataFrame, source: str) -> pd.Series:
    """The officers' caps as nullable integers; refuses bad ones and caps of non-officers."""
    caps = pd.array([pd.NA] * len(out), dtype="Int64")
    if "cap" not in table.columns:
        return pd.Series(caps)
    bad: list[int] = []
    for i, v in enumerate(table["cap"].tolist()):
        if _missing(v) or (isinstance(v, str) and not v.strip()):
            continue
        try:
            number = float(str(v).strip()) if not isinstance(v, int | float) else float(v)
        except ValueError:
            bad.append(i)
            continue
        if not np.isfinite(number) or number < 0 or number != int(number):
            bad.append(i)
            continue
        caps[i] = int(number)
    if bad:
        raise ArrearsRiskError(
            f"{source}: cap must be a whole number >= 0 (or empty: no cap); row(s) "
            f"{', '.join(str(i + 1) for i in bad)} hold {[table['cap'].iloc[i] for i in bad]}."
        )
    given = ~pd.isna(caps)
    wrong = given & (out["role"] != "officer").to_numpy()
    if wrong.any():
        raise ArrearsRiskError(
            f"{source}: cap is an officer's workload; row(s) {_rows(wrong)} give one to a "
            "head or manager. List a person who also works cases again as an officer."
        )
    return pd.Series(caps)


def _check_people(out: pd.DataFrame, source: str) -> None:
    twice = out.duplicated(["region", "role", "staff_id"], keep=False).to_numpy()
    if twice.any():
        raise ArrearsRiskError(
            f"{source}: row(s) {_rows(twice)} list the same person twice in one area and role."
        )
    for role in ("head", "manager"):
        per = out[out["role"] == role].groupby("region", sort=True)["name"].agg(list)
        many = per[per.map(len) > 1]
        if len(many):
            region, listed = next(iter(many.items()))
            raise ArrearsRiskError(
                f"{source}: area {region} has {len(listed)} {role}s ({', '.join(listed)}); "
                f"an area has one {role}."
            )
    spellings = out.groupby("staff_id", sort=True)["name"].nunique()
    if (spellings > 1).any():
        sid = spellings[spellings > 1].index[0]
        raise ArrearsRiskError(
            f"{source}: staff_id {sid} has several names "
            f"({', '.join(sorted(set(out.loc[out['staff_id'] == sid, 'name'])))})."
        )
    officers = out[out["role"] == "officer"]
    caps = officers.groupby("staff_id", sort=True)["cap"].agg(lambda c: len(set(c.tolist())))
    if (caps > 1).any():
        sid = caps[caps > 1].index[0]
        raise ArrearsRiskError(
            f"{source}: officer {sid} has different caps in different areas; an officer has "
            "one cap for all the areas they work."
        )


def _rows(mask: np.ndarray) -> str:
    """1-based row numbers of ``mask`` (the first few)."""
    rows = (np.flatnonzero(mask) + 1).tolist()
    shown = ", ".join(map(str, rows[:5]))
    return shown + (f" (and {len(rows) - 5} more)" if len(rows) > 5 else "")


# -- assignment -----------------------------------------------------------------------


class Assignment(NamedTuple):
    """Who works each customer (:func:`assign_people`), and the officers' loads."""

    head: np.ndarray
    """Name of the head of each customer's area (``None``: nobody)."""
    manager: np.ndarray
    """Name of the managing person."""
    officer: np.ndarray
    """Name of the officer doing the work (``None``: nobody had room, or none listed)."""
    officer_id: np.ndarray
    """The officer's staff_id."""
    loads: pd.DataFrame
    """One row per officer and area: region, staff_id, name, cap, load."""
    uncovered: dict[str, int]
    """Customers by area that nobody in the table covers."""
    over_cap: dict[str, int]
    """Customers by covered area left without an officer (no officer, or caps full)."""


def assign_people(
    regions: pd.Series | Sequence[object],
    staff: pd.DataFrame,
    order: Sequence[int] | np.ndarray | None = None,
    *,
    warn: bool = True,
) -> Assignment:
    """Hand each customer to the people of its area, balancing the officers' loads.

    Customers are taken in ``order`` (highest priority first); each goes to the officer
    of its area with the smallest load who is below their cap (ties: the officer listed
    first).  So when no cap binds, the loads of an area's officers differ by at most
    one; when the caps are full, the customers last in priority get no officer.

    Parameters
    ----------
    regions : pandas.Series or sequence
        The area of each customer (missing: covered only by a ``"*"`` row).
    staff : pandas.DataFrame
        A staff table (checked by :func:`check_staff`).
    order : sequence of int, optional
        Positions of the customers, first to be served first (default: as given).
    warn : bool, default True
        Emit a :class:`~arrearsrisk.errors.StaffWarning` naming the areas nobody covers
        and those left with customers without an officer.

    Returns
    -------
    Assignment

    Raises
    ------
    ArrearsRiskError
        As :func:`check_staff`, or if ``order`` is not a permutation of the customers.
    """
    table = check_staff(staff)
    keys: list[str | None] = [
        None if _missing(r) else str(r)
        for r in (regions.tolist() if isinstance(regions, pd.Series) else list(regions))
    ]
    n = len(keys)
    if order is None:
        positions = list(range(n))
    else:
        positions = [int(i) for i in order]
        if sorted(positions) != list(range(n)):
            raise ArrearsRiskError(
                f"order must hold each of the {n} positions once; got {len(positions)} values."
            )
    listed = set(table["region"])
    cover = [k if k in listed else (ANY_REGION if ANY_REGION in listed else None) for k in keys]
    # a customer without an area is covered by "*" only
    heads = dict(zip(*_role(table, "head"), strict=True))
    managers = dict(zip(*_role(table, "manager"), strict=True))
    officers = table[table["role"] == "officer"]
    names = dict(zip(officers["staff_id"], officers["name"], strict=False))
    caps = {
        sid: (None if pd.isna(c) else int(c))
        for sid, c in zip(officers["staff_id"], officers["cap"], strict=True)
    }
    ranks = {sid: i for i, sid in enumerate(dict.fromkeys(officers["staff_id"]))}
    heaps: dict[str, list[tuple[int, int, str]]] = {}
    for region, sid in zip(officers["region"], officers["staff_id"], strict=True):
        heaps.setdefault(region, []).append((0, ranks[sid], sid))
    for heap in heaps.values():
        heapq.heapify(heap)
    load = dict.fromkeys(ranks, 0)
    area_load: dict[tuple[str, str], int] = {
        (r, s): 0 for r, s in zip(officers["region"], officers["staff_id"], strict=True)
    }
    chosen: list[str | None] = [None] * n
    for i in positions:
        area = cover[i]
        heap = heaps.get(area, []) if area is not None else []
        while heap:
            held, rank, sid = heap[0]
            if held != load[sid]:  # the officer took customers of another area meanwhile
                heapq.heapreplace(heap, (load[sid], rank, sid))
                continue
            cap = caps[sid]
            if cap is not None and held >= cap:
                heapq.heappop(heap)  # full: never gets room again
                continue
            load[sid] = held + 1
            area_load[(area, sid)] += 1  # type: ignore[index]
            heapq.heapreplace(heap, (held + 1, rank, sid))
            chosen[i] = sid
            break
    empty = np.full(n, None, dtype=object)
    head = np.array([heads.get(a) if a is not None else None for a in cover], dtype=object)
    manager = np.array([managers.get(a) if a is not None else None for a in cover], dtype=object)
    officer_id = np.array(chosen, dtype=object) if n else empty
    officer = np.array([None if s is None else names[s] for s in chosen], dtype=object)
    uncovered: dict[str, int] = {}
    over: dict[str, int] = {}
    for key, area, sid in zip(keys, cover, chosen, strict=True):
        if area is None:
            shown = _NO_AREA if key is None else key
            uncovered[shown] = uncovered.get(shown, 0) + 1
        elif sid is None:
            over[area] = over.get(area, 0) + 1
    loads = pd.DataFrame(
        [
            (r, s, names[s], caps[s], area_load[(r, s)])
            for r, s in zip(officers["region"], officers["staff_id"], strict=True)
        ],
        columns=["region", "staff_id", "name", "cap", "load"],
    ).astype({"cap": "Int64", "load": "int64"})
    if warn:
        _warn(uncovered, over, heaps_empty={a for a in listed if a not in heaps})
    return Assignment(head, manager, officer, officer_id, loads, uncovered, over)


def _role(table: pd.DataFrame, role: str) -> tuple[list[str], list[str]]:
    rows = table[table["role"] == role]
    return rows["region"].tolist(), rows["name"].tolist()


def _warn(uncovered: dict[str, int], over: dict[str, int], heaps_empty: set[str]) -> None:
    def listing(counts: dict[str, int]) -> str:
        return ", ".join(f"{k} ({v})" for k, v in sorted(counts.items()))

    if uncovered:
        warnings.warn(
            f"staff: nobody in the staff table covers area(s) {listing(uncovered)}: "
            f"{sum(uncovered.values())} plan(s) name no responsible person. Add the "
            f"area's people, or a row with region '{ANY_REGION}' for any other area.",
            StaffWarning,
            stacklevel=3,
        )
    no_officer = {a: c for a, c in over.items() if a in heaps_empty}
    full = {a: c for a, c in over.items() if a not in heaps_empty}
    if no_officer:
        warnings.warn(
            f"staff: area(s) {listing(no_officer)} have no officer in the staff table: "
            f"{sum(no_officer.values())} plan(s) have no officer.",
            StaffWarning,
            stacklevel=3,
        )
    if full:
        warnings.warn(
            f"staff: more plans than the officers' caps in area(s) {listing(full)}: "
            f"{sum(full.values())} plan(s), the last in priority, have no officer. Raise "
            "the caps or add officers.",
            StaffWarning,
            stacklevel=3,
        )


def people(
    regions: pd.Series,
    staff: pd.DataFrame | None,
    order: Sequence[int] | np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Head, manager and officer of each customer (:func:`assign_people`).

    Parameters
    ----------
    regions : pandas.Series
        The region of each customer.
    staff : pandas.DataFrame, optional
        A staff table (:func:`check_staff`); without it nobody is named.
    order : sequence of int, optional
        The order officers are handed customers in (default: as given).

    Returns
    -------
    dict of str to numpy.ndarray
        One array of names (``None`` when nobody) per role of :data:`STAFF_ROLES`.

    Raises
    ------
    ArrearsRiskError
        As :func:`check_staff`.

    Examples
    --------
    >>> import pandas as pd
    >>> staff = pd.DataFrame({"region": ["East", "*"], "head": ["Li", "Wang"],
    ...                       "manager": ["Zhao", "Qian"], "officer": ["Sun", "Zhou"]})
    >>> people(pd.Series(["East", "North", None]), staff)["officer"].tolist()
    ['Sun', 'Zhou', 'Zhou']
    """
    if staff is None:
        empty = np.full(len(regions), None, dtype=object)
        return {role: empty for role in STAFF_ROLES}
    done = assign_people(regions, staff, order)
    return {"head": done.head, "manager": done.manager, "officer": done.officer}


def fill_people(plans: pd.DataFrame, staff: pd.DataFrame | None) -> None:
    """Fill head, manager and officer of a plan table, its rows taken in order (in place).

    Without ``staff`` the columns are left as they are.
    """
    if staff is None:
        return
    named = people(plans["region"], staff)
    for role in STAFF_ROLES:
        plans[role] = pd.Series(named[role], index=plans.index, dtype=object)


def staff_loads(plans: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """Each officer's load in a plan table: region, staff_id, name, cap, load.

    An officer is matched by name within the area that covers the plan (its region, or
    ``"*"``).

    Examples
    --------
    >>> import pandas as pd
    >>> staff = pd.DataFrame({"region": ["E", "E"], "role": "officer",
    ...                       "staff_id": ["1", "2"], "name": ["Sun", "Zhou"], "cap": [5, 5]})
    >>> plans = pd.DataFrame({"region": ["E", "E", "E"], "officer": ["Sun", "Zhou", "Sun"]})
    >>> staff_loads(plans, staff)["load"].tolist()
    [2, 1]
    """
    table = check_staff(staff)
    listed = set(table["region"])
    area = [r if (not _missing(r) and str(r) in listed) else ANY_REGION for r in plans["region"]]
    counts = (
        pd.DataFrame({"region": [str(a) for a in area], "name": plans["officer"].tolist()})
        .dropna()
        .value_counts()
    )
    officers = table[table["role"] == "officer"]
    load = [
        int(counts.get((r, n), 0))
        for r, n in zip(officers["region"], officers["name"], strict=True)
    ]
    return pd.DataFrame(
        {
            "region": officers["region"].tolist(),
            "staff_id": officers["staff_id"].tolist(),
            "name": officers["name"].tolist(),
            "cap": officers["cap"].to_numpy(),
            "load": np.array(load, dtype=np.int64),
        }
    )


@contextlib.contextmanager
def strict_staff(strict: bool = True) -> Iterator[None]:
    """Within the block, a :class:`~arrearsrisk.errors.StaffWarning` is raised as an
    error when ``strict`` (``--strict-staff``); otherwise warnings are left as they are.

    >>> import pandas as pd
    >>> staff = pd.DataFrame({"region": ["E"], "role": ["officer"], "staff_id": ["1"],
    ...                       "name": ["Sun"], "cap": [1]})
    >>> with strict_staff():
    ...     try:
    ...         assign_people(pd.Series(["E", "E"]), staff)
    ...     except StaffWarning as err:
    ...         print(str(err)[:47])
    staff: more plans than the officers' caps in ar
    """
    with warnings.catch_warnings():
        if strict:
            warnings.simplefilter("error", StaffWarning)
        yield


# -- changes since the previous scoring -----------------------------------------------


def add_changes(out: pd.DataFrame, previous: pd.DataFrame | None, lang: str) -> None:
    """Add previous_grade, change, new_warning and change_text to a plan table.

    Parameters
    ----------
    out : pandas.DataFrame
        Plans with customer_id, grade and a_warning; changed in place.
    previous : pandas.DataFrame, optional
        The previous scoring (customer_id, grade, optionally a_warning); without it
        the columns are empty.
    lang : {"zh", "en"}
        Language of change_text.

    Raises
    ------
    ArrearsRiskError
        If ``previous`` is not a table or lacks a column.
    """
    n = len(out)
    if previous is None:
        out["previous_grade"] = pd.Series([None] * n, index=out.index, dtype=object)
        out["change"] = pd.Series([None] * n, index=out.index, dtype=object)
        out["new_warning"] = False
        out["change_text"] = ""
        return
    if not isinstance(previous, pd.DataFrame):
        raise ArrearsRiskError(
            f"previous must be a pandas DataFrame, got {type(previous).__name__}."
        )
    missing = [c for c in ("customer_id", "grade") if c not in previous.columns]
    if missing:
        raise ArrearsRiskError(
            f"previous: column(s) {missing} required but missing; previous has "
            f"{list(previous.columns)}."
        )
    prev = previous.assign(customer_id=previous["customer_id"].astype(str))
    prev = prev.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    ids = pd.Index(out["customer_id"])
    before = prev["grade"].astype("str").where(prev["grade"].notna()).reindex(ids)
    warned_before = (
        as_flag(prev["a_warning"], "previous", "a_warning")
        if "a_warning" in prev.columns
        else np.zeros(len(prev), dtype=bool)
    )
    was_warned = pd.Series(warned_before, index=prev.index).reindex(ids, fill_value=False)
    change: list[str] = []
    texts: list[str] = []
    now_warned = out["a_warning"].to_numpy(dtype=bool)
    new_warning = now_warned & ~was_warned.to_numpy(dtype=bool)
    cleared = ~now_warned & was_warned.to_numpy(dtype=bool)
    for g, b, nw, cl in zip(out["grade"], before.to_numpy(), new_warning, cleared, strict=True):
        if not isinstance(b, str) or b not in _RANK:
            code, words = "new", [text("change_new", lang)]
        elif _RANK[g] < _RANK[b]:
            code, words = "up", [text("change_up", lang, before=b, after=g)]
        elif _RANK[g] > _RANK[b]:
            code, words = "down", [text("change_down", lang, before=b, after=g)]
        else:
            code, words = "same", [text("change_same", lang)]
        if nw:
            words.append(text("change_new_warning", lang))
        if cl:
            words.append(text("change_warning_cleared", lang))
        change.append(code)
        texts.append(join_items(words, lang))
    out["previous_grade"] = pd.Series(
        [b if isinstance(b, str) else None for b in before.to_numpy()],
        index=out.index,
        dtype=object,
    )
    out["change"] = pd.Series(change, index=out.index, dtype=object)
    out["new_warning"] = new_warning
    out["change_text"] = texts
