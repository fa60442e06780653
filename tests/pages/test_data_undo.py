"""AppTest of undo on the Data page (ui/data/history.py): "import A, undo A, import B" in one app session shows
B's figures on the Data page and the Overview, never A's; undo asks first and says what it will remove; the
history keeps the undone import with when and why. A store fault during the undo (busy, disk full, read-only,
damaged) is one plain message, removes nothing, and the page keeps working: the undo can be tried again.

The figures are computed here from the generated files with pandas, not by the app's code.
"""

import io
import re
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import core
from core.errors import StoreError
from core.export import units
from tests.fixtures import store_faults as sf
from tests.pages.conftest import data_page, rerun

ROOT = Path(__file__).resolve().parents[2]


def _customers(n: int, prefix: str, seed: int, last_churn: str) -> bytes:
    """``n`` customers who all signed up in 2022 or the first half of 2023; about a quarter churned in 2024,
    the last one on ``last_churn`` (so the as-of month is that month)."""
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 540, n), "D")
    churn = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), "D"))
    churn = churn.where(rng.random(n) < 0.25)
    churn.iloc[0] = pd.Timestamp(last_churn)
    frame = pd.DataFrame({"customer_id": [f"{prefix}{i:04d}" for i in range(n)],
                          "segment": rng.choice(["SMB", "Enterprise"], n),
                          "signup_date": signup.strftime("%Y-%m-%d"),
                          "churn_date": churn.dt.strftime("%Y-%m-%d")})
    return frame.to_csv(index=False).encode()


A = _customers(303, "A", seed=1, last_churn="2024-09-14")
B = _customers(350, "B", seed=2, last_churn="2024-11-20")


def _expected(data: bytes) -> dict[str, str]:
    """The Overview's customer figures for a customers-only file, computed from the file."""
    df = pd.read_csv(io.BytesIO(data), parse_dates=["signup_date", "churn_date"])
    as_of = max(df["signup_date"].max(), df["churn_date"].max()) + pd.offsets.MonthEnd(0)
    start = as_of - pd.DateOffset(months=12)  # every customer signed up before and churned after it
    assert (df["signup_date"] <= start).all() and (df["churn_date"].dropna() > start).all()
    churned = df["churn_date"].notna() & (df["churn_date"] <= as_of)
    return {"Customers": units.count(len(df)), "Active customers": units.count(int((~churned).sum())),
            "Logo churn rate": units.percent(churned.mean()), "as_of": f"{as_of:%d %b %Y}"}


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _import(at, name: str, data: bytes):
    at.file_uploader[0].upload(name, data, "text/csv").run()
    assert not at.exception, at.exception
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    return at


def _overview(at) -> dict[str, str]:
    at.switch_page("pages/overview.py")
    rerun(at)
    return _metrics(at) | {"caption": " ".join(c.value for c in at.caption), "info": " ".join(i.value for i in at.info)}


def _data(at):
    at.switch_page("pages/data.py")
    return rerun(at)


def _history(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "undo_reason" in d.value.columns)


