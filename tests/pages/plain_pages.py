"""What the plain-words page tests share (issue 21): the stores of each kind for a test module, a page opened on one
of them (its own monkeypatch, undone after), and the findings of the walker (tests/pages/plain_words.py) gathered
across the page's states without repeats.

Use from a test module::

    stores = plain_pages.stores_fixture("plain_cohorts")  # module fixture: tests/pages/store_kinds.Stores
    with plain_pages.opened(stores.url(kind), "cohort_curves", timeout=400) as at:
        found = []
        plain_pages.add_findings(at, found, ALLOW)
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from tests.pages import plain_words as pw
from tests.pages import store_kinds as sk
from tests.pages.conftest import open_page


def stores_fixture(prefix: str):
    """A module fixture ``stores``: the stores of each kind (:class:`tests.pages.store_kinds.Stores`), each built on
    first use in a folder ``<prefix>_<kind>``, the demo a copy of the session's small demo store."""

    @pytest.fixture(scope="module", name="stores")
    def stores(tmp_path_factory, small_demo_store) -> sk.Stores:
        return sk.Stores(lambda kind: tmp_path_factory.mktemp(f"{prefix}_{kind}"), small_demo_store)

    return stores


@contextmanager
def opened(url: str, page: str, timeout: int = 180):
    """The AppTest of ``pages/<page>.py`` on the store at ``url`` (:func:`tests.pages.conftest.open_page`), with a
    monkeypatch of its own (a module-scoped store outlives the test's), undone on leaving."""
    mp = pytest.MonkeyPatch()
    try:
        yield open_page(mp, url, page, timeout=timeout)
    finally:
        mp.undo()


def add_findings(at, found: list[str], allow=()) -> None:
    """Add to ``found`` the walker's findings on what ``at`` shows now (beyond the ``allow`` list) that it does not
    hold yet; the run must have raised no exception."""
    assert not at.exception, at.exception
    found += [f for f in pw.findings(pw.collect(at), allow) if f not in found]
