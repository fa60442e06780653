"""The table of a service level against churn: for each band, its tickets and customers, the churn within N days of
the ticket (raw, and adjusted for segment, plan and tenure) with 95 % intervals, and the MRR those tickets' customers
had and kept.

Beside each band, the adjusted gap against the reference band (:func:`reference`: the first band in order with a
rate, such as "under 1 day"), with its 95 % interval from the same fit: how much more (or less) often a band's tickets
are followed by churn than the reference band's, segment, plan and tenure held alike.

Revenue kept counts each ticket's customer's MRR in the month the ticket was opened (a customer with three tickets in
a band counts three times, as their tickets do): the share of that MRR whose customer had not churned within N days.
"""

from __future__ import annotations

import pandas as pd

from core.service import rates
from core.service.bands import LEVELS, banded, measured
from core.service.outcomes import Judged

#: a band's rates are shown from this many tickets, with at least one churner and one customer kept (below it, or
#: with all or none churned, a 95 % interval from the model says nothing: its standard error is 0)
MIN_TICKETS = 30
#: the columns of a level table, in order
COLUMNS = ["band", "tickets", "customers", "churned", "churn_rate", "churn_low", "churn_high", "adjusted_rate",
           "adjusted_low", "adjusted_high", "gap", "gap_low", "gap_high", "mrr_at_stake", "mrr_kept"]
#: the columns left empty for a band without a rate (:data:`MIN_TICKETS`)
RATES = COLUMNS[4:13]


def level_table(judged: Judged, key: str) -> pd.DataFrame:
    """The table of the service level ``key`` (:data:`core.service.bands.LEVELS`), one row per band in order.

    Columns: :data:`COLUMNS`: ``churned`` counts the tickets whose customer churned within N days; rates and their
    bounds are shares, empty for a band under :data:`MIN_TICKETS` tickets or with all or none churned; ``mrr_kept``
    is the share of ``mrr_at_stake`` kept (empty without MRR); ``gap`` and its bounds are the adjusted rate minus
    the reference band's (:func:`reference`), in shares, empty for the reference band itself.
    """
    f = judged.frame
    band = banded(f, LEVELS[key])
    raw = rates.fit(f["churned"], band, f["customer_id"])
    adjusted = rates.fit(f["churned"], band, f["customer_id"], f[list(rates.ADJUSTED_FOR)])
    g = f.assign(band=band, lost=f["mrr"].where(f["churned"], 0.0)).groupby("band", observed=True)
    out = pd.DataFrame({"tickets": g.size(), "customers": g["customer_id"].nunique(), "churned": g["churned"].sum(),
                        "mrr_at_stake": g["mrr"].sum(), "lost": g["lost"].sum()}).reset_index()
    out["band"] = out["band"].astype(str)
    out[["churn_rate", "churn_low", "churn_high"]] = [raw.rate(b) for b in out["band"]]
    out[["adjusted_rate", "adjusted_low", "adjusted_high"]] = [adjusted.rate(b) for b in out["band"]]
    out["mrr_kept"] = (1 - out["lost"] / out["mrr_at_stake"]).where(out["mrr_at_stake"] > 0)
    unclear = (out["tickets"] < MIN_TICKETS) | (out["churned"] == 0) | (out["churned"] == out["tickets"])
    ref = out.loc[~unclear, "band"].iloc[0] if (~unclear).any() else None
    none = (float("nan"),) * 3
    out[["gap", "gap_low", "gap_high"]] = [none if ref is None or b == ref else adjusted.gap(b, ref)
                                           for b in out["band"]]
    out.loc[unclear, RATES] = float("nan")
    return out[COLUMNS].astype({"tickets": int, "customers": int, "churned": int})


def reference(table: pd.DataFrame) -> str | None:
    """The band a level table's gaps are taken against: its first band with a rate (None when no band has one)."""
    shown = table["band"][table["adjusted_rate"].notna()]
    return None if shown.empty else str(shown.iloc[0])


def level_tables(judged: Judged) -> dict[str, pd.DataFrame]:
    """Every measured service level's table (:func:`level_table`; :func:`core.service.bands.measured`), in
    :data:`core.service.bands.LEVELS` order."""
    return {key: level_table(judged, key) for key in measured(judged.frame)}
