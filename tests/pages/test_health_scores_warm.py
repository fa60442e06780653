"""A warm rerun of the Health scores page recomputes no heavy step (issue 21, point 7: every warm rerun < 1 s).

The scores, the portfolio, the alerts, the action list, the back-tests and the downloads (the CSV of every
customer's monthly scores was most of a warm rerun) are cached per store version, configuration and sidebar choice
of customers (ui/health/cached.py): two reruns of the same page call none of them again. Each heavy step is counted
where the cached functions call it; changing the alert threshold (a new cache key) shows the counting works.
"""

from collections import Counter

import pytest

from core.health import backtest as hb
from core.health import monitor as hm
from tests.conftest import copy_store
from tests.pages.conftest import open_page
from ui.health import cached

#: (module, function) of each heavy step, as ui.health.cached calls it
HEAVY = [(hm, "history"), (hm, "portfolio"), (hm, "alerts"), (hm, "action_list"), (hb, "evaluate"),
         (hb, "suggest_weights"), (cached, "to_csv_bytes"), (cached, "to_xlsx")]


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    """A private copy of the session's small demo store (the page saves its default configuration into it)."""
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('health_warm'))}"


def _count(monkeypatch) -> Counter:
    calls = Counter()
    for module, name in HEAVY:
        monkeypatch.setattr(module, name, _counted(calls, name, getattr(module, name)))
    return calls


def test_a_warm_rerun_recomputes_no_heavy_step(store, monkeypatch):
    at = open_page(monkeypatch, store, "health_scores")
    calls = _count(monkeypatch)
    at.run()
    at.run()
    assert not at.exception, at.exception
    assert calls == Counter()  # scores, portfolio, alerts, action list, back-tests, downloads: all from the cache
    # the counting sees a step that does run: a new alert threshold computes its alerts and action list once
    at.number_input(key="health_drop").set_value(30).run()
    assert not at.exception, at.exception
    assert calls["alerts"] == 1 and calls["action_list"] == 1 and calls["history"] == 0


def _counted(calls: Counter, name: str, f):
    def counted(*a, **k):
        calls[name] += 1
        return f(*a, **k)
    return counted
