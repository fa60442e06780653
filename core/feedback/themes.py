"""Feedback themes: verbatims from every channel, tagged by the codebook and tied to churn and revenue.

The flow is: :func:`load_inputs` (or :func:`inputs_from_frames`) reads verbatims from survey
comments, reviews, social posts and support tickets; :func:`prepare` masks personal data and adds
sentiment, the negative flag and churn signals (once per store version); :func:`core.feedback.codebook.tag`
tags them (once per codebook); the functions below measure each theme.

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
from sqlalchemy.engine import Engine

from core.errors import InsufficientDataError
from core.feedback import verbatims as vb
from core.feedback.codebook import Codebook

HORIZON_DAYS = 180
GROUPS = ("segment", "plan", "region")  # customer columns verbatims can be split by
VERBATIM_COLUMNS = ["vid", "source", "source_id", "customer_id", "date", "channel", "score", "text", "status"]
_CLOSED = {"closed", "resolved", "done", "completed", "solved", "fixed"}
_PROGRESS = {"in progress", "pending", "in_progress", "working", "assigned", "on hold", "waiting"}


def follow_up_status(raw: pd.Series) -> pd.Series:
    """Normalise a follow-up or ticket status to ``open``, ``in progress`` or ``closed`` (missing: open)."""
    s = raw.astype(object).where(raw.notna(), "").astype(str).str.strip().str.lower()
    return pd.Series(np.where(s.isin(_CLOSED), "closed", np.where(s.isin(_PROGRESS), "in progress", "open")),
                     index=raw.index, dtype=object)


@dataclass
class FeedbackInputs:
    """What the Feedback themes page reads from the store.

    Attributes
    ----------
    verbatims : pandas.DataFrame
        :data:`VERBATIM_COLUMNS`: one row per text from feedback (surveys, reviews, social ...) and
        tickets; ``vid`` is ``F<id>`` or ``T<id>``; ``status`` normalised by :func:`follow_up_status`.
    surveys : pandas.DataFrame
        ``customer_id, date, channel, score`` of every scored feedback row (with or without text).
    customers : pandas.DataFrame
        ``customer_id, name, segment, plan, region, churn_date``.
    mrr : pandas.Series
        Each customer's MRR in its latest revenue month (index ``customer_id``).
    end : pandas.Timestamp
        The last day the data speaks about.
    """

    verbatims: pd.DataFrame
    surveys: pd.DataFrame
    customers: pd.DataFrame
    mrr: pd.Series
    end: pd.Timestamp


def _verbatim_frame(feedback: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    parts = []
    if len(feedback):
        # ids number every row (as the store does), so they are taken before rows without text drop out
        all_ids = feedback["id"] if "id" in feedback else pd.Series(np.arange(1, len(feedback) + 1),
                                                                    index=feedback.index)
        keep = feedback["text"].notna() & (feedback["text"].astype(str).str.strip() != "")
        fb, ids = feedback[keep], all_ids[keep]
        parts.append(pd.DataFrame({
            "vid": "F" + ids.astype(str), "source": "feedback", "source_id": ids.astype(np.int64),
            "customer_id": fb["customer_id"], "date": pd.to_datetime(fb["date"]),
            "channel": fb["channel"].astype(str).str.lower(), "score": pd.to_numeric(fb["score"], errors="coerce"),
            "text": fb["text"].astype(str),
            "status": follow_up_status(fb["status"] if "status" in fb else pd.Series(None, index=fb.index))}))
    if len(tickets) and "text" in tickets:
        all_ids = tickets["id"] if "id" in tickets else pd.Series(np.arange(1, len(tickets) + 1), index=tickets.index)
        keep = tickets["text"].notna() & (tickets["text"].astype(str).str.strip() != "")
        tk, ids = tickets[keep], all_ids[keep]
        parts.append(pd.DataFrame({
            "vid": "T" + ids.astype(str), "source": "ticket", "source_id": ids.astype(np.int64),
            "customer_id": tk["customer_id"], "date": pd.to_datetime(tk["opened"]).dt.normalize(),
            "channel": "ticket", "score": pd.to_numeric(tk.get("satisfaction"), errors="coerce"),
            "text": tk["text"].astype(str),
            "status": follow_up_status(tk["status"] if "status" in tk else pd.Series(None, index=tk.index))}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in VERBATIM_COLUMNS}).astype(
            {"date": "datetime64[ns]", "score": float, "source_id": np.int64})
    out = pd.concat(parts, ignore_index=True)
    out["customer_id"] = out["customer_id"].astype(object).where(out["customer_id"].notna(), None)
    return out.sort_values(["date", "vid"], kind="stable").reset_index(drop=True)


def latest_mrr(revenue: pd.DataFrame, day=None) -> pd.Series:
    """Each customer's MRR in its latest revenue month (on or before ``day`` when given), by ``customer_id``."""
    rev = revenue[["customer_id", "period", "mrr"]].copy()
    rev["period"] = pd.to_datetime(rev["period"])
    if day is not None:
        rev = rev[rev["period"] <= pd.Timestamp(day)]
    last = rev.sort_values("period", kind="stable").groupby("customer_id", sort=False).tail(1)
    return last.set_index(last["customer_id"].astype(str))["mrr"].astype(float)


