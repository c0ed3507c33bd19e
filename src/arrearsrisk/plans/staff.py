"""The staff table: who works the plans of each area, one row per person.

Every plan names three people (一户一策): the head of the customer's area (第一责任人),
the managing person (管理责任人) and the officer doing the work (具体责任人).  They come
from a **staff table**, one row per person:

=========== ==================================================================
column      what
=========== ==================================================================
region      the area (supply station) the person works for, as text; ``"*"``
            covers every area the table does not list (and customers without one)
role        ``head``, ``manager`` or ``officer`` (also 第一责任人 / 负责人,
            管理责任人 / 管理人, 具体责任人 / 责任人)
staff_id    the person's id, as text (``007`` stays ``007``)
name        the person's name
phone       optional
cap         officers only: the most customers the officer takes (empty: no cap)
region_name optional: the area's name as reports show it (``东城供电所`` for region
            ``Dongcheng``); one name per area, given on any of its rows
=========== ==================================================================

Chinese headers are read too (区域 / 供电所, 角色, 工号, 姓名, 电话, 上限).  An area has
at most one head and one manager, and any number of officers; an officer listed under
two areas (same staff_id) has one cap for both.  The older layout, one row per area
with columns region, head, manager, officer (names), is still read: each area then has
one officer without a cap.

:func:`read_staff` reads it from a file, :func:`check_staff` checks a frame and returns
it one row per person (:data:`STAFF_COLUMNS`, codes as text). An empty table, a
missing column, an unknown role or a bad cap is an
:class:`~arrearsrisk.errors.ArrearsRiskError`.

Examples
--------
>>> import pandas as pd
>>> check_staff(pd.DataFrame({"区域": ["0001"], "角色": ["具体责任人"], "工号": ["007"],
...     "姓名": ["孙力"], "上限": [30]}))[["region", "role", "staff_id", "cap"]].to_dict("records")
[{'region': '0001', 'role': 'officer', 'staff_id': '007', 'cap': 30}]
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.ledger.headers import normalise_header

__all__ = [
    "ANY_REGION",
    "STAFF_COLUMNS",
    "STAFF_ROLES",
    "check_staff",
    "is_blank",
    "read_staff",
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
    "region_name": ("region_name", "station_name", "area_name", "供电所名称", "区域名称"),
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
_TEXT_COLUMNS = ("region", "role", "staff_id", "name", "phone")


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
    if "region_name" in table.columns:  # optional: kept, one name per area
        out["region_name"] = _region_names(table["region_name"], out["region"], source)
        return out[[*STAFF_COLUMNS, "region_name"]]
    return out[list(STAFF_COLUMNS)]


def _region_names(names: pd.Series, regions: pd.Series, source: str) -> pd.Series:
    """Each row's area name (given on any row of the area), or ``None``; an area with
    two names is refused."""
    given = _texts(names, "region_name", source)
    named = pd.DataFrame({"region": regions.to_numpy(), "name": given.to_numpy()}).dropna()
    spellings = named.drop_duplicates().groupby("region", sort=True)["name"].agg(sorted)
    twice = spellings[spellings.map(len) > 1]
    if len(twice):
        raise ArrearsRiskError(
            f"{source}: area {twice.index[0]} has several names in region_name "
            f"({', '.join(twice.iloc[0])}); an area has one name."
        )
    lookup = spellings.map(lambda n: n[0]).to_dict()
    return pd.Series([lookup.get(r) for r in regions.tolist()], dtype=object)


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
        if not is_blank(name)
    ]
    frame = pd.DataFrame(rows, columns=["region", "role", "name"], dtype=object)
    frame["name"] = frame["name"].map(str)
    frame["staff_id"] = frame["name"]
    if "region_name" in table.columns:  # one row per area: its name on that row
        names = dict(zip(key, table["region_name"], strict=True))
        frame["region_name"] = frame["region"].map(names)
    return frame


def is_blank(value: object) -> bool:
    """None, NaN or ``pd.NA``: an empty cell of the staff table."""

    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _texts(values: pd.Series, column: str, source: str) -> pd.Series:
    """A column as stripped texts (``None`` when empty); codes given as numbers refused."""
    if column in ("region", "staff_id", "phone"):
        numbers = [v for v in values.tolist() if isinstance(v, int | float | np.number)]
        numbers = [v for v in numbers if not is_blank(v) and not isinstance(v, bool)]
        if numbers:
            raise ArrearsRiskError(
                f"{source}: {column} holds numbers ({numbers[0]!r}...): codes must be text, or "
                "leading zeros are lost (007 would be 7)."
                "\n  hint: read the file with arrearsrisk.read_staff, or pandas with dtype=str."
            )

    def clean(v: object) -> str | None:
        if is_blank(v):
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
        if is_blank(v) or (isinstance(v, str) and not v.strip()):
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
