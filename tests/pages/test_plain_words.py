"""Plain words for leaders (issue 21): the Churn drivers page on the demo, the CDNOW purchase log (its 1/10 sample) and
the telco snapshot stores shows no code word (snake_case feature names, None, NaN, Infinity, midnight times, long
decimals) in its text, widgets, table headers or chart titles, on every tab (AppTest renders every tab at once), and
after a few choices of its selectboxes; the walker is tests/pages/plain_words.py, reusable over every page and store."""

import pandas as pd
import pytest
from sqlalchemy import select

import core
from core.history.feature_labels import feature_label
from core.store.tables import ChurnRun
from tests.pages import plain_words as pw
from tests.pages import store_kinds as sk
from tests.pages.conftest import open_page
from ui.churn import charts
from ui.churn.tables import CODE_NAME

#: reviewed exceptions on the Churn drivers page, each with its reason
CHURN_ALLOW = (
    pw.Allow(r".+", "analysts find each feature's name in the data there, beside its label",
             where=f"dataframe cell [{CODE_NAME}]"),
)


@pytest.fixture(scope="module")
def stores(tmp_path_factory, small_demo_store):
    return sk.Stores(lambda kind: tmp_path_factory.mktemp(f"plain_{kind}"), small_demo_store)


@pytest.fixture(scope="module")
def churn_page(stores):
    mp = pytest.MonkeyPatch()
    try:
        yield open_page(mp, stores.url("demo"), "churn_drivers")
    finally:
        mp.undo()


@pytest.fixture(scope="module", params=["cdnow_sample", "telco"])
def other_page(request, stores, shared):
    """The page on the purchase log and on the snapshot, one module-wide page each."""
    mp = pytest.MonkeyPatch()
    try:
        yield request.param, open_page(mp, stores.url(request.param), "churn_drivers", timeout=400)
    finally:
        mp.undo()


def _features(url: str) -> list[str]:
    """The features of the newest saved churn model (its card), read from the store."""
    engine = core.make_engine(url)
    with engine.connect() as conn:
        card = conn.execute(select(ChurnRun.card).order_by(ChurnRun.version.desc()).limit(1)).scalar()
    engine.dispose()
    return [f["name"] for f in card["features"]]


def _other_choices(at, key: str, names: list[str]) -> list[str]:
    """The names the selectbox ``key`` offers (its option labels read back through its format function), but the
    one selected."""
    box = at.selectbox(key=key)
    return [n for n in names if box.format_func(n) in box.options and n != box.value]


def test_the_walker_finds_each_kind_of_code_word():
    texts = [pw.Text("markdown", r"Top driver days\_to\_renewal"), pw.Text("caption", "value None"),
             pw.Text("metric value", "nan"), pw.Text("caption", "ratio Infinity"),
             pw.Text("caption", "on 2024-01-31 00:00:00"), pw.Text("caption", "0.123456 of them"),
             pw.Text("caption", "Days to renewal, 12.5% of 1,234 customers, ROC-AUC 0.712 on 2024-01-31")]
    found = pw.findings(texts)
    assert [f.split(": ")[1] for f in found] == ["snake_case word", "None", "NaN", "Infinity", "midnight time",
                                                 "more than four decimals"]
    assert pw.findings(texts[:1], (pw.Allow("days_to_renewal", "a test", where="markdown"),)) == []


def test_the_walker_reads_chart_titles_fields_and_axis_values():
    drivers = pd.DataFrame({"feature": ["days_to_renewal", "plan"], "mean_abs_shap": [0.3, 0.1],
                            "controllable": [False, True], "direction": ["mixed", "mixed"], "description": ["", ""]})
    spec = charts.importance(drivers).to_dict()
    data = {spec["data"]["name"]: pd.DataFrame(spec["datasets"][spec["data"]["name"]])}
    texts = pw.chart_texts(spec, data, 0)
    shown = {t.text for t in texts if "value" in t.where}
    assert {"Days to renewal", "Plan"} <= shown and "days_to_renewal" not in shown
    assert pw.findings(texts, CHURN_ALLOW) == []


def test_feature_labels_read_as_words():
    assert feature_label("days_to_renewal") == "Days to renewal"
    assert feature_label("tenure_months") == "Tenure (months)"
    assert feature_label("usage_level_30d") == "Usage level, last 30 days"
    assert feature_label("contract_type") == "Contract type"  # an uploaded attribute: snake_case to words
    assert feature_label("NumOfProducts") == "NumOfProducts"  # anything else as written


def test_churn_drivers_page_on_the_demo_speaks_plain_words(churn_page, stores):
    at = churn_page
    assert len(at.tabs) >= 6
    texts = pw.collect(at)
    assert {t.label for t in at.tabs} <= {t.text for t in texts}
    assert any(t.where.startswith("chart") for t in texts) and any(t.where == "dataframe header" for t in texts)
    found = pw.findings(texts, CHURN_ALLOW)
    # every feature of the dependence chart and every split of the segments table
    names = _features(stores.url("demo"))
    for key, at_least in (("churn_dependence", 11), ("churn_segment_by", 3)):  # top 12 drivers; 4 categories
        others = _other_choices(at, key, names)
        assert len(others) >= at_least, (key, others)
        for value in others:
            at.selectbox(key=key).set_value(value).run()
            assert not at.exception, at.exception
            found += [f for f in pw.findings(pw.collect(at), CHURN_ALLOW) if f not in found]
    assert found == [], "\n".join(found)


def _walk(at, key: str, names: list[str], limit: int) -> list[str]:
    """Findings after choosing up to ``limit`` other names of the selectbox ``key`` in turn."""
    found = []
    for value in _other_choices(at, key, names)[:limit]:
        at.selectbox(key=key).set_value(value).run()
        assert not at.exception, at.exception
        found += [f for f in pw.findings(pw.collect(at), CHURN_ALLOW) if f not in found]
    return found


def test_churn_drivers_page_on_the_other_stores_speaks_plain_words(other_page, stores):
    """The purchase log (its lapse period, horizon and Lifetime value tab) and the snapshot, every tab, two other
    choices of the dependence and of the segment selectboxes (where the store has categories), and on the purchase
    log a horizon shorter than its lapse period."""
    kind, at = other_page
    assert not at.exception, at.exception
    assert len(at.tabs) >= (7 if kind == "cdnow_sample" else 6), [t.label for t in at.tabs]
    texts = pw.collect(at)
    assert any(t.where.startswith("chart") for t in texts) and any(t.where == "dataframe header" for t in texts)
    found = pw.findings(texts, CHURN_ALLOW)
    names = _features(stores.url(kind))
    found += [f for f in _walk(at, "churn_dependence", names, 2) if f not in found]
    if kind == "cdnow_sample":  # a horizon shorter than the lapse period: why the headline ROC-AUC is inflated
        horizon = next(s for s in at.segmented_control if s.key.startswith("churn_horizon"))
        horizon.set_value(90).run()
        assert not at.exception, at.exception
        assert any("is inflated" in w.value for w in at.warning)
        found += [f for f in pw.findings(pw.collect(at), CHURN_ALLOW) if f not in found]
    if any(s.key == "churn_segment_by" for s in at.selectbox):
        found += [f for f in _walk(at, "churn_segment_by", names, 2) if f not in found]
    assert found == [], f"{kind}:\n" + "\n".join(found)
