"""A chart's text alternative: one plain sentence with its key figure, shown under the chart and given to screen
readers as the chart's accessible name (WCAG 2.1, 1.1.1). The figures come in already written by
:mod:`core.export.units`; names from the data are kept as written (the page escapes them).

Each domain picks the shape its chart tells: a series that moved (:func:`change`), the largest of several
(:func:`largest`), or a figure with what it is read against (:func:`against`)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

#: a 95 % band's two columns in a chart's download
BAND_HEADERS = ("Lower bound, 95% (%)", "Upper bound, 95% (%)")


def percents(shares: pd.Series) -> np.ndarray:
    """Shares as a chart download's percentages, to one decimal."""
    return (100 * shares.astype(float)).round(1).to_numpy()


def band_data(frame: pd.DataFrame, low: str = "lower", high: str = "upper") -> dict[str, np.ndarray]:
    """A 95 % band (the shares in columns ``low`` and ``high``) as a chart download's two percentage columns."""
    return dict(zip(BAND_HEADERS, (percents(frame[low]), percents(frame[high])), strict=True))


#: the longest line of a chart's title: at 390 px a plot is about 250 px wide, and a longer line is cut off
TITLE_LINE = 34


def month(day) -> str:
    """A month as a leader reads it: ``Jan 2024``."""
    return f"{pd.Timestamp(day):%b %Y}"


def change(what: str, first_when: str, first: str, last_when: str, last: str) -> str:
    """A series read from its first to its last point.

    >>> change("Share in red", "Jan 2024", "12.0%", "Dec 2024", "15.5%")
    'Share in red: 12.0% in Jan 2024, 15.5% in Dec 2024.'
    """
    if first_when == last_when:
        return f"{what}: {last} in {last_when}."
    return f"{what}: {first} in {first_when}, {last} in {last_when}."


def largest(what: str, name: str, value: str, among: int | None = None) -> str:
    """The largest of several bars or cells, with how many there are.

    >>> largest("MRR at risk", "Enterprise", "$12,400", among=3)
    'Largest MRR at risk: Enterprise, $12,400 (of 3).'
    """
    of = f" (of {among:,})" if among is not None and among > 1 else ""
    return f"Largest {what}: {name}, {value}{of}."


def against(what: str, value: str, reference: str) -> str:
    """A figure read against what it is compared with.

    >>> against("Churn of red customers", "31.0%", "8.2% for green")
    'Churn of red customers: 31.0% against 8.2% for green.'
    """
    return f"{what}: {value} against {reference}."


def none_shown(what: str) -> str:
    """The sentence of a chart with nothing to draw."""
    return f"{what}: nothing to show for the current choices."


def wrapped(title: str, width: int = TITLE_LINE) -> str | list[str]:
    """A chart or axis title as lines of at most ``width`` characters (Vega-Lite draws a list as one line each), so
    a long title reads whole on a phone instead of being cut at the plot's edge; a short one stays a string.

    >>> wrapped("Average impact on churn log-odds (mean |SHAP|)")
    ['Average impact on churn log-odds', '(mean |SHAP|)']
    >>> wrapped("MRR")
    'MRR'
    """
    lines = textwrap.wrap(title, width)
    return lines if len(lines) > 1 else title
