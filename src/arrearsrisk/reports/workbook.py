"""The Excel workbook of the plans: the worklist, the measures (one row per customer
and measure, with dated steps and the station's status), the release candidates and an
about sheet.

Written with XlsxWriter in its constant-memory mode (rows streamed to disk as they are
written, strings inline), so the formats, filters, frozen panes and the status
drop-down come from a tested library and the memory stays flat for 100,000 plans.

The measures sheet closes the loop with next month's plans: per measure it carries the
measure code, the date first proposed, the due date, the first-action and overdue
markers and three columns the station fills in (the status, a drop-down of
:data:`~arrearsrisk.plans.status.STATUS_CODES` in the workbook's language; its date;
who set it), which :func:`~arrearsrisk.plans.risk_plans.risk_plans` reads back with
``previous=<the workbook>`` (:func:`~arrearsrisk.plans.status.read_statuses`).  The
release sheet ends with the same three columns per customer.

Speed: every cell goes through XlsxWriter's own Python (about 10 µs a cell on an idle
core), so each column's values are made once (numbers, date serials, texts), its
writer (``write_number`` / ``write_string``) and format chosen once, cells left empty
are not written (the shaded fill-in columns get their format from the column), and the
drop-down and date check are one rule each for the whole column.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.i18n import text
from arrearsrisk.plans import plan_measures
from arrearsrisk.plans.status import STATUS_CODES, status_label
from arrearsrisk.reports.formatting import check_plans, date_text
from arrearsrisk.reports.worklist import loss_unit
from arrearsrisk.vocabulary import ITEM_SEPARATORS, check_lang

__all__ = ["MEASURE_COLUMNS", "STATUS_CODES", "WORKLIST_COLUMNS", "status_labels", "write_workbook"]

# (column, header key, width in characters, kind); kinds: text, int, money, pct, date,
# flag (yes / no), category, list, measures, person (未指定 when nobody), jump (why it
# jumped the queue), first (the first action's name), and the station's status,
# status_date, status_by.
WORKLIST_COLUMNS: tuple[tuple[str, str, float, str], ...] = (
    ("priority", "col_priority", 8, "int"),
    ("customer_id", "col_customer_id", 12, "text"),
    ("loss_at_risk", "col_loss_at_risk", 14, "money"),
    ("jump", "col_jump", 12, "jump"),
    ("region", "col_region", 12, "text"),
    ("industry", "col_industry", 9, "text"),
    ("category", "col_category", 12, "category"),
    ("category_priority", "col_category_priority", 9, "int"),
    ("grade", "col_grade", 7, "text"),
    ("a_warning", "col_a_warning", 9, "flag"),
    ("p_I", "col_p_I", 9, "pct"),
    ("p_II", "col_p_II", 9, "pct"),
    ("p_warning", "col_p_warning", 9, "pct"),
    ("exposure", "col_exposure", 13, "money"),
    ("arrears", "col_arrears", 13, "money"),
    ("expected_loss", "col_expected_loss", 13, "money"),
    ("deposit", "col_deposit", 12, "money"),
    ("high_hazard", "col_high_hazard", 9, "flag"),
    ("reasons", "col_reasons", 40, "list"),
    ("previous_grade", "col_previous_grade", 9, "text"),
    ("change_text", "col_change", 22, "text"),
    ("first_action", "col_first_action", 18, "first"),
    ("first_due", "col_first_due", 12, "date"),
    ("overdue", "col_overdue", 8, "int"),
    ("review_date", "col_review_date", 12, "date"),
    ("head", "col_head", 12, "person"),
    ("manager", "col_manager", 12, "person"),
    ("officer", "col_officer", 12, "person"),
    ("measures", "col_measures", 60, "measures"),
)
"""Columns of the worklist sheet, one row per plan: (plan column, i18n header key, width,
kind).  The release sheet has these and the station's three columns."""

