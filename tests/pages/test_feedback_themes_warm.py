"""A warm rerun of Feedback themes recomputes nothing heavy (issue 21, Deliver 7): tagging labels, churn impact,
mentions, survey scores, CSV bytes and charts come from the caches keyed by the store version and the view."""

import pytest

from tests.conftest import copy_store
from tests.pages.conftest import open_page

HEAVY = (("ui.feedback.figures", "theme_impact"), ("ui.feedback.figures", "theme_labels"),
         ("ui.feedback.figures", "survey_scores"), ("ui.feedback.figures", "over_time"),
         ("ui.feedback.figures", "to_csv_bytes"), ("ui.feedback.charts", "scores"),
         ("ui.feedback.charts", "churn_impact"))


@pytest.fixture(scope="module")
def url(small_demo_store, tmp_path_factory):
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('feedback_warm'))}"


def test_warm_rerun_recomputes_nothing_heavy(url, monkeypatch):
    import importlib

    at = open_page(monkeypatch, url, "feedback_themes")
    at.run()  # the sidebar settles its date range on the first rerun
    calls = []
    for module, name in HEAVY:
        mod = importlib.import_module(module)
        real = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda *a, _r=real, _n=name, **k: (calls.append(_n), _r(*a, **k))[1])
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Feedback themes" and len(at.metric) >= 6  # the page drew its figures
    assert calls == [], f"recomputed on a warm rerun: {sorted(set(calls))}"
