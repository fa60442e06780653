"""Coverage of the health measures (core/health/coverage.py): who has enough measures for a band, which measures
have no data, and which data would add them, in words."""

import numpy as np
import pandas as pd

from core.health.coverage import DATA_FOR, coverage
from core.health.score import MEASURES, default_config, score

KEYS = list(MEASURES)


def _scored(rows: list[dict], least: int = 3) -> pd.DataFrame:
    """Scores (default configuration, adoption stage) of customers with the given raw measure values."""
    recs = []
    for i, r in enumerate(rows):
        rec = {"customer_id": f"c{i}", "segment": "SMB", "mrr": 100.0, "tenure_days": 400.0,
               "days_to_renewal": 200.0}
        rec |= {m.column: float(r.get(k, np.nan)) for k, m in MEASURES.items()}
        recs.append(rec)
    cfg = default_config()
    cfg.min_measures = least
    return score(cfg, pd.DataFrame(recs))


def test_every_customer_banded_says_nothing():
    s = _scored([{"usage": 2.0, "nps": 9, "tickets": 1, "renewal": 100}, {"usage": 1.0, "csat": 4, "tickets": 0}])
    c = coverage(3, s)
    assert (c.customers, c.banded, c.below, c.message) == (2, 2, 0, "")
    # no customer has CES, so it is missing, and survey answers would add it
    assert "CES" in c.missing and DATA_FOR["ces"] in c.to_import


def test_some_customers_below_the_minimum_are_counted_and_the_data_named():
    s = _scored([{"usage": 2.0, "nps": 9, "tickets": 1}, {"usage": 1.0}, {}])
    c = coverage(3, s)
    assert (c.banded, c.below) == (1, 2)
    assert c.message.startswith("2 of 3 customers have fewer than 3 measures and get no score or band.")
    labels = {m.label: k for k, m in MEASURES.items()}
    assert "Support tickets" not in c.missing and "Usage level" not in c.missing  # data for one customer
    assert set(c.to_import) == {DATA_FOR[labels[m]] for m in c.missing} and len(c.to_import) == len(set(c.to_import))
    assert f"Import {c.to_import[0]}, " in c.message and c.message.endswith(f" or {c.to_import[-1]} to add measures.")


def test_a_store_with_one_measure_bands_nobody_and_says_what_to_import():
    """The telco snapshot's case: only renewal proximity (from signup dates) has data."""
    s = _scored([{"renewal": 30}, {"renewal": 300}])
    c = coverage(3, s)
    assert c.banded == 0 and c.below == 2
    assert list(c.missing) == [MEASURES[k].label for k in KEYS if k not in ("renewal", "recency")]
    assert c.to_import == ("product usage (activity per customer and day)", "support tickets",
                           "survey answers (NPS, CSAT, CES)", "recurring revenue (MRR per customer and month)",
                           "revenue rows with a failed-payment flag")
    assert c.message == (
        "No customer has the 3 measures a health band needs (the minimum in the configuration): this store has "
        "data for 1 of the 12 measures, so no customer is banded and no share is shown. Import product usage "
        "(activity per customer and day), support tickets, survey answers (NPS, CSAT, CES), recurring revenue "
        "(MRR per customer and month) or revenue rows with a failed-payment flag to add measures.")
    assert coverage(1, _scored([{"renewal": 30}, {"renewal": 300}], least=1)).banded == 2
