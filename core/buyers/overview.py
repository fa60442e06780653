"""What the Overview shows on any store, figure by figure, written once for the page and ``python -m core overview``.

The store's profile (:func:`core.store.profile.profile`) decides the sections:

* **recurring revenue** (the store holds MRR per month): the headline of :mod:`core.metrics`;
* **customers** (no MRR, but churn dates or a snapshot): customers, active customers and logo churn;
* **buyers** (purchases): the buyer figures of :mod:`core.buyers.metrics` and revenue retention by cohort;

a mix shows each section it holds. :attr:`Overview.notes` says plainly what the store cannot show, why, and what to
import. Every figure is a :class:`Figure`, whose :attr:`Figure.text` is :func:`core.export.units.format_value`'s,
so the page and the command line write the same strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import partial

import pandas as pd

from core import metrics
from core.buyers import engine_cohort_revenue, engine_headline, engine_lapse, engine_purchases, lapse
from core.buyers import metrics as buyers
from core.buyers.cohort_revenue import CohortRevenue, cohort_revenue
from core.buyers.purchases import PurchaseLog
from core.errors import InsufficientDataError
from core.export import units
from core.history import asof
from core.query.sources import Source
from core.store.profile import StoreProfile

#: the sparklines cover the chosen date range, within these bounds (months)
SPARK_MONTHS = (2, 36)
#: ARR is this many times MRR
ARR_MONTHS = 12
#: a tile's note, in place of its change, when the store has no value for the earlier period; and its help's words
NO_EARLIER = "no earlier month to compare"
NO_EARLIER_HELP = ("No change is shown: the store has no value of this figure for the earlier period (the data starts "
                   "later, or nobody was active then).")


@dataclass(frozen=True)
class Figure:
    """One tile: ``label`` (its :data:`core.metrics.GLOSSARY` name), ``value`` in ``unit``, and the column of its
    section's trend behind its sparkline (None: no sparkline)."""

    label: str
    value: float
    unit: str
    trend: str | None = None
    previous: float | None = None
    lower_is_better: bool = False
    versus: str = ""

    @property
    def text(self) -> str:
        """The figure as every surface writes it."""
        return units.format_value(self.value, self.unit)

    @property
    def delta(self) -> str | None:
        """The change against the previous period in the figure's unit (a rate's in points); None without one."""
        if self.previous is None or units.is_missing(self.previous) or units.is_missing(self.value):
            return None
        return units.format_value(self.value - self.previous, self.unit, signed=True)

    @property
    def delta_color(self) -> str:
        """``inverse`` for a figure that is better lower (churn): a rise shows red."""
        return "inverse" if self.lower_is_better else "normal"

    @property
    def help(self) -> str:
        """The figure's definition; when it has no earlier period to compare with, that too, in words."""
        text = metrics.definition(self.label) or ""
        return f"{text} {NO_EARLIER_HELP}".strip() if self.versus == NO_EARLIER else text


@dataclass(frozen=True)
class Section:
    """A group of tiles over one window: ``key`` is ``recurring``, ``customers`` or ``buyers``; ``as_of`` is the
    recurring section's as-of day (the last day of its window)."""

    key: str
    title: str
    caption: str
    figures: tuple[Figure, ...]
    trend: pd.DataFrame
    as_of: dt.date | None = None

    def sparkline(self, figure: Figure) -> list[float] | None:
        """The figure's monthly values, oldest first (None without a trend)."""
        if figure.trend is None or figure.trend not in self.trend:
            return None
        return [float(v) for v in self.trend[figure.trend]]


@dataclass(frozen=True)
class Overview:
    """The sections a store gives, what it cannot show (``notes``) and, on a purchase log, the cohort table (or
    ``cohort_note`` saying why there is none)."""

    sections: tuple[Section, ...]
    notes: tuple[str, ...]
    cohorts: CohortRevenue | None = None
    cohort_note: str = ""


def _churn_known(found: StoreProfile) -> bool:
    return found.has("churn_dates") or found.has("snapshot")


def _has_buyers(found: StoreProfile) -> bool:
    return found.has("purchases") or found.has("one_off_revenue")


def needs_purchases(found: StoreProfile) -> bool:
    """Whether the Overview of this store reads its purchase log (a caller loads it only then)."""
    return _has_buyers(found)


