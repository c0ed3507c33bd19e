"""Where each measure stands: the station's status, read back from last month's plans.

A station records in the workbook what it did about each measure: the status
(:data:`STATUS_CODES`: proposed, in progress, done, waived; zh 待办 / 在办 / 已办结 /
免予执行, the drop-down of :func:`arrearsrisk.reports.write_workbook`), the date it was set
and who set it.  :func:`read_statuses` reads such a table back (last month's plans
frame, a long table of measures, or the workbook / CSV file) into one clean frame, and
:func:`carry_statuses` carries it into this month's measures, so a plan continues
instead of restarting:

* a measure is matched by customer_id and measure code; a row without a measure code
  (a status set on the whole plan, e.g. in a table of one row per customer) stands for every
  measure of that customer without a row of its own;
* a matched measure keeps its status, status date and who set it, and the date it was
  first proposed: its steps and due date run from that date, not from today's;
* a measure done or waived stays done or waived (it is shown, never due again);
* a measure not done whose due date has passed is **overdue**.

Headers are matched by name in either language, after trimming and case-folding
(:data:`STATUS_COLUMNS`); status texts in either language (:data:`STATUS_WORDS`).

Examples
--------
>>> previous = pd.DataFrame({"户号": ["C1", "C1"], "措施代码": ["follow_up", "deposit"],
...     "办理状态": ["已办结", "在办"], "办理日期": ["2025-09-05", "2025-09-10"],
...     "办理人": ["何健", "何健"], "提出日期": ["2025-08-31", "2025-08-31"]})
>>> read_statuses(previous)[["customer_id", "code", "status", "proposed_date"]]
  customer_id       code       status proposed_date
0          C1  follow_up         done    2025-08-31
1          C1    deposit  in_progress    2025-08-31
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import text
from arrearsrisk.plans.safety import HOLD_SUFFIX
from arrearsrisk.vocabulary import FALSE_WORDS, LANGS, TRUE_WORDS

__all__ = [
    "CLOSED",
    "STATUS_CODES",
    "STATUS_COLUMNS",
    "STATUS_FRAME",
    "STATUS_WORDS",
    "carry_statuses",
    "has_statuses",
    "previous_grades",
    "read_statuses",
    "status_label",
]

STATUS_CODES: tuple[str, ...] = ("proposed", "in_progress", "done", "waived")
"""The states of a measure, in the order of the workbook's drop-down."""

CLOSED: tuple[str, ...] = ("done", "waived")
"""States in which a measure is no longer worked (never due, never overdue)."""


def _key(value: object) -> str:
    """A header or word as compared: Unicode NFKC, trimmed, case-folded, ``_`` as space."""
    return " ".join(
        unicodedata.normalize("NFKC", str(value)).strip().casefold().replace("_", " ").split()
    )


STATUS_WORDS: dict[str, str] = {
    **{_key(text(f"status_{c}", lang)): c for c in STATUS_CODES for lang in LANGS},
    **{_key(c): c for c in STATUS_CODES},
    **{
        _key(w): c
        for c, words in {
            "proposed": ("拟办", "未办", "新提出", "open"),
            "in_progress": ("办理中", "处理中", "进行中", "in progress", "ongoing"),
            "done": ("已完成", "完成", "已办", "办结", "completed", "finished"),
            "waived": ("免于执行", "不执行", "免办", "not needed"),
        }.items()
        for w in words
    },
}
"""Status texts read back (either language, the workbook's drop-down and the common
variants), after trimming and case-folding, to :data:`STATUS_CODES`.  A blank status
is ``proposed`` (nothing recorded)."""

STATUS_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "户号", "客户编号", "用户编号", "customer"),
    "code": ("code", "measure_code", "措施代码", "measure code"),
    "status": ("status", "办理状态", "状态", "处理状态"),
    "status_date": ("status_date", "办理日期", "状态日期", "status date"),
    "status_by": ("status_by", "办理人", "经办人", "updated by", "by"),
    "proposed_date": ("proposed_date", "提出日期", "首次提出日期", "proposed", "proposed on"),
    "due_date": ("due_date", "完成期限", "期限", "due", "due date"),
    "as_of": ("as_of", "评分日期", "as of"),
    "grade": ("grade", "等级", "风险等级"),
    "a_warning": ("a_warning", "a级预警", "a-level warning"),
}
"""Columns of a status table, by name, with the headers accepted for each (either
language).  customer_id and status are required; code (措施代码) matches a row to one
measure, without it a row is the whole plan's; proposed_date (提出日期), or else
due_date (完成期限) less the measure's lead time, or else as_of (评分日期), is the
date the measure was first proposed; grade (等级) and a_warning (A级预警), when given,
are last month's, for the change columns of the plans."""

