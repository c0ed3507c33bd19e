"""The manager's report of each supply station (供电所), and an index of them.

A station's report is :func:`~arrearsrisk.reports.html.render_report` on the station's
customers only: its portfolio figures, its worklist and its cards, the page title naming
the station.  A customer's station is the ``region`` of the ledger's customers (or of the
scores, without a ledger); a customer without one goes to the "no area" report
(未填供电所, as the company report's charts call it).

Stations are shown by their name when the staff table gives one (its optional
``region_name`` column, e.g. ``东城供电所`` for region ``Dongcheng``; see
:func:`arrearsrisk.plans.people.check_staff`), the code beside it in small text; else by
their code.

:func:`write_station_reports` writes one file per station into a folder, named by
:func:`station_file_names`: the region text itself when it is a safe file name on every
common file system (``Dongcheng.html``, ``东城.html``), otherwise an encoding of it
(``_x`` and its UTF-8 bytes in hex), so that no two stations share a file even on a
case-insensitive disk; the customers without an area go to ``_no-area.html``.  Beside
them, ``index.html`` lists every station with its counts, each linking to its file.
:func:`select_stations` and :func:`render_stations` make the report of one or several
chosen stations (``arrearsrisk report --region``).

Examples
--------
>>> station_file_names(["Dongcheng", "东城", "a/b", "CON", None]) == {
...     "Dongcheng": "Dongcheng.html", "东城": "东城.html", "a/b": "_x612f62.html",
...     "CON": "_x434f4e.html", "": "_no-area.html"}
True
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import text
from arrearsrisk.plans.people import station_names
from arrearsrisk.reports.formatting import as_of_text, check_plans, esc, is_missing
from arrearsrisk.reports.html import render_report
from arrearsrisk.vocabulary import check_lang

__all__ = [
    "INDEX_FILE",
    "NO_AREA",
    "NO_AREA_FILE",
    "Selection",
    "render_stations",
    "select_stations",
    "station_file_names",
    "station_names",
    "write_station_reports",
]

NO_AREA = ""
"""The station key of customers without a region (missing, empty or blank)."""

NO_AREA_FILE = "_no-area.html"
"""The file of the customers without a region."""

INDEX_FILE = "index.html"
"""The index page :func:`write_station_reports` writes beside the station files."""

PROGRESS_FROM = 20
"""A progress bar over the stations is shown (``progress=True``) from this many on."""

_SAFE = re.compile(r"[^\W_][\w-]*")  # a letter or digit, then letters, digits, _ and -
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "index"}
    | {f"{port}{k}" for port in ("com", "lpt") for k in "0123456789¹²³"}
)  # device names Windows refuses with any extension, and the index page
_MAX_PLAIN_BYTES = 200  # a file name is at most 255 bytes on ext4, NTFS, APFS
_MAX_HEX_BYTES = 120


def _key(value: object) -> str:
    """The station key of a region value: its text, or :data:`NO_AREA` when blank."""
    if is_missing(value):
        return NO_AREA
    s = str(value)
    return s if s.strip() else NO_AREA


def _plain(region: str) -> bool:
    """Whether ``region`` can be a file name as it is, on Windows, macOS and Linux."""
    return (
        _SAFE.fullmatch(region) is not None
        and unicodedata.normalize("NFC", region) == region
        and region.casefold() not in _RESERVED
        and len(region.encode("utf-8")) <= _MAX_PLAIN_BYTES
    )


def _encoded(region: str) -> str:
    raw = region.encode("utf-8")
    if len(raw) <= _MAX_HEX_BYTES:
        return f"_x{raw.hex()}.html"
    return f"_h{hashlib.sha256(raw).hexdigest()}.html"


def station_file_names(regions: Iterable[object]) -> dict[str, str]:
    """The file name of each station's report, one per distinct region.

    Parameters
    ----------
    regions : iterable
        Region values (repeats, ``None`` and NaN allowed); blank ones are the customers
        without an area (key :data:`NO_AREA`).

    Returns
    -------
    dict of str to str
        Station key to file name (``.html``).  A region is its own file name when it
        starts with a letter or digit, holds only letters, digits (any script), ``_``
        and ``-``, is in Unicode NFC, at most 200 bytes in UTF-8, is not a name Windows
        reserves (``CON``, ``NUL``, ``COM1``...) nor ``index``, and no other region of
        ``regions`` differs from it only in case.  Any other region is ``_x`` and its
        UTF-8 bytes in hex (``_h`` and their SHA-256 when longer than 120 bytes);
        :data:`NO_AREA` is :data:`NO_AREA_FILE`.  No two names are equal, even ignoring
        case, and none is :data:`INDEX_FILE`.

    Examples
    --------
    >>> station_file_names(["Hexi", "HEXI", "Nanhu", "十里铺", " "])
    {'Hexi': '_x48657869.html', 'HEXI': '_x48455849.html', 'Nanhu': 'Nanhu.html', \
'十里铺': '十里铺.html', '': '_no-area.html'}
    """
    keys = list(dict.fromkeys(_key(r) for r in regions))
    plain = [k for k in keys if k != NO_AREA and _plain(k)]
    folded = pd.Series([k.casefold() for k in plain], dtype=object)
    clash = set(np.asarray(plain, dtype=object)[folded.duplicated(keep=False).to_numpy()])
    names = {
        k: NO_AREA_FILE
        if k == NO_AREA
        else f"{k}.html"
        if k in plain and k not in clash
        else _encoded(k)
        for k in keys
    }
    seen = [n.casefold() for n in names.values()]
    if len(set(seen)) != len(seen):  # pragma: no cover - a SHA-256 collision
        raise ArrearsRiskError("two regions map to one station file name.")
    return names


def _label(key: str, names: dict[str, str], lang: str) -> str:
    if key == NO_AREA:
        return text("no_region", lang)
    return names.get(key, key)


def _title(keys: Sequence[str], names: dict[str, str], lang: str) -> str:
    labels = [_label(k, names, lang) for k in keys]
    if len(labels) > 3:
        station = text("station_more", lang, first=labels[0], n=len(labels), more=len(labels) - 1)
    else:
        station = ("、" if lang == "zh" else ", ").join(labels)
    if lang == "zh" and station[-1:].isascii():
        station += " "  # a code in Latin letters before the Chinese title
    return text("station_title", lang, station=station)


def _codes(keys: Sequence[str], names: dict[str, str]) -> str:
    """The codes of the stations shown by a name (empty when every one shows its code)."""
    return " · ".join(k for k in keys if k != NO_AREA and names.get(k, k) != k)


def _lookup(scores: pd.DataFrame, ledger: Any) -> pd.Series:
    """Station key by customer_id: the ledger's customers, else the scores' region."""
    if ledger is not None:
        cust = ledger.customers
        ids = cust["customer_id"].astype(str).to_numpy()
        values = cust["region"].tolist() if "region" in cust.columns else [None] * len(cust)
    elif "region" in scores.columns:
        ids = scores["customer_id"].astype(str).to_numpy()
        values = scores["region"].tolist()
    else:
        raise ArrearsRiskError(
            "station reports need each scored customer's region: pass ledger=, or scores "
            "with a region column."
        )
    lookup = pd.Series([_key(v) for v in values], index=ids, dtype=object)
    return lookup[~lookup.index.duplicated(keep="last")]


def _keys_of(frame: pd.DataFrame, lookup: pd.Series) -> np.ndarray:
    """The station key of each row of ``frame`` (scores, plans): by its customer_id, else
    the row's own region column, else no area."""
    keys = lookup.reindex(frame["customer_id"].astype(str).to_numpy()).to_numpy(dtype=object)
    gaps = pd.isna(keys)
    if gaps.any():
        own = frame["region"].tolist() if "region" in frame.columns else [None] * len(frame)
        keys[gaps] = [_key(own[i]) for i in np.flatnonzero(gaps)]
    return keys