MEASURE_COLUMNS: tuple[tuple[str, str, float, str], ...] = (
    ("priority", "col_priority", 8, "int"),
    ("customer_id", "col_customer_id", 12, "text"),
    ("grade", "col_grade", 7, "text"),
    ("a_warning", "col_a_warning", 9, "flag"),
    ("region", "col_region", 12, "text"),
    ("officer", "col_officer", 12, "person"),
    ("code", "col_measure_code", 16, "text"),
    ("measure", "col_measure", 22, "text"),
    ("first", "col_first_action", 9, "flag"),
    ("reason", "col_reason", 60, "text"),
    ("amount", "col_amount", 13, "money"),
    ("amount_label", "col_amount_label", 14, "text"),
    ("steps", "col_dates", 70, "text"),
    ("proposed_date", "col_proposed_date", 12, "date"),
    ("due_date", "col_due_date", 12, "date"),
    ("overdue", "col_overdue", 9, "flag"),
    ("status", "col_status", 11, "status"),
    ("status_date", "col_status_date", 12, "status_date"),
    ("status_by", "col_status_by", 11, "status_by"),
)
"""Columns of the measures sheet, one row per customer and measure
(:func:`~arrearsrisk.plans.risk_plans.plan_measures`); the headers are those
:func:`~arrearsrisk.plans.status.read_statuses` reads back (户号, 措施代码, 办理状态, 办理日期,
办理人, 提出日期, 完成期限, 等级, A级预警)."""

_STATION = ("status", "status_date", "status_by")
_CONTACTS = (  # after customer_id when the plans carry them (plans.risk_plans.add_contacts)
    ("account_name", "col_account_name", 24, "text"),
    ("supply_address", "col_supply_address", 30, "text"),
    ("phone_number", "col_phone_number", 15, "text"),
)
_RELEASE_COLUMNS = (
    *WORKLIST_COLUMNS,
    ("status", "col_status", 11, "status"),
    ("status_date", "col_status_date", 12, "status_date"),
    ("status_by", "col_status_by", 11, "status_by"),
)
_NUMBER_FORMATS = {"money": "#,##0", "pct": "0%", "date": "yyyy-mm-dd"}
_HEADER = {
    "bold": True,
    "font_color": "#FFFFFF",
    "bg_color": "#1D4E89",
    "text_wrap": True,
    "valign": "vcenter",
}
_FILL_IN = "#FFF2CC"  # the cells the station fills in
_LATE = "#C00000"  # overdue
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_MAX_TEXT = 32767  # Excel's limit for one cell


def status_labels(lang: str) -> tuple[str, ...]:
    """The drop-down values of the status column, in :data:`STATUS_CODES` order.

    >>> status_labels("zh"), status_labels("en")[-1]
    (('待办', '在办', '已办结', '免予执行'), 'waived')
    """
    return tuple(status_label(code, check_lang(lang)) for code in STATUS_CODES)


