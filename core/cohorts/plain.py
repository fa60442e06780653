"""Plain words beside the Cohort curves page's survival statistics (issue 21): the log-rank test in a sentence a
leader reads without a manual, and the Kaplan-Meier summary's human headers with units. The figures stay for
analysts (statistic, degrees of freedom, p-value); the sentence comes first."""

from __future__ import annotations

import math

from core.cohorts.defaults import label
from core.cohorts.table import DEFINITIONS_TEXT
from core.export import units

#: the survival summary's columns as a reader sees them (core.cohorts.survival's summary -> header)
SUMMARY_HEADERS = {"group": "Group", "customers": "Customers", "churned": "Churned", "censored": "Still customers",
                   "median_text": "Median lifetime (months)", "rmst": "Average lifetime within the horizon (months)"}

_RETAINED = [k for k in DEFINITIONS_TEXT if k.startswith("Retained when")]
#: each cohort choice's precise definition, one click away (the widget's help), in the page's words
CHOICE_HELP = {
    "cohort_by": DEFINITIONS_TEXT["Cohorts by"],
    "period": DEFINITIONS_TEXT["Period k"],
    "measure": (f'"{label("measure", "logo")}": the share of the cohort\'s customers retained in period k. '
                f'"{label("measure", "count")}": how many of them, as a count. '
                + DEFINITIONS_TEXT["Revenue retained"]),
    "retained_by": " ".join(f"{k.removeprefix('Retained when ')}: {DEFINITIONS_TEXT[k]}" for k in _RETAINED),
    "definition": DEFINITIONS_TEXT[_RETAINED[-1]],
    "base": DEFINITIONS_TEXT["Base"],
    "weighting": DEFINITIONS_TEXT["Average"],
}


def chance(p: float) -> str:
    """How often chance alone would give a gap this large: ``"less than 1 time in 1,000"``, ``"about 1 time in
    40"``.

    >>> chance(0.0004), chance(0.025)
    ('less than 1 time in 1,000', 'about 1 time in 40')
    """
    if p < 0.001:
        return "less than 1 time in 1,000"
    return f"about 1 time in {max(1, round(1 / p)):,}"


def p_words(p: float) -> str:
    """``"p < 0.001"`` or ``"p = 0.042"``."""
    return "p < 0.001" if p < 0.001 else f"p = {units.p_value(p)}"


def logrank_sentence(logrank: dict, group_word: str, alpha: float = 0.05) -> str:
    """The log-rank test (core.cohorts.survival's ``logrank``) in words, e.g. ``"Customers of different segments
    stay for different lengths of time: a gap this large would arise by chance less than 1 time in 1,000 (p <
    0.001)."``; its own ``plain`` note when there was nothing to compare."""
    p = logrank.get("p_value", math.nan)
    if p is None or math.isnan(p):
        return logrank.get("plain") or f"Too few customers in the {group_word}s to compare."
    plural = f"{group_word}s"
    if p < alpha:
        return (f"Customers of different {plural} stay for different lengths of time: a gap this large would arise "
                f"by chance {chance(p)} ({p_words(p)}).")
    return (f"Customers of different {plural} stay about as long as each other: the gaps between the curves could "
            f"be chance ({chance(p)}, {p_words(p)}).")


def logrank_detail(logrank: dict) -> str:
    """The test's figures for analysts: ``"Log-rank test: chi-square 12.34 on 2 degrees of freedom, p < 0.001."``"""
    p = logrank.get("p_value", math.nan)
    if p is None or math.isnan(p):
        return "Log-rank test: not run (fewer than two groups)."
    return (f"Log-rank test: chi-square {logrank['statistic']:.2f} on {units.count(logrank['degrees_of_freedom'])} "
            f"degrees of freedom, {p_words(p)}.")


def summary_headers(horizon: float) -> dict[str, str | None]:
    """The Kaplan-Meier summary's headers as a reader reads them (:data:`SUMMARY_HEADERS`, the restricted mean's
    horizon in its header); None for the columns kept for analysts' downloads but not shown (the median as a
    number, which is infinite when not reached, and the horizon, which the header names)."""
    headers: dict[str, str | None] = dict(SUMMARY_HEADERS)
    headers["rmst"] = f"Average lifetime within {units.count(horizon)} months (months)"
    return {**headers, "median_lifetime": None, "horizon": None}
