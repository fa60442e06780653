"""Churn for buyers without a contract: a customer has lapsed when no purchase follows the last one within N days.

A purchase log (CDNOW-like) says when customers bought, never when they left. The **lapse rule** gives each
customer a churn date: the day of the last purchase plus N days, once that day has come (on or before the as-of
day); until then the customer is active. N is proposed from the data itself
(:func:`propose_lapse_days`): a high quantile (90 %) of the gaps between a customer's consecutive purchase days,
rounded up to a readable number of days (whole days up to 2 weeks, whole weeks up to 13 weeks, 30-day months
beyond). So nine repeat purchases in ten came sooner than N days after the previous one, and a customer silent for
longer is unlikely to come back.

Whom it speaks for (:func:`buyers_only`): customers with purchases, no recurring revenue and no churn date of their
own; all the buyers of a purchase log, and the buyers-only customers of a mix (a recurring-revenue book beside a
purchase log), whose book customers keep their own churn dates.

One definition for every surface: :func:`core.history.inputs.load_inputs` calls :func:`store_rule` and fills those
customers' churn dates with it (the Overview, :mod:`core.buyers.overview`, calls :func:`rule_for` on its frames),
so the churn model (page and ``python -m core churn``), the Health scores
back-test and the quarterly review all read the same churn; the Churn drivers page and ``--lapse-days`` change N.

A purchase is what :mod:`core.buyers.purchases` says (a ``purchase`` activity, or a one-off sale that is not a
return). This module and that one read only the store: :mod:`core.history` calls them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from core.buyers import counted_quantiles
from core.buyers.lapse_setting import check_lapse_days, saved, saved_days
from core.buyers.metrics import buyer_figures
from core.buyers.purchases import has_purchases, load_purchase_log
from core.errors import DataValidationError
from core.export import units
from core.query import choice
from core.store.dates import datetimes
from core.store.read import load_columns

#: the share of inter-purchase gaps the proposed N covers
QUANTILE = 0.9
#: fewer gaps than this are too few to learn N from: :data:`FALLBACK_DAYS` is proposed instead
MIN_GAPS = 20
FALLBACK_DAYS = 365


@dataclass(frozen=True)
class LapseProposal:
    """The proposed N and the figures behind it.

    Attributes
    ----------
    days : int
        The proposal: ``gap_quantile`` rounded up by :func:`readable_days` (:data:`FALLBACK_DAYS` with too few gaps).
    quantile : float
        The share of gaps covered (0.9).
    gap_quantile : float
        That quantile of the gaps, in days (NaN without gaps).
    median_gap : float
        The median gap, in days.
    gaps : int
        Gaps between consecutive purchase days of one customer.
    repeat_buyers : int
        Customers with at least two purchase days.
    buyers : int
        Customers with at least one purchase day.
    """

    days: int
    quantile: float
    gap_quantile: float
    median_gap: float
    gaps: int
    repeat_buyers: int
    buyers: int

    @property
    def reason(self) -> str:
        """The rule and its figures in one plain sentence."""
        if self.gaps < MIN_GAPS:
            return (f"Only {units.count(self.gaps)} repeat purchases (gaps between a customer's purchase days) are in "
                    f"the data, too few to learn from, so a year ({self.days} days) is proposed.")
        return (f"{units.percent(self.quantile, 0)} of the {units.count(self.gaps)} gaps between a customer's "
                f"consecutive purchase days ({units.count(self.repeat_buyers)} repeat buyers of "
                f"{units.count(self.buyers)}) are {units.count(self.gap_quantile)} days or shorter (median "
                f"{units.count(self.median_gap)} days); rounded up to {self.days} days.")


@dataclass(frozen=True)
class LapseRule:
    """The lapse rule as applied to a store: N, the proposal it came from, the as-of day and the churn dates.

    Attributes
    ----------
    days : int
        N: churn = no purchase within ``days`` days after the last one.
    proposal : LapseProposal
    as_of : pandas.Timestamp
        No churn date falls after it.
    churn_dates : pandas.Series
        Customer id (str) -> churn date (NaT while the customer may still buy), one entry per buyer.
    purchases : pandas.DataFrame or None
        Those buyers' purchase days (:func:`purchase_days`): what
        :func:`core.buyers.lapse_labels.lapse_labels` judges a cutoff from.
    value_per_buyer : float
        The buyers' mean revenue over the 12 months to the as-of day (:func:`core.buyers.metrics.buyer_figures`'s
        revenue per buyer; NaN without amounts): the churn model's default value of a save.
    """

    days: int
    proposal: LapseProposal
    as_of: pd.Timestamp
    churn_dates: pd.Series
    purchases: pd.DataFrame | None = None
    value_per_buyer: float = float("nan")

    @property
    def proposed(self) -> bool:
        """Whether N is the data's proposal (not the analyst's own)."""
        return self.days == self.proposal.days

    def card(self) -> dict:
        """The rule for a churn model's card: ``days, proposed_days, reason, definition``."""
        return {"days": self.days, "proposed_days": self.proposal.days, "reason": self.proposal.reason,
                "definition": f"churn = no purchase within {self.days} days of the last one"}

    @property
    def definition(self) -> str:
        """The rule in words, with where N came from."""
        source = "the proposal" if self.proposed else f"chosen instead of the proposed {self.proposal.days}"
        return (f"A buyer has churned when no purchase follows the last one within {self.days} days ({source}); "
                f"the churn date is the last purchase plus {self.days} days, up to {self.as_of:%Y-%m-%d}.")


