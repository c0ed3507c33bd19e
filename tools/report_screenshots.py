"""Write the sample's report and pictures of its main parts to ``docs/screenshots/``.

Usage: ``.venv/bin/python tools/report_screenshots.py [out_folder]``.

Scores the committed sample ledger (``data/sample``) with the committed model
(``models/sample``) as of its last month end, makes the plans with the sample's staff
table and the previous month's scoring, and writes, in Chinese and English:

* ``report_{lang}.html``: the report (worklist and cards capped to keep it small);
* ``summary_{lang}.html`` / ``summary_{lang}.pdf``: the one-page summary alone, and
  printed by headless Chromium (A4; the script fails if it takes more than a page);
* ``summary_{lang}.png``, ``card_{lang}.png``, ``worklist_{lang}.png``,
  ``glossary_{lang}.png``: element screenshots of ``#summary``, the first card, the
  worklist and the glossary (1366 px wide window).

Needs Debian's ``/usr/bin/chromium`` and playwright (``make test`` installs them).
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import pandas as pd

import arrearsrisk as ar
from arrearsrisk.pipeline.job import latest_month_end
from arrearsrisk.plans import release_candidates, risk_plans
from arrearsrisk.plans.people import read_staff
from arrearsrisk.reports.html import write_report, write_summary

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PARTS = {"summary": "#summary", "card": "article.pcard", "worklist": "#worklist",
         "glossary": "#glossary"}  # fmt: skip


def main(out: str = str(ROOT / "docs" / "screenshots")) -> None:
    from playwright.sync_api import sync_playwright

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    ledger = ar.read_ledger(ROOT / "data" / "sample")
    model = ar.load_model(ROOT / "models" / "sample")
    staff = read_staff(ROOT / "data" / "sample" / "staff.csv")
    t = latest_month_end(ledger)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for lang in ("zh", "en"):
            scores = ar.score(ledger, t, model, lang=lang)
            previous = ar.score(ledger, t - pd.offsets.MonthEnd(1), model, reasons="none")
            with warnings.catch_warnings():  # the sample has no high-hazard flag
                warnings.simplefilter("ignore", ar.LedgerWarning)
                plans = risk_plans(scores, ledger, lang, staff=staff, previous=previous)
                release = release_candidates(scores, ledger, lang, staff=staff)
            report = write_report(
                plans, scores, folder / f"report_{lang}.html", lang, previous=previous,
                ledger=ledger, release=release, max_worklist=20, max_cards=5,
            )  # fmt: skip
            summary = write_summary(
                plans, scores, folder / f"summary_{lang}.html", lang, previous, ledger=ledger
            )
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(report.as_uri(), wait_until="load")
            for name, selector in PARTS.items():
                shot = folder / f"{name}_{lang}.png"
                page.locator(selector).first.screenshot(path=str(shot))
                print(shot)
            page.goto(summary.as_uri(), wait_until="load")
            pdf = page.pdf(format="A4", print_background=True)
            (folder / f"summary_{lang}.pdf").write_bytes(pdf)
            pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
            print(f"{folder / f'summary_{lang}.pdf'}: {pages} page(s)")
            if pages != 1:
                raise SystemExit(f"the {lang} summary prints on {pages} pages, not one")
            page.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
