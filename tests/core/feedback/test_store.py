"""The codebook in the store (core.feedback.store): seeding, saved changes and their log, stale saves, follow-up
statuses, and an older store without the verbatim columns."""

import sqlite3

import pandas as pd
import pytest
from sqlalchemy import delete, inspect, text

import core
from core.demo.load import _for_store, load_frames
from core.errors import DataValidationError
from core.feedback import store as theme_store
from core.feedback.inputs import follow_up_status, inputs_from_frames, load_inputs
from core.feedback.prepared import prepare
from core.feedback.starter import starter_codebook
from core.feedback.tagging import tag
from core.store.tables import ThemeChange, ThemeRecord


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, demo):
    """The session demo (5,000 customers, seed 0) loaded once into a file store.

    Loaded the way :func:`core.demo.load.load_demo` loads it (``load_frames`` of ``_for_store`` frames) but without
    the 5 M activity rows, which no theme function reads: about 1 s instead of 15 s.
    """
    eng = core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('s') / 's.db'}")
    frames = {name: _for_store(df) for name, df in demo.frames().items() if name != "activity"}
    load_frames(eng, frames, file_name="demo (seed 0, 5000 customers, no activity)", kind="demo", sha="theme-tests",
                mapping={"generator": "core.demo.synthetic.make_demo", "seed": 0, "n_customers": 5000})
    yield eng
    eng.dispose()


@pytest.fixture
def store(demo_store):
    """The demo store with no codebook yet (each test starts from an empty theme table and log)."""
    with demo_store.begin() as conn:
        conn.execute(delete(ThemeRecord.__table__))
        conn.execute(delete(ThemeChange.__table__))
    return demo_store


def _stored_theme_ids(engine) -> list[int]:
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(text("SELECT id FROM theme")))


def test_load_codebook_seeds_the_starter_codebook_once(store):
    book = theme_store.load_codebook(store)
    assert book == starter_codebook()
    log = theme_store.change_log(store)
    assert log["action"].tolist() == ["create"]
    assert log["theme_ids"].iloc[0] == ", ".join(str(i) for i in range(1, 12))
    again = theme_store.load_codebook(store)
    assert again == book
    assert len(theme_store.change_log(store)) == 1
    assert _stored_theme_ids(store) == list(range(1, 12))


def test_saved_changes_persist_and_are_logged_newest_first(store):
    b0 = theme_store.load_codebook(store)
    ids = {t.name: t.id for t in b0.active()}
    steps = []

    b1, ch = b0.rename(ids["Pricing & value"], "Price & packaging", author="ana", reason="clearer")
    steps.append(("rename", str(ids["Pricing & value"])))
    assert theme_store.save_change(store, b0, b1, ch) == b1
    assert theme_store.load_codebook(store) == b1

    b2, ch = b1.merge([ids["Documentation"]], ids["Usability"], author="ana")
    steps.append(("merge", f"{ids['Usability']}, {ids['Documentation']}"))
    theme_store.save_change(store, b1, b2, ch)
    assert theme_store.load_codebook(store) == b2
    assert b2.get(ids["Documentation"]).status == "merged"
    assert b2.get(ids["Documentation"]).merged_into == ids["Usability"]

    b3, ch = b2.split(ids["Onboarding & setup"], "Training", ["training"], as_child=True, author="bo")
    steps.append(("split", f"{ids['Onboarding & setup']}, 12"))
    theme_store.save_change(store, b2, b3, ch)
    assert theme_store.load_codebook(store) == b3
    assert b3.get(12).parent == ids["Onboarding & setup"]
    assert "training" not in b3.get(ids["Onboarding & setup"]).keywords

    b4, ch = b3.create("Performance", ["slow", "lag*"], team="Engineering", author="bo")
    steps.append(("create", "13"))
    theme_store.save_change(store, b3, b4, ch)

    b5, ch = b4.edit(13, keywords=["slow", "lag*", "loading"], team="Platform", author="bo")
    steps.append(("edit", "13"))
    theme_store.save_change(store, b4, b5, ch)

    b6, ch = b5.retire(13, author="bo")
    steps.append(("retire", "13"))
    theme_store.save_change(store, b5, b6, ch)
    b7, ch = b6.create("Performance", ["slow"], author="bo")  # the retired id stays taken
    steps.append(("create", "14"))
    theme_store.save_change(store, b6, b7, ch)

    reloaded = theme_store.load_codebook(store)
    assert reloaded == b7
    assert reloaded.get(13).status == "retired" and reloaded.get(13).keywords == ("slow", "lag*", "loading")
    assert reloaded.get(13).team == "Platform"
    assert reloaded.get(14).name == "Performance" and reloaded.get(14).status == "active"
    assert _stored_theme_ids(store) == list(range(1, 15))  # every id kept, none reused

    log = theme_store.change_log(store)
    expected = [("create", ", ".join(str(i) for i in range(1, 12)))] + steps
    assert list(zip(log["action"], log["theme_ids"])) == expected[::-1]
    assert log["author"].iloc[0] == "bo" and log["author"].iloc[-2] == "ana"
    assert log["reason"].iloc[-2] == "clearer"
    assert pd.to_datetime(log["at"]).is_monotonic_decreasing


