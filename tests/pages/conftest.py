"""Fixtures for the AppTest page tests."""

import pytest


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    """An empty file-backed store that the app reads, with the demo turned off (empty states show)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")  # open on the empty store, not the demo
    return url


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """A store holding the demo business (seed 0, 5,000 customers), loaded once per test session.

    Returns (url, customers, revenue) with the tables as the store gives them back.
    """
    import core
    from core.demo import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'store.db'}"
    eng = core.make_engine(url)
    load_demo(eng, n_customers=5000, seed=0)
    cust, rev = core.load_table(eng, "customer"), core.load_table(eng, "revenue")
    eng.dispose()
    return url, cust, rev
