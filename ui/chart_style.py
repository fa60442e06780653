"""The workbench's chart style, one Altair theme for every chart of every page.

Legends sit below the plot, in two columns: on a phone (390 px) a legend on the right takes half the width and
squeezes the plot to a strip; below, the plot keeps the column's width at any size, and the chart grows by the
legend's height instead of shrinking its plot (autosize ``fit-x``: the width fits the column, the height is the
plot's). Long labels are cut with an
ellipsis at a readable length instead of pushing the plot aside. A chart's own settings still win (Streamlit lays
its theme under the chart's config, and the chart's encoding over both).
"""

from __future__ import annotations

import textwrap

import altair as alt

#: the longest line of an axis title: at 390 px a plot is about 250 px wide, and a longer line is cut off
TITLE_LINE = 34
NAME = "workbench"
CONFIG = {
    "legend": {"orient": "bottom", "columns": 2, "labelLimit": 260, "titleLimit": 320},
    "axis": {"labelLimit": 180, "titleLimit": 320},
}


@alt.theme.register(NAME, enable=False)
def workbench() -> alt.theme.ThemeConfig:
    return {"config": CONFIG, "autosize": {"type": "fit-x", "contains": "padding"}}


def enable() -> None:
    """Make the workbench style the active Altair theme (idempotent)."""
    if alt.theme.active != NAME:
        alt.theme.enable(NAME)


def wrapped(title: str, width: int = TITLE_LINE) -> str | list[str]:
    """An axis title as lines of at most ``width`` characters (Vega-Lite draws a list as one line each), so a long
    title reads whole on a phone instead of being cut at the plot's edge; a short one stays a string.

    >>> wrapped("Average impact on churn log-odds (mean |SHAP|)")
    ['Average impact on churn log-odds', '(mean |SHAP|)']
    >>> wrapped("MRR")
    'MRR'
    """
    lines = textwrap.wrap(title, width)
    return lines if len(lines) > 1 else title
