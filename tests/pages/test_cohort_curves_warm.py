"""A warm rerun of Cohort curves recomputes nothing heavy (issue 21, Deliver 7): the cohort table, survival curves
and the charts come from the caches keyed by the store version and the choices."""

from core.cohorts import views
from tests.pages import warm
from tests.pages.conftest import open_page
from ui.cohorts import charts

#: (module, function) of each heavy step, as the page's views (core.cohorts.views) and charts call it
HEAVY = ((views, "cohort_table"), (views.survival, "kaplan_meier"), (charts, "cohort_heatmap"),
         (charts, "cohort_curves"), (charts, "tracked_period"), (charts, "survival_curves"))

#: a private copy of the session's small demo store
store_url = warm.store_fixture("cohorts_warm")


def test_warm_rerun_recomputes_nothing_heavy(store_url, monkeypatch):
    at = warm.settled(open_page(monkeypatch, store_url, "cohort_curves"))  # the sidebar settles its date range
    calls = warm.counted_reruns(at, monkeypatch, HEAVY, times=1)
    assert at.title[0].value == "Cohort curves" and len(at.get("vega_lite_chart")) >= 3  # figures drawn
    assert dict(calls) == {}, f"recomputed on a warm rerun: {sorted(calls)}"
