"""Who works a plan, and what changed since the previous scoring.

:func:`people` finds the responsible people (head, manager, officer) of each
customer's region in a staff table; :func:`add_changes` compares the grades and
warnings of a plan table with the previous scoring.

Examples
--------
>>> import pandas as pd
>>> staff = pd.DataFrame({"region": ["East", "*"], "head": ["Li", "Wang"],
...                       "manager": ["Zhao", "Qian"], "officer": ["Sun", "Zhou"]})
>>> people(pd.Series(["East", "North", None]), staff)["officer"].tolist()
['Sun', 'Zhou', 'Zhou']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import text
from arrearsrisk.plans.facts import as_flag
from arrearsrisk.vocabulary import GRADES, join_items

__all__ = ["STAFF_ROLES", "add_changes", "people"]

STAFF_ROLES: tuple[str, ...] = ("head", "manager", "officer")
"""The responsible people of a plan, by role, as columns of a staff table."""

_RANK = {g: i for i, g in enumerate(GRADES)}


def people(regions: pd.Series, staff: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Head, manager and officer of each customer's region (``"*"`` = any other).

    Parameters
    ----------
    regions : pandas.Series
        The region of each customer (missing counts as ``"*"``).
    staff : pandas.DataFrame, optional
        Columns region (unique), head, manager, officer; without it nobody is named.

    Returns
    -------
    dict of str to numpy.ndarray
        One array of names (``None`` when unknown) per role of :data:`STAFF_ROLES`.

    Raises
    ------
    ArrearsRiskError
        If ``staff`` is not a table, lacks a column or repeats a region.
    """
    empty = np.full(len(regions), None, dtype=object)
    if staff is None:
        return {role: empty for role in STAFF_ROLES}
    if not isinstance(staff, pd.DataFrame):
        raise ArrearsRiskError(f"staff must be a pandas DataFrame, got {type(staff).__name__}.")
    missing = [c for c in ("region", *STAFF_ROLES) if c not in staff.columns]
    if missing:
        raise ArrearsRiskError(
            f"staff: column(s) {missing} required but missing; staff has {list(staff.columns)}."
            "\n  hint: one row per region with region, head, manager, officer."
        )
    key = staff["region"].astype(str)
    if key.duplicated().any():
        raise ArrearsRiskError(
            f"staff: region must be unique; repeated: {sorted(set(key[key.duplicated()]))}."
        )
    table = staff.assign(region=key).set_index("region")
    wanted = regions.astype("str").where(regions.notna(), "*")
    listed = wanted.isin(table.index)
    wanted = wanted.where(listed, "*")
    found = table.reindex(pd.Index(wanted))
    return {role: found[role].to_numpy(dtype=object) for role in STAFF_ROLES}


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
