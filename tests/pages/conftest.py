"""Fixtures for the AppTest page tests."""

import pytest


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    """An empty file-backed store that the app reads, with the demo turned off (empty states show)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")  # open on the empty store, not the demo
    return url
