"""Plans: one customer, one policy (一户一策).

The policy table (:mod:`~arrearsrisk.plans.policy`, a TOML file) says which measure a
customer gets and when; its conditions are one object per kind in a registry
(:mod:`~arrearsrisk.plans.conditions`) and test the customer's facts
(:mod:`~arrearsrisk.plans.facts`).  :func:`risk_plans` makes the plan of every Grade
I / II or warned customer (:mod:`~arrearsrisk.plans.risk_plans`),
:func:`release_candidates` the measures Grade III customers can be released from
(:mod:`~arrearsrisk.plans.release`), :func:`plan_measures` lists a plan table's
measures one per row, and :mod:`~arrearsrisk.plans.people` finds who works each plan.
"""

from __future__ import annotations

from arrearsrisk.plans.conditions import (
    CONDITIONS,
    Condition,
    check_condition,
    register_condition,
)
from arrearsrisk.plans.policy import (
    Measure,
    Policy,
    When,
    default_policy_path,
    load_policy,
    parse_policy,
)
from arrearsrisk.plans.release import release_candidates
from arrearsrisk.plans.risk_plans import (
    PLAN_COLUMNS,
    PlanMeasure,
    PlanStep,
    plan_measures,
    risk_plans,
)

__all__ = [
    "CONDITIONS",
    "PLAN_COLUMNS",
    "Condition",
    "Measure",
    "PlanMeasure",
    "PlanStep",
    "Policy",
    "When",
    "check_condition",
    "default_policy_path",
    "load_policy",
    "parse_policy",
    "plan_measures",
    "register_condition",
    "release_candidates",
    "risk_plans",
]
