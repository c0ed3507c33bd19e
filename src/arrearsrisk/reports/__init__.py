"""Reports for the manager: the plans as one self-contained HTML page
(:func:`write_report`, :func:`render_report`) and as an Excel workbook
(:func:`write_workbook`).

Reports only render plans and scores; they compute nothing a plan does not already
hold except portfolio counts.
"""

from __future__ import annotations

from arrearsrisk.reports.html import render_report, write_report
from arrearsrisk.reports.workbook import write_workbook

__all__ = ["render_report", "write_report", "write_workbook"]
