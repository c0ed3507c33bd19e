"""Benchmark: the plans workbook of 100,000 customers with plans, four writers.

* ``xlsxwriter``: :func:`arrearsrisk.reports.write_workbook` (XlsxWriter, constant-memory
  mode; 29 worklist columns, 19 measure columns with the station's status columns, the
  drop-down and date check);
* ``xlsxwriter floor``: the same cells through bare ``write_number`` / ``write_string``
  calls, nothing else (no formats, widths, filters or validations): XlsxWriter's own
  cost per cell, which no change in ``write_workbook`` can go below;
* ``hand-written``: the writer it replaced, Office Open XML strings in a zip, kept below as
  the reference (``_Workbook``, from ``src/arrearsrisk/reports/workbook.py`` before
  XlsxWriter; 23 worklist columns, no drop-down);
* ``openpyxl``: openpyxl's write-only mode writing the same cells and number formats,
  when openpyxl is installed.

The plans are real ones, tiled: the sample ledger scored with the committed sample
model (``models/sample``) as of 2025-09-30, its plans repeated with new customer ids up to
``--plans`` rows (default 100,000: every one of 100,000 customers has a plan, the worst
case).  Each writer runs ``--repeat`` times (default 3) on one core; the medians are
printed with the cells each writer writes, the time per cell and the machine's load
(``/proc/loadavg``) before and after.

Run ``python benchmarks/bench_workbook.py [--plans N] [--repeat K] [--lang zh|en]``.
"""

from __future__ import annotations

import argparse
import html
import re
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import arrearsrisk as ar
from arrearsrisk.i18n import text
from arrearsrisk.plans import plan_measures
from arrearsrisk.plans.people import read_staff
from arrearsrisk.reports import write_workbook
from arrearsrisk.reports.formatting import date_text, esc, is_missing
from arrearsrisk.vocabulary import ITEM_SEPARATORS

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2025-09-30"


def tiled_plans(n: int, lang: str) -> pd.DataFrame:
    """``n`` plans: the sample's plans repeated, customer ids made unique."""
    ledger = ar.read_ledger(ROOT / "data" / "sample")
    model = ar.load_model(ROOT / "models" / "sample")
    scores = ar.score(ledger, AS_OF, model, lang=lang)
    staff = read_staff(ROOT / "data" / "sample" / "staff.csv")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sample has no high-hazard flag; caps of 40
        base = ar.risk_plans(scores, ledger, lang, staff=staff)
    reps = -(-n // len(base))
    out = pd.concat([base] * reps, ignore_index=True).iloc[:n].copy()
    copy = np.repeat(np.arange(reps), len(base))[:n]
    out["customer_id"] = [f"{c}-{k}" for c, k in zip(out["customer_id"], copy, strict=True)]
    out["priority"] = np.arange(1, n + 1)
    return out


# -- the hand-written writer it replaced (reference) ------------------------------------

_OLD_WORKLIST_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("priority", "col_priority", 8, "int"),
    ("customer_id", "col_customer_id", 12, "text"),
    ("region", "col_region", 12, "text"),
    ("industry", "col_industry", 9, "text"),
    ("category", "col_category", 12, "category"),
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
    ("review_date", "col_review_date", 12, "date"),
    ("head", "col_head", 12, "text"),
    ("manager", "col_manager", 12, "text"),
    ("officer", "col_officer", 12, "text"),
    ("measures", "col_measures", 60, "measures"),
)
_OLD_MEASURE_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("priority", "col_priority", 8, "int"),
    ("customer_id", "col_customer_id", 12, "text"),
    ("grade", "col_grade", 7, "text"),
    ("region", "col_region", 12, "text"),
    ("officer", "col_officer", 12, "text"),
    ("code", "col_measure_code", 16, "text"),
    ("measure", "col_measure", 22, "text"),
    ("reason", "col_reason", 60, "text"),
    ("amount", "col_amount", 13, "money"),
    ("amount_label", "col_amount_label", 14, "text"),
    ("steps", "col_dates", 70, "text"),
    ("due_date", "col_date", 12, "date"),
)


def _worklist_cells(plans: pd.DataFrame, lang: str) -> pd.DataFrame:
    sep = ITEM_SEPARATORS[lang]
    yes, no = text("yes", lang), text("no", lang)
    out = pd.DataFrame(index=plans.index)
    for col, _, _, kind in _OLD_WORKLIST_COLUMNS:
        values = plans[col]
        if kind == "flag":
            out[col] = [yes if bool(v) else no for v in values.fillna(False)]
        elif kind == "category":
            labels = {c: text(f"cat_{c}", lang) for c in values.unique()}
            out[col] = [labels[c] for c in values]
        elif kind == "list":
            out[col] = [sep.join(v) for v in values]
        elif kind == "measures":
            out[col] = [sep.join(m.name for m in ms) for ms in values]
        else:
            out[col] = values
    return out


