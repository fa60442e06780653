"""Fixtures of the engine tests of the customer history."""

import pytest

import core
from core.history.inputs import load_inputs
from core.query import sources
from tests.conftest import copy_store


@pytest.fixture(scope="module")
def embedded_demo(small_demo_store, tmp_path_factory):
    """(embedded DuckDB source, the churn model's inputs) over a private copy of the session's 1,000-customer demo,
    once per test module."""
    engine = core.make_engine(f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('engine_demo'))}")
    src = sources.embedded(engine)
    yield src, load_inputs(engine)
    src.close()
    engine.dispose()
