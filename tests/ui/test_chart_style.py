"""The workbench's chart style (ui.chart_style): long axis titles drawn as lines that fit a phone's plot."""

from __future__ import annotations

import pytest

from ui.chart_style import TITLE_LINE, wrapped
from ui.churn import charts as churn_charts


@pytest.mark.parametrize("title", ["Impact on churn log-odds (SHAP); right = more likely to churn",
                                   "Share of contacts targeted (highest predicted uplift first)",
                                   "Months since the cohort's first month"])
def test_a_long_title_is_cut_into_lines_that_keep_every_word(title):
    lines = wrapped(title)
    assert isinstance(lines, list) and len(lines) >= 2
    assert all(len(line) <= TITLE_LINE for line in lines)
    assert " ".join(lines) == title


def test_a_short_title_stays_one_string():
    assert wrapped("Net value") == "Net value"
    assert wrapped("x" * TITLE_LINE) == "x" * TITLE_LINE


def test_the_charts_use_it():
    import pandas as pd

    drivers = pd.DataFrame({"feature": ["plan"], "mean_abs_shap": [0.1], "controllable": [True],
                            "direction": ["mixed"], "description": [""]})
    spec = churn_charts.importance(drivers).to_dict()
    titles = [enc["title"] for layer in [spec, *spec.get("layer", [])]
              for enc in layer.get("encoding", {}).values() if isinstance(enc, dict) and "title" in enc]
    assert ["Average impact on churn log-odds", "(mean |SHAP|)"] in titles
