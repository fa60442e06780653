"""What each theme costs: its NPS impact, churn impact and MRR at risk within a window.

Definitions (also in :data:`core.metrics.GLOSSARY`):

* **NPS impact** of a theme: NPS of every NPS answer in the window minus NPS of the answers whose
  comment does *not* name the theme. Negative: the theme pulls NPS down.
* **Churn impact**: among customers who left a verbatim in the window, the churn rate within
  ``horizon`` days after the first verbatim naming the theme (raised) minus the churn rate within
  ``horizon`` days after their first verbatim (did not raise), with Newcombe's 95 % interval. A
  customer counts only if ``horizon`` days have passed since that date by the end of the data.
* **MRR at risk**: the latest MRR of still-active customers who named the theme in a negative
  verbatim in the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.feedback import verbatims as vb
from core.feedback.codebook import Codebook, Theme
from core.feedback.inputs import FeedbackInputs, in_window

HORIZON_DAYS = 180
IMPACT_COLUMNS = ["theme_id", "theme", "team", "parent_id", "mentions", "share", "customers", "sentiment",
                  "negative_share", "nps_impact", "churn_raised", "n_raised", "churn_others", "n_others", "churn_diff",
                  "churn_low", "churn_high", "mrr_at_risk", "customers_at_risk"]


def _tag_matrix(tags: pd.DataFrame, n: int, theme_ids) -> dict[int, np.ndarray]:
    """theme id -> which of ``n`` verbatims it tags."""
    out = {}
    for tid in theme_ids:
        a = np.zeros(n, dtype=bool)
        a[tags.loc[tags["theme_id"] == tid, "row"].to_numpy()] = True
        out[tid] = a
    return out


def _remove(values: np.ndarray, drop: np.ndarray) -> np.ndarray:
    """``values`` minus one occurrence of each element of ``drop`` (a multiset difference)."""
    if not len(drop):
        return values
    vals, counts = np.unique(values, return_counts=True)
    dv, dc = np.unique(drop, return_counts=True)
    left = dict(zip(vals.tolist(), counts.tolist()))
    for x, c in zip(dv.tolist(), dc.tolist()):
        left[x] = left.get(x, 0) - c
    return np.repeat(np.array(list(left), float), np.maximum(np.array(list(left.values())), 0))


def churn_outcomes(verb: pd.DataFrame, hit: np.ndarray, inputs: FeedbackInputs,
                   horizon: int = HORIZON_DAYS) -> tuple[int, int, int, int]:
    """(churned raised, raised, churned others, others) as defined in the module notes.

    ``verb`` holds the window's verbatims, ``hit`` which of them name the theme.
    """
    known = verb["customer_id"].notna().to_numpy()
    v = verb[known]
    h = hit[known]
    if v.empty:
        return (0, 0, 0, 0)
    cid = v["customer_id"].astype(str).to_numpy()
    first_any = pd.Series(v["date"].to_numpy(), index=cid).groupby(level=0).min()
    first_hit = pd.Series(v["date"].to_numpy()[h], index=cid[h]).groupby(level=0).min()
    ref = first_any.copy()
    ref.loc[first_hit.index] = first_hit
    raised = ref.index.isin(first_hit.index)
    churn = inputs.customers.set_index("customer_id")["churn_date"].reindex(ref.index)
    limit = ref + pd.Timedelta(days=horizon)
    ok = (limit <= inputs.end).to_numpy()
    churned = ((churn >= ref) & (churn <= limit)).to_numpy()
    return (int((churned & raised & ok).sum()), int((raised & ok).sum()),
            int((churned & ~raised & ok).sum()), int((~raised & ok).sum()))


@dataclass(frozen=True)
class _Window:
    """What every theme's row of :func:`theme_impact` reads from the window."""

    verb: pd.DataFrame  # the window's verbatims, rows 0..n-1
    is_nps: np.ndarray  # which of them are scored NPS answers
    nps_scores: np.ndarray  # every NPS answer in the window, with or without a comment
    nps_total: float  # the NPS of those answers
    active: set[str]  # customers still active at the end of the data