def purchase_days(purchases: pd.DataFrame) -> pd.DataFrame:
    """Each customer's distinct purchase days, in order.

    Parameters
    ----------
    purchases : pandas.DataFrame
        ``customer_id, date``: one row per purchase (several a day allowed; a time of day is dropped).

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (str), ``date`` (datetime64, midnight), sorted by customer and day, without duplicates.
    """
    days = pd.DataFrame({"customer_id": purchases["customer_id"].astype(str).to_numpy(),
                         "date": datetimes(purchases["date"]).dt.normalize().to_numpy()})
    days = days.dropna(subset=["date"]).drop_duplicates()
    return days.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)


def purchase_gaps(purchases: pd.DataFrame) -> np.ndarray:
    """Days between each customer's consecutive purchase days (one value per repeat purchase day)."""
    days = purchase_days(purchases)
    same = days["customer_id"].to_numpy()[1:] == days["customer_id"].to_numpy()[:-1]
    step = np.diff(days["date"].to_numpy().astype("datetime64[D]").astype(np.int64))
    return step[same].astype(float)


def readable_days(days: float) -> int:
    """``days`` rounded up to a number a reader takes in at once: whole days up to 14, whole weeks up to 91 (13
    weeks), whole 30-day months beyond; at least 1.

    Examples
    --------
    >>> readable_days(9.2), readable_days(40), readable_days(200)
    (10, 42, 210)
    """
    days = max(1.0, float(days))
    step = 1 if days <= 14 else 7 if days <= 91 else 30
    return int(math.ceil(days / step - 1e-9) * step)


def propose_lapse_days(purchases: pd.DataFrame, quantile: float = QUANTILE) -> LapseProposal:
    """Propose N from the data's inter-purchase times.

    N is the ``quantile`` of the gaps between a customer's consecutive purchase days (over every repeat purchase),
    rounded up by :func:`readable_days`; with fewer than :data:`MIN_GAPS` gaps, :data:`FALLBACK_DAYS`.

    Parameters
    ----------
    purchases : pandas.DataFrame
        ``customer_id, date``.
    quantile : float
        Share of gaps N covers (0.5-0.99).

    Returns
    -------
    LapseProposal
    """
    days = purchase_days(purchases)
    values, counts = np.unique(purchase_gaps(days), return_counts=True)
    buyers = int(days["customer_id"].nunique())
    repeat = int((days.groupby("customer_id").size() > 1).sum()) if buyers else 0
    return proposal_from_counts(values, counts, buyers, repeat, quantile)


def proposal_from_counts(values: np.ndarray, counts: np.ndarray, buyers: int, repeat: int,
                         quantile: float = QUANTILE) -> LapseProposal:
    """The proposal from the gaps as distinct ``values`` (days, ascending) and how many times each occurs
    (``counts``), the buyers and the repeat buyers: the one definition for the gaps counted here
    (:func:`propose_lapse_days`) and by an engine (:mod:`core.buyers.engine_lapse`). The quantile and the median are
    numpy's (``numpy.quantile``, linear; ``numpy.median``) of the gaps written out, to the last bit."""
    if not 0.5 <= quantile < 1:
        raise DataValidationError(f"The lapse quantile must be from 0.5 to 0.99, not {quantile}.")
    values, counts = np.asarray(values, float), np.asarray(counts, np.int64)
    n = int(counts.sum())
    q = counted_quantiles.quantile(values, counts, quantile) if n else float("nan")
    med = counted_quantiles.median(values, counts) if n else float("nan")
    if n < MIN_GAPS:
        return LapseProposal(FALLBACK_DAYS, quantile, q, med, n, repeat, buyers)
    return LapseProposal(readable_days(q), quantile, q, med, n, repeat, buyers)