_NORMAL = {_key(h): col for col, heads in STATUS_COLUMNS.items() for h in heads}
_DATES = ("status_date", "proposed_date", "due_date", "as_of")
STATUS_FRAME: tuple[str, ...] = (
    "customer_id",
    "code",
    "status",
    "status_date",
    "status_by",
    "proposed_date",
    "due_date",
    "as_of",
    "grade",
    "a_warning",
)
"""Columns of :func:`read_statuses`' result, in order."""


def status_label(code: str, lang: str) -> str:
    """The text of status ``code`` in ``lang`` (as in the workbook's drop-down).

    >>> status_label("in_progress", "zh"), status_label("waived", "en")
    ('在办', 'waived')
    """
    return text(f"status_{code}", lang)


def read_statuses(previous: Any) -> pd.DataFrame:
    """Last month's statuses as one clean frame (columns :data:`STATUS_FRAME`).

    Parameters
    ----------
    previous : pandas.DataFrame or str or path-like
        Last month's plans frame (:func:`~arrearsrisk.risk_plans`: a ``measures``
        column), a table of measures with a status column (e.g.
        :func:`~arrearsrisk.plan_measures` with the station's columns, or the
        workbook's measures sheet read back), or the path of such a table: ``.csv``
        (read as text, encoding detected) or ``.xlsx`` (the first sheet with a status
        column and a measure code column, else the first with a status column).

    Returns
    -------
    pandas.DataFrame
        customer_id (text), code (text, ``None`` for a row of the whole plan), status
        (one of :data:`STATUS_CODES`), status_date, status_by (text, ``""`` when
        blank), proposed_date, due_date, as_of (dates, NaT when absent), grade and
        a_warning (texts as given, ``None`` when absent; from a plans frame ``None``:
        the frame itself is last month's scoring).

    Raises
    ------
    ArrearsRiskError
        If the file does not exist or has no status sheet, a required column is
        missing, two headers mean the same column, a status text is unknown, a date
        is not a date, or a customer and measure appear twice.

    Examples
    --------
    >>> read_statuses(pd.DataFrame({"customer_id": ["C1"], "status": ["done"],
    ...                             "status_date": [None]}))[["code", "status"]]
       code status
    0  None   done
    """
    if isinstance(previous, pd.DataFrame):
        if "measures" in previous.columns:
            return _from_plans(previous)
        return _clean(previous, "previous")
    if isinstance(previous, str | os.PathLike):
        return _clean(*_read_file(Path(previous)))
    raise ArrearsRiskError(
        "previous must be a pandas DataFrame (last month's plans or statuses) or the "
        f"path of a .csv or .xlsx file, got {type(previous).__name__}."
    )


def has_statuses(previous: pd.DataFrame) -> bool:
    """Whether a frame carries statuses (a plans frame or a status column), rather
    than being only a previous scoring.

    >>> has_statuses(pd.DataFrame(columns=["customer_id", "grade"]))
    False
    >>> has_statuses(pd.DataFrame(columns=["户号", "办理状态"]))
    True
    """
    return "measures" in previous.columns or any(
        _NORMAL.get(_key(c)) == "status" for c in previous.columns
    )


def _from_plans(plans: pd.DataFrame) -> pd.DataFrame:
    """The statuses of a plans frame's measures (the PlanMeasure fields)."""
    rows: list[tuple[Any, ...]] = []
    as_of = pd.to_datetime(plans["as_of"]) if "as_of" in plans else [pd.NaT] * len(plans)
    for cid, measures, day in zip(plans["customer_id"], plans["measures"], as_of, strict=True):
        for m in measures:
            status = getattr(m, "status", "proposed")
            if status not in STATUS_CODES:
                raise ArrearsRiskError(
                    f"previous: unknown status {status!r} of measure {m.code!r} of customer "
                    f"{cid!r}; a status is one of {list(STATUS_CODES)}."
                )
            rows.append(
                (
                    str(cid),
                    m.code,
                    status,
                    getattr(m, "status_date", pd.NaT),
                    getattr(m, "status_by", ""),
                    getattr(m, "proposed", pd.NaT),
                    getattr(m, "due", pd.NaT),
                    day,
                    None,
                    None,
                )
            )
    out = pd.DataFrame.from_records(rows, columns=list(STATUS_FRAME))
    for col in _DATES:
        out[col] = pd.to_datetime(out[col])
    _refuse_duplicates(out, "previous")
    return out