def write_workbook(
    plans: pd.DataFrame,
    path: str | os.PathLike[str],
    lang: str = "zh",
    *,
    release: pd.DataFrame | None = None,
) -> Path:
    """Write the worklist and plans as an Excel workbook (``.xlsx``).

    Sheets (names in ``lang``):

    * the worklist (zh ``工作清单``, en ``Worklist``; :data:`WORKLIST_COLUMNS`): one row
      per plan by priority, with the money at risk (``风险金额（元/3个月）``), why a plan
      jumped the queue, its priority within its usage category, the first action and
      its due date, how many measures are overdue, and the three responsible people
      (``未指定`` / ``not assigned`` when the staff table named nobody); the account
      name, supply address and phone (户名, 用电地址, 联系电话, as text) follow the
      customer when the plans carry them (the release sheet's too);
    * the measures (``措施明细`` / ``Measures``; :data:`MEASURE_COLUMNS`): one row per
      customer and measure with its code, reason, amount, dated steps, the date first
      proposed, the due date, the first-action and overdue markers, and the station's
      columns: the status (a drop-down of :func:`status_labels`, filled with the
      measure's status, 待办 / proposed for a new one), its date (a date not before the
      measure was proposed) and who set it.  Read back by
      ``risk_plans(..., previous=<this file>)``;
    * the release candidates when ``release`` is given (``可解除措施`` / ``Release``),
      the worklist's columns and the station's three;
    * an about sheet (``说明`` / ``About``).

    Header rows are frozen (with the priority and customer columns) and filterable;
    money (CNY), shares and dates carry Excel number formats.  Texts are written as
    text, never as formulas or links.  The file is written beside ``path`` and moved
    into place when complete, so a failure leaves no half-written workbook.

    Examples
    --------
    >>> import tempfile, pandas as pd, arrearsrisk as ar
    >>> from arrearsrisk.plans.risk_plans import risk_plans
    >>> ledger = ar.read_ledger("data/sample")
    >>> ledger = ar.Ledger(ledger.customers.assign(high_hazard=False), ledger.bills,
    ...                    ledger.payments)  # the sample has no high-hazard flag
    >>> scores = pd.DataFrame({"customer_id": ["C0013"], "as_of": "2025-09-30",
    ...     "grade": ["I"], "p_I": [0.7], "a_warning": [True], "exposure": [60000.0],
    ...     "arrears": [90000.0]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_workbook(risk_plans(scores, ledger, lang="en"), f"{tmp}/p.xlsx", "en")
    ...     sheets = pd.read_excel(out, sheet_name=None)
    >>> list(sheets), len(sheets["Measures"])
    (['Worklist', 'Measures', 'About'], 8)
    >>> print(*sheets["Worklist"].columns[:6], sep=" | ")
    Priority | Customer | Account name | Supply address | Phone | Money at risk (CNY per 3 months)
    >>> print(*sheets["Worklist"].iloc[0, :6], sep=" | ")  # the sample's contacts: made up
    1 | C0013 | 河西利泰化工厂 | 河西工业园区工业路128号 | 13300001482 | 12600
    >>> first = sheets["Measures"].iloc[0]
    >>> print(*first[["Measure code", "First action", "Due", "Status"]], sep=" | ")
    follow_up | yes | 2025-10-03 00:00:00 | proposed
    """
    lang = check_lang(lang)
    check_plans(plans, "plans")
    if release is not None:
        check_plans(release, "release")
    long = plan_measures(plans)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.{os.getpid()}.partial.xlsx")
    try:
        _write(partial, plans, long, release, lang)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def _write(
    path: Path,
    plans: pd.DataFrame,
    long: pd.DataFrame,
    release: pd.DataFrame | None,
    lang: str,
) -> None:
    import xlsxwriter

    options = {
        "constant_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    as_of = pd.Timestamp(plans["as_of"].iloc[0]) if len(plans) else None
    unit = loss_unit(plans, lang)
    with xlsxwriter.Workbook(str(path), options) as book:
        formats = _Formats(book)
        columns = _with_contacts(WORKLIST_COLUMNS, plans)
        _sheet(book, formats, text("sheet_worklist", lang), _plan_cells(plans, lang, columns),
               columns, lang, unit, as_of)  # fmt: skip
        _sheet(book, formats, text("sheet_measures", lang), _measure_cells(long, lang),
               MEASURE_COLUMNS, lang, unit, None)  # fmt: skip
        if release is not None:
            columns = _with_contacts(_RELEASE_COLUMNS, release)
            _sheet(book, formats, text("sheet_release", lang), _plan_cells(release, lang, columns),
                   columns, lang, loss_unit(release, lang), as_of)  # fmt: skip
        about = book.add_worksheet(_sheet_name(text("sheet_about", lang)))
        about.set_column(0, 0, 28)
        about.set_column(1, 1, 60)
        rows: list[tuple[str, str | int | None]] = [
            (text("about_as_of", lang), date_text(as_of) if as_of is not None else "-"),
            (text("about_plans", lang), len(plans)),
            (text("about_measures", lang), len(long)),
            (text("about_order_risk", lang, unit=unit), None),
            (text("about_status", lang, sheet=text("sheet_measures", lang)), None),
        ]
        for r, (key, value) in enumerate(rows):
            about.write_string(r, 0, key)
            if isinstance(value, str):
                about.write_string(r, 1, value)
            elif value is not None:
                about.write_number(r, 1, value)


class _Formats:
    """The cell formats of the workbook, made once."""

    def __init__(self, book: Any) -> None:
        self.header = book.add_format(_HEADER)
        self.late = book.add_format({"font_color": _LATE, "bold": True})
        self.by_kind: dict[str, Any] = {
            kind: book.add_format({"num_format": code}) for kind, code in _NUMBER_FORMATS.items()
        }
        self.by_kind["status"] = book.add_format({"bg_color": _FILL_IN})
        self.by_kind["status_date"] = book.add_format(
            {"bg_color": _FILL_IN, "num_format": _NUMBER_FORMATS["date"]}
        )
        self.by_kind["status_by"] = book.add_format({"bg_color": _FILL_IN})


def _sheet(
    book: Any,
    formats: _Formats,
    name: str,
    cells: dict[str, list[Any]],
    columns: Sequence[tuple[str, str, float, str]],
    lang: str,
    unit: str,
    as_of: pd.Timestamp | None,
) -> None:
    """One table sheet: header, rows in order, widths, frozen header, filter, the
    station's drop-down and date check.

    ``cells`` holds each column's values ready to write (``None``: an empty cell);
    each column's writer and format are chosen here, once."""
    ws = book.add_worksheet(_sheet_name(name))
    kinds = [kind for _, _, _, kind in columns]
    n = len(cells[columns[0][0]]) if columns else 0
    for j, (_, _, width, kind) in enumerate(columns):
        # the fill-in columns are shaded (and dated) by the column: no cell is written
        # for an empty one, and a value the station types gets the format too
        ws.set_column(j, j, width, formats.by_kind[kind] if kind in _STATION else None)
    ws.set_row(0, 30)
    for j, (_, key, _, _) in enumerate(columns):
        ws.write_string(0, j, text(key, lang, unit=unit), formats.header)
    plan: list[tuple[int, Any, Any]] = []  # (column, writer, format), once per column
    values: list[list[Any]] = []
    for j, (col, _, _, kind) in enumerate(columns):
        numeric = kind in ("int", "money", "pct", "date", "status_date")
        write = ws.write_number if numeric else ws.write_string
        plan.append((j, write, formats.by_kind.get(kind)))
        values.append(cells[col])
    for row, items in enumerate(zip(*values, strict=True), start=1):
        for (j, write, fmt), v in zip(plan, items, strict=True):
            if v is not None:
                write(row, j, v, fmt)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, n, len(columns) - 1)
    if not n:
        return
    if "overdue" in (col for col, _, _, _ in columns):
        j = [col for col, _, _, _ in columns].index("overdue")
        late = (
            {"type": "cell", "criteria": ">", "value": 0}
            if kinds[j] == "int"
            else {"type": "cell", "criteria": "==", "value": f'"{text("yes", lang)}"'}
        )
        ws.conditional_format(1, j, n, j, {**late, "format": formats.late})
    if "status" in kinds:
        _validations(ws, columns, n, lang, as_of)


