"""SQLite's integrity check of the store file (core/store/integrity.py): silent on a sound store, and lists the
problems of a store whose b-tree holds garbage, which every ordinary query can miss."""

import shutil

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, create_mock_engine

import core
from core.demo.load import load_frames
from core.store import integrity


@pytest.fixture(scope="module")
def sound_store(tmp_path_factory):
    """A store file of 2,000 customers and 40,000 activity rows (about 3 MB: hundreds of b-tree pages),
    closed so that everything is in the file itself (no write-ahead log beside it)."""
    rng = np.random.default_rng(0)
    ids = np.array([f"C{i:05d}" for i in range(2000)], dtype=object)
    who = rng.integers(0, len(ids), 40_000)
    day = np.datetime64("2023-01-01") + rng.integers(0, 700, len(who)).astype("timedelta64[D]")
    frames = {"customer": pd.DataFrame({"customer_id": ids, "segment": rng.choice(["SMB", "Mid"], len(ids))}),
              "activity": pd.DataFrame({"customer_id": ids[who], "date": np.datetime_as_string(day, unit="D"),
                                        "metric": "logins", "value": rng.integers(1, 9, len(who)).astype(float)})}
    path = tmp_path_factory.mktemp("sound") / "store.db"
    eng = core.make_engine(f"sqlite:///{path}")
    load_frames(eng, frames, file_name="sound", kind="demo", sha="sound", mapping={})
    eng.dispose()
    assert not path.with_name("store.db-wal").exists() or path.with_name("store.db-wal").stat().st_size == 0
    return path


def _copy(src, folder):
    dst = folder / "store.db"
    shutil.copy(src, dst)
    return dst


def test_a_sound_store_has_no_problems(sound_store, tmp_path):
    eng = create_engine(f"sqlite:///{_copy(sound_store, tmp_path)}")
    assert integrity.quick_check(eng) == []
    assert integrity.summary([]) == ""
    assert integrity.quick_check(core.make_engine("sqlite://")) == []


def test_garbage_in_the_middle_of_the_file_is_listed(sound_store, tmp_path):
    path = _copy(sound_store, tmp_path)
    size = path.stat().st_size
    assert size > 1_000_000
    with open(path, "r+b") as f:  # 12 KB of garbage inside three b-tree pages, past the schema on page 1
        f.seek(size // 2 // 4096 * 4096 + 100)
        f.write(np.random.default_rng(1).integers(0, 256, 12_000).astype(np.uint8).tobytes())
    eng = create_engine(f"sqlite:///{path}")
    with eng.connect() as conn:  # the store still opens and answers small questions: nothing looks wrong
        conn.exec_driver_sql("SELECT COUNT(*) FROM customer").scalar_one()
    problems = integrity.quick_check(eng)
    assert problems and all(isinstance(p, str) and p for p in problems)
    assert not any(p.startswith("***") for p in problems)  # SQLite's heading line is not a problem
    assert any("page" in p.lower() or "malformed" in p for p in problems), problems[:3]
    text = integrity.summary(problems, str(path))
    assert str(path) in text and "damaged" in text and "backup" in text and "import your files again" in text


def test_a_file_that_is_not_a_database_is_one_problem(tmp_path):
    path = tmp_path / "store.db"
    path.write_bytes(b"this is not a database, just text " * 200)
    problems = integrity.quick_check(create_engine(f"sqlite:///{path}"))
    assert problems == ["file is not a database"]
    assert "1 problem." in integrity.summary(problems)


def test_other_databases_are_not_checked():
    eng = create_mock_engine("postgresql://", lambda *a, **k: pytest.fail("nothing may run"))
    assert integrity.quick_check(eng) == []


def test_the_count_says_at_least_when_sqlite_stopped_counting():
    assert "at least 100 problems" in integrity.summary(["x"] * integrity.MAX_PROBLEMS)
