"""The Overview as the page, ``python -m core overview`` and the review build it: its headline revenue summed by the
engine ``RETENTION_ENGINE`` names (:mod:`core.query.choice`, through :mod:`core.buyers.engine_headline`) when one is
set and the store holds recurring revenue, else from the revenue rows; so are a purchase log's buyer figures
(:mod:`core.buyers.engine_purchases`). One rule for all three; the same figures either
way (tested to 1e-9).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from core.buyers.overview import Overview, build, needs_purchases
from core.buyers.purchases import PurchaseLog
from core.query import choice
from core.store.profile import StoreProfile


def overview(engine: Engine, found: StoreProfile, customers: pd.DataFrame, revenue: pd.DataFrame,
             log: PurchaseLog | None = None, end=None, start=None, lapse_days: int | None = None) -> Overview:
    """:func:`core.buyers.overview.build` of the store ``engine``'s ``customers`` (already filtered, with their
    ``revenue`` rows and purchase ``log``), the headline's revenue and the buyer figures summed by the configured
    engine."""
    if not found.has("recurring_revenue") and not needs_purchases(found):  # nothing for an engine to add up
        return build(found, customers, revenue, log, end, start, lapse_days)
    with choice.opened(engine) as source:
        return build(found, customers, revenue, log, end, start, lapse_days, source=source)
