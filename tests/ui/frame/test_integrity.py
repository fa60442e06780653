"""The store's integrity check on the page (ui/frame/integrity.py): a damaged store file is said in plain words
at the top of every page, with what to do; a sound one shows nothing; the check runs once per store."""

import shutil

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import core
from core.demo.load import load_frames
from core.store import integrity as core_integrity


def _page():
    """App script: the start of every page (ui/frame/page.py require()), then the page's own title."""
    import streamlit as st

    from ui.frame import page

    st.session_state["frame_ready"] = True
    page.require()
    st.title("Overview")


@pytest.fixture(scope="module")
def sound_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    ids = np.array([f"C{i:05d}" for i in range(2000)], dtype=object)
    who = rng.integers(0, len(ids), 40_000)
    frames = {"customer": pd.DataFrame({"customer_id": ids}),
              "activity": pd.DataFrame({"customer_id": ids[who], "date": "2024-01-01", "metric": "logins",
                                        "value": 1.0})}
    path = tmp_path_factory.mktemp("sound") / "store.db"
    eng = core.make_engine(f"sqlite:///{path}")
    load_frames(eng, frames, file_name="sound", kind="demo", sha="sound", mapping={})
    eng.dispose()
    return path


def _open(path, monkeypatch):
    monkeypatch.setenv("RETENTION_DB_URL", f"sqlite:///{path}")
    monkeypatch.setenv("RETENTION_DEMO", "0")
    return AppTest.from_function(_page, default_timeout=60).run()


def test_a_damaged_store_is_said_at_the_top_of_the_page(sound_file, tmp_path, monkeypatch):
    path = tmp_path / "store.db"
    shutil.copy(sound_file, path)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2 // 4096 * 4096 + 100)
        f.write(np.random.default_rng(1).integers(0, 256, 12_000).astype(np.uint8).tobytes())
    at = _open(path, monkeypatch)
    assert not at.exception
    assert len(at.error) == 1
    text = at.error[0].value
    assert "is damaged" in text and "backup" in text and "Data page" in text and "SQLite: " in text
    assert "\\*\\*\\*" not in text and "***" not in text  # SQLite's heading is left out, nothing formats
    assert at.title[0].value == "Overview"  # the page itself still runs under the message


def test_a_sound_store_shows_nothing_and_is_checked_once(sound_file, tmp_path, monkeypatch):
    path = tmp_path / "store.db"
    shutil.copy(sound_file, path)
    calls = []
    real = core_integrity.quick_check
    monkeypatch.setattr(core_integrity, "quick_check", lambda eng: calls.append(1) or real(eng))
    at = _open(path, monkeypatch)
    assert not at.exception and not at.error
    at.run()
    _open(path, monkeypatch)  # another session of the same server
    assert calls == [1]
