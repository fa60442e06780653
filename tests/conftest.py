"""Shared fixtures: paths to the public datasets and a throw-away store."""

from pathlib import Path

import pytest

import core

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture
def engine():
    """An in-memory store (one shared connection), empty."""
    eng = core.make_engine("sqlite://")
    yield eng
    eng.dispose()


@pytest.fixture
def db_url(tmp_path):
    """A file-backed SQLite store URL in a temporary folder."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(scope="session")
def shared():
    if not SHARED.is_dir():
        pytest.fail(f"The public datasets are missing: expected {SHARED} (shared/ beside the project).")
    return SHARED