def inputs_from_frames(customers: pd.DataFrame, feedback: pd.DataFrame | None = None,
                       tickets: pd.DataFrame | None = None, revenue: pd.DataFrame | None = None) -> FeedbackInputs:
    """:class:`FeedbackInputs` from frames in store column names (for example :func:`core.make_demo`'s).

    Row ids are taken from an ``id`` column when there is one, else 1, 2, 3 ... in frame order
    (the order the store gives rows loaded from these frames).
    """
    if feedback is None:
        feedback = pd.DataFrame(columns=["customer_id", "date", "channel", "score", "text"])
    tickets = pd.DataFrame(columns=["customer_id", "opened", "text"]) if tickets is None else tickets
    cust = customers.reindex(columns=["customer_id", "name", "segment", "plan", "region", "churn_date"]).copy()
    cust["customer_id"] = cust["customer_id"].astype(str)
    cust["churn_date"] = pd.to_datetime(cust["churn_date"])
    verb = _verbatim_frame(feedback, tickets)
    surveys = feedback.reindex(columns=["customer_id", "date", "channel", "score"]).copy()
    surveys["date"] = pd.to_datetime(surveys["date"])
    surveys["channel"] = surveys["channel"].astype(str).str.lower()
    surveys = surveys[pd.to_numeric(surveys["score"], errors="coerce").notna()].astype({"score": float})
    mrr = pd.Series(dtype=float)
    ends = [verb["date"].max(), surveys["date"].max(), cust["churn_date"].max()]
    if revenue is not None and len(revenue):
        mrr = latest_mrr(revenue)
        ends.append(pd.to_datetime(revenue["period"]).max() + pd.offsets.MonthEnd(0))
    ends = [e for e in ends if pd.notna(e)]
    end = max(ends).normalize() if ends else pd.Timestamp.today().normalize()
    return FeedbackInputs(verb, surveys, cust, mrr, end)


