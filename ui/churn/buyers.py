"""The Churn drivers page on a purchase log: the lapse period that defines churn, and customer lifetime value."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access import rights
from core.buyers import lapse_setting
from core.buyers.lapse import LapseProposal
from core.buyers.lapse_setting import MAX_DAYS, SavedLapse
from core.churn import horizon as churn_horizon
from core.errors import WorkbenchError
from core.export import units
from core.history.filters import Filters, filter_customers
from core.metrics import GLOSSARY
from core.store.profile import StoreProfile
from ui import components
from ui.churn import cached as churn
from ui.churn.who import author_input
from ui.frame import errors, loaders, signin, warehouse

#: money per buyer or per purchase: the dollar sign, thousands separators and cents ("$1,234.56")
_CENTS = "$%,.2f"


def lapse_days(url: str, proposal: LapseProposal | None, saved: SavedLapse | None,
               on_warehouse: bool = False) -> int | None:
    """A number input for N on a purchase log (default the store's saved N, else the proposal, with its reason), and
    a form that saves the N in use for every page; None for other stores. On a warehouse (``on_warehouse``) the
    proposal applies on every page and another N is this page's alone (nothing to save: the warehouse's pages read
    no saved N)."""
    if proposal is None:
        return None
    st.markdown("**Churn in a purchase log.** Buyers have no contract to cancel, so a buyer counts as churned when "
                "no purchase follows the last one within the number of days below; the churn date is the last "
                "purchase plus that many days.")
    store_n = saved.days if saved is not None else proposal.days
    days = int(st.number_input("Churned after this many days without a purchase", 1, MAX_DAYS, store_n, step=1,
                               key=f"churn_lapse_days_{store_n}",
                               help=GLOSSARY["Lapse churn"] + " Shorter: more buyers count as churned, sooner; "
                                    "longer: fewer, later."))
    st.caption(f"Proposed: {proposal.days} days. {proposal.reason}")
    if saved is not None:
        st.caption(components.plain(saved.words))
    if days != store_n and on_warehouse:
        st.info(f"Only this page uses {days} days; on the warehouse the other pages use the proposed {store_n} days.",
                icon=":material/info:")
    elif days != store_n:
        st.info(f"Only this page uses {days} days for now; the Overview, Health scores, Cohort curves and the review "
                f"use {store_n} days. Save {days} days to use it everywhere.", icon=":material/info:")
        _save_form(url, days)
    return days


def _save_form(url: str, days: int) -> None:
    """Who and why, then save N for every page (a new store version: every page recomputes). Offered to the roles
    that may configure; the author is the signed-in user (typed only on a store without accounts)."""
    engine = loaders.get_engine(url)
    if not signin.offer(engine, rights.CONFIGURE):
        return
    with st.form(f"churn_lapse_save_{days}"):
        a, b = st.columns(2)
        author = author_input(engine, "churn_lapse_author", where=a)
        reason = b.text_input("Why this lapse period", key="churn_lapse_reason")
        if not st.form_submit_button(f"Use {days} days on every page"):
            return
    try:
        lapse_setting.save_days(engine, days, author, reason, user=signin.actor(engine))
    except WorkbenchError as exc:
        errors.show(exc)
        return
    st.rerun()


def horizon(lapse_days: int | None, found: StoreProfile) -> int:
    """The "Churn within" control: on a purchase log N is offered and is the default (every active buyer can lapse
    within it; :func:`core.churn.horizon.default_horizon`, cut to the longest the store's dates allow), keyed by N so
    a new N starts again at its default."""
    default = churn_horizon.default_horizon(lapse_days, found.first_day, found.last_record_day)
    key = "churn_horizon" if lapse_days is None else f"churn_horizon_{lapse_days}"
    options = churn_horizon.horizon_options(lapse_days, default)
    chosen = st.segmented_control("Churn within", options, default=default, key=key,
                                  format_func=lambda d: f"{d} days",
                                  help=None if lapse_days is None else
                                  f"Default {lapse_days} days, the lapse period: a buyer lapses that many days after "
                                  "the last purchase at the earliest, so a shorter horizon cannot catch the recent "
                                  "buyers.")
    return int(chosen or default)


def _settings() -> tuple[int, int, float]:
    a, b, c = st.columns(3)
    days = a.number_input("Expected purchases over the next (days)", 7, 730, 90, step=1, key="churn_clv_days")
    months = b.number_input("Lifetime value over (months)", 1, 120, 12, step=1, key="churn_clv_months")
    rate = c.number_input("Monthly discount rate", 0.0, 0.5, 0.01, step=0.005, format="%.3f", key="churn_clv_rate",
                          help="Money a month from now is worth 1 / (1 + rate) of money today.")
    return int(days), int(months), float(rate)


def _params_caption(p: dict) -> str:
    fig = {k: units.score(p[k]) for k in ("r", "alpha", "a", "b")}
    text = (f"BG/NBD (how often buyers buy, and drop out): r {fig['r']}, alpha {fig['alpha']} (weeks), a {fig['a']}, "
            f"b {fig['b']}. ")
    if p["spend_model"]:
        text += (f"Gamma-Gamma (how much they spend): p {units.score(p['p'])}, q {units.score(p['q'])}, gamma "
                 f"{units.score(p['gamma'])}; it assumes spend and frequency are unrelated (correlation here "
                 f"{units.score(p['spend_frequency_correlation'], digits=2, signed=True)}). ")
    else:
        text += "Too few repeat buyers with an amount for the spend model: each buyer's own mean spend is used. "
    return text + f"Fitted with lifetimes 0.11.3 on every purchase up to {p['as_of']:%Y-%m-%d}."


def _holdout(url: str, version: str) -> None:
    h = churn.lifetime_holdout(url, version)
    if h is None:
        st.info("Too little data to hold a period out and check the purchase model.")
        return
    st.markdown(f"**Checked on a hold-out:** fitted on purchases up to {h['calibration_end']:%Y-%m-%d}, the model "
                f"expected {units.count(h['predicted'])} purchase days from then to {h['end']:%Y-%m-%d}; buyers made "
                f"{units.count(h['actual'])} ({units.percent(h['error'], signed=True)}).")
    components.table(h["by_frequency"], hide_index=True, width="stretch", column_config={
        "frequency": st.column_config.TextColumn("repeat purchase days before", help="In the fitting period."),
        "customers": st.column_config.NumberColumn("buyers", format="localized"),
        "actual": st.column_config.NumberColumn("bought per buyer", format="%.2f"),
        "predicted": st.column_config.NumberColumn("expected per buyer", format="%.2f"),
        "error": components.percent("expected / bought - 1")})


@st.fragment
def lifetime_value(url: str, version: str, f: Filters) -> None:
    """Each buyer's probability of being alive, expected purchases, value per purchase and CLV, with a CSV (a
    fragment: its settings rerun only this tab; the models are cached per store version and settings). On the
    warehouse when ``version`` names it (every buyer there: the sidebar's filters apply to the store's pages)."""
    st.markdown("**Customer lifetime value.** How many more purchases each buyer is expected to make and what "
                "they are worth, from how often and how recently they bought and what they spent.")
    days, months, rate = _settings()
    try:
        params, table = churn.lifetime_values(url, version, days, months, rate)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    on_warehouse = warehouse.named(version)
    if not on_warehouse:
        customers = filter_customers(loaders.table(url, version, "customer"), f)
        table = table[table["customer_id"].isin(customers["customer_id"].astype(str))].reset_index(drop=True)
    k = st.columns(4)
    k[0].metric("Buyers valued", units.count(len(table)),
                help="Every buyer of the warehouse." if on_warehouse else "Within the sidebar filters.")
    k[1].metric(f"Lifetime value, {months} months", units.money(table["clv"].sum()),
                help=GLOSSARY["Lifetime value (buyers)"])
    k[2].metric(f"Expected purchases, {days} days", units.count(table["expected_purchases"].sum()),
                help=GLOSSARY["Expected purchases"])
    repeat = table.loc[table["frequency"] > 0, "p_alive"]  # a one-time buyer is always "still a buyer" in BG/NBD
    k[3].metric("Repeat buyers still buying (median chance)", units.percent(repeat.median()),
                help=GLOSSARY["Chance still a buyer"])
    st.caption(_params_caption(params))
    st.dataframe(_shown(table), hide_index=True, width="stretch", height=320, column_config={
        "customer_id": st.column_config.TextColumn("Buyer"),
        "purchase_days": st.column_config.NumberColumn("Days with a purchase", format="localized"),
        "recency_days": st.column_config.NumberColumn("First to last purchase (days)", format="localized"),
        "age_days": st.column_config.NumberColumn("First purchase to the data's end (days)", format="localized"),
        # one decimal, as units.percent writes a share: without the step the grid mixes "98%" with "99.57%"
        "p_alive": st.column_config.ProgressColumn("chance still a buyer", format="percent", min_value=0.0,
                                                   max_value=1.0, step=0.001),
        "expected_purchases": st.column_config.NumberColumn(f"purchases, next {days} days", format="%.2f"),
        "spend_per_purchase": st.column_config.NumberColumn("spend per repeat purchase", format=_CENTS),
        "expected_value_per_purchase": st.column_config.NumberColumn("expected value per purchase", format=_CENTS),
        "clv": st.column_config.NumberColumn(f"CLV, {months} months", format=_CENTS)})
    components.csv_download(table, "Download lifetime values (CSV)", "customer_lifetime_value.csv",
                            key="churn_dl_clv", float_format="%.6f")
    _holdout(url, version)


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table[["customer_id", "purchase_days", "recency_days", "age_days", "spend_per_purchase", "p_alive",
                  "expected_purchases", "expected_value_per_purchase", "clv"]]