class Selection(NamedTuple):
    """The part of a scoring that belongs to some stations (:func:`select_stations`)."""

    regions: tuple[str, ...]
    """The station keys chosen (:data:`NO_AREA` for the customers without one)."""
    plans: pd.DataFrame
    scores: pd.DataFrame
    release: pd.DataFrame | None
    title: str
    """The page title naming the stations."""
    codes: str
    """The codes shown beside the names (empty when the stations have no name)."""


def _ordered(keys: Iterable[str]) -> list[str]:
    """Station keys sorted, the customers without an area last."""
    return sorted(set(keys), key=lambda k: (k == NO_AREA, k))


def select_stations(
    plans: pd.DataFrame,
    scores: pd.DataFrame,
    regions: Sequence[str],
    lang: str = "zh",
    *,
    ledger: Any = None,
    release: pd.DataFrame | None = None,
    staff: pd.DataFrame | None = None,
) -> Selection:
    """The plans, scores and release candidates of the customers of some stations.

    Parameters
    ----------
    plans, scores : pandas.DataFrame
        The output of :func:`~arrearsrisk.plans.risk_plans.risk_plans` and the scores it
        came from.
    regions : sequence of str
        The stations: a region as the ledger writes it, or the station's name from the
        staff table (``region_name``); ``""`` for the customers without an area.
    lang : {"zh", "en"}
        Language of the title.
    ledger : Ledger, optional
        Gives each customer's region; without it the scores need a ``region`` column.
    release : pandas.DataFrame, optional
        The output of :func:`~arrearsrisk.plans.risk_plans.release_candidates`.
    staff : pandas.DataFrame, optional
        The staff table, for the stations' names.

    Returns
    -------
    Selection
        The rows of those stations (in their order), the title naming them and the codes
        shown beside their names.

    Raises
    ------
    ArrearsRiskError
        If no region is given, or a region is none of the scored customers' (the message
        names those there are).

    Examples
    --------
    >>> import pandas as pd
    >>> from arrearsrisk.plans import PLAN_COLUMNS
    >>> scores = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "grade": ["I", "III", "II"],
    ...     "a_warning": False, "exposure": 100.0, "arrears": 0.0,
    ...     "region": ["Hexi", "Hexi", "Nanhu"], "industry": None})
    >>> plans = pd.DataFrame([dict.fromkeys(PLAN_COLUMNS)] * 2).assign(
    ...     customer_id=["C1", "C3"], region=["Hexi", "Nanhu"])
    >>> part = select_stations(plans, scores, ["Hexi"], "zh")
    >>> part.scores["customer_id"].tolist(), part.plans["customer_id"].tolist(), part.title
    (['C1', 'C2'], ['C1'], 'Hexi 电费回收风险报告')
    >>> try:
    ...     select_stations(plans, scores, ["Xiguan"])
    ... except ArrearsRiskError as err:
    ...     print(err)
    unknown region(s) 'Xiguan'; the scored customers are in: Hexi, Nanhu.
    """
    lang = check_lang(lang)
    check_plans(plans, "plans")
    if isinstance(regions, str) or not len(regions):
        raise ArrearsRiskError(f"regions must be a list of one or more regions, got {regions!r}.")
    names = station_names(staff)
    lookup = _lookup(scores, ledger)
    score_keys = _keys_of(scores, lookup)
    present = _ordered(score_keys)
    by_name = {names[k]: k for k in present if k in names}
    chosen: list[str] = []
    unknown: list[str] = []
    for region in regions:
        value = str(region)
        key = value if value in present else by_name.get(value, value.strip())
        if key not in present:
            unknown.append(value)
        elif key not in chosen:
            chosen.append(key)
    if unknown:
        there = ", ".join(
            f"{k} ({names[k]})" if k in names else (k or f"'' ({text('no_region', 'en')})")
            for k in present
        )
        raise ArrearsRiskError(
            f"unknown region(s) {', '.join(map(repr, unknown))}; the scored customers are "
            f"in: {there or 'no region (no customer is scored)'}."
        )
    wanted = set(chosen)

    def part(frame: pd.DataFrame, keys: np.ndarray) -> pd.DataFrame:
        mask = np.fromiter((k in wanted for k in keys), dtype=bool, count=len(keys))
        return frame.loc[mask].reset_index(drop=True)

    return Selection(
        tuple(chosen),
        part(plans, _keys_of(plans, lookup)),
        part(scores, score_keys),
        None if release is None else part(release, _keys_of(release, lookup)),
        _title(chosen, names, lang),
        _codes(chosen, names),
    )


