"""Every chart of the Overview has its text alternative (issue 21, Deliver 3): the MRR movements (a copy of the small
demo store) and revenue retention by cohort (the CDNOW purchase log) each carry a sentence as their accessible name,
shown as a caption too, whose figures equal pandas on the store: the last month's net change of MRR and its parts
(the loop per customer of tests/core/history/test_movements.py), and month-1 revenue retention of the first and last
cohort (tests/pages/test_overview_purchase_log.py's cells, from the file read in place)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

import core
from tests.core.history.test_movements import loop_per_customer
from tests.pages import plain_pages
from tests.pages import store_kinds as sk
from tests.pages.conftest import rerun
from tests.pages.test_overview_purchase_log import cohort_cells

stores = plain_pages.stores_fixture("overview_chart_text")


def _charts(at) -> list:
    return at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")


def _has_its_caption(at) -> list[str]:
    """Each chart's accessible name, after checking it is a sentence that also stands in a caption."""
    captions = {re.sub(r"\\(.)", r"\1", c.value) for c in at.caption}  # Markdown escapes undone
    alts = [c.proto.alt for c in _charts(at)]
    assert all(a.strip() for a in alts), alts
    assert set(alts) <= captions, (alts, captions)
    return alts


def _signed(x: float) -> str:
    return f"{'-' if round(x) < 0 else '+'}${abs(round(x)):,}"


def test_the_mrr_movements_sentence_states_the_last_month_net_change_and_its_parts(stores):
    url = stores.url("demo")
    engine = core.make_engine(url)
    revenue = core.load_table(engine, "revenue")
    engine.dispose()
    whole = loop_per_customer(revenue)
    last = whole[whole["month"] == "2025-06-01"].iloc[0]
    with plain_pages.opened(url, "overview") as at:
        rerun(at, dates=(dt.date(2024, 7, 1), dt.date(2025, 6, 30)))
        alts = _has_its_caption(at)
    assert len(alts) == 1  # the demo holds recurring revenue only: no cohort heat map
    parts = ", ".join([f"{g} {_signed(last[g])}" for g in ("new", "expansion", "reactivation")]
                      + [f"{loss} {_signed(-last[loss])}" for loss in ("contraction", "churned")])
    assert alts[0] == (f"Net change of MRR in Jun 2025: {_signed(last['mrr_end'] - last['mrr_start'])} ({parts}), "
                       f"MRR at end ${round(last['mrr_end']):,}.")


def test_the_cohort_heat_map_sentence_reads_month_one_of_the_first_and_last_cohort(stores):
    raw = pd.read_csv(sk.CDNOW, sep=r"\s+", dtype={"customer_id": str, "date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    month1 = cohort_cells(raw, "1998-06-30")[1].dropna()
    first, last = month1.index[0], month1.index[-1]
    with plain_pages.opened(stores.url("cdnow"), "overview") as at:
        alts = _has_its_caption(at)
    assert len(alts) == 1  # a purchase log: the heat map only
    assert alts[0] == (
        "Revenue retention in month 1 (the month after the first purchase): "
        f"{100 * month1[first]:.1f}% in the {pd.Timestamp(first):%b %Y} cohort, "
        f"{100 * month1[last]:.1f}% in the {pd.Timestamp(last):%b %Y} cohort.")
