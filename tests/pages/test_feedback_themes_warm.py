"""A warm rerun of Feedback themes recomputes nothing heavy (issue 21, Deliver 7): tagging labels, churn impact,
mentions, survey scores, CSV bytes and charts come from the caches keyed by the store version and the view."""

from core.feedback import mention_views
from tests.pages import warm
from tests.pages.conftest import open_page
from ui.feedback import charts, figures

#: (module, function) of each heavy step, as the page's figures and charts call it
HEAVY = ((figures, "theme_impact"), (figures, "theme_labels"), (figures, "survey_scores"), (mention_views, "over_time"),
         (figures, "to_csv_bytes"), (charts, "scores"), (charts, "churn_impact"))

#: a private copy of the session's small demo store
store_url = warm.store_fixture("feedback_warm")


def test_warm_rerun_recomputes_nothing_heavy(store_url, monkeypatch):
    at = warm.settled(open_page(monkeypatch, store_url, "feedback_themes"))  # the sidebar settles its date range
    calls = warm.counted_reruns(at, monkeypatch, HEAVY, times=1)
    assert at.title[0].value == "Feedback themes" and len(at.metric) >= 6  # the page drew its figures
    assert dict(calls) == {}, f"recomputed on a warm rerun: {sorted(calls)}"