def _validations(
    ws: Any,
    columns: Sequence[tuple[str, str, float, str]],
    n: int,
    lang: str,
    as_of: pd.Timestamp | None,
) -> None:
    """The status drop-down and the date check on the station's columns, one rule for
    each whole column: the date not before the measure's proposed date (a reference
    relative to each row) on the measures sheet, else not before the scoring date."""
    kinds = [kind for _, _, _, kind in columns]
    names = [col for col, _, _, _ in columns]
    status = kinds.index("status")
    ws.data_validation(
        1,
        status,
        n,
        status,
        {
            "validate": "list",
            "source": list(status_labels(lang)),
            "input_title": text("status_pick_title", lang),
            "input_message": text("status_pick", lang),
            "error_title": text("status_pick_title", lang),
            "error_message": text("status_pick", lang),
        },
    )
    day = kinds.index("status_date")
    if "proposed_date" in names:
        from xlsxwriter.utility import xl_rowcol_to_cell

        since: Any = "=" + xl_rowcol_to_cell(1, names.index("proposed_date"))
        message = text("status_date_pick_measure", lang)
    elif as_of is not None:
        since = as_of.to_pydatetime().replace(tzinfo=None)
        message = text("status_date_pick", lang)
    else:
        return
    ws.data_validation(
        1,
        day,
        n,
        day,
        {
            "validate": "date",
            "criteria": ">=",
            "value": since,
            "error_title": text("col_status_date", lang),
            "error_message": message,
        },
    )


# -- each column's values, ready to write ---------------------------------------------


def _numbers(values: pd.Series, *, as_int: bool) -> list[Any]:
    """Finite numbers as floats (ints for ``as_int``), anything else ``None``."""
    nums = pd.to_numeric(values).to_numpy(dtype=np.float64, na_value=np.nan)
    ok = np.isfinite(nums)
    out = np.where(ok, nums, 0.0)
    items: list[Any] = (out.astype(np.int64) if as_int else out).tolist()
    if not ok.all():
        for k in np.flatnonzero(~ok).tolist():
            items[k] = None
    return items


