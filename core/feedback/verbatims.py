"""Verbatims: personal-data masking, sentiment, churn-signal words, and survey scores with intervals.

Every text a page shows or a model clusters goes through :func:`mask_pii` first (and :func:`mask_names`
where the store holds names); both live in :mod:`core.feedback.masking` and are re-exported here. Sentiment is
VADER's compound score (Hutto & Gilbert 2014, the ``vaderSentiment`` package): -1 (most negative)
to +1, with the usual cut-offs of -0.05 and +0.05 for negative and positive.

Survey scores follow the usual definitions (see :data:`core.metrics.GLOSSARY`): NPS on 0-10 answers,
CSAT as the share of 4-5 answers on a 1-5 scale, CES as the mean answer on a 1-7 scale (higher =
easier). Each comes with a 95 % interval: NPS with the normal interval of a difference of two
multinomial shares, CSAT with Wilson's score interval, CES with Student's t.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from core.feedback.masking import MASKS, mask_names, mask_pii, mask_text  # noqa: F401  (re-exported)
from core.feedback.rules import find_mentions, matched_terms
from core.store.dates import datetimes

# -- sentiment --------------------------------------------------------------------------------
NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # reads its lexicon file when first needed
    return SentimentIntensityAnalyzer()


def sentiment(texts: pd.Series) -> pd.Series:
    """VADER compound score (-1..1) of each text; NaN for a missing or empty text. Same index.

    Each distinct text is scored once, so repeated verbatims cost nothing.
    """
    s = texts.where(texts.notna(), None)
    uniq = pd.unique(s.dropna().astype(str))
    a = _analyzer()
    scores = {t: a.polarity_scores(t)["compound"] for t in uniq if t.strip()}
    return s.map(scores).astype(float)


def sentiment_label(score: pd.Series) -> pd.Series:
    """``negative`` (<= -0.05), ``positive`` (>= 0.05), ``neutral`` or ``None`` for NaN."""
    out = np.where(score <= NEGATIVE_BELOW, "negative", np.where(score >= POSITIVE_ABOVE, "positive", "neutral"))
    return pd.Series(np.where(score.isna(), None, out), index=score.index, dtype=object)


#: scores that count as a complaint whatever the words say (detractor, dissatisfied, hard effort, 1-2 stars)
LOW_SCORE = {"nps": 6, "csat": 2, "ces": 3, "review": 2}


def is_negative(sent: pd.Series, channel: pd.Series, score: pd.Series) -> pd.Series:
    """A negative verbatim: VADER sentiment <= -0.05, or a low score on its channel (:data:`LOW_SCORE`)."""
    limit = channel.astype(str).str.lower().map(LOW_SCORE)
    low = (score <= limit).fillna(False).astype(bool)
    return (sent <= NEGATIVE_BELOW).fillna(False).astype(bool) | low


# -- churn signals ----------------------------------------------------------------------------
#: words and phrases that say a customer may leave; a negated mention ("we will not cancel") does not count
CHURN_SIGNALS = ("cancel*", "switching", "switch to", "switch tools", "leave", "leaving", "not renew*",
                 "won't renew", "to a competitor", "for a competitor", "another vendor", "another tool",
                 "alternatives", "disappointed", "terminate*", "churn*", "move to another", "moving to another",
                 "unsubscrib*", "end our contract")


def churn_signal(texts: pd.Series, words=CHURN_SIGNALS) -> np.ndarray:
    """Boolean array: texts with a churn-signal word or phrase that is not negated."""
    return find_mentions(texts, words, "exclude")


def signal_words(text: str, words=CHURN_SIGNALS) -> str:
    """The churn-signal words found in ``text``, comma-separated."""
    return ", ".join(matched_terms(text, words, "exclude"))


# -- survey scores with intervals -------------------------------------------------------------
Z95 = stats.norm.ppf(0.975)


def nps(scores) -> tuple[float, float, float, int]:
    """Net promoter score of 0-10 answers: % promoters (9-10) minus % detractors (0-6).

    Returns
    -------
    (nps, low, high, n)
        NPS in points (-100..100) and its 95 % normal interval, clipped to -100..100; NaN for no answers.
    """
    x = np.asarray(pd.Series(scores).dropna(), dtype=float)
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan, 0)
    p, d = float(np.mean(x >= 9)), float(np.mean(x <= 6))
    v = 100 * (p - d)
    se = 100 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    return (v, max(-100.0, v - Z95 * se), min(100.0, v + Z95 * se), n)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n`` (NaN for n = 0)."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, mid - half), min(1.0, mid + half))


def csat(scores) -> tuple[float, float, float, int]:
    """CSAT: share (%) of 1-5 answers that are 4 or 5, with its 95 % Wilson interval."""
    x = np.asarray(pd.Series(scores).dropna(), dtype=float)
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan, 0)
    k = int(np.sum(x >= 4))
    lo, hi = wilson(k, n)
    return (100 * k / n, 100 * lo, 100 * hi, n)


def ces(scores) -> tuple[float, float, float, int]:
    """CES: mean 1-7 answer (higher = easier), with its 95 % Student t interval (NaN bounds for n < 2)."""
    x = np.asarray(pd.Series(scores).dropna(), dtype=float)
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan, 0)
    m = float(x.mean())
    if n < 2:
        return (m, math.nan, math.nan, n)
    half = stats.t.ppf(0.975, n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return (m, m - half, m + half, n)


SCORES = {"NPS": ("nps", nps), "CSAT": ("csat", csat), "CES": ("ces", ces)}


def newcombe_diff(k1: int, n1: int, k0: int, n0: int, z: float = Z95) -> tuple[float, float, float]:
    """Difference of two proportions ``k1/n1 - k0/n0`` with Newcombe's hybrid score interval (method 10).

    Returns
    -------
    (diff, low, high)
        NaN when either group is empty.
    """
    if n1 == 0 or n0 == 0:
        return (math.nan, math.nan, math.nan)
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson(k1, n1, z)
    l0, u0 = wilson(k0, n0, z)
    d = p1 - p0
    low = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return (d, low, high)


def score_table(surveys: pd.DataFrame, *, freq: str = "Q", by: str | None = "segment") -> pd.DataFrame:
    """NPS, CSAT and CES per period (and per ``by`` value, plus an ``All`` row) with 95 % intervals.

    Parameters
    ----------
    surveys : pandas.DataFrame
        ``date, channel, score`` and the ``by`` column (answers of other channels are ignored).
    freq : {"M", "Q", "Y"}
        Calendar month, quarter or year.
    by : str or None
        A column to split by (segment, plan, region ...).

    Returns
    -------
    pandas.DataFrame
        ``period, group, metric, value, low, high, n`` (``period`` as text such as ``2026Q3``).
    """
    cols = ["period", "group", "metric", "value", "low", "high", "n"]
    if surveys.empty:
        return pd.DataFrame(columns=cols)
    df = surveys.assign(channel=surveys["channel"].astype(str).str.lower())
    df = df[df["date"].notna() & df["score"].notna()]
    df = df.assign(period=datetimes(df["date"]).dt.to_period(freq).astype(str))
    rows = []
    for metric, (chan, fn) in SCORES.items():
        sub = df[df["channel"] == chan]
        if sub.empty:
            continue
        groups = [("All", sub)]
        if by and by in sub.columns:
            groups += [(str(g), part) for g, part in sub.groupby(sub[by].fillna("(none)").astype(str), sort=True)]
        for g, part in groups:
            for period, p in part.groupby("period", sort=True):
                v, lo, hi, n = fn(p["score"])
                rows.append((period, g, metric, v, lo, hi, n))
    return pd.DataFrame(rows, columns=cols)