def render_stations(
    selection: Selection,
    lang: str = "zh",
    *,
    previous: pd.DataFrame | None = None,
    ledger: Any = None,
    max_worklist: int = 500,
    max_cards: int = 100,
) -> str:
    """The report page of a :func:`select_stations` selection, as HTML text.

    :func:`~arrearsrisk.reports.html.render_report` on the selection, with its title;
    the stations' codes are set beside the heading in small text.

    Parameters
    ----------
    selection : Selection
        From :func:`select_stations` (in the same ``lang``).
    lang : {"zh", "en"}
        Language of the page.
    previous : pandas.DataFrame, optional
        The previous scoring (customer_id, grade), for the grade migration.
    ledger : Ledger, optional
        As for :func:`~arrearsrisk.reports.html.render_report`.
    max_worklist, max_cards : int
        As for :func:`~arrearsrisk.reports.html.render_report`.

    Returns
    -------
    str
        The page.
    """
    page = render_report(
        selection.plans,
        selection.scores,
        lang,
        previous,
        ledger=ledger,
        release=selection.release,
        max_worklist=max_worklist,
        max_cards=max_cards,
        title=selection.title,
    )
    heading = f"<h1>{esc(selection.title)}</h1>"
    if selection.codes and page.count(heading) == 1:
        page = page.replace(
            heading,
            f'<h1>{esc(selection.title)} <small class="station-code" style="font-size:55%;'
            f'font-weight:400;opacity:.8">{esc(selection.codes)}</small></h1>',
        )
    return page


