"""MRR at risk on a company's warehouse, for its Overview (:mod:`core.buyers.warehouse_overview`): the two figures of
:mod:`core.review.at_risk`, of the warehouse's customers, one rule for the page and ``python -m core overview``.

- **MRR in red** is the store's rule (:func:`core.review.at_risk.health_risk`) on the warehouse's inputs
  (:func:`core.history.warehouse_inputs.warehouse_inputs`): the health measures summed there on the as-of day,
  under the store's newest saved health configuration (the Health scores page keeps the warehouse's there).
- **MRR at high churn risk** reads a churn model fitted on the warehouse: such a model is not saved (the store's
  pages score the store's customers), so the figure needs the fit the Churn drivers page made (the page passes it);
  without one it says so and where to fit it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy.engine import Engine

from core.churn.pipeline import ChurnResult, Economics
from core.churn.store import current_tiers
from core.export import units
from core.history.inputs import ChurnInputs
from core.query.warehouse import answered
from core.review.at_risk import AtRisk, health_risk, high_tier

LABEL = "MRR at high churn risk"
NOT_FITTED = ("The churn model is fitted on the warehouse's customers by the Churn drivers page and not saved (the "
              "store's pages score the store's customers), so the Overview page shows the MRR of its high-risk tier "
              "only after that page has fitted it.")


def churn_risk(fitted: tuple[ChurnResult, Economics] | None, customers: pd.DataFrame, revenue: pd.DataFrame,
               as_of: dt.date) -> AtRisk:
    """MRR at high churn risk: the high-risk tier of ``fitted`` (a model fitted on the warehouse and the economics
    its tiers are cut at, as a saved model's scores are), with their MRR in ``as_of``'s month; ``fitted`` None: no
    figure, and :data:`NOT_FITTED` says why."""
    if fitted is None:
        return AtRisk(LABEL, None, pd.DataFrame(columns=["customer_id", "mrr", "tier"]), NOT_FITTED)
    result, economics = fitted
    _, tiers = current_tiers(result, economics)
    scores = pd.DataFrame({"customer_id": result.current.customer_id.astype(str).to_numpy(), "tier": tiers})
    table = high_tier(scores, customers, revenue, as_of)
    note = (f"{units.count(len(table))} customers in the high-risk tier of the churn model fitted on the warehouse "
            f"(scored on {pd.Timestamp(result.scored_at):%d %b %Y}), with their MRR in {pd.Timestamp(as_of):%b %Y}.")
    return AtRisk(LABEL, float(table["mrr"].sum()), table, note)


@answered
def at_risk(engine: Engine, inputs: ChurnInputs, as_of: dt.date,
            fitted: tuple[ChurnResult, Economics] | None = None) -> tuple[AtRisk, AtRisk]:
    """Both figures of the warehouse's customers (``inputs``: its :func:`warehouse_inputs`) as of ``as_of`` (its
    Overview's as-of day); ``engine`` is the store, which keeps the health configurations.

    Raises
    ------
    EngineError
        The warehouse failed to answer while the health measures were summed (:func:`answered`).
    """
    return (churn_risk(fitted, inputs.customers, inputs.revenue, as_of),
            health_risk(engine, inputs.customers, inputs.revenue, as_of, inputs))