def spark_months(as_of, start=None) -> int:
    """Months of the sparklines: from ``start``'s month to ``as_of``'s, within :data:`SPARK_MONTHS` (12 without
    a start)."""
    if start is None:
        return 12
    end, first = pd.Timestamp(as_of), pd.Timestamp(start)
    return max(SPARK_MONTHS[0], min(SPARK_MONTHS[1], (end.year - first.year) * 12 + end.month - first.month + 1))


def _window_caption(as_of: dt.date) -> str:
    return f"Trailing 12 months to {as_of:%d %b %Y}"


def recurring_section(customers: pd.DataFrame, revenue: pd.DataFrame, end=None, start=None,
                      full: bool = True, sums: metrics.Sums | None = None) -> Section:
    """The headline of :func:`core.metrics.headline` as of ``end`` (never after the as-of month of the data);
    ``full=False`` keeps the customer counts and logo churn (a store without recurring revenue). Each figure carries
    its value one period earlier (:attr:`Figure.previous`): the month before for the counts and the money (MRR, ARR
    = 12 x MRR, ARPA), the 12-month window one month earlier for the rates. The revenue sums of every month shown
    are asked once, of ``sums`` (an engine's, :func:`core.buyers.engine_headline.revenue_sums`) or else of
    ``revenue``'s rows (:func:`core.metrics.frame_sums`).

    Raises
    ------
    InsufficientDataError
        No customers, or nobody active at the start of the window.
    """
    if customers.empty:
        raise InsufficientDataError("There are no customers yet: import a customer file or load the demo data.")
    as_of = asof.clamp(end, asof.as_of_month(customers, revenue))
    months = metrics.trend_months(as_of, spark_months(as_of, start))
    month = months[-1]
    table = (sums or metrics.frame_sums(customers, revenue))(sorted({*months, month - pd.DateOffset(months=1)}))
    asked = lambda _: table  # noqa: E731 (every month below is in the table)
    h = metrics.headline(customers, revenue, as_of, sums=asked)
    before = previous_headline(customers, revenue, h.as_of, asked)
    was = ({} if before is None else before.__dict__).get
    trend = metrics.trend(customers, revenue, as_of, len(months), sums=asked)
    figures = [Figure("Customers", h.customers, "customers", previous=was("customers")),
               Figure("Active customers", h.active_customers, "customers", "active_customers",
                      was("active_customers")),
               Figure("Logo churn rate", h.logo_churn_rate, "share", "logo_churn_rate", was("logo_churn_rate"), True)]
    if full:
        trend = trend.assign(arr=ARR_MONTHS * trend["mrr"]) if "mrr" in trend else trend
        figures += [Figure("MRR", h.mrr, "currency", "mrr", was("mrr")),
                    Figure("ARR", ARR_MONTHS * h.mrr, "currency", "arr", ARR_MONTHS * was("mrr", float("nan"))),
                    Figure("ARPA", arpa(table, month), "currency", None, arpa(table, month - pd.DateOffset(months=1))),
                    Figure("NRR", h.nrr, "share", "nrr", was("nrr")), Figure("GRR", h.grr, "share", "grr", was("grr")),
                    Figure("Revenue churn rate", h.revenue_churn_rate, "share", "revenue_churn_rate",
                           was("revenue_churn_rate"), True)]
    figures = [replace(f, versus=_versus(f, h.as_of)) for f in figures]
    return Section("recurring" if full else "customers", "Recurring revenue" if full else "Customers",
                   _window_caption(h.as_of), tuple(figures), trend, h.as_of)


def _versus(figure: Figure, as_of: dt.date) -> str:
    """What the figure's change compares with: the month before, or (a 12-month rate) the window one month earlier;
    :data:`NO_EARLIER` when the store has no value for that earlier period (no change is shown then)."""
    if figure.delta is None:
        return NO_EARLIER
    before = (pd.Timestamp(as_of).to_period("M") - 1).end_time
    if figure.unit == "share":
        return f"vs. the 12 months to {before:%b %Y}"
    return f"vs. {before:%d %b %Y}" if figure.unit == "customers" else f"vs. {before:%b %Y}"


def previous_headline(customers: pd.DataFrame, revenue: pd.DataFrame, as_of,
                      sums: metrics.Sums | None = None) -> metrics.Headline | None:
    """The headline one month before ``as_of``'s month (its 12-month rates over the window one month earlier); None
    when nobody was active at the start of that window."""
    try:
        return metrics.headline(customers, revenue, (pd.Timestamp(as_of).to_period("M") - 1).to_timestamp(), sums)
    except InsufficientDataError:
        return None