def lapse_churn_dates(purchases: pd.DataFrame, days: int, as_of) -> pd.Series:
    """Each buyer's lapse churn date: the last purchase day plus ``days``, only when that day is on or before
    ``as_of`` (NaT otherwise: the customer may still buy).

    Parameters
    ----------
    purchases : pandas.DataFrame
        ``customer_id, date``.
    days : int
        N, the lapse period in days (1 to :data:`MAX_DAYS`).
    as_of : date-like
        The as-of day (the data's last day).

    Returns
    -------
    pandas.Series
        Customer id (str, sorted) -> churn date (datetime64), named ``churn_date``.
    """
    n = check_lapse_days(days)
    last = purchase_days(purchases).groupby("customer_id")["date"].max()
    churn = last + pd.Timedelta(days=n)
    churn = churn.where(churn <= pd.Timestamp(as_of).normalize())
    return churn.rename("churn_date")


def buyers_only(customers: pd.DataFrame, purchases: pd.DataFrame, revenue: pd.DataFrame | None = None) -> pd.Index:
    """The customers the lapse rule speaks for: those with a purchase, no recurring revenue and no churn date.

    In a purchase log these are all its buyers; in a mix (a recurring-revenue book beside a purchase log) they are
    the buyers only, while the book's customers keep their own churn dates. When the store's churn dates speak for
    buyers (a buyer has a churn date of its own and no customer has recurring revenue), the store says itself who
    left: none.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id, churn_date``.
    purchases : pandas.DataFrame
        ``customer_id, date``.
    revenue : pandas.DataFrame, optional
        ``customer_id, mrr``: a customer with any MRR has recurring revenue.

    Returns
    -------
    pandas.Index
        Customer ids (str), sorted.
    """
    ids = customers["customer_id"].astype(str)
    churned = set(ids[datetimes(customers["churn_date"]).notna().to_numpy()]) if "churn_date" in customers \
        else set()
    buyers = set(purchases["customer_id"].astype(str)) & set(ids)
    recurring = set() if revenue is None or "mrr" not in revenue else \
        set(revenue.loc[revenue["mrr"].notna(), "customer_id"].astype(str))
    if not recurring and buyers & churned:
        return pd.Index([], dtype=object)
    return pd.Index(sorted(buyers - recurring - churned), dtype=object)


def rule_for(customers: pd.DataFrame, purchases: pd.DataFrame, revenue: pd.DataFrame | None, as_of,
             lapse_days: int | None = None) -> LapseRule | None:
    """The lapse rule for the buyers-only customers (:func:`buyers_only`), None when there are none.

    N is proposed from those customers' purchases; ``churn_dates`` has one entry per such customer.
    """
    ids = buyers_only(customers, purchases, revenue)
    if ids.empty:
        return None
    purchases = purchases[purchases["customer_id"].astype(str).isin(ids)]
    proposal = propose_lapse_days(purchases)
    days = proposal.days if lapse_days is None else check_lapse_days(lapse_days)
    as_of = pd.Timestamp(as_of).normalize()
    return LapseRule(days, proposal, as_of, lapse_churn_dates(purchases, days, as_of), purchase_days(purchases))


def store_proposal(engine: Engine) -> LapseProposal | None:
    """The proposed N for the store's buyers-only customers (:func:`buyers_only`: a purchase log's buyers, a mix's
    buyers without recurring revenue), None for any other store: what the Churn drivers page offers before it fits.
    The gaps are counted by the engine ``RETENTION_ENGINE`` names (:mod:`core.buyers.engine_lapse`; the same
    proposal), else from the purchases read here."""
    from core.buyers import engine_lapse  # a cycle at the top: it builds on this module's definitions

    if not has_purchases(engine):
        return None
    with choice.opened(engine) as source:
        if source is not None:
            return engine_lapse.store_proposal(engine, source)
    purchases = load_purchase_log(engine).days
    if purchases.empty:
        return None
    customers = load_columns(engine, "customer", ["customer_id", "churn_date"])
    ids = buyers_only(customers, purchases, load_columns(engine, "revenue", ["customer_id", "mrr"]))
    return None if ids.empty else propose_lapse_days(purchases[purchases["customer_id"].astype(str).isin(ids)])


