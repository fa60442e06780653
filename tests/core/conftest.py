"""Fixtures of the core tests: the app's demo business (5,000 customers, seed 0), built once per session.

Tests must not change these frames in place (copy first); a module may override ``demo`` with its own.
"""

import pytest

import core
from core.churn_features import inputs_from_frames


@pytest.fixture(scope="session")
def demo():
    return core.make_demo(5000, seed=0)


@pytest.fixture(scope="session")
def inputs(demo):
    return inputs_from_frames(demo.customers, demo.activity, demo.tickets, demo.feedback, demo.revenue)
