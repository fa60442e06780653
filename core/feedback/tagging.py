"""Tagging verbatims with the codebook: the tags, the theme labels they give each verbatim, and the
verbatims no theme names.

Tags are deterministic: the same texts and codebook give the same tags, whatever else is in the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.feedback.codebook import Codebook, Theme
from core.feedback.inputs import in_window
from core.feedback.rules import alternation, distinct_texts, mentioning


def _rule_hits(uniq: np.ndarray, theme: Theme) -> np.ndarray:
    """Which distinct texts meet any rule group of ``theme`` (its keywords, less its exclusions)."""
    hit = np.zeros(len(uniq), dtype=bool)
    for kws, exc, neg in theme.rules():
        rx = alternation(list(kws))
        if rx is None:
            continue
        h = mentioning(uniq, rx, neg)
        ex = alternation(list(exc))
        if ex is not None and h.any():
            idx = np.nonzero(h)[0]
            h[idx] &= ~mentioning(uniq[idx], ex, "exclude")
        hit |= h
    return hit


def tag(texts: pd.Series, book: Codebook) -> pd.DataFrame:
    """Tag every text with the active themes whose rules it meets; sub-theme tags roll up to the parent.

    Parameters
    ----------
    texts : pandas.Series
        Verbatims (masked or not; ``None`` is never tagged).
    book : Codebook

    Returns
    -------
    pandas.DataFrame
        Long form ``row, theme_id, direct``: ``row`` is the text's position in ``texts``;
        ``direct`` is False for a parent tag that only comes from a sub-theme.
    """
    codes, uniq = distinct_texts(texts) if len(texts) else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object))
    # each distinct text is searched once per rule
    hits = {t.id: _rule_hits(uniq, t)[codes] for t in book.active()}
    parts = []
    for t in book.active():
        direct = hits[t.id]
        via = np.zeros(len(texts), dtype=bool)
        for s in book.active():
            if s.parent == t.id:
                via |= hits[s.id]
        rows = np.nonzero(direct | via)[0]
        if len(rows):
            parts.append(pd.DataFrame({"row": rows, "theme_id": t.id, "direct": direct[rows]}))
    if not parts:
        return pd.DataFrame({"row": pd.Series(dtype=np.int64), "theme_id": pd.Series(dtype=np.int64),
                             "direct": pd.Series(dtype=bool)})
    return pd.concat(parts, ignore_index=True).sort_values(["row", "theme_id"], kind="stable").reset_index(drop=True)


def theme_labels(tags: pd.DataFrame, book: Codebook, n: int) -> pd.Series:
    """The themes each of ``n`` verbatims names, as ``"A; B"`` ("" for none), by row position."""
    out = pd.Series("", index=range(n), dtype=object)
    if len(tags):
        lab = tags.assign(label=tags["theme_id"].map({t.id: book.label(t.id) for t in book.active()}))
        joined = lab.groupby("row")["label"].agg("; ".join)
        out[joined.index] = joined.to_numpy()
    return out


def untagged(prepared: pd.DataFrame, tags: pd.DataFrame, *, start=None, end=None) -> pd.DataFrame:
    """Verbatims in the window that no active theme names (what discovery clusters)."""
    win = in_window(prepared, start, end)
    hit = np.zeros(len(prepared), dtype=bool)
    hit[tags["row"].to_numpy()] = True
    return prepared[win & ~hit]
