"""Repeated keys over a file read in chunks (:mod:`core.ingest.repeats`): a :class:`KeyMemory` carried from chunk to
chunk finds the repeats, and the rows that first gave them, that one pass over the whole file finds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ingest.repeats import KeyMemory, key_hashes, repeated

ARROW_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def test_an_empty_memory_has_seen_nothing():
    memory = KeyMemory()
    assert len(memory) == 0
    assert memory.first_rows(key_hashes(pd.Series(["a", "b"], dtype=object))).tolist() == [-1, -1]
    assert memory.first_rows(np.array([], dtype=np.uint64)).tolist() == []


def test_the_memory_gives_the_first_row_of_each_key_it_was_given():
    memory = KeyMemory()
    memory.remember(key_hashes(pd.Series(["b", "a", "c"], dtype=object)), np.array([7, 3, 9]))
    asked = key_hashes(pd.Series(["a", "zz", "c", "b", "a"], dtype=object))
    assert memory.first_rows(asked).tolist() == [3, -1, 9, 7, 3]
    assert len(memory) == 3
    memory.remember(np.array([], dtype=np.uint64), np.array([], dtype=np.int64))
    assert len(memory) == 3


def test_text_hashes_the_same_whatever_its_dtype():
    """A chunk's ids may be Arrow-backed text, another's Python strings: the same id has the same hash."""
    ids = ["C001", "12346", "Café", ""]
    as_object = key_hashes(pd.Series(ids, dtype=object))
    assert (key_hashes(pd.Series(ids, dtype=ARROW_TEXT)) == as_object).all()
    assert (key_hashes(pd.Series(ids, dtype="string")) == as_object).all()
    assert len(set(as_object.tolist())) == 4
    keys = pd.DataFrame({"c": pd.Series(["C1", "C1", "C2"], dtype=ARROW_TEXT), "m": np.array([1, 2, 1])})
    same = pd.DataFrame({"c": ["C1", "C1", "C2"], "m": np.array([1, 2, 1])})
    assert (key_hashes(keys) == key_hashes(same)).all() and len(set(key_hashes(keys).tolist())) == 3


def test_without_a_memory_repeats_are_found_in_the_keys_given():
    repeat, first = repeated(pd.Series(["a", "b", "a", "c", "b", "a"]), np.array([2, 3, 4, 5, 6, 7]))
    assert repeat.tolist() == [False, False, True, False, True, True]
    assert first.tolist() == [2, 3, 2, 5, 3, 2]


def test_a_repeat_of_an_earlier_chunk_names_that_chunks_row():
    memory = KeyMemory()
    repeated(pd.Series(["a", "b"]), np.array([2, 3]), memory)
    repeat, first = repeated(pd.Series(["c", "b", "c", "a"]), np.array([4, 5, 6, 7]), memory)
    assert repeat.tolist() == [False, True, True, True]
    assert first.tolist() == [4, 3, 4, 2]
    repeat, first = repeated(pd.Series(["c", "d"]), np.array([8, 9]), memory)
    assert (repeat.tolist(), first.tolist()) == ([True, False], [4, 9])  # the chunk's own first row, remembered
    assert len(memory) == 4  # each key once: a repeat never replaces the first row


def _split(n: int, cuts: list[int]) -> list[slice]:
    edges = [0, *sorted({c for c in cuts if 0 < c < n}), n]
    return [slice(a, b) for a, b in zip(edges, edges[1:])]


@settings(max_examples=200, derandomize=True, deadline=None)
@given(keys=st.lists(st.tuples(st.sampled_from(["C1", "C2", "C3", "12346", "12346.0", " C1"]),
                               st.integers(0, 3)), max_size=40),
       cuts=st.lists(st.integers(0, 40), max_size=8), two_columns=st.booleans(), arrow=st.booleans())
def test_chunks_with_one_memory_find_what_one_pass_finds(keys, cuts, two_columns, arrow):
    """Any keys (one column, or a customer and a month), cut anywhere, each chunk's text Arrow-backed or not: the
    repeats and their first rows are those of the whole."""
    frame = pd.DataFrame(keys, columns=["c", "m"]) if keys else pd.DataFrame({"c": [], "m": []}).astype(
        {"c": object, "m": np.int64})
    frame = frame if two_columns else frame[["c"]]
    rows = np.arange(2, len(frame) + 2) * 3  # row numbers need not be consecutive (blank lines keep theirs)
    want_repeat, want_first = repeated(frame, rows)
    memory, got_repeat, got_first = KeyMemory(), [], []
    for part in _split(len(frame), cuts):
        chunk = frame.iloc[part].reset_index(drop=True)
        if arrow:
            chunk = chunk.astype({"c": ARROW_TEXT})
        r, f = repeated(chunk if two_columns else chunk["c"], rows[part], memory)
        got_repeat.append(r)
        got_first.append(f)
    if len(frame):
        assert np.concatenate(got_repeat).tolist() == want_repeat.tolist()
        assert np.concatenate(got_first).tolist() == want_first.tolist()
    assert len(memory) == len(frame.drop_duplicates())


@pytest.mark.parametrize("n", [1, 1000, 50_000])
def test_the_memory_holds_16_bytes_a_key(n):
    memory = KeyMemory()
    repeated(pd.Series([f"K{i}" for i in range(n)], dtype=object), np.arange(n), memory)
    assert len(memory) == n and memory.hashes.nbytes + memory.rows.nbytes == 16 * n