def _serials(values: pd.Series) -> list[Any]:
    """Dates as Excel day serials (what ``write_datetime`` stores), NaT ``None``."""
    days = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
    serial = (days - _EXCEL_EPOCH).astype("float64")
    serial[np.isnat(days)] = np.nan
    return _numbers(pd.Series(serial), as_int=True)


def _texts(values: Any, missing: str | None = None) -> list[str | None]:
    """Each value's text (``missing`` when absent, ``None``: an empty cell)."""
    return [missing if (t := _text(v)) is None else t for v in values]


def _text(value: Any) -> str | None:
    """A cell's text (``None``: leave the cell empty): XML-illegal characters dropped."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str):
        if not value:
            return None
        return _ILLEGAL_XML.sub("", value)[:_MAX_TEXT]
    if isinstance(value, pd.Timestamp | dt.date):
        return date_text(value)
    return _ILLEGAL_XML.sub("", str(value))[:_MAX_TEXT]


def _column(values: pd.Series, kind: str, lang: str) -> list[Any]:
    """The cells of one column of ``kind`` (see :data:`WORKLIST_COLUMNS`)."""
    if kind in ("money", "pct"):
        return _numbers(values, as_int=False)
    if kind == "int":
        return _numbers(values, as_int=True)
    if kind in ("date", "status_date"):
        return _serials(values)
    if kind == "flag":
        yes, no = text("yes", lang), text("no", lang)
        return [yes if v else no for v in values.fillna(False).astype(bool).tolist()]
    if kind == "category":
        labels = {c: text(f"cat_{c}", lang) for c in values.unique()}
        return [labels[c] for c in values.tolist()]
    if kind == "jump":
        jumps: dict[str, str | None] = {
            j: text(f"jump_{j}", lang) if j else None for j in values.unique()
        }
        return [jumps[j] for j in values.tolist()]
    if kind == "status":
        labels = {c: status_label(c, lang) for c in STATUS_CODES}
        return [labels[c] for c in values.tolist()]
    if kind == "person":
        return _texts(values.tolist(), text("person_missing", lang))
    return _texts(values.tolist())


def _with_contacts(
    columns: Sequence[tuple[str, str, float, str]], plans: pd.DataFrame
) -> list[tuple[str, str, float, str]]:
    """``columns`` with the contact columns ``plans`` carry inserted after the customer."""
    at = [c for c, _, _, _ in columns].index("customer_id") + 1
    held = [c for c in _CONTACTS if c[0] in plans.columns]
    return [*columns[:at], *held, *columns[at:]]


def _plan_cells(
    plans: pd.DataFrame, lang: str, columns: Sequence[tuple[str, str, float, str]]
) -> dict[str, list[Any]]:
    """The cells of the worklist (and release) sheet, by column."""
    sep = ITEM_SEPARATORS[lang]
    out: dict[str, list[Any]] = {}
    for col, _, _, kind in columns:
        if kind == "list":
            out[col] = _texts(sep.join(v) for v in plans[col])
        elif kind == "measures":
            out[col] = _texts(sep.join(m.name for m in ms) for ms in plans[col])
        elif kind == "first":  # the first action's name (its code in the plan)
            out[col] = _texts(
                next((m.name for m in ms if m.code == code), code) if code else None
                for code, ms in zip(plans["first_action"], plans["measures"], strict=True)
            )
        elif kind == "status":
            out[col] = [text("status_proposed", lang)] * len(plans)
        elif kind in _STATION:
            out[col] = [None] * len(plans)
        else:
            out[col] = _column(plans[col], kind, lang)
    return out


def _measure_cells(long: pd.DataFrame, lang: str) -> dict[str, list[Any]]:
    """The cells of the measures sheet (:func:`plan_measures`' frame), by column."""
    return {col: _column(long[col], kind, lang) for col, _, _, kind in MEASURE_COLUMNS}


def _sheet_name(name: str) -> str:
    """A valid Excel sheet name (at most 31 characters, none of ``[]:*?/\\``).

    >>> _sheet_name("a/b[1]")
    'a_b_1_'
    """
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