def _read_file(path: Path) -> tuple[pd.DataFrame, str]:
    if not path.is_file():
        raise ArrearsRiskError(f"previous: file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import io

        from arrearsrisk.ledger.encoding import read_text

        raw = read_text(path)
        return pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False), str(path)
    if suffix in (".xlsx", ".xlsm"):
        sheets = pd.read_excel(path, sheet_name=None, dtype=object)
        with_status = {n: s for n, s in sheets.items() if has_statuses(s)}
        for name, sheet in with_status.items():
            if any(_NORMAL.get(_key(c)) == "code" for c in sheet.columns):
                return sheet, f"{path} [{name}]"
        for name, sheet in with_status.items():
            return sheet, f"{path} [{name}]"
        raise ArrearsRiskError(
            f"previous: no sheet of {path} has a status column (办理状态 / Status); "
            f"sheets: {list(sheets)}."
        )
    raise ArrearsRiskError(
        f"previous: {path.name} is neither a .csv nor an .xlsx file; pass last month's "
        "workbook or its measures as CSV."
    )


def _clean(table: pd.DataFrame, where: str) -> pd.DataFrame:
    names: dict[Any, str] = {}
    for col in table.columns:
        canon = _NORMAL.get(_key(col))
        if canon is None:
            continue
        if canon in names.values():
            other = next(k for k, v in names.items() if v == canon)
            raise ArrearsRiskError(
                f"{where}: columns {other!r} and {col!r} both mean {canon!r}; keep one."
            )
        names[col] = canon
    found = set(names.values())
    missing = [c for c in ("customer_id", "status") if c not in found]
    if missing:
        raise ArrearsRiskError(
            f"{where}: column(s) {missing} required but missing (accepted headers: "
            + "; ".join(f"{c}: {' / '.join(STATUS_COLUMNS[c][1:3])}" for c in missing)
            + f"); the table has {list(table.columns)}."
        )
    frame = table[list(names)].rename(columns=names).reset_index(drop=True)
    ids = frame["customer_id"]
    blank_id = ids.isna() | ids.astype(str).str.strip().eq("")
    frame = frame[~blank_id.to_numpy()].reset_index(drop=True)  # empty rows of a sheet
    out = pd.DataFrame({"customer_id": frame["customer_id"].astype(str).str.strip()})
    out["code"] = (
        _texts(frame["code"]).replace("", None)
        if "code" in frame
        else pd.Series([None] * len(frame), dtype=object)
    )
    out["status"] = _status_codes(frame["status"], out, where)
    out["status_date"] = _dates(frame, "status_date", out, where)
    out["status_by"] = _texts(frame["status_by"]) if "status_by" in frame else ""
    for col in ("proposed_date", "due_date", "as_of"):
        out[col] = _dates(frame, col, out, where)
    for col in ("grade", "a_warning"):
        out[col] = (
            _texts(frame[col]).replace("", None)
            if col in frame
            else pd.Series([None] * len(out), dtype=object)
        )
    _refuse_duplicates(out, where)
    return out[list(STATUS_FRAME)]


def _texts(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "" if _blank(v) else str(v).strip()).astype(object)