def store_rule(engine: Engine, customers: pd.DataFrame, as_of, lapse_days: int | None = None,
               revenue: pd.DataFrame | None = None, source=None) -> LapseRule | None:
    """The lapse rule for the store's buyers-only customers (:func:`buyers_only`), None when it has none.

    Parameters
    ----------
    customers : pandas.DataFrame
        The store's customers (``customer_id, churn_date``): a churn date of its own keeps a customer out.
    as_of : date-like
        The data's last day.
    lapse_days : int, optional
        N; default the saved N (:func:`core.buyers.lapse_setting.saved_days`), else the proposal
        (:func:`propose_lapse_days`).
    revenue : pandas.DataFrame, optional
        ``customer_id, mrr``; default read from the store. A customer with recurring revenue keeps its churn date.
    source : core.query.sources.Source, optional
        An engine over the store: it proposes N, dates the churn and values a buyer
        (:func:`core.buyers.engine_lapse.rule_for`), and the purchases stay there (the rule's ``purchases`` is None).
    """
    if source is not None:
        return _engine_rule(engine, source, customers, as_of, lapse_days)
    log = load_purchase_log(engine)  # one definition of a purchase (core/buyers/purchases.py)
    if log.days.empty:
        return None
    lapse_days = saved_days(engine) if lapse_days is None else lapse_days
    if revenue is None:
        revenue = load_columns(engine, "revenue", ["customer_id", "mrr"])
    rule = rule_for(customers, log.days, revenue, as_of, lapse_days)
    if rule is None:
        return None
    value = buyer_figures(log.for_customers(rule.churn_dates.index), rule.as_of).revenue_per_buyer
    return replace(rule, value_per_buyer=float(value))


def _engine_rule(engine: Engine, source, customers: pd.DataFrame, as_of, lapse_days: int | None) -> LapseRule | None:
    """:func:`store_rule` summed by ``source``'s engine."""
    from core.buyers import engine_lapse  # a cycle at the top: it builds on this module

    if not has_purchases(engine):
        return None
    people = customers[["customer_id", "signup_date", "churn_date"]]
    return engine_lapse.valued_rule(source, people, saved_days(engine) if lapse_days is None else lapse_days, as_of)


def with_churn_dates(customers: pd.DataFrame, rule: LapseRule | None) -> pd.DataFrame:
    """``customers`` with the churn dates of ``rule`` for the customers it covers, every other customer's own
    churn date kept (unchanged for None)."""
    if rule is None:
        return customers
    out = customers.copy()
    own = datetimes(out["churn_date"]) if "churn_date" in out else pd.Series(pd.NaT, index=out.index)
    ids = out["customer_id"].astype(str)
    out["churn_date"] = own.where(~ids.isin(rule.churn_dates.index), datetimes(ids.map(rule.churn_dates)))
    return out


def store_days(engine: Engine) -> int | None:
    """The N every surface uses: the saved one (:mod:`core.buyers.lapse_setting`), else the store's proposal
    (:func:`store_proposal`); None for a store without buyers-only customers."""
    days = saved_days(engine)
    if days is not None:
        return days
    proposal = store_proposal(engine)
    return None if proposal is None else proposal.days


def store_assumption(engine: Engine) -> dict | None:
    """The store's N as an assumption a review records: ``{"days": N, "source": who saved it and why, or the
    proposal's reason}``; None for a store without buyers-only customers."""
    setting = saved(engine)
    proposal = store_proposal(engine)
    if proposal is None:
        return None
    if setting is not None:
        return {"days": setting.days, "source": f"saved by {setting.author} on {setting.created_at:%Y-%m-%d}: "
                                                f"{setting.reason} (proposed: {proposal.days} days)"}
    return proposed_assumption(proposal)


def proposed_assumption(proposal: LapseProposal) -> dict:
    """The proposal as the assumption a review records (:func:`store_assumption`): ``{"days", "source"}``."""
    return {"days": proposal.days, "source": f"proposed from the data: {proposal.reason}"}
