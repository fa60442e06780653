"""The churn features of some groups only (``temporal_features(..., groups=...)``, what the leading indicators ask
for: the usage level): the same customers, labels and columns as the whole table's, on pandas and on embedded
DuckDB, at single cutoffs and inside a block asked ahead for many; a block asked for some groups never serves a call
for others."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from core.history.features import asked_ahead, temporal_features
from core.history.frame_behaviour import GROUPS

CUTOFFS = ("2025-03-31", "2025-09-14")
USAGE = ["usage_level_30d", "usage_trend_90d", "active_days_30d", "days_since_active"]


def _same_rows(part, whole, columns: list[str]) -> None:
    """``part`` holds exactly ``whole``'s customers, labels and cutoffs, and its columns ``columns`` equal."""
    assert part.customer_id.tolist() == whole.customer_id.tolist()
    np.testing.assert_array_equal(part.y, whole.y)
    assert part.cutoff.equals(whole.cutoff)
    pd.testing.assert_frame_equal(part.X[columns], whole.X[columns])


@pytest.mark.parametrize("cutoff", CUTOFFS)
def test_usage_alone_is_the_whole_tables_usage_on_pandas(embedded_demo, cutoff):
    _, inputs = embedded_demo
    whole = temporal_features(inputs, cutoff)
    part = temporal_features(inputs, cutoff, groups=("usage",))
    assert list(part.X.columns) == [c for c in whole.X.columns if c not in _other_groups(whole)]
    assert set(USAGE) <= set(part.X.columns) and len(_other_groups(whole)) == 10
    _same_rows(part, whole, list(part.X.columns))
    assert part.missing == []  # the groups not asked for are not "missing"
    assert whole.y.sum() > 10 and part.X["usage_level_30d"].gt(0).mean() > 0.5  # not vacuous


def _other_groups(whole) -> set[str]:
    """The columns of ``whole`` made by the behaviour groups other than usage."""
    return {"tickets_90d", "tickets_unresolved", "hours_to_resolve", "nps_latest", "nps_change", "csat_latest",
            "csat_change", "mrr_latest", "mrr_change_3m", "failed_payments_90d"} & set(whole.X.columns)


def test_the_engine_asked_ahead_for_usage_gives_pandas_usage(embedded_demo):
    src, inputs = embedded_demo
    on_engine = dataclasses.replace(inputs, source=src)
    with asked_ahead(on_engine, list(CUTOFFS), ("usage",)):
        got = [temporal_features(on_engine, c, groups=("usage",)) for c in CUTOFFS]
    for part, c in zip(got, CUTOFFS, strict=True):
        whole = temporal_features(inputs, c)
        assert _other_groups(whole) and not _other_groups(part)
        np.testing.assert_allclose(part.X[USAGE].to_numpy(float), whole.X[USAGE].to_numpy(float), rtol=1e-9,
                                   atol=1e-9, equal_nan=True)
        assert part.customer_id.tolist() == whole.customer_id.tolist()
        np.testing.assert_array_equal(part.y, whole.y)


def test_a_block_asked_for_usage_still_gives_every_group_to_a_call_for_all(embedded_demo):
    src, inputs = embedded_demo
    on_engine = dataclasses.replace(inputs, source=src)
    with asked_ahead(on_engine, [CUTOFFS[0]], ("usage",)):
        got = temporal_features(on_engine, CUTOFFS[0])
    whole = temporal_features(inputs, CUTOFFS[0])
    assert list(got.X.columns) == list(whole.X.columns) and got.missing == whole.missing
    np.testing.assert_allclose(got.X[sorted(_other_groups(whole))].to_numpy(float),
                               whole.X[sorted(_other_groups(whole))].to_numpy(float), rtol=1e-9, atol=1e-9,
                               equal_nan=True)


def test_the_groups_are_in_column_order():
    assert GROUPS == ("usage", "tickets", "nps", "csat", "revenue", "payments")
