"""A warm rerun of the Data page reads nothing heavy from the store again (issue 21, point 7: every warm rerun
< 1 s): the row counts, the profile of what the store holds and the import history are cached per store version
(ui/frame/loaders.py). An import (a new store version) reads them once more, which shows the counting works."""

from collections import Counter

import core
from core.store.version import bump
from tests.pages import warm
from tests.pages.conftest import open_page
from ui.frame import loaders

#: (module, function) of each heavy read the page makes of the store
HEAVY = ((core, "table_counts"), (loaders, "profile"), (core, "import_history"))

#: a private copy of the session's small demo store (an import bumps its version)
store_url = warm.store_fixture("data_warm")


def test_a_warm_rerun_reads_nothing_heavy_again(store_url, monkeypatch):
    at = open_page(monkeypatch, store_url, "data")
    calls = warm.counted_reruns(at, monkeypatch, HEAVY)
    assert calls == Counter()
    engine = core.make_engine(store_url)
    with engine.begin() as conn:  # what an import does to the version, without importing
        bump(conn)
    engine.dispose()
    warm.rerun(at)
    assert calls == Counter(table_counts=1, profile=1, import_history=1)
