"""What the warm-rerun tests of the pages share (issue 21, point 7: a warm rerun recomputes nothing heavy): a private
copy of the session's small demo store, counters wrapped around each heavy step a page runs, and the rerun that
settles the sidebar. No clock: the tests count calls.

Use from a test module::

    store_url = warm.store_fixture("churn_warm")   # module fixture: URL of a private copy of the small demo store
    calls = warm.cold_calls_fixture(HEAVY)         # caches emptied, then each heavy step's calls counted
    calls = warm.count_calls(monkeypatch, HEAVY)   # or, inside a test: count from here on (caches kept)
"""

from __future__ import annotations

from collections import Counter

import pytest
import streamlit as st

from tests.conftest import copy_store


def store_fixture(folder: str):
    """A module fixture ``store_url``: the URL of a private copy of the session's small demo store, in a new folder
    named ``folder`` (the pages save into their store: their default configuration, a model)."""

    @pytest.fixture(scope="module", name="store_url")
    def store_url(small_demo_store, tmp_path_factory) -> str:
        return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp(folder))}"

    return store_url


def count_calls(monkeypatch, heavy) -> Counter:
    """Calls of each heavy step of ``heavy`` (``(module, function name)`` pairs) from here on, by function name:
    each function is wrapped by a counter for the test (monkeypatch puts it back)."""
    calls: Counter = Counter()
    for module, name in heavy:
        monkeypatch.setattr(module, name, _counted(calls, name, getattr(module, name)))
    return calls


def cold_calls_fixture(heavy):
    """A fixture ``calls``: Streamlit's caches emptied (so the test's first run fills them), then the calls of each
    heavy step of ``heavy`` counted from there (:func:`count_calls`)."""

    @pytest.fixture(name="calls")
    def calls(monkeypatch) -> Counter:
        st.cache_data.clear()
        st.cache_resource.clear()
        return count_calls(monkeypatch, heavy)

    return calls


def settled(at):
    """``at`` after one more rerun: AppTest's first rerun after the page switch reads the sidebar's date range as
    unset (the run before, the frame had just set it), a new filter key; from then on the filters hold still."""
    return rerun(at)


def rerun(at, times: int = 1):
    """``at`` after ``times`` reruns, each without an exception."""
    for _ in range(times):
        at.run()
        assert not at.exception, at.exception
    return at


def counted_reruns(at, monkeypatch, heavy, times: int = 2) -> Counter:
    """The calls of each heavy step of ``heavy`` (:func:`count_calls`) in ``times`` reruns of ``at`` from here."""
    calls = count_calls(monkeypatch, heavy)
    rerun(at, times)
    return calls


def assert_cold_then_warm(at, calls: Counter, heavy, times: int = 2) -> None:
    """The counters saw every heavy step of ``heavy`` run on the cold visit (``calls`` so far), and ``times`` warm
    reruns of ``at`` from here run none of them again."""
    cold = dict(calls)
    assert all(cold.get(name, 0) >= 1 for _, name in heavy), cold  # the counters see each step on the cold visit
    calls.clear()
    rerun(at, times)
    assert dict(calls) == {}, f"recomputed on a warm rerun: {dict(calls)}"


def _counted(calls: Counter, name: str, f):
    def counted(*args, **kwargs):
        calls[name] += 1
        return f(*args, **kwargs)

    return counted
