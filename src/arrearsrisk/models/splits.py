"""Time-ordered splits of a training frame's cutoffs, with embargo gaps.

The as-of dates of a training frame are split in time, never at random:

* **test**: the last ``test_months`` cutoffs, reported on (out of time);
* **validation**: the ``valid_months`` latest cutoffs whose outcome window ends on or
  before the first test cutoff; used for early stopping, calibration, grade cut-offs
  and the warning threshold;
* **train**: every cutoff whose outcome window ends on or before the first validation
  cutoff.

The outcome of cutoff *t* is known only at *t + H months + g days*, so the gaps
("embargo") keep every label used for fitting in the past of the data it is judged
on.  Cutoffs inside a gap are left out.
"""

from __future__ import annotations

import pandas as pd

from arrearsrisk.asof.labels import label_end
from arrearsrisk.errors import ArrearsRiskError

__all__ = ["time_split"]


def time_split(
    cutoffs: list[pd.Timestamp],
    *,
    valid_months: int = 3,
    test_months: int = 3,
    horizon_months: int = 3,
    grace_days: int = 30,
) -> dict[str, list[pd.Timestamp]]:
    """Split sorted cutoffs into train, validation and test with embargo gaps.

    >>> cuts = list(pd.date_range("2024-01-31", "2025-09-30", freq="ME"))
    >>> s = time_split(cuts)
    >>> for name, part in s.items():
    ...     print(name, part[0].date(), part[-1].date(), len(part))
    train 2024-01-31 2024-09-30 9
    valid 2025-01-31 2025-03-31 3
    test 2025-07-31 2025-09-30 3
    """
    cuts = sorted(cutoffs)
    test = cuts[-test_months:] if test_months > 0 else []
    first_test = test[0] if test else cuts[-1] + pd.Timedelta(days=1)
    before = [t for t in cuts if label_end(t, horizon_months, grace_days) <= first_test]
    valid = before[-valid_months:] if valid_months > 0 else []
    train = (
        [t for t in cuts if label_end(t, horizon_months, grace_days) <= valid[0]] if valid else []
    )
    split = {"train": train, "valid": valid, "test": test}
    empty = [name for name, part in split.items() if not part]
    if empty or len(test) < test_months:
        raise ArrearsRiskError(
            f"the frame's {len(cuts)} cutoffs ({cuts[0].date()} to {cuts[-1].date()}) leave "
            f"no {' / '.join(empty) or 'full test'} slice with valid_months={valid_months}, "
            f"test_months={test_months} and the {horizon_months}-month + {grace_days}-day outcome "
            "gap between slices.\n  hint: use more cutoffs (a longer ledger) or smaller slices."
        )
    return split