def write_station_reports(
    plans: pd.DataFrame,
    scores: pd.DataFrame,
    folder: str | os.PathLike[str],
    lang: str = "zh",
    *,
    ledger: Any = None,
    previous: pd.DataFrame | None = None,
    staff: pd.DataFrame | None = None,
    release: pd.DataFrame | None = None,
    max_worklist: int = 500,
    max_cards: int = 100,
    company_report: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> dict[str, Path]:
    """Write the report of each supply station, and an index of them, into a folder.

    Parameters
    ----------
    plans, scores : pandas.DataFrame
        The output of :func:`~arrearsrisk.plans.risk_plans.risk_plans` and the scores it
        came from (the whole portfolio).
    folder : path
        Where the files go (created): one per station, named by
        :func:`station_file_names`, and :data:`INDEX_FILE`.  Files of stations no
        longer scored are left as they are.
    lang : {"zh", "en"}
        Language of the pages.
    ledger : Ledger, optional
        Gives each customer's region (and industry, for the charts); without it the
        scores need a ``region`` column.
    previous : pandas.DataFrame, optional
        The previous scoring (customer_id, grade), for each station's grade migration.
    staff : pandas.DataFrame, optional
        The staff table: its ``region_name`` column names the stations.
    release : pandas.DataFrame, optional
        The output of :func:`~arrearsrisk.plans.risk_plans.release_candidates`.
    max_worklist, max_cards : int
        As for :func:`~arrearsrisk.reports.html.render_report`, per station.
    company_report : path, optional
        The whole company's report: the index links to it.
    progress : bool
        A progress bar over the stations, when there are :data:`PROGRESS_FROM` or more.

    Returns
    -------
    dict of str to pathlib.Path
        The file of each station that has scored customers, by region
        (:data:`NO_AREA` for the customers without one), in the index's order.

    Examples
    --------
    >>> import tempfile, pandas as pd, arrearsrisk as ar
    >>> from arrearsrisk.plans.people import read_staff
    >>> from arrearsrisk.plans.risk_plans import risk_plans
    >>> ledger = ar.read_ledger("data/sample")
    >>> ledger = ar.Ledger(ledger.customers.assign(high_hazard=False), ledger.bills,
    ...                    ledger.payments)  # the sample has no high-hazard flag
    >>> scores = pd.DataFrame({"customer_id": ["C0013", "C0003", "C0005"],
    ...     "as_of": "2025-09-30", "grade": ["I", "III", "II"], "p_I": [0.7, 0.02, 0.3],
    ...     "a_warning": [True, False, False], "exposure": [6e4, 150.0, 900.0],
    ...     "arrears": [9e4, 0.0, 0.0]})
    >>> plans = risk_plans(scores, ledger, lang="en")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_station_reports(plans, scores, tmp, "en", ledger=ledger,
    ...                                   staff=read_staff("data/sample/staff.csv"))
    ...     index = (Path(tmp) / INDEX_FILE).read_text(encoding="utf-8")
    ...     hexi = files["Hexi"].read_text(encoding="utf-8")
    >>> {k: p.name for k, p in files.items()}
    {'Dongcheng': 'Dongcheng.html', 'Hexi': 'Hexi.html'}
    >>> "<title>Electricity arrears risk report: 河西供电所 · 2025-09-30</title>" in hexi
    True
    >>> 'href="Hexi.html">河西供电所</a><small>Hexi</small>' in index
    True
    """
    from tqdm import tqdm

    lang = check_lang(lang)
    check_plans(plans, "plans")
    if release is not None:
        check_plans(release, "release")
    names = station_names(staff)
    lookup = _lookup(scores, ledger)
    score_keys = _keys_of(scores, lookup)
    keys = _ordered(score_keys)
    files = station_file_names(keys)
    where = {
        "scores": _positions(score_keys),
        "plans": _positions(_keys_of(plans, lookup)),
        "release": _positions(_keys_of(release, lookup)) if release is not None else {},
    }
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    rows: list[dict[str, Any]] = []
    none = np.array([], dtype=np.int64)
    show = progress and len(keys) >= PROGRESS_FROM
    for key in tqdm(keys, desc="station reports", unit="station", disable=not show):
        station = Selection(
            (key,),
            plans.iloc[where["plans"].get(key, none)].reset_index(drop=True),
            scores.iloc[where["scores"][key]].reset_index(drop=True),
            None
            if release is None
            else release.iloc[where["release"].get(key, none)].reset_index(drop=True),
            _title([key], names, lang),
            _codes([key], names),
        )
        page = render_stations(
            station,
            lang,
            previous=previous,
            ledger=ledger,
            max_worklist=max_worklist,
            max_cards=max_cards,
        )
        path = out / files[key]
        path.write_text(page, encoding="utf-8")
        written[key] = path
        rows.append(_counts(station, _label(key, names, lang), key, files[key]))
    home = None
    if company_report is not None:
        home = Path(os.path.relpath(Path(company_report).resolve(), out.resolve())).as_posix()
    (out / INDEX_FILE).write_text(
        _index_page(rows, as_of_text(scores), lang, home), encoding="utf-8"
    )
    return written


def _positions(keys: np.ndarray) -> dict[str, np.ndarray]:
    """Row positions of each station key, in row order."""
    if not len(keys):
        return {}
    groups = pd.Series(keys, dtype=object).groupby(keys, sort=False).indices
    return {str(k): np.asarray(v, dtype=np.int64) for k, v in groups.items()}


def _counts(station: Selection, label: str, key: str, file: str) -> dict[str, Any]:
    grade = station.scores["grade"].astype(str)
    return {
        "label": label,
        "code": key if key != NO_AREA and label != key else "",
        "file": file,
        "scored": len(station.scores),
        "plans": len(station.plans),
        "grade_I": int((grade == "I").sum()),
        "grade_II": int((grade == "II").sum()),
        "warnings": int(station.scores["a_warning"].fillna(False).astype(bool).sum()),
    }


_INDEX_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
"WenQuanYi Micro Hei",system-ui,sans-serif;color:#1f2933;margin:0;background:#f5f7fa}
header{background:linear-gradient(100deg,#0f2f52,#1d4e89);color:#fff;padding:20px 24px}
h1{margin:0;font-size:24px}header p{margin:6px 0 0;opacity:.85}
main{padding:20px 24px;max-width:1100px}
table{border-collapse:collapse;background:#fff;width:100%;font-size:14px}
th,td{padding:7px 10px;border-bottom:1px solid #e4e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}
thead th{background:#eef2f7;font-weight:600}tfoot td{font-weight:600;background:#f8fafc}
td small{color:#616e7c;margin-left:6px}a{color:#1d4e89}
.g1{color:#c0392b}.g2{color:#b86e00}
""".strip()


def _index_page(rows: list[dict[str, Any]], as_of: str, lang: str, home: str | None) -> str:
    """The index of the station reports: one row per station with its counts and link."""
    columns = [
        ("scored", text("kpi_scored", lang), ""),
        ("plans", text("kpi_plans", lang), ""),
        ("grade_I", text("kpi_grade_I", lang), "g1"),
        ("grade_II", text("kpi_grade_II", lang), "g2"),
        ("warnings", text("kpi_warning", lang), "g1"),
    ]
    head = "".join(f"<th>{esc(label)}</th>" for _, label, _ in columns)
    body = []
    for row in rows:
        href = esc(quote(row["file"]))
        code = f"<small>{esc(row['code'])}</small>" if row["code"] else ""
        cells = "".join(f'<td class="{cls}">{row[k]:,}</td>' for k, _, cls in columns)
        body.append(
            f'<tr><td><a href="{href}">{esc(row["label"])}</a>{code}</td>{cells}'
            f'<td><a href="{href}">{esc(text("station_report_link", lang))}</a></td></tr>'
        )
    totals = "".join(f'<td class="{cls}">{sum(r[k] for r in rows):,}</td>' for k, _, cls in columns)
    title = text("station_index_title", lang)
    back = (
        f' · <a style="color:#fff" href="{esc(quote(home))}">'
        f"{esc(text('station_company_link', lang))}</a>"
        if home
        else ""
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
            '<head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">',
            f"<title>{esc(title)} · {esc(as_of)}</title>",
            f"<style>\n{_INDEX_CSS}\n</style></head>",
            "<body>",
            f"<header><h1>{esc(title)}</h1>"
            f"<p>{esc(text('station_index_intro', lang, as_of=as_of))}{back}</p></header>",
            "<main><table>",
            f"<thead><tr><th>{esc(text('col_region', lang))}</th>{head}<th></th></tr></thead>",
            f"<tbody>{''.join(body)}</tbody>",
            f"<tfoot><tr><td>{esc(text('station_total', lang))}</td>{totals}<td></td></tr></tfoot>",
            "</table></main>",
            "</body>",
            "</html>",
        ]
    )
