"""The sentence shapes of a chart's text alternative (core.export.chart_text)."""

from __future__ import annotations

import pandas as pd

from core.export import chart_text


def test_change_reads_the_first_and_last_point_and_one_point_once():
    assert chart_text.change("Share in red", "Jan 2024", "12.0%", "Dec 2024", "15.5%") == \
        "Share in red: 12.0% in Jan 2024, 15.5% in Dec 2024."
    assert chart_text.change("MRR", "Mar 2025", "$1,000", "Mar 2025", "$1,000") == "MRR: $1,000 in Mar 2025."


def test_largest_says_how_many_it_was_chosen_from_only_when_there_was_a_choice():
    assert chart_text.largest("MRR at risk", "Enterprise", "$12,400", among=3) == \
        "Largest MRR at risk: Enterprise, $12,400 (of 3)."
    assert chart_text.largest("MRR at risk", "SMB", "$10", among=1) == "Largest MRR at risk: SMB, $10."
    assert chart_text.largest("theme", "Price", "1,204 verbatims", among=1200) == \
        "Largest theme: Price, 1,204 verbatims (of 1,200)."


def test_against_and_none_shown():
    assert chart_text.against("Churn of red customers", "31.0%", "8.2% for green") == \
        "Churn of red customers: 31.0% against 8.2% for green."
    assert chart_text.none_shown("Themes over time") == "Themes over time: nothing to show for the current choices."


def test_month_is_written_as_a_leader_reads_it():
    assert chart_text.month(pd.Timestamp("2024-01-31 00:00")) == "Jan 2024"
    assert chart_text.month("2025-12-01") == "Dec 2025"
