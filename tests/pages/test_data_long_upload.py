"""AppTest of the Data page with a long upload: written once to a private temporary file and validated and loaded
in chunks (issue 19: memory flat with file size), with the same report and rows as a short upload."""

import sqlite3

import pytest

import core
from core.ingest import chunks, csv_file
from tests.pages.conftest import data_page
from ui.data import importing


def _activity(n: int) -> bytes:
    rows = "".join(f"C{i % 40:03d},2024-{i % 12 + 1:02d}-{i % 27 + 1:02d},login,{i % 9}\n" for i in range(n))
    return ("customer_id,date,metric,value\n" + rows).encode()


@pytest.fixture
def small_chunks(monkeypatch):
    """Every upload counts as long, and a chunk is 250 rows; the chunks read are counted."""
    monkeypatch.setattr(csv_file, "FROM_DISK_BYTES", 0)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 250)
    seen = []
    real = chunks._chunks

    def counted(path, found):
        for raw in real(path, found):
            seen.append(len(raw.frame))
            yield raw

    monkeypatch.setattr(chunks, "_chunks", counted)
    return seen


def test_a_long_upload_is_validated_and_loaded_in_chunks(store_url, small_chunks):
    eng = core.make_engine(store_url)
    ids = "".join(f"C{i:03d},2023-01-01\n" for i in range(40))
    core.commit_import(eng, core.prepare_import(eng, ("customer_id,signup_date\n" + ids).encode(), "c.csv",
                                                "customers"))
    data = _activity(1_000)
    at = data_page()
    at.file_uploader[0].upload("activity.csv", data, "text/csv").run()
    assert not at.exception, at.exception
    at.selectbox(key="data_kind").set_value("activity").run()
    assert not at.exception, at.exception
    assert sum(small_chunks) >= 1_000 and max(small_chunks) <= 250  # read 250 rows at a time
    assert any(m.label == "Rows read" and m.value == "1,000" for m in at.metric)
    held = at.session_state[importing.UPLOAD_FILE]
    assert held[2].read_bytes() == data  # the upload on disk, as uploaded
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as con:
        stored = con.execute("SELECT count(*), sum(value) FROM activity").fetchone()
    assert stored == (1_000, float(sum(i % 9 for i in range(1_000))))


def test_a_short_upload_stays_in_memory(monkeypatch):
    monkeypatch.setattr(csv_file, "FROM_DISK_BYTES", 1 << 20)
    assert importing.upload_source(b"customer_id\nA\n", "a.csv") == b"customer_id\nA\n"
    monkeypatch.setattr(csv_file, "FROM_DISK_BYTES", 0)
    assert importing.upload_source(b"PK\x03\x04", "book.xlsx") == b"PK\x03\x04"  # a workbook: never from disk
