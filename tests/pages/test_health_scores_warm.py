"""A warm rerun of the Health scores page recomputes no heavy step (issue 21, point 7: every warm rerun < 1 s).

The scores, the portfolio, the alerts, the action list, the back-tests and the downloads (the CSV of every
customer's monthly scores was most of a warm rerun) are cached per store version, configuration and sidebar choice
of customers (ui/health/cached.py): two reruns of the same page call none of them again. Each heavy step is counted
where the cached functions call it; changing the alert threshold (a new cache key) shows the counting works.
"""

from collections import Counter

from core.health import backtest as hb
from core.health import monitor as hm
from tests.pages import warm
from tests.pages.conftest import open_page
from ui.health import cached

#: (module, function) of each heavy step, as ui.health.cached calls it
HEAVY = [(hm, "history"), (hm, "portfolio"), (hm, "alerts"), (hm, "action_list"), (hb, "evaluate"),
         (hb, "suggest_weights"), (cached, "to_csv_bytes"), (cached, "to_xlsx")]

#: a private copy of the session's small demo store (the page saves its default configuration into it)
store_url = warm.store_fixture("health_warm")


def test_a_warm_rerun_recomputes_no_heavy_step(store_url, monkeypatch):
    at = open_page(monkeypatch, store_url, "health_scores")
    calls = warm.counted_reruns(at, monkeypatch, HEAVY)
    assert calls == Counter()  # scores, portfolio, alerts, action list, back-tests, downloads: all from the cache
    # the counting sees a step that does run: a new alert threshold computes its alerts and action list once
    at.number_input(key="health_drop").set_value(30).run()
    assert not at.exception, at.exception
    assert calls["alerts"] == 1 and calls["action_list"] == 1 and calls["history"] == 0
