"""Fixtures of the core tests: the app's demo business (5,000 customers, seed 0), built once per session.

Tests must not change these frames in place (copy first); a module may override ``demo`` with its own.
"""

import pytest

import core
from core.history.inputs import inputs_from_frames


@pytest.fixture(scope="module")
def engine_on_small_demo(small_demo_store, tmp_path_factory, request):
    """An engine on this test module's private copy of the session's small demo store (1,000 customers, seed 0),
    for modules that save into it (snapshots, decisions)."""
    from tests.conftest import copy_store

    path = copy_store(small_demo_store, tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]))
    eng = core.make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def demo_on_both_stores(pg_server, tmp_path_factory):
    """kind -> engine of a store holding the same 200-customer demo (seed 0), on PostgreSQL and on SQLite, built once
    per session for the engine tests that only read them (core/query's engines against the pandas path)."""
    from core.demo.load import load_demo

    engines = {"postgresql": core.make_engine(pg_server.new_database()),
               "sqlite": core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('both_stores') / 'store.db'}")}
    for eng in engines.values():
        load_demo(eng, n_customers=200, seed=0)
    yield engines
    for eng in engines.values():
        eng.dispose()


@pytest.fixture(scope="session")
def demo():
    return core.make_demo(5000, seed=0)


@pytest.fixture(scope="session")
def inputs(demo):
    return inputs_from_frames(demo.customers, demo.activity, demo.tickets, demo.feedback, demo.revenue)