def arpa(sums: pd.DataFrame, month: pd.Timestamp) -> float:
    """ARPA of ``month`` (a month start) from :func:`core.metrics.revenue_sums`' table: MRR of the customers paying
    in it (MRR above zero) divided by their number, as :func:`core.metrics.lifetime_value` computes it (NaN when
    nobody pays)."""
    row = sums.loc[month]
    return float(row["paying_mrr"] / row["paying"]) if row["paying"] else float("nan")


def buyer_section(customers: pd.DataFrame, log: PurchaseLog, end=None, start=None,
                  with_customers: bool = True, source: Source | None = None) -> Section:
    """The buyer figures of :mod:`core.buyers.metrics` as of ``end`` (never after the log's last day), with the
    Customers count on the same day when ``with_customers``; summed by ``source``'s engine over the store's
    purchases when given (:mod:`core.buyers.engine_purchases`: the same figures), else from ``log``.

    Raises
    ------
    InsufficientDataError
        The log is empty.
    """
    on = engine_purchases if source is not None else None
    last = buyers.default_as_of(log) if on is None else on.default_as_of(source, customers)
    as_of = asof.clamp(end, last)
    b = buyers.buyer_figures(log, as_of) if on is None else on.buyer_figures(source, customers, as_of)
    figures = [Figure("Customers", int(metrics.signed_up_by(customers, b.as_of).sum()), "customers")] \
        if with_customers else []
    figures += [Figure("Active buyers", b.active_buyers, "customers", "active_buyers"),
                Figure("Repeat-purchase rate", b.repeat_rate, "share", "repeat_rate"),
                Figure("Revenue", b.revenue, "currency", "revenue"),
                Figure("Revenue per buyer", b.revenue_per_buyer, "currency", "revenue_per_buyer"),
                Figure("Purchase frequency", b.purchase_frequency, "count", "purchase_frequency")]
    caption = f"{_window_caption(b.as_of)} ({b.start:%d %b %Y} to {b.as_of:%d %b %Y})"
    if last < pd.Timestamp(b.as_of):
        caption += f"; the purchases end on {last:%d %b %Y}, so the last month is partial"
    months = spark_months(as_of, start)
    trend = buyers.buyer_trend(log, as_of, months) if on is None else on.buyer_trend(source, customers, as_of, months)
    return Section("buyers", "Buyers", caption, tuple(figures), trend)


def build(found: StoreProfile, customers: pd.DataFrame, revenue: pd.DataFrame, log: PurchaseLog | None = None,
          end=None, start=None, lapse_days: int | None = None, source: Source | None = None) -> Overview:
    """The Overview of a store: its sections, as of ``end`` (the sidebar's last day, the CLI's ``--as-of``).

    Parameters
    ----------
    found : StoreProfile
        What the store holds.
    customers, revenue : pandas.DataFrame
        ``customer_id, signup_date, churn_date`` and ``customer_id, period, mrr`` (already filtered).
    log : PurchaseLog, optional
        The purchase log of the same customers (needed when :func:`needs_purchases`, unless ``source`` adds it up:
        a warehouse's purchases are never read as rows).
    end, start : date-like, optional
        The as-of day (default: where the data ends) and the first day of the sparklines (default: 12 months).
    lapse_days : int, optional
        A mix's lapse period N for its buyers-only customers: the store's (:func:`core.buyers.lapse.store_days`,
        saved or proposed from every buyer), so a filter never changes it; default proposed from these customers.
    source : core.query.sources.Source, optional
        An engine over the same store that adds up the headline's revenue
        (:func:`core.buyers.engine_headline.revenue_sums`) and the buyer figures
        (:mod:`core.buyers.engine_purchases`) and revenue retention by cohort
        (:mod:`core.buyers.engine_cohort_revenue`); without ``log`` also a mix's lapse rule
        (:func:`core.buyers.engine_lapse.rule_for`). None: pandas adds ``revenue``'s rows and ``log``'s. The same
        figures either way; the view rule is :func:`core.buyers.overview_views.overview`.
    """
    sections, notes = [], list(_cannot_show(found))
    recurring, churn_known = found.has("recurring_revenue"), _churn_known(found)
    if recurring or churn_known:
        rule = _lapse_rule(customers, revenue, log, lapse_days, source) if _has_buyers(found) else None
        try:
            people = lapse.with_churn_dates(customers, rule)
            sums = None if source is None else partial(engine_headline.revenue_sums, source, people)
            section = recurring_section(people, revenue, end, start, full=recurring, sums=sums)
            if rule is not None:
                section = replace(section, caption=f"{section.caption}. {_lapse_words(rule)}")
            sections.append(section)
        except InsufficientDataError as exc:
            notes.append(str(exc))
    cohorts, cohort_note = None, ""
    if (log is not None or source is not None) and _has_buyers(found):
        try:
            sections.append(buyer_section(customers, log, end, start, with_customers=not sections, source=source))
            cohorts = _cohorts(customers, log, end, source)
        except InsufficientDataError as exc:
            cohort_note = str(exc)
    elif not sections and len(customers):
        as_of = asof.clamp(end, asof.as_of_month(customers, revenue))
        count = Figure("Customers", int(metrics.signed_up_by(customers, as_of).sum()), "customers")
        sections.append(Section("customers", "Customers", f"As of {as_of:%d %b %Y}", (count,), pd.DataFrame()))
    return Overview(tuple(sections), tuple(notes), cohorts, cohort_note)