def _counts(engine, book):
    prepared = prepare(load_inputs(engine))
    tags = tag(prepared["text"], book)
    n = tags["theme_id"].value_counts()
    return {(t.id, book.label(t.id)): int(n.get(t.id, 0)) for t in book.active()}, prepared, tags


def test_rename_and_merge_leave_every_other_theme_unchanged(store):
    """ACCEPTANCE: after a rename and a merge saved in the store, every other theme keeps its id and count."""
    b0 = theme_store.load_codebook(store)
    before, prepared, tags0 = _counts(store, b0)
    ids = {t.name: t.id for t in b0.active()}
    assert sum(before.values()) > 30_000

    pricing = ids["Pricing & value"]
    b1, ch = b0.rename(pricing, "Price & packaging", author="ana")
    theme_store.save_change(store, b0, b1, ch)
    after_rename, _, _ = _counts(store, theme_store.load_codebook(store))
    others = {k: v for k, v in before.items() if k[0] != pricing}
    assert {k: v for k, v in after_rename.items() if k[0] != pricing} == others
    assert after_rename[(pricing, "Price & packaging")] == before[(pricing, "Pricing & value")]

    b1 = theme_store.load_codebook(store)
    usab, docs = ids["Usability"], ids["Documentation"]
    b2, ch = b1.merge([docs], usab, author="ana")
    theme_store.save_change(store, b1, b2, ch)
    after_merge, _, _ = _counts(store, theme_store.load_codebook(store))
    untouched = {k: v for k, v in after_rename.items() if k[0] not in (usab, docs)}
    assert {k: v for k, v in after_merge.items() if k[0] not in (usab, docs)} == untouched
    assert all(k[0] != docs for k in after_merge)  # the merged theme no longer tags
    union = set(tags0.loc[tags0["theme_id"].isin([usab, docs]), "row"])
    assert after_merge[(usab, "Usability")] == len(union) > before[(usab, "Usability")]


def test_a_stale_codebook_or_an_empty_author_is_refused(store):
    b0 = theme_store.load_codebook(store)
    b1, ch = b0.rename(1, "Getting started", author="ana")
    theme_store.save_change(store, b0, b1, ch)
    b_other, ch_other = b0.rename(2, "Price", author="bo")  # read before ana's change
    with pytest.raises(DataValidationError, match="changed since"):
        theme_store.save_change(store, b0, b_other, ch_other)
    assert theme_store.load_codebook(store) == b1
    for author in ("", "   ", None):
        b2, ch = b1.rename(2, "Price", author=author)
        with pytest.raises(DataValidationError, match="author"):
            theme_store.save_change(store, b1, b2, ch)
    assert len(theme_store.change_log(store)) == 2
    assert theme_store.load_codebook(store).get(2).name == "Pricing & value"


