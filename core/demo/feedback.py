"""Surveys (NPS, CSAT, CES) that follow health, their free-text verbatims, and the verbatims' follow-up state.

A verbatim names a theme chosen by the customer's situation: new customers talk onboarding, open tickets
support, and a customer about to leave names its reason (:data:`~core.demo.texts.THEME_CHURN_LIFT`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.demo.customers import Accounts
from core.demo.texts import (
    CHURN_CLAUSES,
    KEEP_CASE,
    NEGATIVE,
    NEUTRAL,
    OPENERS,
    POSITIVE,
    THEME_CHURN_LIFT,
    THEMES,
    render,
)
from core.demo.timeline import Window, days_in

#: NPS is asked every NPS_EVERY months from the NPS_FROM-th month after signup, and answered half the time
NPS_FROM, NPS_EVERY = 3, 6
#: channel -> monthly chance that a customer answers the surveys sent at random
_SURVEY_RATE = {"csat": 0.08, "ces": 0.06}
#: channel -> (negative up to, positive from, chance of a free-text answer)
_SURVEY_TEXT = {"nps": (6, 9, 0.7), "csat": (2, 5, 0.5), "ces": (3, 6, 0.4)}
_THEME_BASE_WEIGHT = (1.0, 1.2, 1.2, 1.0, 1.0, 0.6)  # in THEMES' order


def nps_surveys(rng: np.random.Generator, acc: Accounts, health: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(customers, months) masks of the NPS answers given, and the score each would be (0-10)."""
    n, M = health.shape
    tenure = acc.tenure
    nps_due = (acc.exists & (tenure >= NPS_FROM) & ((tenure - NPS_FROM) % NPS_EVERY == 0)
               & (rng.random((n, M)) < 0.5))
    nps_score = np.clip(np.round(7.4 + 1.9 * health + rng.normal(0, 1.4, (n, M))), 0, 10)
    return nps_due, nps_score


def survey_feedback(rng: np.random.Generator, acc: Accounts, win: Window, stop: np.ndarray, health: np.ndarray,
                    nps: tuple[np.ndarray, np.ndarray], unresolved: np.ndarray,
                    churn_soon: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The survey rows of the ``feedback`` table (without ``status``), and the theme each verbatim names."""
    n, M = health.shape
    csat_due = acc.exists & (rng.random((n, M)) < _SURVEY_RATE["csat"])
    ces_due = acc.exists & (rng.random((n, M)) < _SURVEY_RATE["ces"])
    csat = np.clip(np.round(3.8 + 0.8 * health + rng.normal(0, 0.8, (n, M))), 1, 5)
    ces = np.clip(np.round(4.9 + 1.0 * health + rng.normal(0, 1.1, (n, M))), 1, 7)
    parts = [_answers(rng, chan, due, score, acc, win, stop)
             for chan, due, score in (("nps", *nps), ("csat", csat_due, csat), ("ces", ces_due, ces))]
    fb = pd.concat(parts, ignore_index=True)
    fb = fb.sort_values(["date", "_c", "channel"], kind="stable").reset_index(drop=True)
    fb["text"], labels = _verbatims(rng, fb, unresolved, acc.tenure, churn_soon)
    fb["customer_id"] = acc.ids[fb["_c"].to_numpy()]
    fb["date"] = fb["date"].astype("datetime64[s]")
    return fb[["customer_id", "date", "channel", "score", "text"]], labels


def _answers(rng, chan: str, due: np.ndarray, score: np.ndarray, acc: Accounts, win: Window,
             stop: np.ndarray) -> pd.DataFrame:
    """One channel's answers: a day in the month (while a customer), the score, its tone, whether it has text."""
    low, high, p_text = _SURVEY_TEXT[chan]
    c, m = np.nonzero(due)
    lo = np.maximum(win.ms[m], acc.signup[c])
    hi = np.minimum(win.ms[m + 1], stop[c])
    ok = hi > lo
    c, m, lo, hi = c[ok], m[ok], lo[ok], hi[ok]
    s = score[c, m]
    return pd.DataFrame({"_c": c, "_m": m, "date": days_in(lo, hi, rng.random(len(c))),
                         "channel": chan, "score": s, "_neg": s <= low, "_pos": s >= high,
                         "_text": rng.random(len(c)) < p_text})


def theme_weights(k, c, m, neg, tenure, unresolved, churn_soon) -> np.ndarray:
    """Cumulative choice probabilities of the themes (k, themes) for verbatims of customer ``c`` in month ``m``."""
    names = list(THEMES)
    w = np.tile(np.array(_THEME_BASE_WEIGHT), (k, 1))
    w[:, 0] += 3.0 * (tenure[c, m] <= 3)
    w[:, 3] += 2.5 * (unresolved[c, m] > 0)
    soon = churn_soon[c, m] & neg
    for t, name in enumerate(names):
        w[:, t] += THEME_CHURN_LIFT[name] * soon
    return np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)


