"""A warm rerun of Cohort curves recomputes nothing heavy (issue 21, Deliver 7): the cohort table, survival curves
and the charts come from the caches keyed by the store version and the choices."""

import pytest

from tests.conftest import copy_store
from tests.pages.conftest import open_page

HEAVY = (("ui.cohorts.cached.cohorts", "cohort_table"), ("ui.cohorts.cached.survival", "kaplan_meier"),
         ("ui.cohorts.charts", "cohort_heatmap"), ("ui.cohorts.charts", "cohort_curves"),
         ("ui.cohorts.charts", "tracked_period"), ("ui.cohorts.charts", "survival_curves"))


@pytest.fixture(scope="module")
def url(small_demo_store, tmp_path_factory):
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('cohorts_warm'))}"


def test_warm_rerun_recomputes_nothing_heavy(url, monkeypatch):
    import importlib

    at = open_page(monkeypatch, url, "cohort_curves")
    at.run()  # the sidebar settles its date range on the first rerun
    calls = []
    for path, name in HEAVY:
        module, _, attr = path.rpartition(".") if path.count(".") > 2 else (path, "", "")
        mod = importlib.import_module(module)
        mod = getattr(mod, attr) if attr else mod
        real = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda *a, _r=real, _n=name, **k: (calls.append(_n), _r(*a, **k))[1])
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Cohort curves" and len(at.get("vega_lite_chart")) >= 3  # figures drawn
    assert calls == [], f"recomputed on a warm rerun: {sorted(set(calls))}"
