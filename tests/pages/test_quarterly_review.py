"""AppTest of the Quarterly review page (pages/quarterly_review.py) on the demo: the default quarter's figures on
screen equal an independent computation on the same store (sqlite + pandas) and core's snapshot; saving freezes
them (the saved snapshot shows the same figures); the decision log and the assumptions register record what the
board adds, keep every revision and refuse bad input with a message; a second snapshot with another play window is
compared with the saved one and the moves name that cause; the board pack's workbook holds the page's figures; the
empty store says what to do.

AppTest reruns only the page under st.navigation, so the sidebar's keys are set before every rerun (``rerun`` in
tests/pages/conftest.py).
"""

import datetime as dt
import io
import sqlite3

import pandas as pd
import pytest
from openpyxl import load_workbook

import core
from core.review import log as review_log
from core.review import saved as review_saved
from core.review import snapshot as review
from tests.pages.conftest import open_page, private_copy, rerun
from ui.review import cached as review_cached
from ui.review.sections import EMPTY

PAGE = "quarterly_review"
EMPTY_START = {p: text[:30] for p, text in EMPTY.items()}


@pytest.fixture(scope="module")
def url(small_demo_store, tmp_path_factory):
    """A private copy of the session's small demo store (1,000 customers, seed 0: every page of the review has
    figures, and the default quarter is 2026-Q3 as on the full demo): this module saves snapshots and decisions
    into it."""
    return private_copy(f"sqlite:///{small_demo_store}", tmp_path_factory.mktemp("review"))


def _tables(at) -> dict[str, pd.DataFrame]:
    """The page's figure tables, by the page each one follows (its heading)."""
    heads = [m.value.removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]
    empty = {c.value for c in at.caption}
    shown = [p for p in heads if p in review.PAGES and not any(c.startswith(EMPTY_START[p]) for c in empty)]
    frames = [d.value for d in at.dataframe if {"metric", "shown", "definition"} <= set(d.value.columns)]
    assert len(frames) == len(shown), (shown, len(frames))
    return dict(zip(shown, frames, strict=True))