def test_set_status_and_statuses(store):
    st0 = theme_store.statuses(store)
    assert "F5" in st0.index and set(st0) <= {"open", "in progress", "closed"}
    assert theme_store.set_status(store, ["F5"], "open") == 1
    assert theme_store.statuses(store)["F5"] == "open"
    assert theme_store.set_status(store, ["F5"], "closed") == 1
    st = theme_store.statuses(store)
    assert st["F5"] == "closed"
    assert st.drop("F5").equals(st0.drop("F5"))  # nothing else changed
    with pytest.raises(DataValidationError, match="ticket"):
        theme_store.set_status(store, ["F6", "T3"], "closed")
    with pytest.raises(DataValidationError):
        theme_store.set_status(store, ["F5"], "done")
    with pytest.raises(DataValidationError):
        theme_store.set_status(store, ["5"], "open")
    assert theme_store.statuses(store)["F5"] == "closed"
    v = load_inputs(store).verbatims.set_index("vid")
    assert v.loc["F5", "status"] == "closed"


def test_store_statuses_match_the_demo_frame(store, demo):
    """statuses() reads each text verbatim's follow-up state by its store id (F<row + 1>)."""
    st = theme_store.statuses(store)
    fb = demo.feedback
    with_text = fb.index[fb["text"].notna()]
    expected = follow_up_status(fb.loc[with_text, "status"])
    expected.index = "F" + (with_text + 1).astype(str)
    st = st.drop("F5", errors="ignore")  # changed by the status test
    assert st.equals(expected.drop("F5"))


def test_store_and_frames_give_the_same_verbatim_ids(store, demo):
    """load_inputs (store ids) and inputs_from_frames (frame order) name each verbatim alike."""
    from_store = load_inputs(store).verbatims.set_index("vid")["text"]
    from_frames = inputs_from_frames(demo.customers, demo.feedback, demo.tickets,
                                            demo.revenue).verbatims.set_index("vid")["text"]
    assert len(from_store) == len(from_frames) > 30_000
    joined = pd.concat([from_store.rename("store"), from_frames.rename("frames")], axis=1)
    bad = joined[joined["store"] != joined["frames"]]
    assert bad.empty, f"{len(bad)} vids name different texts, e.g. {bad.head(3).to_dict('index')}"


def test_codebook_table_lists_active_then_merged_and_retired():
    book = starter_codebook()
    book, _ = book.merge([8], 7)
    book, _ = book.retire(2)
    tab = theme_store.codebook_table(book)
    assert len(tab) == 11
    active = [t.id for t in book.active()]
    assert tab["id"].tolist() == active + [2, 8]
    assert tab["status"].tolist() == ["active"] * len(active) + ["retired", "merged"]
    assert tab.set_index("id").loc[8, "merged_into"] == 7
    assert pd.isna(tab.set_index("id").loc[2, "merged_into"])
    assert tab.set_index("id").loc[9, "parent"] == 3
    assert "documentation" in tab.set_index("id").loc[7, "merged_rules"]  # Usability took Documentation's rule
    assert "documentation" not in tab.set_index("id").loc[7, "keywords"]


def test_an_older_store_gains_the_verbatim_columns(db_url):
    eng = core.make_engine(db_url)
    eng.dispose()
    path = db_url.split("///", 1)[1]
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE ticket DROP COLUMN text")
    con.execute("ALTER TABLE feedback DROP COLUMN status")
    con.execute("INSERT INTO customer (customer_id, segment, churn_date) VALUES ('A', 'SMB', NULL)")
    con.execute("INSERT INTO feedback (customer_id, date, channel, score, text) "
                "VALUES ('A', '2025-03-01', 'nps', 4, 'Too expensive for us.')")
    con.execute("INSERT INTO ticket (customer_id, opened, status) VALUES ('A', '2025-03-02 10:00:00', 'open')")
    con.commit()
    cols = {t: {r[1] for r in con.execute(f"PRAGMA table_info({t})")} for t in ("ticket", "feedback")}
    con.close()
    assert "text" not in cols["ticket"] and "status" not in cols["feedback"]

    eng = core.make_engine(db_url)  # the new version starts: the columns come back, the rows stay
    insp = inspect(eng)
    assert "text" in {c["name"] for c in insp.get_columns("ticket")}
    assert "status" in {c["name"] for c in insp.get_columns("feedback")}
    inp = load_inputs(eng)
    v = inp.verbatims
    assert v["vid"].tolist() == ["F1"] and v["text"].tolist() == ["Too expensive for us."]
    assert v["status"].tolist() == ["open"]
    assert inp.surveys["score"].tolist() == [4.0]
    assert theme_store.statuses(eng).to_dict() == {"F1": "open"}
    eng.dispose()