def _verbatims(rng, fb: pd.DataFrame, unresolved, tenure, churn_soon) -> tuple[np.ndarray, np.ndarray]:
    """Text and theme label of each answer (None where it has no text); passives still name a theme mostly."""
    k = len(fb)
    names = list(THEMES)
    c, m = fb["_c"].to_numpy(), fb["_m"].to_numpy()
    u_theme = rng.random(k)
    neg, pos = fb["_neg"].to_numpy(), fb["_pos"].to_numpy()
    mixed = rng.random(k)
    neg = neg | (~pos & (mixed < 0.4))
    pos = pos | (~neg & (mixed > 0.7))
    cum = theme_weights(k, c, m, neg, tenure, unresolved, churn_soon)
    theme = np.minimum((u_theme[:, None] > cum).sum(axis=1), len(names) - 1)
    text = _theme_sentences(rng, theme, neg, pos)
    churny = fb["_neg"].to_numpy() & (rng.random(k) < np.where(fb["score"].to_numpy() <= 3, 0.45, 0.2))
    text[churny] = text[churny] + " " + np.array(CHURN_CLAUSES, dtype=object)[
        rng.integers(0, len(CHURN_CLAUSES), int(churny.sum()))]
    has_text = fb["_text"].to_numpy()
    label = np.where(neg | pos, np.array(names, dtype=object)[theme], None)
    return np.where(has_text, text, None), np.where(has_text, label, None)


def _theme_sentences(rng, theme: np.ndarray, neg: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """A negative or positive sentence about each theme (a neutral one for neither), some after an opener."""
    k = len(theme)
    text = np.full(k, None, dtype=object)
    u = rng.random(k)
    for t, tname in enumerate(THEMES):
        for pool, mask in ((render(NEGATIVE[tname]), neg), (render(POSITIVE[tname]), pos)):
            sel = np.nonzero((theme == t) & mask)[0]
            text[sel] = np.array(pool, dtype=object)[(u[sel] * len(pool)).astype(int)]
    mid = text == None  # noqa: E711 (elementwise)
    text[mid] = np.array(NEUTRAL, dtype=object)[rng.integers(0, len(NEUTRAL), int(mid.sum()))]
    opener = np.array(OPENERS, dtype=object)[rng.integers(0, len(OPENERS), k)]
    has = (opener != "") & ~np.isin(np.array([t.split(" ", 1)[0] for t in text], dtype=object), KEEP_CASE)
    text[has] = np.array([t[:1].lower() + t[1:] for t in text[has]], dtype=object)
    return opener + text


def statuses(rng: np.random.Generator, feedback: pd.DataFrame, end64: np.datetime64) -> np.ndarray:
    """Follow-up state of each verbatim: older ones are mostly closed (``None`` without text)."""
    k = len(feedback)
    age = (np.datetime64(end64, "D") - feedback["date"].to_numpy().astype("datetime64[D]")).astype(np.int64)
    u = rng.random(k)
    p_closed = np.where(age > 60, 0.85, np.where(age > 14, 0.55, 0.15))
    status = np.where(u < p_closed, "closed", np.where(u < p_closed + (1 - p_closed) * 0.3, "in progress", "open"))
    return np.where(feedback["text"].notna().to_numpy(), status.astype(object), None)
