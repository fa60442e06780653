"""The backlog's closing figures (core.feedback.followup.backlog with core.feedback.loop_times' frame) on hand-made
items: the median days to close counts closed items only (an open ticket with a resolution time does not), the reopen
rate's base is every item ever closed (closed now, or reopened since), items without a reopen count are left out of
it, and a team-theme with no item ever closed has no rate."""

import numpy as np
import pandas as pd
import pytest

from core.feedback.followup import LOOP_COLUMNS, backlog
from core.feedback.starter import starter_codebook

ITEMS = pd.DataFrame({
    "vid": ["F1", "F2", "F3", "T4", "F5", "F6", "F7"],
    "date": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-03", "2026-01-01", "2026-02-01", "2026-02-01",
                            "2026-02-01"]),
    "team": ["Support"] * 4 + ["Product"] * 3, "theme_id": [1] * 4 + [2] * 3, "theme": ["A"] * 4 + ["B"] * 3,
    "status": ["closed", "closed", "open", "in progress", "open", "open", "closed"]})
LOOP = pd.DataFrame({"closed": pd.to_datetime(["2026-01-03", "2026-01-11", None, "2026-01-02", None, None, None]),
                     "reopens": [0.0, 2.0, 1.0, 0.0, 0.0, np.nan, np.nan]},
                    index=pd.Index(["F1", "F2", "F3", "T4", "F5", "F6", "F7"], name="vid"))


@pytest.fixture(scope="module")
def table():
    return backlog(ITEMS, starter_codebook(), loop=LOOP).set_index("theme")


def test_days_to_close_count_the_closed_items_only(table):
    # F1 2 days, F2 10 days; T4 has a resolution time but its status is in progress
    assert table.loc["A", "median_days_to_close"] == 6.0
    assert np.isnan(table.loc["B", "median_days_to_close"])  # F7 is closed without a closed day


def test_the_reopen_rate_counts_every_item_ever_closed(table):
    # ever closed: F1 (0), F2 (2), F3 (open now, reopened once); T4 never closed
    assert table.loc["A", "reopen_rate"] == pytest.approx(2 / 3, abs=1e-12)
    assert np.isnan(table.loc["B", "reopen_rate"])  # F5 never closed, F6/F7 without a count


def test_without_loop_times_the_columns_are_absent():
    plain = backlog(ITEMS, starter_codebook())
    assert not set(LOOP_COLUMNS) & set(plain.columns)
    assert set(LOOP_COLUMNS) <= set(backlog(ITEMS.iloc[:0], starter_codebook(), loop=LOOP).columns)