def old_write_workbook(plans: pd.DataFrame, path: Path, lang: str) -> Path:
    """The hand-written writer's ``write_workbook`` (without the release sheet)."""
    book = _Workbook()
    cells = _worklist_cells(plans, lang)
    book.add_frame(text("sheet_worklist", lang), cells, _OLD_WORKLIST_COLUMNS, lang)
    long = plan_measures(plans)
    book.add_frame(text("sheet_measures", lang), long, _OLD_MEASURE_COLUMNS, lang)
    as_of = date_text(plans["as_of"].iloc[0]) if len(plans) else "-"
    about = [
        (text("about_as_of", lang), as_of),
        (text("about_plans", lang), len(plans)),
        (text("about_measures", lang), len(long)),
        (text("about_order", lang), None),
    ]
    book.add_rows(text("sheet_about", lang), about, widths=(28, 60))
    book.save(path)
    return path


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_STYLE = {"text": 0, "int": 0, "header": 1, "date": 2, "money": 3, "pct": 4}
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _col_letter(i: int) -> str:
    """Excel column letters of the 0-based column ``i``.

    >>> _col_letter(0), _col_letter(25), _col_letter(26), _col_letter(702)
    ('A', 'Z', 'AA', 'AAA')
    """
    out = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(65 + rem) + out
    return out