def _window_rows(prepared: pd.DataFrame, tags: pd.DataFrame, start, end) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the window's verbatims as rows 0..n-1, their tags renumbered alike)."""
    win = in_window(prepared, start, end)
    verb = prepared[win].reset_index(drop=True)
    rows_in = np.nonzero(win)[0]
    remap = pd.Series(np.arange(len(rows_in)), index=rows_in)
    t = tags[tags["row"].isin(rows_in)]
    return verb, t.assign(row=remap.reindex(t["row"]).to_numpy())


def _window(verb: pd.DataFrame, inputs: FeedbackInputs, start, end) -> _Window:
    """The NPS answers of the window and the customers still active, for the window's verbatims ``verb``."""
    nps_all = inputs.surveys[(inputs.surveys["channel"] == "nps")]
    if start is not None:
        nps_all = nps_all[nps_all["date"] >= pd.Timestamp(start)]
    if end is not None:
        nps_all = nps_all[nps_all["date"] <= pd.Timestamp(end)]
    cust = inputs.customers
    active = cust.loc[cust["churn_date"].isna() | (cust["churn_date"] > inputs.end), "customer_id"]
    is_nps = (verb["channel"] == "nps").to_numpy() & verb["score"].notna().to_numpy()
    return _Window(verb, is_nps, nps_all["score"].to_numpy(float), vb.nps(nps_all["score"])[0],
                   set(active.astype(str)))


def _theme_row(th: Theme, book: Codebook, w: _Window, hit: np.ndarray, inputs: FeedbackInputs,
               horizon: int) -> dict:
    """One row of :func:`theme_impact`: the theme tags ``hit`` of the window's verbatims."""
    verb = w.verb
    sub = verb[hit]
    # NPS without this theme's answers: remove their scores from the full set of answers
    own = verb.loc[hit & w.is_nps, "score"].to_numpy(float)
    nps_without = vb.nps(_remove(w.nps_scores, own))[0]
    k1, n1, k0, n0 = churn_outcomes(verb, hit, inputs, horizon)
    d, lo, hi = vb.newcombe_diff(k1, n1, k0, n0)
    neg_c = set(sub.loc[sub["negative"] & sub["customer_id"].notna(), "customer_id"].astype(str)) & w.active
    return {
        "theme_id": th.id, "theme": book.label(th.id), "team": th.team, "parent_id": th.parent,
        "mentions": int(hit.sum()), "share": float(hit.mean()) if len(verb) else np.nan,
        "customers": int(sub["customer_id"].dropna().nunique()),
        "sentiment": float(sub["sentiment"].mean()) if len(sub) else np.nan,
        "negative_share": float(sub["negative"].mean()) if len(sub) else np.nan,
        "nps_impact": w.nps_total - nps_without if len(own) else 0.0,
        "churn_raised": k1 / n1 if n1 else np.nan, "n_raised": n1,
        "churn_others": k0 / n0 if n0 else np.nan, "n_others": n0,
        "churn_diff": d, "churn_low": lo, "churn_high": hi,
        "mrr_at_risk": float(inputs.mrr.reindex(sorted(neg_c)).fillna(0).sum()),
        "customers_at_risk": len(neg_c)}


def theme_impact(prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook, inputs: FeedbackInputs, *,
                 start=None, end=None, horizon: int = HORIZON_DAYS) -> pd.DataFrame:
    """One row per active theme, ranked by churn impact (largest first).

    Returns
    -------
    pandas.DataFrame
        :data:`IMPACT_COLUMNS`: ``theme_id, theme, team, parent_id, mentions, share, customers, sentiment,
        negative_share, nps_impact, churn_raised, n_raised, churn_others, n_others, churn_diff, churn_low,
        churn_high, mrr_at_risk, customers_at_risk``; rates as fractions, ``share`` of the window's verbatims.
    """
    verb, t = _window_rows(prepared, tags, start, end)
    themes = book.active()
    hits = _tag_matrix(t, len(verb), [th.id for th in themes])
    w = _window(verb, inputs, start, end)
    out = [_theme_row(th, book, w, hits[th.id], inputs, horizon) for th in themes]
    df = pd.DataFrame(out, columns=IMPACT_COLUMNS)
    return df.sort_values(["churn_diff", "mentions"], ascending=[False, False], na_position="last",
                          kind="stable").reset_index(drop=True)
