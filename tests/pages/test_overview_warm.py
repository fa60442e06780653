"""A warm rerun of the Overview recomputes no heavy step (issue 21, point 7: every warm rerun < 1 s).

The Overview's figures, the MRR movements, the MRR at risk and the purchase log are cached per store version and
sidebar filters (ui/overview/cached.py): two reruns with the same filters call none of them again. A changed filter
(a new cache key) computes them once, which shows the counting works.

AppTest reruns a switched-to page without app.py, so the sidebar's date widget is not drawn and its value dropped
on the first rerun: that rerun computes the page for "no date range" once (a browser always runs app.py and keeps
the range); the reruns counted here come after it.
"""

from collections import Counter

from core.buyers import overview_views
from core.review import at_risk as core_at_risk
from tests.pages import warm
from tests.pages.conftest import open_page
from ui.overview import cached

#: (module, function) of each heavy step, as ui.overview.cached calls it
HEAVY = [(overview_views, "overview"), (cached, "configured_movements"), (core_at_risk, "at_risk"),
         (cached, "load_purchase_log"), (cached, "store_days")]

#: a private copy of the session's small demo store
store_url = warm.store_fixture("overview_warm")


def test_a_warm_rerun_recomputes_no_heavy_step(store_url, monkeypatch):
    at = open_page(monkeypatch, store_url, "overview").run()  # the AppTest rerun without the sidebar (see above)
    calls = warm.counted_reruns(at, monkeypatch, HEAVY)
    assert calls == Counter()
    customers = cached.loaders.table(store_url, cached.loaders.store_version(store_url), "customer")
    segment = sorted(set(customers["segment"]))[0]
    at.session_state["filters_segment"] = [segment]
    warm.rerun(at)
    assert calls["overview"] == 1 and calls["configured_movements"] == 1 and calls["at_risk"] == 1