def _blank(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _status_codes(values: pd.Series, out: pd.DataFrame, where: str) -> pd.Series:
    keys = values.map(lambda v: "" if _blank(v) else _key(v))
    codes = keys.map(lambda k: "proposed" if k == "" else STATUS_WORDS.get(k))
    bad = codes.isna().to_numpy()
    if bad.any():
        i = np.flatnonzero(bad)
        raise ArrearsRiskError(
            f"{where}: unknown status {sorted(set(values[bad].astype(str)))[:5]} for customer(s) "
            f"{out['customer_id'].to_numpy()[i][:5].tolist()}; a status is one of "
            f"{' / '.join(status_label(c, 'zh') for c in STATUS_CODES)} "
            f"({' / '.join(status_label(c, 'en') for c in STATUS_CODES)})."
        )
    return codes.astype(object)


def _dates(frame: pd.DataFrame, col: str, out: pd.DataFrame, where: str) -> pd.Series:
    """A column of dates: datetimes as they are, texts ``YYYY-MM-DD`` (or ``/``) parsed
    at once; blank is NaT; anything else (a number: an Excel serial would be a guess)
    refused."""
    if col not in frame:
        return pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    values = frame[col].reset_index(drop=True)
    items = values.tolist()
    blank = np.array([_blank(v) for v in items], dtype=bool)
    is_text = np.array([isinstance(v, str) for v in items], dtype=bool) & ~blank
    is_day = np.array([isinstance(v, dt.date | np.datetime64) for v in items], dtype=bool)
    is_day &= ~blank
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if is_day.any():
        parsed[is_day] = pd.to_datetime(values[is_day]).dt.normalize().astype("datetime64[ns]")
    if is_text.any():
        texts = values[is_text].astype(str).str.strip().str.replace("/", "-", regex=False)
        days = pd.to_datetime(texts, format="ISO8601", errors="coerce")
        parsed[is_text] = days.dt.normalize().astype("datetime64[ns]")
    bad = np.flatnonzero(~blank & (~(is_day | is_text) | parsed.isna().to_numpy()))
    if len(bad):
        raise ArrearsRiskError(
            f"{where}: column {col!r} must hold dates (YYYY-MM-DD); got "
            f"{[items[i] for i in bad[:5]]} for customer(s) "
            f"{out['customer_id'].iloc[bad[:5]].tolist()}."
        )
    return pd.Series(parsed.to_numpy(), index=out.index)


def _refuse_duplicates(out: pd.DataFrame, where: str) -> None:
    key = out["customer_id"] + "\x00" + out["code"].fillna("*")
    dup = key.duplicated(keep=False).to_numpy()
    if dup.any():
        pairs = sorted(
            {
                (c, m if m is not None else "*")
                for c, m in zip(out["customer_id"][dup], out["code"][dup], strict=True)
            }
        )
        raise ArrearsRiskError(
            f"{where}: {int(dup.sum())} rows repeat a customer and measure, e.g. {pairs[:5]}; "
            "give one status per customer and measure."
        )


# -- carrying statuses into this month's measures --------------------------------------


def carry_statuses(
    customer_ids: list[str],
    proposed: list[list[Any]],
    statuses: pd.DataFrame | None,
    lead_days: dict[str, int],
    as_of: pd.Timestamp,
) -> list[list[Any]]:
    """This month's measures with last month's statuses carried in (see the module).

    Parameters
    ----------
    customer_ids : list of str
        The customer of each plan.
    proposed : list of list of PlanMeasure
        Each plan's measures as proposed today (status ``proposed``, proposed and
        steps dated from ``as_of``).
    statuses : pandas.DataFrame, optional
        :func:`read_statuses`' frame; ``None``: nothing is carried.
    lead_days : dict of str to int
        Each measure code's lead time (:meth:`~arrearsrisk.plans.policy.Measure.lead_days`).
    as_of : pandas.Timestamp
        Today's scoring date.

    Returns
    -------
    list of list of PlanMeasure
        The same measures, matched ones with their status, status date, who set it and
        first proposed date, steps and due date from that date; ``overdue`` set for
        those not done past their due date; ``first`` on each plan's first action (the
        open measure due first, ties in policy order; a held measure, ``*_hold``, only
        when nothing else is open).

    Raises
    ------
    ArrearsRiskError
        If a measure was first proposed after ``as_of``.
    """
    sizes = [len(p) for p in proposed]
    flat = [m for p in proposed for m in p]
    plan_of = np.repeat(np.arange(len(proposed)), sizes)
    codes = [m.code for m in flat]
    due = pd.DatetimeIndex([m.due for m in flat]).to_numpy(dtype="datetime64[ns]")
    today = np.datetime64(as_of, "ns")
    closed = np.zeros(len(flat), dtype=bool)
    found = np.zeros(len(flat), dtype=bool)
    carried: dict[str, list[Any]] = {}
    if statuses is not None and len(statuses) and len(flat):
        lead = np.array([lead_days[c] for c in codes], dtype="int64").astype("timedelta64[D]")
        long = pd.DataFrame(
            {"customer_id": np.asarray(customer_ids, dtype=object)[plan_of], "code": codes}
        )
        cols = ["status", "status_date", "status_by", "proposed_date", "due_date", "as_of"]
        own = statuses[statuses["code"].notna()][["customer_id", "code", *cols]]
        whole = statuses[statuses["code"].isna()][["customer_id", *cols]]
        got = long.merge(own, on=["customer_id", "code"], how="left")
        if len(whole):  # a status of the whole plan stands for measures without their own
            plan = long.merge(whole, on="customer_id", how="left")
            use = got["status"].isna() & plan["status"].notna()
            got.loc[use, cols] = plan.loc[use, cols].to_numpy()
        found = got["status"].notna().to_numpy()
        start = pd.to_datetime(got["proposed_date"]).to_numpy(dtype="datetime64[ns]")
        for other in (
            pd.to_datetime(got["due_date"]).to_numpy(dtype="datetime64[ns]") - lead,
            pd.to_datetime(got["as_of"]).to_numpy(dtype="datetime64[ns]"),
        ):
            start = np.where(np.isnat(start), other, start)
        start = np.where(np.isnat(start), today, start)
        late = np.flatnonzero(found & (start > today))
        if len(late):
            pairs = [(long["customer_id"].iat[k], codes[k]) for k in late[:5]]
            raise ArrearsRiskError(
                f"previous: {len(late)} measure(s) first proposed after the scoring date "
                f"{as_of.date()}, e.g. {pairs}; pass last month's statuses, not a later one's."
            )
        due = np.where(found, start + lead, due)
        status = got["status"].to_numpy(dtype=object)
        closed = found & np.isin(status, CLOSED)
        carried = {
            "status": status.tolist(),
            "by": got["status_by"].tolist(),
            # plain lists of Timestamps: fast to index one by one
            "day": pd.DatetimeIndex(pd.to_datetime(got["status_date"])).tolist(),
            "start": pd.DatetimeIndex(start).tolist(),
            "due": pd.DatetimeIndex(due).tolist(),
            "shift": (start - today).astype("int64").tolist(),
        }
    overdue = ~closed & (due < today)
    # the first action: each plan's open measure due first, ties in policy order; a held
    # measure (a disconnection held until a flag is checked) is a review step, first
    # only when the plan has nothing else open
    first = np.zeros(len(flat), dtype=bool)
    open_ = np.flatnonzero(~closed)
    if len(open_):
        held = np.array([flat[k].code.endswith(HOLD_SUFFIX) for k in open_.tolist()], dtype=bool)
        ranked = open_[np.lexsort((open_, due[open_], held, plan_of[open_]))]
        first[ranked[np.r_[True, plan_of[ranked][1:] != plan_of[ranked][:-1]]]] = True
    shifted: dict[tuple[int, int], tuple[Any, ...]] = {}  # steps tuples are shared by measure

    def moved(steps: tuple[Any, ...], shift: int) -> tuple[Any, ...]:
        key = (id(steps), shift)
        if key not in shifted:
            delta = pd.Timedelta(shift, unit="ns")
            shifted[key] = tuple(s._replace(date=s.date + delta) for s in steps)
        return shifted[key]

    for k in np.flatnonzero(found | overdue | first).tolist():
        m = flat[k]
        if found[k]:
            shift = carried["shift"][k]
            flat[k] = m._replace(
                status=carried["status"][k],
                status_date=carried["day"][k],
                status_by=carried["by"][k],
                proposed=carried["start"][k],
                due=carried["due"][k],
                steps=moved(m.steps, shift) if shift and m.steps else m.steps,
                overdue=bool(overdue[k]),
                first=bool(first[k]),
            )
        else:
            flat[k] = m._replace(overdue=bool(overdue[k]), first=bool(first[k]))
    out: list[list[Any]] = []
    at = 0
    for n in sizes:
        out.append(flat[at : at + n])
        at += n
    return out


def previous_grades(statuses: pd.DataFrame) -> pd.DataFrame | None:
    """Last month's grade and warning per customer from a status table, for the change
    columns; ``None`` when the table has no grade."""
    known = statuses[statuses["grade"].notna()]
    if not len(known):
        return None
    out = known[["customer_id", "grade"]].drop_duplicates("customer_id", keep="last")
    warned = known[["customer_id", "a_warning"]].drop_duplicates("customer_id", keep="last")
    flags = [_flag_word(v) for v in warned["a_warning"].tolist()]
    if all(f is not None for f in flags):  # every warning read as yes or no
        out = out.assign(a_warning=np.array(flags, dtype=bool))
    return out.reset_index(drop=True)


def _flag_word(value: Any) -> bool | None:
    """A warning cell as a bool (``True``/``False``, or a yes/no spelling such as 是/否
    as the workbook writes it); ``None`` when missing or unreadable."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if value is None or (isinstance(value, float) and value != value):
        return None
    word = str(value).strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