class _Workbook:
    """A minimal streaming .xlsx writer: shared strings, a few styles, frozen headers."""

    def __init__(self) -> None:
        self.strings: dict[str, int] = {}
        self.sheets: list[tuple[str, str, int, int]] = []  # name, xml, rows, cols

    def _s(self, value: str) -> int:
        idx = self.strings.get(value)
        if idx is None:
            idx = self.strings[value] = len(self.strings)
        return idx

    def _text_cells(self, letter: str, values: Sequence[Any], style: int = 0) -> list[str]:
        s = f' s="{style}"' if style else ""
        return [
            ""
            if is_missing(v)
            else f'<c r="{letter}{r}" t="s"{s}><v>{self._s(str(v)[:32767])}</v></c>'
            for r, v in enumerate(values, start=2)
        ]

    @staticmethod
    def _number_cells(letter: str, values: np.ndarray, style: int) -> list[str]:
        s = f' s="{style}"' if style else ""
        return [
            "" if v != v else f'<c r="{letter}{r}"{s}><v>{v!r}</v></c>'
            for r, v in enumerate(values.tolist(), start=2)
        ]

    def add_frame(
        self,
        name: str,
        frame: pd.DataFrame,
        columns: Sequence[tuple[str, str, int, str]],
        lang: str,
    ) -> None:
        n = len(frame)
        cells: list[list[str]] = []
        for j, (col, _, _, kind) in enumerate(columns):
            letter = _col_letter(j)
            values = frame[col]
            if kind in ("money", "pct", "int"):
                nums = pd.to_numeric(values).to_numpy(dtype=np.float64, na_value=np.nan)
                if kind == "int":
                    cells.append(
                        [
                            "" if v != v else f'<c r="{letter}{r}"><v>{int(v)}</v></c>'
                            for r, v in enumerate(nums.tolist(), start=2)
                        ]
                    )
                else:
                    cells.append(self._number_cells(letter, nums, _STYLE[kind]))
            elif kind == "date":
                days = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
                serial = (days - _EXCEL_EPOCH).astype("float64")
                serial[np.isnat(days)] = np.nan
                cells.append(self._number_cells(letter, serial, _STYLE["date"]))
            else:
                cells.append(self._text_cells(letter, values.tolist()))
        header = "".join(
            f'<c r="{_col_letter(j)}1" t="s" s="1"><v>{self._s(text(key, lang))}</v></c>'
            for j, (_, key, _, _) in enumerate(columns)
        )
        rows = [f'<row r="1">{header}</row>']
        rows += (
            [
                f'<row r="{r}">{"".join(row)}</row>'
                for r, row in enumerate(zip(*cells, strict=True), start=2)
            ]
            if cells
            else []
        )
        last = f"{_col_letter(len(columns) - 1)}{n + 1}"
        widths = [w for _, _, w, _ in columns]
        self._add(name, rows, widths, freeze=True, filter_ref=f"A1:{last}", n_cols=len(columns))

    def add_rows(self, name: str, rows: Sequence[tuple[str, Any]], widths: Sequence[int]) -> None:
        out = []
        for r, (key, value) in enumerate(rows, start=1):
            cells = f'<c r="A{r}" t="s"><v>{self._s(key)}</v></c>'
            if isinstance(value, str):
                cells += f'<c r="B{r}" t="s"><v>{self._s(value)}</v></c>'
            elif value is not None:
                cells += f'<c r="B{r}"><v>{value!r}</v></c>'
            out.append(f'<row r="{r}">{cells}</row>')
        self._add(name, out, widths, freeze=False, filter_ref=None, n_cols=2)

    def _add(
        self,
        name: str,
        rows: list[str],
        widths: Sequence[int],
        freeze: bool,
        filter_ref: str | None,
        n_cols: int,
    ) -> None:
        pane = (
            '<pane xSplit="2" ySplit="1" topLeftCell="C2" activePane="bottomRight" '
            'state="frozen"/><selection pane="bottomRight"/>'
            if freeze
            else ""
        )
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)
        )
        xml = "".join(
            [
                _XML_HEAD,
                f"<worksheet {_NS} {_NS_R}>",
                f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>',
                '<sheetFormatPr defaultRowHeight="15"/>',
                f"<cols>{cols}</cols><sheetData>",
                *rows,
                "</sheetData>",
                f'<autoFilter ref="{filter_ref}"/>' if filter_ref else "",
                "</worksheet>",
            ]
        )
        self.sheets.append((name, xml, len(rows), n_cols))

    def save(self, path: Path) -> None:
        import zipfile

        n = len(self.sheets)
        sheets = "".join(
            f'<sheet name="{esc(_sheet_name(name))}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _, _, _) in enumerate(self.sheets, start=1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{esc(_quote_sheet(name))}!$A$1:${_col_letter(cols - 1)}${rows}</definedName>"
            for i, (name, xml, rows, cols) in enumerate(self.sheets)
            if "<autoFilter" in xml[-200:]
        )
        workbook = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} {_NS_R}>'
            f"<sheets>{sheets}</sheets>"
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + "</workbook>"
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        rels += (
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
        pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
        types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        content_types = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            f"{types}</Types>"
        )
        strings = "".join(
            f'<si><t xml:space="preserve">{_ILLEGAL_XML.sub("", html.escape(s, quote=False))}'
            "</t></si>"
            for s in self.strings
        )
        sst = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {_NS} '
            f'count="{len(self.strings)}" uniqueCount="{len(self.strings)}">{strings}</sst>'
        )
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=4) as z:
            z.writestr("[Content_Types].xml", content_types)
            z.writestr(
                "_rels/.rels",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
                f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            )
            z.writestr("xl/workbook.xml", workbook)
            z.writestr(
                "xl/_rels/workbook.xml.rels",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<Relationships xmlns="{pkg}">{rels}</Relationships>',
            )
            z.writestr("xl/styles.xml", _STYLES_XML)
            z.writestr("xl/sharedStrings.xml", sst)
            for i, (_, xml, _, _) in enumerate(self.sheets, start=1):
                z.writestr(f"xl/worksheets/sheet{i}.xml", xml)


def _sheet_name(name: str) -> str:
    """A valid Excel sheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31]


def _quote_sheet(name: str) -> str:
    return "'" + _sheet_name(name).replace("'", "''") + "'"


_STYLES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f"<styleSheet {_NS}>"
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF1D4E89"/>'
    '<bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" '
    'applyFill="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


# -- openpyxl, write-only ----------------------------------------------------------------


def openpyxl_write_workbook(plans: pd.DataFrame, path: Path, lang: str) -> Path:
    """The same worklist and measures cells through openpyxl's write-only mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    formats = {"money": "#,##0", "pct": "0%", "date": "yyyy-mm-dd"}
    book = Workbook(write_only=True)
    frames = [
        (text("sheet_worklist", lang), _worklist_cells(plans, lang), _OLD_WORKLIST_COLUMNS),
        (text("sheet_measures", lang), plan_measures(plans), _OLD_MEASURE_COLUMNS),
    ]
    for name, frame, columns in frames:
        ws = book.create_sheet(name)
        ws.freeze_panes = "C2"
        header = []
        for _, key, _, _ in columns:
            cell = WriteOnlyCell(ws, value=text(key, lang))
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        series = []
        for col, _, _, kind in columns:
            values = frame[col]
            if kind == "date":
                series.append([None if pd.isna(v) else pd.Timestamp(v).date() for v in values])
            elif kind in ("money", "pct", "int"):
                nums = pd.to_numeric(values).to_numpy(dtype=np.float64, na_value=np.nan)
                series.append([None if v != v else v for v in nums.tolist()])
            else:
                series.append([None if is_missing(v) else str(v) for v in values.tolist()])
        kinds = [kind for _, _, _, kind in columns]
        for row in zip(*series, strict=True):
            out: list[Any] = []
            for v, kind in zip(row, kinds, strict=True):
                if kind in formats and v is not None:
                    cell = WriteOnlyCell(ws, value=v)
                    cell.number_format = formats[kind]
                    out.append(cell)
                else:
                    out.append(v)
            ws.append(out)
    book.save(path)
    return path


