"""Print the realism report of ``data/sample/README.md`` (Markdown) from the sample.

Usage: ``.venv/bin/python tools/sample_report.py [data/sample]``.  Labels use the
library's defaults (horizon 3 months, grace 30 days, warning at 2 average bills).
"""

from __future__ import annotations

import sys

import pandas as pd

import arrearsrisk as ar


def rates(frame: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    out = frame.groupby(by, observed=True).agg(
        rows=("grade", "size"),
        grade_I=("grade", lambda g: (g == "I").mean()),
        grade_II=("grade", lambda g: (g == "II").mean()),
        a_warning=("a_warning", "mean"),
    )
    return out


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table of a frame (index first), without extra dependencies."""
    head = [str(frame.index.name or "")] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for idx, row in frame.iterrows():
        lines.append("| " + " | ".join([str(idx)] + [str(v) for v in row]) + " |")
    return "\n".join(lines)


def pct(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for col in ("grade_I", "grade_II", "a_warning"):
        shown[col] = (100 * shown[col]).map("{:.1f}%".format)
    shown["rows"] = shown["rows"].map("{:,}".format)
    return markdown(shown)


def main(path: str = "data/sample") -> None:
    ledger = ar.read_ledger(path)
    cutoffs = ar.monthly_cutoffs(ledger)
    frame = ar.training_frame(ledger, cutoffs)
    frame["year"] = frame["as_of"].dt.year.astype(str)
    print(
        f"Labelled rows over {len(cutoffs)} month-end cutoffs "
        f"({cutoffs[0].date()} to {cutoffs[-1].date()}): {len(frame):,}\n"
    )
    print("### Label rates by category\n")
    print(pct(rates(frame, "category")), "\n")
    print("### The downturn: restricted / high-energy industries by half-year of as_of\n")
    frame["half"] = (
        frame["as_of"].dt.year.astype(str) + "H" + ((frame["as_of"].dt.month > 6) + 1).astype(str)
    )
    hit = (frame["restricted"] == 1) | (frame["high_energy"] == 1)
    frame["industry_group"] = hit.map({True: "restricted or high-energy", False: "other"})
    ind = frame[frame["category"] == "industrial"]
    table = rates(ind, ["industry_group", "half"])["grade_I"].unstack("half")
    print(markdown((100 * table).round(1).astype(str) + "%"), "\n")
    print("### Other mechanisms (all cutoffs)\n")
    rows = []

    def add(name: str, mask: pd.Series) -> None:
        sub = frame[mask]
        rows.append(
            {
                "group": name,
                "rows": len(sub),
                "grade_I": (sub["grade"] == "I").mean(),
                "grade_II": (sub["grade"] == "II").mean(),
                "a_warning": sub["a_warning"].mean(),
            }
        )

    add("all customers", frame["grade"].notna())
    add("tenant payer", frame["tenant"] == 1)
    add("owner payer", frame["tenant"] == 0)
    add("prepaid meter", frame["prepaid"] == 1)
    add("mostly counter payments (>50%, 12m)", frame["channel_share_counter_12m"] > 0.5)
    add("mostly bank debit (>50%, 12m)", frame["channel_share_bank_debit_12m"] > 0.5)
    add("budget-funded", frame["budget_funded"] == 1)
    add("no valid contact", frame["contact_ok"] == 0)
    add("estimated readings (>20% of bills, 12m)", frame["estimated_share_12m"] > 0.2)
    add("in a group", frame["in_group"] == 1)
    add("consumption down >30% (3m vs 12m)", frame["kwh_ratio_3m_to_12m"] < 0.7)
    add("2+ bills >30 days late in 12m", frame["serious_late_bills_count_12m"] >= 2)
    table = pd.DataFrame(rows).set_index("group")
    print(pct(table), "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