def _frame(at, column) -> pd.DataFrame:
    """The table with ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _written(value, unit: str) -> str:
    """A raw figure as every surface writes it (issue 18), spelt out here from the rules rather than from
    core.export.units: a share '25.0%', points '+5.0 pts', NPS '+12.3', money '$1,235' / '-$1,235' (cents under
    100), a score '0.712', a ratio '2.50x', ROI '+355%', a count '1,234' ('5.4' for a fraction under 100)."""
    if value is None or value != value:
        return "–"
    v = float(value)
    if unit == "currency":
        cents = 2 if not v.is_integer() and abs(v) < 100 else 0
        return f"{'-' if v < 0 and round(v, cents) != 0 else ''}${abs(v):,.{cents}f}"
    if unit in ("customers", "contacts", "verbatims", "count", "rank"):
        return f"{v:z,.0f}" if v.is_integer() or abs(v) >= 100 else f"{v:z,.1f}"
    return {"share": f"{100 * v:z.1f}%", "points": f"{100 * v:+z.1f} pts", "nps": f"{v:+z.1f}", "score": f"{v:z.3f}",
            "ratio": f"{v:z.2f}x", "roi": f"{100 * v:+z.0f}%"}[unit]  # z: a figure rounding to zero has no minus


def test_the_empty_store_says_what_to_do(store_url, monkeypatch):
    at = open_page(monkeypatch, store_url, PAGE)
    assert at.title[0].value == "Quarterly review"
    assert any("nothing to review yet" in i.value and "Data page" in i.value for i in at.info)


def test_the_default_quarter_shows_every_page_figures_checked_independently(url, monkeypatch):
    at = open_page(monkeypatch, url, PAGE)
    assert at.selectbox(key="review_quarter").value == "2026-Q3"
    # core's 2026-Q3 snapshot with the default parameters on the store as it is, through the page's cache (keyed by
    # the store, its version, the quarter and the parameters): the build the page made, not made a second time
    snap = review_cached.built(url, core.store_version(core.make_engine(url)), "2026-Q3",
                               review_cached.params_key(review.ReviewParams()))
    # the headline: active customers on 2026-09-30, straight from sqlite
    with sqlite3.connect(url.split("///", 1)[1]) as con:
        active = con.execute("SELECT COUNT(*) FROM customer WHERE signup_date <= '2026-09-30' AND "
                             "(churn_date IS NULL OR churn_date > '2026-09-30')").fetchone()[0]
        csat = pd.read_sql("SELECT score FROM feedback WHERE lower(channel) = 'csat' AND score IS NOT NULL AND "
                           "date >= '2026-07-01' AND date <= '2026-09-30 23:59:59'", con)["score"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Active customers"] == f"{active:,}"
    tables = _tables(at)
    # every page with figures has its table; Churn drivers has figures only once a churn model is saved (the
    # session's demo store may have one from the Churn drivers page tests), else it says what to do
    with_figures = [p for p in review.PAGES if p in set(snap.figures["page"])]
    assert list(tables) == with_figures and {"Overview", "Health scores", "Feedback themes",
                                             "Intervention ROI"} <= set(with_figures)
    if "Churn drivers" not in with_figures:
        assert any("No churn model was saved" in c.value for c in at.caption)
    for page, shown in tables.items():
        want = review.page_table(snap, page)
        assert shown["metric"].tolist() == want["metric"].tolist(), page
        assert shown["shown"].tolist() == want["shown"].tolist(), page
        assert all(isinstance(d, str) and len(d) > 30 for d in shown["definition"]), page
    # CSAT of the quarter: share of 4-5 answers, independent of core
    fb = tables["Feedback themes"].set_index("metric")
    assert fb.at["CSAT", "shown"].startswith(f"{100 * (csat >= 4).mean():.1f}%")
    # the band shares add up to the customers scored
    h = snap.figures[snap.figures["metric"] == "Health band"]
    assert h["value"].sum() == pytest.approx(1.0)
    # a build is not saved until asked
    assert review_saved.snapshots(core.make_engine(url)).empty
    assert any("not saved" in c.value for c in at.caption)


def test_save_freezes_the_figures_then_decisions_and_assumptions_are_recorded(url, monkeypatch):
    eng = core.make_engine(url)
    at = open_page(monkeypatch, url, PAGE)
    built = _tables(at)
    _button(at, "Save this snapshot").click()
    rerun(at)
    saved = review_saved.snapshots(eng)
    assert len(saved) == 1
    sid = int(saved["id"].iloc[0])
    assert at.radio(key="review_source").value == "A saved snapshot"
    assert at.selectbox(key="review_saved_id").value == sid
    assert any(f"Saved as snapshot {sid}" in s.value for s in at.success)
    after = _tables(at)
    for page in built:
        pd.testing.assert_frame_equal(after[page], built[page])

    # a decision with an empty owner is refused with a message, and nothing is stored
    at.text_area(key="review_d_text").input("Extend the renewal save offer to SMB")
    at.text_input(key="review_d_owner").input("  ")
    _button(at, "Record").click()
    rerun(at)
    assert any("owner is empty" in e.value for e in at.error)
    assert review_log.decisions(eng, sid).empty
    at.text_area(key="review_d_text").input("Extend the renewal save offer to SMB")
    at.text_input(key="review_d_owner").input("Ana (CS)")
    at.text_area(key="review_d_why").input("The save offer kept 12 more in 100 contacted customers")
    at.date_input(key="review_d_due").set_value(dt.date(2026, 12, 31))
    _button(at, "Record").click()
    rerun(at)
    log = review_log.decisions(eng, sid)
    assert log[["number", "decision", "owner", "status", "revision"]].values.tolist() == [
        [1, "Extend the renewal save offer to SMB", "Ana (CS)", "open", 1]]
    assert log["due"].iloc[0] == dt.date(2026, 12, 31)
    shown = _frame(at, "decision")
    assert shown["decision"].tolist() == ["Extend the renewal save offer to SMB"]

    # an update is a new revision; the history keeps both
    at.selectbox(key="review_u_status").select("in progress")
    _button(at, "Update").click()
    rerun(at)
    hist = review_log.decisions(eng, sid, history=True)
    assert hist[["revision", "status"]].values.tolist() == [[1, "open"], [2, "in progress"]]
    at.toggle(key="review_history").set_value(True)
    rerun(at)
    shown = _frame(at, "decision")
    assert shown["status"].tolist() == ["open", "in progress"]

    # the assumptions register: the snapshot's own, then the board's
    at.text_input(key="review_a_name").input("Outreach cost per call")
    at.number_input(key="review_a_value").set_value(42.5)
    at.text_input(key="review_a_owner").input("CFO")
    _button(at, "Add").click()
    rerun(at)
    reg = _frame(at, "used_in_figures")
    snap = review_saved.load(eng, sid)
    want = review_log.assumptions(eng, snap)
    assert reg["name"].tolist() == want["name"].tolist()
    # money with its symbol; an amount under 100 keeps its cents
    assert reg["name"].iloc[-1] == "Outreach cost per call" and reg["value"].iloc[-1] == "$42.50"
    assert reg["used_in_figures"].tolist() == want["used_in_figures"].tolist()
    assert reg.set_index("name").at["Gross margin", "value"] == "80.0%"


def test_a_changed_window_is_compared_with_the_saved_snapshot_and_the_pack_holds_the_page_figures(url, monkeypatch):
    eng = core.make_engine(url)
    if review_saved.snapshots(eng).empty:  # when run alone
        review_saved.save(eng, review.build(eng, "2026-Q3"))
    at = open_page(monkeypatch, url, PAGE)
    at.number_input(key="review_window").set_value(60)
    rerun(at)
    comp = _frame(at, "cause")
    roi_rows = comp["page"] == "Intervention ROI"
    assert (comp.loc[roi_rows, "cause"] == "play measurement window 90 -> 60 days").all()
    assert (comp.loc[~roi_rows, "cause"] == "").all()
    assert (comp.loc[~roi_rows & (comp["metric"] != "Top driver"), "change"].str.fullmatch(
        r"\+\$?0(\.0+)?( pts|x)?")).all()  # '+0', '+0.0 pts', '+$0', '+0.000', '+0.00x'
    effect = comp[roi_rows & (comp["metric"] == "Play effect")]
    assert (effect["before"] != effect["after"]).any()
    assert any("figures moved" in m.value for m in at.markdown)

    # the board pack: every page sheet of the workbook holds the figures the page shows
    _button(at, "Prepare the board pack").click()
    rerun(at)
    pack = at.session_state["review_pack"]
    assert pack["html"].lstrip().lower().startswith("<!doctype html")
    wb = load_workbook(io.BytesIO(pack["xlsx"]))
    tables = _tables(at)
    for page, shown in tables.items():
        ws = wb[page]
        rows = list(ws.iter_rows(values_only=True))
        head = [str(h).lower() for h in rows[0]]
        body = [dict(zip(head, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]
        assert [r["metric"] for r in body] == shown["metric"].tolist(), page
        for r, text in zip(body, shown["shown"], strict=True):  # each value written by the rules of its unit
            if r["metric"] == "Top driver":
                continue
            assert text.startswith(_written(r["value"], r["unit"])), (page, r["metric"], r["unit"], r["value"], text)
    assert "Comparison" in wb.sheetnames and "Definitions" in wb.sheetnames
    labels = [b.label for b in at.get("download_button")]
    assert "Download the workbook (XLSX)" in labels and "Download the printable report (HTML)" in labels
