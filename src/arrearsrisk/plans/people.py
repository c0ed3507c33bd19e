"""Who works a plan, and what changed since the previous scoring.

Every plan names three people (一户一策): the head of the customer's area (第一责任人),
the managing person (管理责任人) and the officer doing the work (具体责任人), from the
staff table (:mod:`arrearsrisk.plans.staff`, one row per person).

:func:`assign_people` hands the customers of each area to its officers in priority
order, each to the least loaded officer who still has room (ties: the first listed),
so loads differ by at most one unless caps stop it.  What it cannot do is said, never
dropped: a :class:`~arrearsrisk.errors.StaffWarning` names the areas nobody covers,
the areas without officers and those with more customers than their officers' caps
(those customers, the last in priority, keep their head and manager but no officer).
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
import warnings
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError, StaffWarning
from arrearsrisk.i18n import text
from arrearsrisk.plans.facts import as_flag
from arrearsrisk.plans.staff import (
    ANY_REGION,
    STAFF_COLUMNS,
    STAFF_ROLES,
    check_staff,
    is_blank,
    read_staff,
)
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
    "station_names",
    "strict_staff",
]

_NO_AREA = "(no area)"
_RANK = {g: i for i, g in enumerate(GRADES)}


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
        None if is_blank(r) else str(r)
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

    Without ``staff`` the columns are left as they are.  With a staff table that names
    its areas (``region_name``), a ``region_name`` column follows the plan's columns
    (``None`` for an area it does not name) and ``plans.attrs["region_names"]`` holds
    every name of the table.
    """
    if staff is None:
        return
    named = people(plans["region"], staff)
    for role in STAFF_ROLES:
        plans[role] = pd.Series(named[role], index=plans.index, dtype=object)
    names = station_names(staff)
    if names:  # the staff table names the areas: plans carry the names reports show
        plans.attrs["region_names"] = names  # every named area, with a plan or not
        plans["region_name"] = pd.Series(
            [names.get(r) for r in plans["region"].astype("object").tolist()],
            index=plans.index,
            dtype=object,
        )


def station_names(staff: pd.DataFrame | None) -> dict[str, str]:
    """Each area's name from a staff table's ``region_name`` column (checked with
    :func:`~arrearsrisk.plans.staff.check_staff`): region to name, for the areas the table
    names (``"*"`` is not an area); empty without a table or the column.

    >>> station_names(pd.DataFrame({"region": ["Hexi", "Hexi", "Nanhu"],
    ...     "role": ["head", "officer", "head"], "staff_id": ["1", "2", "3"],
    ...     "name": ["罗军", "何健", "林宇"], "region_name": ["河西供电所", None, None]}))
    {'Hexi': '河西供电所'}
    """
    if staff is None:
        return {}
    table = check_staff(staff)
    if "region_name" not in table.columns:
        return {}
    named = table.dropna(subset=["region_name"]).drop_duplicates("region")
    named = named[named["region"] != ANY_REGION]
    return dict(zip(named["region"], named["region_name"], strict=True))


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
    area = [r if (not is_blank(r) and str(r) in listed) else ANY_REGION for r in plans["region"]]
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
