"""Plain sentences beside the Feedback themes page's statistics (issue 21): whether each theme is raised more in
some customer groups than in others beyond chance (a chi-square test per theme), in words a leader reads without
a manual. The figures stay for analysts; these sentences come first.

Each theme's test compares, across the groups (segments, plans or regions), the verbatims that name the theme with
those that do not: a 2 x k chi-square test of homogeneity (no continuity correction). A verbatim can name several
themes, so the themes are tested one by one, not as one table; with several themes tested at once, a theme is
called different only when its p-value times the number of themes tested (Bonferroni) stays below ``alpha``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from core.export import units

#: the columns of :func:`group_tests`
TEST_COLUMNS = ["theme", "chi_square", "dof", "p_value", "p_adjusted", "high_group", "high_share", "low_group",
                "low_share"]


def chance(p: float) -> str:
    """How often chance alone would give a gap this large, in words (``"less than 1 time in 1,000"``,
    ``"about 1 time in 40"``, ``"about 1 time in 3"``).

    >>> chance(0.0002), chance(0.025), chance(0.4)
    ('less than 1 time in 1,000', 'about 1 time in 40', 'about 1 time in 2')
    """
    if p < 0.001:
        return "less than 1 time in 1,000"
    return f"about 1 time in {max(1, round(1 / p)):,}"


def _test(table: pd.DataFrame) -> tuple[float, int, float]:
    """(chi-square, degrees of freedom, p) of mentioned / not mentioned across groups; NaN when a column is empty."""
    counts = np.column_stack([table["mentions"], table["verbatims"] - table["mentions"]]).astype(float)
    counts = counts[counts.sum(axis=1) > 0]
    if len(counts) < 2 or (counts.sum(axis=0) == 0).any():
        return math.nan, max(len(counts) - 1, 0), math.nan
    chi2, p, dof, _ = stats.chi2_contingency(counts, correction=False)
    return float(chi2), int(dof), float(p)


def group_tests(bg: pd.DataFrame) -> pd.DataFrame:
    """One chi-square test per theme of core.feedback.mentions.by_group's table (``group, theme, mentions,
    verbatims, share``): :data:`TEST_COLUMNS`, ``p_adjusted`` Bonferroni's (p times the themes tested, at most 1),
    the group raising the theme most (``high_*``) and least (``low_*``), in the themes' order."""
    rows = []
    for theme, t in bg.groupby("theme", sort=False):
        t = t[t["verbatims"] > 0]
        chi2, dof, p = _test(t)
        hi, lo = (t.loc[t["share"].idxmax()], t.loc[t["share"].idxmin()]) if len(t) else (None, None)
        rows.append([theme, chi2, dof, p, math.nan, hi["group"] if hi is not None else "",
                     hi["share"] if hi is not None else math.nan, lo["group"] if lo is not None else "",
                     lo["share"] if lo is not None else math.nan])
    out = pd.DataFrame(rows, columns=TEST_COLUMNS)
    tested = int(out["p_value"].notna().sum())
    out["p_adjusted"] = (out["p_value"] * tested).clip(upper=1.0)
    return out


def differs(row, alpha: float = 0.05) -> bool:
    """Whether a theme's share differs between groups beyond chance (its adjusted p-value below ``alpha``)."""
    return bool(pd.notna(row["p_adjusted"]) and row["p_adjusted"] < alpha)


def theme_sentence(row, group_word: str) -> str:
    """One theme's test in words: ``"Pricing: 12.0% of Enterprise verbatims name it against 5.0% of SMB; a gap this
    large would arise by chance less than 1 time in 1,000 (p < 0.001)."``"""
    if pd.isna(row["p_value"]):
        return f"{row['theme']}: too few verbatims in the {group_word}s to compare."
    gap = (f"{row['theme']}: {units.percent(row['high_share'])} of {row['high_group']} verbatims name it against "
           f"{units.percent(row['low_share'])} of {row['low_group']}")
    return f"{gap}; a gap this large would arise by chance {chance(row['p_value'])} ({p_words(row['p_value'])})."


def p_words(p: float) -> str:
    """``"p < 0.001"`` or ``"p = 0.042"``."""
    return "p < 0.001" if p < 0.001 else f"p = {units.p_value(p)}"


def groups_sentence(tests: pd.DataFrame, group_word: str, alpha: float = 0.05) -> str:
    """The headline of :func:`group_tests`: which themes differ between the groups more than chance would make
    them, with the clearest one's figures, or that none does."""
    plural = f"{group_word}s"
    tested = tests[tests["p_value"].notna()]
    if tested.empty:
        return f"Too few verbatims in the {plural} to tell whether the themes differ between them."
    hits = tested[[differs(r, alpha) for _, r in tested.iterrows()]].sort_values("p_value", kind="stable")
    if hits.empty:
        return (f"No theme differs between {plural} more than chance would make it: the {plural} raise the same "
                f"themes about as often ({units.count(len(tested))} themes tested).")
    top = hits.iloc[0]
    names = ", ".join(hits["theme"].astype(str))
    return (f"{units.count(len(hits))} of {units.count(len(tested))} themes differ between {plural} more than chance "
            f"would make them ({names}). The clearest: {theme_sentence(top, group_word)}")