def _cohorts(customers: pd.DataFrame, log: PurchaseLog | None, end, source: Source | None) -> CohortRevenue:
    """Revenue retention by cohort as of ``end`` (never after the log's last day), added up by ``source``'s engine
    when given."""
    if source is None:
        return cohort_revenue(log, asof.clamp(end, buyers.default_as_of(log)))
    last = engine_purchases.default_as_of(source, customers)
    return engine_cohort_revenue.cohort_revenue(source, customers, asof.clamp(end, last))


def _lapse_rule(customers: pd.DataFrame, revenue: pd.DataFrame, log: PurchaseLog | None, lapse_days: int | None,
                source: Source | None) -> lapse.LapseRule | None:
    """:func:`buyers_lapse`; with no ``log`` to read, the engine's (:func:`core.buyers.engine_lapse.rule_for`)."""
    if log is None and source is not None:
        return engine_lapse.rule_for(source, customers, lapse_days)
    return buyers_lapse(customers, revenue, log, lapse_days)


def buyers_lapse(customers: pd.DataFrame, revenue: pd.DataFrame, log: PurchaseLog | None,
                 lapse_days: int | None = None) -> lapse.LapseRule | None:
    """The lapse rule of the buyers-only customers of a mix (:func:`core.buyers.lapse.buyers_only`: purchases, no
    recurring revenue, no churn date of their own), as :func:`core.history.inputs.load_inputs` applies it, so their
    churn counts in the customers' figures; None without such customers."""
    if log is None or not len(log):
        return None
    return lapse.rule_for(customers, log.days, revenue, asof.data_end(customers, log.days, revenue), lapse_days)


def _lapse_words(rule: lapse.LapseRule) -> str:
    return (f"{units.count(len(rule.churn_dates))} buyers without recurring revenue count as churned when no purchase "
            f"follows their last one within {rule.days} days (the lapse rule)")


def _cannot_show(found: StoreProfile) -> list[str]:
    """What the Overview of this store cannot show, why, and what to import (empty for a recurring-revenue book)."""
    if found.has("recurring_revenue"):
        return []
    if not found.has("customers"):
        feedback = " This store holds feedback only: the Feedback themes page reads it." \
            if found.sort == "feedback only" else ""
        return [f"There are no customers yet, so the Overview has no figure to show.{feedback} Import customers "
                "with recurring revenue (MRR per month), or a purchase log (transactions: a customer id, a date and "
                "an amount per purchase), or load the demo data."]
    if _has_buyers(found):
        churn = "" if _churn_known(found) else \
            " Without churn dates it cannot show active customers or logo churn either."
        return ["There is no recurring revenue in this store: it is a purchase log, so the Overview cannot show "
                f"MRR, NRR, GRR or revenue churn, and shows buyer figures instead.{churn} Import revenue with MRR "
                "per month to see the recurring figures."]
    lacking = "MRR, NRR, GRR, revenue churn or buyer figures"
    if not _churn_known(found):
        lacking = "active customers, logo churn, " + lacking
    what = "holds feedback only" if found.sort == "feedback only" else f"is a {found.sort}"
    return [f"This store {what}: with no recurring revenue and no purchases, the Overview cannot show "
            f"{lacking}. Import revenue with MRR per month, or a purchase log (transactions), to see them."]
