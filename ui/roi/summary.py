"""The top of the Intervention ROI page: every play at a glance (:func:`core.roi.summary.summary`), each row as the
play's own detail below shows it with its default settings, before the detail of one play."""

from __future__ import annotations

import streamlit as st

from core.history.filters import Filters
from core.roi.defaults import MARGIN, VALUE_MONTHS, WINDOW_DAYS
from ui import components
from ui.frame import warehouse
from ui.roi import cached as data

#: the page's window input (read here before it is drawn below, so both use the same window)
WINDOW_KEY = "roi_window"
TEXT = st.column_config.TextColumn
COLUMNS = {
    "play": TEXT("Play"), "outcome": TEXT("Outcome", help="What the play is measured on (the detail's first outcome)."),
    "verdict": TEXT("Verdict", help="Works: the whole 95 % interval is above zero. Hurts: below zero. No clear "
                    "effect: the interval holds zero."),
    "treated": st.column_config.NumberColumn("Customers treated", format="localized",
                                             help="Measured contacts of the largest treated arm."),
    "held_out": st.column_config.NumberColumn("Customers held out", format="localized",
                                              help="Measured contacts of the held-out arm."),
    "effect": TEXT("Effect", help="Treated minus held out: per 100 customers contacted for a yes/no outcome, in "
                   "money per customer contacted for an amount."),
    "interval": TEXT("95 % interval", help="The effect lies in this range with 95 % confidence."),
    "revenue_saved": TEXT("Revenue saved (window)", help="As the Money tab: the revenue difference x customers "
                          f"treated x {MARGIN:.0%} margin."),
    "cost": TEXT("Cost"), "net_value": TEXT("Net value (window)", help="Revenue saved (window) - cost."),
    "roi": TEXT("ROI (window)", help="Net value (window) / cost."),
    "roi_projected": TEXT(f"ROI ({VALUE_MONTHS} months kept)", help="Valuing each customer saved at "
                          f"{VALUE_MONTHS} months of their MRR before contact x {MARGIN:.0%} margin."),
    "note": TEXT("Note", width="large"),
}


def window() -> int:
    """The window the page measures over: the detail's input when set, else the default."""
    return int(st.session_state.get(WINDOW_KEY, WINDOW_DAYS))


def all_plays(url: str, version: str, f: Filters) -> None:
    """One row per play and one sentence per play, within the sidebar filters, over the page's window
    (:func:`core.roi.summary.summary`, cached per store version, window and filters)."""
    days = window()
    t = data.summary(url, version, days, f)
    st.subheader("All plays")
    sentences = [s for s in t["sentence"] if s != "–"]
    if sentences:
        st.markdown("\n".join(f"- {components.plain(s)}" for s in sentences))
    st.dataframe(t, hide_index=True, width="stretch", column_config=COLUMNS, column_order=list(COLUMNS))
    st.caption(f"Each play as its detail below shows it at first: its first outcome over {days} days after contact, "
               f"the largest treated arm against the held-out arm, money at {MARGIN:.0%} margin; "
               + ("every contact of the warehouse." if warehouse.named(version) else
                  "contacts within the sidebar filters."))
    components.csv_download(t.drop(columns=["binary", "sentence"]), "Download the plays (CSV)", "plays.csv",
                            "roi_dl_plays")