def test_import_a_undo_a_import_b_shows_b_everywhere(store_url):
    eng = core.make_engine(store_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    _data(at)
    _import(at, "a.csv", A)
    assert _metrics(at)["Customers"] == "303"
    a_figures = _expected(A)
    shown = _overview(at)  # the Overview caches A's figures
    assert {k: shown[k] for k in ("Customers", "Active customers", "Logo churn rate")} == \
        {k: a_figures[k] for k in ("Customers", "Active customers", "Logo churn rate")}

    _data(at)
    at.button(key="data_undo").click().run()  # the first click only asks
    assert not at.exception, at.exception
    assert core.table_counts(eng)["customer"] == 303 and _metrics(at)["Customers"] == "303"
    ask = [w.value for w in at.warning if "This removes" in w.value]
    assert len(ask) == 1 and "303 customers from the store" in ask[0] and "a.csv" in ask[0]
    at.text_input(key="data_undo_reason").input("wrong export").run()
    at.button(key="data_undo_confirm").click().run()
    assert not at.exception, at.exception
    assert core.table_counts(eng)["customer"] == 0
    assert _metrics(at)["Customers"] == "0"  # not A's 303 from a cache
    empty = _overview(at)
    assert "There are no customers yet" in empty["info"] and "Customers" not in empty  # not A's figures

    _data(at)
    _import(at, "b.csv", B)
    assert core.table_counts(eng)["customer"] == 350 and _metrics(at)["Customers"] == "350"
    expected = _expected(B)
    shown = _overview(at)
    assert {k: shown[k] for k in ("Customers", "Active customers", "Logo churn rate")} == \
        {k: expected[k] for k in ("Customers", "Active customers", "Logo churn rate")}
    assert expected["as_of"] in shown["caption"]

    _data(at)
    history = _history(at).set_index("id")
    assert history["status"].to_dict() == {2: "loaded", 1: "undone"}  # B has its own id; A stays, undone
    assert history.loc[1, "undo_reason"] == "wrong export" and pd.notna(history.loc[1, "undone_at"])
    assert history.loc[2, "file_name"] == "b.csv" and history.loc[1, "file_name"] == "a.csv"
    options = at.selectbox(key="data_undo_id").options
    assert len(options) == 1 and options[0].startswith("#2 b.csv (customers, ")  # only B can be undone
    eng.dispose()


def test_cancel_and_a_changed_choice_remove_nothing(store_url):
    eng = core.make_engine(store_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    _data(at)
    _import(at, "a.csv", A)
    _import(at, "b.csv", B)
    at.selectbox(key="data_undo_id").set_value(2).run()
    at.button(key="data_undo").click().run()
    assert any("#2 b.csv" in w.value and "This removes 350 customers" in w.value for w in at.warning)
    at.button(key="data_undo_cancel").click().run()
    assert not at.exception, at.exception
    assert not any("This removes" in w.value for w in at.warning)
    at.button(key="data_undo").click().run()
    at.selectbox(key="data_undo_id").set_value(1).run()  # another import: the confirmation goes away
    assert not any("This removes" in w.value for w in at.warning) and "data_undo_confirm" not in \
        [b.key for b in at.button]
    assert core.table_counts(eng)["customer"] == 653
    at.button(key="data_undo").click().run()
    at.button(key="data_undo_confirm").click().run()
    assert core.table_counts(eng)["customer"] == 350
    h = core.import_history(eng).set_index("id")
    assert h["status"].to_dict() == {2: "loaded", 1: "undone"} and h.loc[1, "undo_reason"] is None
    eng.dispose()


# -- store faults -----------------------------------------------------------------------------------------------
def _store(url: str) -> Path:
    return Path(url.split("///", 1)[1])


def _one_message(at) -> str:
    """The one error the run shows, as the analyst reads it (the page escapes Markdown in messages)."""
    assert not at.exception, at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    return re.sub(r"\\([\\`*_\[\]<>!|~$])", r"\1", at.error[0].value)


def _keys(at) -> list[str]:
    return [b.key for b in at.button]


def test_an_undo_while_another_connection_writes_waits_says_busy_and_works_once_the_store_is_free(store_url,
                                                                                                   monkeypatch):
    monkeypatch.setenv("RETENTION_BUSY_TIMEOUT", "1")
    eng = core.make_engine(store_url)
    core.commit_import(eng, core.prepare_import(eng, A, "a.csv", "customers"))
    store = _store(store_url)
    at = data_page(timeout=120)
    at.button(key="data_undo").click().run()
    at.text_input(key="data_undo_reason").input("wrong export").run()
    with sf.write_lock(store):  # a real fault: another connection holds the write lock
        at.button(key="data_undo_confirm").click().run()
        assert _one_message(at).startswith("The store is busy with another import or undo (waited 1 s): try again "
                                           "when it has finished; the store is unchanged.")
    assert sf.counts(store)["customer"] == 303 and _metrics(at)["Customers"] == "303"  # nothing removed
    assert _history(at)["status"].tolist() == ["loaded"]
    assert {"data_undo_confirm", "data_undo_cancel"} <= set(_keys(at))  # the confirm stays: try again or cancel

    at.button(key="data_undo_confirm").click().run()  # the lock is gone
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert sf.counts(store)["customer"] == 0 and _metrics(at)["Customers"] == "0"
    history = _history(at)
    assert history["status"].tolist() == ["undone"] and history["undo_reason"].tolist() == ["wrong export"]
    eng.dispose()


FULL = StoreError("The disk holding the store is full: free some space and try again; nothing was written, the "
                  "store is unchanged.", reason="full")


@pytest.mark.parametrize(("step", "fault", "words"), [
    ("undo_import", FULL, "The disk holding the store is full: free some space and try again"),  # as core raises it
    ("undo_import", sqlite3.OperationalError("attempt to write a readonly database"),  # as the driver raises it
     "The store file {store} is read-only (it or its folder cannot be written)"),
    ("undo_preview", sqlite3.DatabaseError("database disk image is malformed"), "The store file {store} is damaged"),
], ids=["full", "read-only", "damaged"])
def test_a_store_fault_on_undo_is_a_plain_message_and_the_page_keeps_working(store_url, monkeypatch, step, fault,
                                                                             words):
    eng = core.make_engine(store_url)
    core.commit_import(eng, core.prepare_import(eng, A, "a.csv", "customers"))
    store = _store(store_url)
    real = getattr(core, step)

    def failing(*args, **kwargs):
        raise fault

    monkeypatch.setattr(core, step, failing)
    at = data_page(timeout=120)
    at.button(key="data_undo").click().run()
    if step == "undo_import":
        at.button(key="data_undo_confirm").click().run()
    assert _one_message(at).startswith(words.format(store=store))
    assert sf.counts(store)["customer"] == 303 and _metrics(at)["Customers"] == "303"
    assert "data_undo_cancel" in _keys(at)
    assert at.selectbox(key="data_template_kind").options == list(core.KINDS)  # the rest of the page is drawn

    at.button(key="data_undo_cancel").click().run()  # the page goes on: cancel, another page, back, undo
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "data_undo_confirm" not in _keys(at) and "data_undo" in _keys(at)
    at.switch_page("pages/overview.py")
    rerun(at)
    monkeypatch.setattr(core, step, real)
    _data(at)
    at.button(key="data_undo").click().run()
    at.button(key="data_undo_confirm").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert sf.counts(store)["customer"] == 0 and _history(at)["status"].tolist() == ["undone"]
    eng.dispose()


def test_an_undo_on_a_store_made_read_only_is_a_plain_message_and_removes_nothing(store_url, monkeypatch):
    from ui.frame import loaders

    eng = core.make_engine(store_url)
    core.commit_import(eng, core.prepare_import(eng, A, "a.csv", "customers"))
    eng.dispose()
    store = _store(store_url)
    at = data_page(timeout=120)
    at.button(key="data_undo").click().run()
    with sf.read_only(store) as url:  # a real fault: a read-only mount, file modes or SQLite's read-only open
        monkeypatch.setenv("RETENTION_DB_URL", url)
        loaders.get_engine(url).dispose()  # the page's next connections open the store as it is now
        at.button(key="data_undo_confirm").click().run()
        assert _one_message(at).startswith(f"The store file {store} is read-only (it or its folder cannot be "
                                           "written)")
        assert sf.counts(store)["customer"] == 303 and _metrics(at)["Customers"] == "303"
        assert _history(at)["status"].tolist() == ["loaded"]
        at.button(key="data_undo_cancel").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert "data_undo" in _keys(at)
    assert sf.counts(store)["customer"] == 303
