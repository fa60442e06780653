"""The verbatims a reader lists: those in the window that match a theme (or none), a tone, channels and a search
for words or a customer id, newest first, with each verbatim's theme names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.feedback.codebook import Codebook
from core.feedback.inputs import in_window

#: every theme, and verbatims no active theme names: the two choices before the themes' own
ALL, UNTAGGED = "All", "Untagged"
#: the newest verbatims a page lists on screen (the download holds every one that matches): tens of thousands of
#: texts sent to the browser on every rerun would make each click wait
SHOWN = 1000
#: the list's columns, in order
COLUMNS = ["date", "vid", "customer_id", "segment", "channel", "score", "sentiment", "tone", "themes", "signal",
           "status", "text"]


def matching(prep: pd.DataFrame, labels: pd.Series, tags: pd.DataFrame, book: Codebook, *, start=None, end=None,
             theme: str = ALL, tone: str = ALL, channels: tuple[str, ...] = (), search: str = "") -> pd.DataFrame:
    """The verbatims of ``prep`` in [start, end] that match every choice, newest first, with ``themes`` (each
    verbatim's theme names from ``labels``). ``theme`` is a theme's label in ``book``, :data:`ALL` or
    :data:`UNTAGGED`; ``search`` matches words in the text (any case) or a whole customer id."""
    mask = in_window(prep, start, end)
    names = labels.to_numpy()
    if theme == UNTAGGED:
        mask &= names == ""
    elif theme != ALL:
        tid = next(t.id for t in book.active() if book.label(t.id) == theme)
        mask &= np.isin(np.arange(len(prep)), tags.loc[tags["theme_id"] == tid, "row"].to_numpy())
    if tone != ALL:
        mask &= (prep["tone"] == tone).to_numpy()
    if channels:
        mask &= prep["channel"].isin(channels).to_numpy()
    q = search.strip()
    if q:
        mask &= (prep["text"].str.contains(q, case=False, regex=False)
                 | (prep["customer_id"].astype(str) == q)).to_numpy()
    out = prep.loc[mask, [c for c in COLUMNS if c != "themes"]].assign(themes=names[mask])
    return out[COLUMNS].sort_values("date", ascending=False)
