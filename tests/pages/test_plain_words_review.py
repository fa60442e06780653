"""Plain words in the Quarterly review (issue 21): the page on the demo, the CDNOW purchase log (its 1/10 sample) and
the telco snapshot stores shows no code word (snake_case, None, NaN, Infinity, midnight times, long decimals) in its
text, widgets, table headers or chart titles, on every tab (AppTest renders every tab at once), built from the data and
as a saved snapshot; and the board pack (its printed report and workbook) shows features by label. Each store holds a
saved churn model and a snapshot saved the way snapshots were saved before features had labels (its top drivers by code
name: "Top driver #1 days_to_renewal"), so every surface that reads a saved snapshot is walked."""

import html
import io
import re

import openpyxl
import pandas as pd
import pytest

import core
from core.cli.main import main as cli
from core.history.feature_labels import feature_label
from core.review import log as review_log
from core.review import saved as review_saved
from core.review import snapshot as review
from tests.pages import plain_words as pw
from tests.pages import store_kinds as sk
from tests.pages.conftest import open_page, rerun
from ui.review import cached as review_cached

PAGE = "quarterly_review"
KINDS = ("demo", "cdnow_sample", "telco")
#: reviewed exceptions on the Quarterly review page, each with its reason: none is needed (customer ids, segment
#: and theme names are data, and none of these stores has one that reads like a code word)
REVIEW_ALLOW: tuple[pw.Allow, ...] = ()


@pytest.fixture(scope="module")
def stores(tmp_path_factory, small_demo_store):
    return sk.Stores(lambda kind: tmp_path_factory.mktemp(f"plain_review_{kind}"), small_demo_store)


def _old_snapshot(url: str) -> tuple[review.Snapshot, list[str]]:
    """Save a churn model, then a snapshot of the default quarter as an earlier release saved it (top drivers by
    their code names), with a decision and an assumption; returns it and the drivers' code names."""
    assert cli(["--db", url, "churn", "--save"]) == 0
    engine = core.make_engine(url)
    _, default = review.available_quarters(engine)
    # core.review.snapshot.build through the page's cache, under the key of the page's first run (this store's
    # version, the default quarter and parameters): the page, opened next on the unchanged store, shows this build
    # rather than making it again; the cache keeps its own copy, so the code names set below stay in this one
    snap = review_cached.built(url, core.store_version(engine), default,
                               review_cached.params_key(review.ReviewParams()))
    card = pd.read_sql("SELECT card FROM churnrun ORDER BY version DESC LIMIT 1", engine)["card"].iloc[0]
    codes = __import__("json").loads(card)["top_drivers"] if isinstance(card, str) else card["top_drivers"]
    driver = snap.figures["metric"] == "Top driver"
    assert driver.sum() == len(codes) > 0
    snap.figures.loc[driver, "text"] = codes  # as saved before the labels
    sid = review_saved.save(engine, snap)
    review_log.add_decision(engine, sid, decision="Call every red account", owner="Ana (CS)", rationale="",
                            due=None, status="open")
    review_log.add_assumption(engine, sid, name="Outreach cost per call", value=40.0, unit="currency", owner="CFO",
                              source="finance")
    engine.dispose()
    return snap, codes


@pytest.fixture(scope="module", params=KINDS)
def walked(request, stores):
    """(kind, the code names of the drivers, the page, and the texts of: the page built from the data (compared
    with the saved snapshot), with another play window (the comparison names the changed parameter), then the page
    on the saved snapshot), one module-wide page per store."""
    kind = request.param
    url = stores.url(kind)
    _, codes = _old_snapshot(url)
    mp = pytest.MonkeyPatch()
    try:
        at = open_page(mp, url, PAGE, timeout=400)
        built = pw.collect(at)
        at.number_input(key="review_window").set_value(60)
        rerun(at)
        assert any("Play measurement window" in c or "play measurement window" in c
                   for d in at.dataframe if "cause" in d.value.columns for c in d.value["cause"]) or kind != "demo"
        built += pw.collect(at)
        at.radio(key="review_source").set_value("A saved snapshot")
        rerun(at)
        yield kind, codes, at, built + pw.collect(at)
    finally:
        mp.undo()


def test_the_review_page_speaks_plain_words_on_every_store(walked):
    kind, codes, at, texts = walked
    assert not at.exception, at.exception
    assert {t.label for t in at.tabs} == {"Figures", "Compare", "Decisions", "Assumptions", "Export"}
    assert any(t.where.startswith("chart") for t in texts) and any(t.where == "dataframe header" for t in texts)
    found = pw.findings(texts, REVIEW_ALLOW)
    assert found == [], f"{kind}:\n" + "\n".join(found)


def test_the_saved_top_drivers_read_by_label_on_the_page(walked):
    """The bug of issue 21: a snapshot saved with code names showed "Top driver #1 days_to_renewal"."""
    kind, codes, at, texts = walked
    table = next(d.value for d in at.dataframe if {"metric", "shown"} <= set(d.value.columns)
                 and "Top driver" in set(d.value["metric"]))
    shown = table.loc[table["metric"] == "Top driver", "shown"].tolist()
    assert shown == [feature_label(c) for c in codes], kind
    snake = [c for c in codes if "_" in c]
    assert not [t for t in texts if any(c in t.text for c in snake)], kind


def test_the_board_pack_shows_features_by_label(walked):
    kind, codes, at, _ = walked
    at.button(key="review_prepare").click()
    rerun(at)
    pack = at.session_state["review_pack"]
    report = re.sub(r"<[^>]+>", " ", html.unescape(pack["html"]))
    labels = [feature_label(c) for c in codes]
    assert f"strongest driver: {labels[0]}" in report, kind
    wb = openpyxl.load_workbook(io.BytesIO(pack["xlsx"]))
    cells = [str(v) for r in wb["Churn drivers"].iter_rows(values_only=True) for v in r if v is not None]
    assert set(labels) <= set(cells), kind
    for code in (c for c in codes if "_" in c):
        assert not re.search(rf"\b{re.escape(code)}\b", report), (kind, code)
        assert code not in cells, (kind, code)