def load_inputs(engine: Engine) -> FeedbackInputs:
    """Read verbatims, survey scores, customers and MRR from the store.

    Raises
    ------
    core.errors.InsufficientDataError
        If there are no customers and no feedback at all.
    """
    from core.store.read import load_columns

    customers = load_columns(engine, "customer", ["customer_id", "name", "segment", "plan", "region", "churn_date"])
    feedback = load_columns(engine, "feedback", ["id", "customer_id", "date", "channel", "score", "text", "status"])
    tickets = load_columns(engine, "ticket", ["id", "customer_id", "opened", "satisfaction", "status", "text"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    if feedback.empty and tickets["text"].isna().all():
        raise InsufficientDataError("There is no feedback yet: import survey answers, reviews or tickets with a text "
                                    "column on the Data page, or load the demo.")
    return inputs_from_frames(customers, feedback, tickets, revenue)


def prepare(inputs: FeedbackInputs, progress=None) -> pd.DataFrame:
    """Verbatims ready to tag: personal data masked, sentiment, negative flag, churn signal, segment.

    Returns
    -------
    pandas.DataFrame
        :data:`VERBATIM_COLUMNS` (``text`` masked) plus ``sentiment`` (VADER compound),
        ``tone`` (negative / neutral / positive), ``negative`` (see :func:`core.feedback.verbatims.is_negative`),
        ``signal`` (churn-signal words found, "" if none), and the customer's ``segment, plan, region``
        (``(unknown)`` for an anonymous verbatim).
    """
    v = inputs.verbatims.copy()
    if progress:
        progress(0.1, "Masking personal data ...")
    v["text"] = vb.mask_pii(v["text"])
    if progress:
        progress(0.3, "Scoring sentiment ...")
    v["sentiment"] = vb.sentiment(v["text"]).to_numpy()
    v["tone"] = vb.sentiment_label(v["sentiment"]).to_numpy()
    v["negative"] = vb.is_negative(v["sentiment"], v["channel"], v["score"]).to_numpy()
    if progress:
        progress(0.8, "Looking for churn signals ...")
    hit = vb.churn_signal(v["text"])
    words = pd.Series("", index=v.index, dtype=object)
    if hit.any():
        words[hit] = v.loc[hit, "text"].map(vb.signal_words)
    v["signal"] = words.to_numpy()
    cust = inputs.customers.set_index("customer_id")
    for col in GROUPS:
        v[col] = v["customer_id"].map(cust[col]).fillna("(unknown)").to_numpy() if len(cust) else "(unknown)"
    return v


def theme_labels(tags: pd.DataFrame, book: Codebook, n: int) -> pd.Series:
    """The themes each of ``n`` verbatims names, as ``"A; B"`` ("" for none), by row position."""
    out = pd.Series("", index=range(n), dtype=object)
    if len(tags):
        lab = tags.assign(label=tags["theme_id"].map({t.id: book.label(t.id) for t in book.active()}))
        joined = lab.groupby("row")["label"].agg("; ".join)
        out[joined.index] = joined.to_numpy()
    return out


def in_window(verb: pd.DataFrame, start=None, end=None) -> np.ndarray:
    """Boolean mask of verbatims dated within [start, end] (None: open)."""
    m = np.ones(len(verb), dtype=bool)
    if start is not None:
        m &= (verb["date"] >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        m &= (verb["date"] <= pd.Timestamp(end)).to_numpy()
    return m


def _tag_matrix(tags: pd.DataFrame, n: int, theme_ids) -> dict[int, np.ndarray]:
    out = {}
    for tid in theme_ids:
        a = np.zeros(n, dtype=bool)
        a[tags.loc[tags["theme_id"] == tid, "row"].to_numpy()] = True
        out[tid] = a
    return out


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


def theme_impact(prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook, inputs: FeedbackInputs, *,
                 start=None, end=None, horizon: int = HORIZON_DAYS) -> pd.DataFrame:
    """One row per active theme, ranked by churn impact (largest first).

    Returns
    -------
    pandas.DataFrame
        ``theme_id, theme, team, parent_id, mentions, share, customers, sentiment, negative_share,
        nps_impact, churn_raised, n_raised, churn_others, n_others, churn_diff, churn_low, churn_high,
        mrr_at_risk, customers_at_risk``; rates as fractions, ``share`` of the window's verbatims.
    """
    win = in_window(prepared, start, end)
    verb = prepared[win].reset_index(drop=True)
    rows_in = np.nonzero(win)[0]
    remap = pd.Series(np.arange(len(rows_in)), index=rows_in)
    t = tags[tags["row"].isin(rows_in)]
    t = t.assign(row=remap.reindex(t["row"]).to_numpy())
    themes = book.active()
    hits = _tag_matrix(t, len(verb), [th.id for th in themes])
    is_nps = (verb["channel"] == "nps").to_numpy() & verb["score"].notna().to_numpy()
    # every NPS answer in the window, with or without a comment
    nps_all = inputs.surveys[(inputs.surveys["channel"] == "nps")]
    if start is not None:
        nps_all = nps_all[nps_all["date"] >= pd.Timestamp(start)]
    if end is not None:
        nps_all = nps_all[nps_all["date"] <= pd.Timestamp(end)]
    nps_total = vb.nps(nps_all["score"])[0]
    total_scores = nps_all["score"].to_numpy(float)
    active = inputs.customers.loc[inputs.customers["churn_date"].isna() | (inputs.customers["churn_date"] > inputs.end),
                                  "customer_id"]
    active = set(active.astype(str))
    out = []
    for th in themes:
        hit = hits[th.id]
        sub = verb[hit]
        # NPS without this theme's answers: remove their scores from the full set of answers
        own = verb.loc[hit & is_nps, "score"].to_numpy(float)
        without = _remove(total_scores, own)
        nps_without = vb.nps(without)[0]
        k1, n1, k0, n0 = churn_outcomes(verb, hit, inputs, horizon)
        d, lo, hi = vb.newcombe_diff(k1, n1, k0, n0)
        neg_c = set(sub.loc[sub["negative"] & sub["customer_id"].notna(), "customer_id"].astype(str)) & active
        out.append({
            "theme_id": th.id, "theme": book.label(th.id), "team": th.team, "parent_id": th.parent,
            "mentions": int(hit.sum()), "share": float(hit.mean()) if len(verb) else np.nan,
            "customers": int(sub["customer_id"].dropna().nunique()),
            "sentiment": float(sub["sentiment"].mean()) if len(sub) else np.nan,
            "negative_share": float(sub["negative"].mean()) if len(sub) else np.nan,
            "nps_impact": nps_total - nps_without if len(own) else 0.0,
            "churn_raised": k1 / n1 if n1 else np.nan, "n_raised": n1,
            "churn_others": k0 / n0 if n0 else np.nan, "n_others": n0,
            "churn_diff": d, "churn_low": lo, "churn_high": hi,
            "mrr_at_risk": float(inputs.mrr.reindex(sorted(neg_c)).fillna(0).sum()),
            "customers_at_risk": len(neg_c)})
    cols = ["theme_id", "theme", "team", "parent_id", "mentions", "share", "customers", "sentiment", "negative_share",
            "nps_impact", "churn_raised", "n_raised", "churn_others", "n_others", "churn_diff", "churn_low",
            "churn_high", "mrr_at_risk", "customers_at_risk"]
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values(["churn_diff", "mentions"], ascending=[False, False], na_position="last",
                          kind="stable").reset_index(drop=True)


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


def _top_level_rows(tags: pd.DataFrame, book: Codebook, win: np.ndarray):
    """(theme, the rows it tags within ``win``) for each active top-level theme."""
    for th in book.active():
        if th.parent is None:
            r = tags.loc[tags["theme_id"] == th.id, "row"].to_numpy()
            yield th, r[win[r]]


def over_time(prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook, *, freq: str = "M",
              start=None, end=None) -> pd.DataFrame:
    """Mentions of each top-level theme per period: ``period, theme_id, theme, mentions, verbatims, share,
    sentiment`` (``share`` = mentions / the period's verbatims)."""
    win = in_window(prepared, start, end)
    per = prepared["date"].dt.to_period(freq).astype(str)
    totals = per[win].value_counts()
    rows = []
    for th, r in _top_level_rows(tags, book, win):
        if not len(r):
            continue
        g = pd.DataFrame({"period": per.to_numpy()[r], "sentiment": prepared["sentiment"].to_numpy()[r]})
        agg = g.groupby("period").agg(mentions=("sentiment", "size"), sentiment=("sentiment", "mean")).reset_index()
        agg["theme_id"], agg["theme"] = th.id, th.name
        rows.append(agg)
    if not rows:
        return pd.DataFrame(columns=["period", "theme_id", "theme", "mentions", "verbatims", "share", "sentiment"])
    df = pd.concat(rows, ignore_index=True)
    df["verbatims"] = df["period"].map(totals).astype(int)
    df["share"] = df["mentions"] / df["verbatims"]
    return df[["period", "theme_id", "theme", "mentions", "verbatims", "share", "sentiment"]].sort_values(
        ["period", "theme_id"], kind="stable").reset_index(drop=True)


def by_group(prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook, *, by: str = "segment",
             start=None, end=None) -> pd.DataFrame:
    """Share of each group's verbatims that name each top-level theme: ``group, theme_id, theme, mentions,
    verbatims, share, sentiment``."""
    win = in_window(prepared, start, end)
    grp = prepared[by].fillna("(unknown)").astype(str).to_numpy()
    totals = pd.Series(grp[win]).value_counts()
    rows = []
    for th, r in _top_level_rows(tags, book, win):
        g = pd.DataFrame({"group": grp[r], "sentiment": prepared["sentiment"].to_numpy()[r]})
        agg = g.groupby("group").agg(mentions=("sentiment", "size"), sentiment=("sentiment", "mean"))
        agg = agg.reindex(totals.index).fillna({"mentions": 0}).reset_index(names="group")
        agg["theme_id"], agg["theme"] = th.id, th.name
        rows.append(agg)
    cols = ["group", "theme_id", "theme", "mentions", "verbatims", "share", "sentiment"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.concat(rows, ignore_index=True)
    df["mentions"] = df["mentions"].astype(int)
    df["verbatims"] = df["group"].map(totals).astype(int)
    df["share"] = df["mentions"] / df["verbatims"]
    return df[cols].sort_values(["group", "theme_id"], kind="stable").reset_index(drop=True)


def items(prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Follow-up items: each negative or churn-signal verbatim once per theme it names (top-level themes
    and sub-themes alike), routed to the theme's owner team.

    Returns
    -------
    pandas.DataFrame
        ``vid, date, customer_id, channel, theme_id, theme, team, status, text, signal``.
    """
    need = (prepared["negative"] | (prepared["signal"] != "")).to_numpy()
    t = tags[need[tags["row"].to_numpy()]] if len(tags) else tags
    teams = {th.id: th.team for th in book.active()}
    names = {th.id: book.label(th.id) for th in book.active()}
    p = prepared.iloc[t["row"].to_numpy()]
    out = pd.DataFrame({
        "vid": p["vid"].to_numpy(), "date": p["date"].to_numpy(), "customer_id": p["customer_id"].to_numpy(),
        "channel": p["channel"].to_numpy(), "theme_id": t["theme_id"].to_numpy(),
        "theme": t["theme_id"].map(names).to_numpy(), "team": t["theme_id"].map(teams).to_numpy(),
        "status": p["status"].to_numpy(), "text": p["text"].to_numpy(), "signal": p["signal"].to_numpy()})
    out = out.sort_values(["date", "vid", "theme_id"], ascending=[False, True, True], kind="stable")
    return out.reset_index(drop=True)


def backlog(item_rows: pd.DataFrame, book: Codebook, *, start=None, end=None) -> pd.DataFrame:
    """Open, in-progress and closed items per owner team and theme, with the closure rate (closed / items).

    Returns
    -------
    pandas.DataFrame
        ``team, theme_id, theme, items, open, in_progress, closed, closure_rate``, largest open first.
    """
    it = item_rows[in_window(item_rows, start, end)]
    cols = ["team", "theme_id", "theme", "items", "open", "in_progress", "closed", "closure_rate"]
    if it.empty:
        return pd.DataFrame(columns=cols)
    c = pd.crosstab([it["team"], it["theme_id"], it["theme"]], it["status"])
    for s in ("open", "in progress", "closed"):
        if s not in c:
            c[s] = 0
    c = c.rename(columns={"in progress": "in_progress"}).reset_index()
    c["items"] = c["open"] + c["in_progress"] + c["closed"]
    c["closure_rate"] = c["closed"] / c["items"]
    return c[cols].sort_values(["open", "items"], ascending=False, kind="stable").reset_index(drop=True)


def signals(prepared: pd.DataFrame, inputs: FeedbackInputs, *, start=None, end=None,
            health: pd.DataFrame | None = None, active_only: bool = True) -> pd.DataFrame:
    """Verbatims with churn-signal words, for immediate outreach: largest MRR first.

    Parameters
    ----------
    health : pandas.DataFrame, optional
        ``customer_id, score, band`` (today's health), joined when given.
    active_only : bool
        Only customers still active at the end of the data (the ones outreach can reach).

    Returns
    -------
    pandas.DataFrame
        ``vid, date, customer_id, name, segment, channel, signal, text, mrr, health, band, status``.
    """
    p = prepared[in_window(prepared, start, end) & (prepared["signal"] != "").to_numpy()
                 & prepared["customer_id"].notna().to_numpy()]
    cust = inputs.customers.set_index("customer_id")
    churn = cust["churn_date"].reindex(p["customer_id"].astype(str)).to_numpy()
    if active_only:
        still = pd.isna(churn) | (pd.to_datetime(churn) > inputs.end)
        p = p[np.asarray(still)]
    out = pd.DataFrame({"vid": p["vid"], "date": p["date"], "customer_id": p["customer_id"].astype(str),
                        "channel": p["channel"], "signal": p["signal"], "text": p["text"], "status": p["status"]})
    out["name"] = out["customer_id"].map(cust["name"]) if "name" in cust else None
    out["segment"] = out["customer_id"].map(cust["segment"])
    out["mrr"] = out["customer_id"].map(inputs.mrr).astype(float)
    if health is not None and len(health):
        hh = health.set_index(health["customer_id"].astype(str))
        out["health"] = out["customer_id"].map(hh["score"]).astype(float)
        out["band"] = out["customer_id"].map(hh["band"])
    else:
        out["health"], out["band"] = np.nan, None
    cols = ["vid", "date", "customer_id", "name", "segment", "channel", "signal", "text", "mrr", "health", "band",
            "status"]
    return out[cols].sort_values(["mrr", "date"], ascending=[False, False], na_position="last",
                                 kind="stable").reset_index(drop=True)


def untagged(prepared: pd.DataFrame, tags: pd.DataFrame, *, start=None, end=None) -> pd.DataFrame:
    """Verbatims in the window that no active theme names (what discovery clusters)."""
    win = in_window(prepared, start, end)
    hit = np.zeros(len(prepared), dtype=bool)
    hit[tags["row"].to_numpy()] = True
    return prepared[win & ~hit]


def require_verbatims(prepared: pd.DataFrame) -> None:
    """Raise a clear error when there is nothing to analyse.

    Raises
    ------
    core.errors.InsufficientDataError
    """
    if prepared.empty:
        raise InsufficientDataError("There are no verbatims (texts) in the store: import survey comments, reviews, "
                                    "social posts or tickets with a text column on the Data page.")


def for_customers(inputs: FeedbackInputs, customer_ids) -> FeedbackInputs:
    """The inputs of these customers only (anonymous verbatims drop out)."""
    keep = set(str(c) for c in customer_ids)
    verb = inputs.verbatims[inputs.verbatims["customer_id"].astype(str).isin(keep)].reset_index(drop=True)
    surveys = inputs.surveys[inputs.surveys["customer_id"].astype(str).isin(keep)]
    customers = inputs.customers[inputs.customers["customer_id"].isin(keep)]
    return FeedbackInputs(verb, surveys, customers, inputs.mrr[inputs.mrr.index.isin(keep)], inputs.end)


def survey_scores(inputs: FeedbackInputs, *, freq: str = "Q", by: str | None = "segment", start=None,
                  end=None) -> pd.DataFrame:
    """:func:`core.feedback.verbatims.score_table` of the window's answers, split by a customer column
    (see :data:`GROUPS`)."""
    s = inputs.surveys
    s = s[in_window(s, start, end)]
    if by:
        s = s.assign(**{by: s["customer_id"].astype(str).map(inputs.customers.set_index("customer_id")[by])})
    return vb.score_table(s, freq=freq, by=by)


def headline_scores(inputs: FeedbackInputs, *, start=None, end=None) -> dict[str, tuple[float, float, float, int]]:
    """NPS, CSAT and CES of every answer in the window: metric -> (value, low, high, n)."""
    s = inputs.surveys[in_window(inputs.surveys, start, end)]
    return {m: fn(s.loc[s["channel"] == chan, "score"]) for m, (chan, fn) in vb.SCORES.items()}
