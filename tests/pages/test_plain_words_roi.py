"""Plain words on the Intervention ROI page (issue 21): on the demo (with a saved churn model, so the split by churn
risk and the next wave's scores show) every tab (AppTest renders every tab at once), every play of the play selector,
every outcome of each play and every split of "Where it works" shows no code word (snake_case, None, NaN, Infinity,
midnight times, long decimals) in its text, widgets, table headers or chart titles; the CDNOW purchase log (its 1/10
sample) and the telco snapshot hold no plays, and their empty state is walked too. The walker is
tests/pages/plain_words.py."""

import pytest

from core.cli.main import main as cli
from tests.pages import plain_words as pw
from tests.pages import store_kinds as sk
from tests.pages.conftest import open_page, rerun

PAGE = "intervention_roi"
#: reviewed exceptions on the Intervention ROI page, each with its reason
ROI_ALLOW = (
    pw.Allow(r".+", "a customer id of the next wave's list is data, never a code word",
             where="dataframe cell [Customer]"),
)


@pytest.fixture(scope="module")
def stores(tmp_path_factory, small_demo_store):
    return sk.Stores(lambda kind: tmp_path_factory.mktemp(f"plain_roi_{kind}"), small_demo_store)


@pytest.fixture(scope="module")
def demo_page(stores):
    url = stores.url("demo")
    assert cli(["--db", url, "churn", "--save"]) == 0
    mp = pytest.MonkeyPatch()
    try:
        yield open_page(mp, url, PAGE, timeout=400)
    finally:
        mp.undo()


def _found(at, found: list[str]) -> list[str]:
    assert not at.exception, at.exception
    return found + [f for f in pw.findings(pw.collect(at), ROI_ALLOW) if f not in found]


def test_intervention_roi_on_the_demo_speaks_plain_words(demo_page):
    at = rerun(demo_page)
    texts = pw.collect(at)
    assert {t.label for t in at.tabs} <= {t.text for t in texts} and len(at.tabs) == 7
    assert any(t.where.startswith("chart") for t in texts) and any(t.where == "dataframe header" for t in texts)
    found = _found(at, [])
    plays = at.selectbox(key="roi_play").options
    assert len(plays) >= 3, plays
    for play in plays:
        at.selectbox(key="roi_play").set_value(play)
        at = rerun(at)
        found = _found(at, found)
        labels = at.selectbox(key=f"roi_out_{play}").options
        for label in labels[1:] + labels[:1]:  # every other outcome, then back to the first
            at.selectbox(key=f"roi_out_{play}").set_value(_value(at.selectbox(key=f"roi_out_{play}"), label))
            at = rerun(at)
            found = _found(at, found)
    by = at.selectbox(key="roi_where_by")
    assert "Churn risk at contact" in by.options, by.options
    for label in by.options:
        at.selectbox(key="roi_where_by").set_value(_value(at.selectbox(key="roi_where_by"), label))
        at = rerun(at)
        found = _found(at, found)
    assert found == [], "\n".join(found)


def _value(box, label: str):
    """The value of the selectbox ``box`` whose label reads ``label`` (through its format function)."""
    return next(v for v in _candidates(box) if box.format_func(v) == label)


def _candidates(box):
    """Values a selectbox may hold: its labels as written, and the outcome and split codes of the page."""
    from core.roi.defaults import LABELS

    codes = list(LABELS) + ["segment", "plan", "region", "risk_tier"]
    return list(box.options) + [c for c in codes if c not in box.options]


@pytest.mark.parametrize("kind", ["cdnow_sample", "telco"])
def test_stores_without_plays_show_a_plain_empty_state(stores, kind):
    mp = pytest.MonkeyPatch()
    try:
        at = open_page(mp, stores.url(kind), PAGE, timeout=400)
    finally:
        mp.undo()
    assert [i.value for i in at.info] and at.info[0].icon == ":material/inbox:"
    assert "import interventions" in at.info[0].value and not at.tabs
    assert pw.findings(pw.collect(at), ROI_ALLOW) == []