def _new_cells(plans: pd.DataFrame, lang: str) -> list[tuple[str, dict[str, list[Any]], Any]]:
    from arrearsrisk.reports import workbook

    long = plan_measures(plans)
    return [
        (
            text("sheet_worklist", lang),
            workbook._plan_cells(plans, lang),
            workbook.WORKLIST_COLUMNS,
        ),
        (
            text("sheet_measures", lang),
            workbook._measure_cells(long, lang),
            workbook.MEASURE_COLUMNS,
        ),
    ]


def floor_write_workbook(plans: pd.DataFrame, path: Path, lang: str) -> Path:
    """``write_workbook``'s cells through bare XlsxWriter calls (the cost of the library)."""
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_numbers": False,
               "strings_to_formulas": False, "strings_to_urls": False}  # fmt: skip
    numeric = {"int", "money", "pct", "date", "status_date"}
    with xlsxwriter.Workbook(str(path), options) as book:
        for name, cells, columns in _new_cells(plans, lang):
            ws = book.add_worksheet(name)
            writers = [ws.write_number if k in numeric else ws.write_string for *_, k in columns]
            values = [cells[c] for c, *_ in columns]
            for row, items in enumerate(zip(*values, strict=True), start=1):
                for j, (write, v) in enumerate(zip(writers, items, strict=True)):
                    if v is not None:
                        write(row, j, v)
    return path


def count_cells(plans: pd.DataFrame, lang: str) -> dict[str, int]:
    """Non-empty data cells each writer writes (headers and the about sheet left out)."""
    new = sum(
        sum(v is not None for v in cells[c]) for _, cells, columns in _new_cells(plans, lang)
        for c, *_ in columns
    )  # fmt: skip
    old = 0
    for frame, columns in ((_worklist_cells(plans, lang), _OLD_WORKLIST_COLUMNS),
                           (plan_measures(plans), _OLD_MEASURE_COLUMNS)):  # fmt: skip
        old += sum(int((~frame[c].map(is_missing)).sum()) for c, *_ in columns)
    return {"xlsxwriter": new, "xlsxwriter floor": new, "hand-written": old, "openpyxl": old}


def load() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    parser.add_argument("--skip", action="append", default=[], help="a writer not to run")
    args = parser.parse_args()

    t0 = time.perf_counter()
    plans = tiled_plans(args.plans, args.lang)
    n_measures = len(plan_measures(plans))
    print(
        f"setup: {len(plans):,} plans, {n_measures:,} measures "
        f"({time.perf_counter() - t0:.1f} s); load average {load()}"
    )
    cells = count_cells(plans, args.lang)
    writers = {
        "xlsxwriter": lambda p: write_workbook(plans, p, args.lang),
        "xlsxwriter floor": lambda p: floor_write_workbook(plans, p, args.lang),
        "hand-written": lambda p: old_write_workbook(plans, p, args.lang),
    }
    try:
        import openpyxl  # noqa: F401

        writers["openpyxl write_only"] = lambda p: openpyxl_write_workbook(plans, p, args.lang)
    except ImportError:
        print("openpyxl is not installed: its row is skipped")
    with tempfile.TemporaryDirectory(prefix="bench_workbook_") as tmp:
        for name, write in writers.items():
            if name in args.skip:
                continue
            times = []
            for k in range(args.repeat):
                path = Path(tmp) / f"{name.split()[0]}_{k}.xlsx"
                start = time.perf_counter()
                write(path)
                times.append(time.perf_counter() - start)
                size = path.stat().st_size
                path.unlink()
            median = statistics.median(times)
            n_cells = cells[name.split()[0] if name.startswith("openpyxl") else name]
            print(
                f"  {name:<20} median {median:6.2f} s "
                f"(runs {', '.join(f'{t:.2f}' for t in times)}), {size / 1e6:.1f} MB, "
                f"{n_cells:,} cells, {median / n_cells * 1e6:.1f} us/cell"
            )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
