"""A warm rerun of the Data page reads nothing heavy from the store again (issue 21, point 7: every warm rerun
< 1 s): the row counts, the profile of what the store holds and the import history are cached per store version
(ui/frame/loaders.py). An import (a new store version) reads them once more, which shows the counting works."""

from collections import Counter

import pytest

import core
from core.store.version import bump
from tests.conftest import copy_store
from tests.pages.conftest import open_page
from ui.frame import loaders


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('data_warm'))}"


def test_a_warm_rerun_reads_nothing_heavy_again(store, monkeypatch):
    at = open_page(monkeypatch, store, "data")
    calls = Counter()
    for module, name in ((core, "table_counts"), (loaders, "profile"), (core, "import_history")):
        monkeypatch.setattr(module, name, _counted(calls, name, getattr(module, name)))
    at.run()
    at.run()
    assert not at.exception, at.exception
    assert calls == Counter()
    engine = core.make_engine(store)
    with engine.begin() as conn:  # what an import does to the version, without importing
        bump(conn)
    engine.dispose()
    at.run()
    assert not at.exception, at.exception
    assert calls == Counter(table_counts=1, profile=1, import_history=1)


def _counted(calls: Counter, name: str, f):
    def counted(*a, **k):
        calls[name] += 1
        return f(*a, **k)
    return counted
