"""Release of measures: the Grade III customers whose deposit or guarantee can be lifted.

:func:`release_candidates` applies the measures of kind ``release`` of the policy to
the Grade III customers without a warning, in the layout of the risk plans
(:mod:`arrearsrisk.plans.risk_plans`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.plans.facts import build_facts, check_scores
from arrearsrisk.plans.people import check_staff, fill_people
from arrearsrisk.plans.policy import Policy, load_policy
from arrearsrisk.plans.risk_plans import add_contacts, plan_frame, propose, rank_plans
from arrearsrisk.vocabulary import check_lang

__all__ = ["release_candidates"]


def release_candidates(
    scores: pd.DataFrame,
    ledger: Ledger,
    lang: str = "zh",
    policy: Policy | None = None,
    staff: pd.DataFrame | None = None,
    *,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Grade III customers without a warning whose measures can be released.

    The measures of kind ``release`` of the policy (by default: return the deposit,
    release the guarantee, for customers who paid on time with no arrears for 12
    months), in the same layout as the risk plans but only for customers with at
    least one such measure, largest deposit first (``priority`` 1; ties by
    customer_id).  The parameters are those of
    :func:`~arrearsrisk.plans.risk_plans.risk_plans` (without ``previous``).

    Returns
    -------
    pandas.DataFrame
        One row per customer with a measure to release, columns of
        :data:`~arrearsrisk.plans.risk_plans.PLAN_COLUMNS` (previous_grade and change empty),
        then the contact columns the ledger holds, as the risk plans have them
        (:func:`~arrearsrisk.plans.risk_plans.add_contacts`).

    Raises
    ------
    ArrearsRiskError
        As :func:`~arrearsrisk.plans.risk_plans.risk_plans`.

    Examples
    --------
    >>> import pandas as pd, arrearsrisk as ar
    >>> from arrearsrisk.plans.release import release_candidates
    >>> ledger = ar.read_ledger("data/sample")
    >>> held = ledger.customers.loc[ledger.customers["deposit"] > 0, "customer_id"]
    >>> scores = pd.DataFrame({"customer_id": held, "as_of": "2025-09-30", "grade": "III",
    ...     "p_I": 0.02, "a_warning": False, "exposure": 1000.0, "arrears": 0.0})
    >>> out = release_candidates(scores, ledger, lang="en")
    >>> bool((out["grade"] == "III").all()), out.loc[0, "measures"][0].code
    (True, 'release_deposit')
    """
    lang = check_lang(lang)
    policy = load_policy() if policy is None else policy
    staff = None if staff is None else check_staff(staff)
    scores, as_of = check_scores(scores)
    needs = (scores["grade"] == "III").to_numpy() & ~scores["a_warning"].to_numpy()
    facts = build_facts(scores[needs], ledger, as_of)
    measures = [m for m in policy.measures if m.kind == "release"]
    proposed = propose(facts, measures, ledger, as_of, lang, features)
    keep = np.array([len(p) > 0 for p in proposed], dtype=bool)
    proposed = [p for p, k in zip(proposed, keep, strict=True) if k]
    out = plan_frame(facts.subset(keep).frame, proposed, policy, as_of, lang, None, None)
    order = np.lexsort((out["customer_id"].to_numpy(dtype=str), -out["deposit"].fillna(0)))
    out = rank_plans(out, order)  # priority, and category_priority within each category
    fill_people(out, staff)
    add_contacts(out, ledger)  # whom to call to return the deposit, as on the plans
    return out
