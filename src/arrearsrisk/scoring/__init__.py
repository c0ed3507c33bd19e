"""Scoring: grades, probabilities and the A-level warning of every customer at a date,
with each customer's top reasons in Chinese or English.

======== ======================================================================
module   what it holds
======== ======================================================================
scores   :func:`score` and :data:`SCORE_COLUMNS`, batch or a single account
account  :func:`score_account`: one account from plain Python rows, in milliseconds
reasons  the features' contributions rendered as sentences (zh / en)
======== ======================================================================
"""

from arrearsrisk.scoring.account import score_account
from arrearsrisk.scoring.scores import SCORE_COLUMNS, score

__all__ = ["SCORE_COLUMNS", "score", "score_account"]
