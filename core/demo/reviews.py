"""Public reviews (1-5 stars) and social posts (no score): the survey themes plus the hidden theme, and now
and then personal data that masking must catch."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from core.demo.customers import Accounts
from core.demo.feedback import theme_weights
from core.demo.texts import HIDDEN_NEGATIVE, HIDDEN_POSITIVE, HIDDEN_THEME, NEGATIVE, PII, POSITIVE, THEMES, render
from core.demo.timeline import Window, days_in

_MONTHLY_RATE = 0.025  # chance that a customer posts in a month
_REVIEW_SHARE = 0.6  # the rest are social posts
_HIDDEN_SHARE = 0.22  # posts about HIDDEN_THEME
_PII_SHARE = 0.03


def _norm(u):
    """Standard normal quantiles of uniforms (keeps one uniform per draw, so the stream stays aligned)."""
    return norm.ppf(np.clip(u, 1e-9, 1 - 1e-9))


def reviews_and_posts(rng: np.random.Generator, acc: Accounts, win: Window, health: np.ndarray,
                      churn_soon: np.ndarray, stop: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The review and social rows of the ``feedback`` table (without ``status``), and the theme each names.

    Seven uniforms per post, drawn together, so that each property keeps its own row of the stream.
    """
    n, M = health.shape
    ms, end64 = win.ms, win.end64
    due = acc.exists & (rng.random((n, M)) < _MONTHLY_RATE)
    c, m = np.nonzero(due)
    lo = np.maximum(ms[m], acc.signup[c])
    hi = np.minimum(np.minimum(ms[m + 1], stop[c]), end64 + 1)
    u = rng.random((7, len(c)))
    ok = hi > lo
    c, m, lo, hi, u = c[ok], m[ok], lo[ok], hi[ok], u[:, ok]
    k = len(c)
    stars = np.clip(np.round(3.5 + 1.0 * health[c, m] + 1.1 * _norm(u[0])), 1, 5)
    review = u[1] < _REVIEW_SHARE
    neg, pos = stars <= 2, stars >= 4
    names = list(THEMES)
    cum = theme_weights(k, c, m, neg, np.full((n, M), 12), np.zeros((n, M)), churn_soon)
    theme = np.minimum((u[2][:, None] > cum).sum(axis=1), len(names) - 1)
    label = np.array(names, dtype=object)[theme]
    label[u[3] < _HIDDEN_SHARE] = HIDDEN_THEME
    text = _post_texts(label, neg, pos, u[4], u[5])
    out = pd.DataFrame({"customer_id": acc.ids[c], "date": days_in(lo, hi, u[6]).astype("datetime64[s]"),
                        "channel": np.where(review, "review", "social"),
                        "score": np.where(review, stars, np.nan), "text": text})
    return out, label


def _post_texts(label: np.ndarray, neg: np.ndarray, pos: np.ndarray, u_pick: np.ndarray,
                u_pii: np.ndarray) -> np.ndarray:
    """A sentence about each post's theme (negative unless the post is positive), some with personal data."""
    text = np.full(len(label), None, dtype=object)
    for tname in list(THEMES) + [HIDDEN_THEME]:
        pools = ((HIDDEN_NEGATIVE, HIDDEN_POSITIVE) if tname == HIDDEN_THEME
                 else (render(NEGATIVE[tname]), render(POSITIVE[tname])))
        for pool, mask in zip(pools, (neg | ~pos, pos)):
            sel = np.nonzero((label == tname) & mask)[0]
            text[sel] = np.array(pool, dtype=object)[(u_pick[sel] * len(pool)).astype(int)]
    idx = np.nonzero(u_pii < _PII_SHARE)[0]
    add = np.array([PII[i % len(PII)].format(co="acme", n=100 + i % 900) for i in range(len(idx))], dtype=object)
    text[idx] = text[idx] + add
    return text
