"""The workbench's chart style, one Altair theme for every chart of every page.

Legends sit below the plot, in two columns (one on a phone): on a phone (390 px) a legend on the right takes half
the width and squeezes the plot to a strip; below, the plot keeps the column's width at any size, and the chart
grows by the legend's height instead of shrinking its plot (autosize ``fit-x``: the width fits the column, the
height is the plot's). Long labels are cut with an ellipsis at a readable length instead of pushing the plot aside;
long axis titles are drawn as several lines (:func:`wrapped`). A chart's own settings still win (Streamlit lays its
theme under the chart's config, and the chart's encoding over both).
"""

from __future__ import annotations

import altair as alt

from core.export.chart_text import TITLE_LINE, wrapped  # noqa: F401 (the charts call it as ui.chart_style.wrapped)

NAME = "workbench"
CONFIG = {
    # one column on a phone (two columns of long labels ran past the chart's right edge), two when wide
    "legend": {"orient": "bottom", "columns": {"expr": "width < 480 ? 1 : 2"}, "labelLimit": 260, "titleLimit": 320},
    "axis": {"labelLimit": 180, "titleLimit": 320},
}


@alt.theme.register(NAME, enable=False)
def workbench() -> alt.theme.ThemeConfig:
    return {"config": CONFIG, "autosize": {"type": "fit-x", "contains": "padding"}}


def enable() -> None:
    """Make the workbench style the active Altair theme (idempotent)."""
    if alt.theme.active != NAME:
        alt.theme.enable(NAME)

