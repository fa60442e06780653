"""Health over time: monthly score history, the portfolio view and the alerts a CSM acts on.

Scores are taken at month ends (the latest point is the last day of the data), each as the data
looked that day. An **alert** names the measures that caused it:

* *crossed into red*: red now, not red a month earlier; because: the measures whose contribution
  fell most;
* *dropped N points*: the score fell more than N points (default 15) in a month; same causes;
* *renewal at risk*: a renewal within the window (default 90 days) while amber or red; because: the
  measures that cost the most points now (share x (100 - points));
* *contradiction*: high usage (usage points >= 75) with low satisfaction (an NPS, CSAT or CES
  answer with 25 points or fewer): a customer who relies on the product but is unhappy with it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from core.errors import InsufficientDataError
from core.health.score import BANDS, MEASURES, STAGES, HealthConfig, measure_frame, score
from core.history.features import asked_ahead
from core.history.inputs import ChurnInputs

Progress = Callable[[float, str], None]
_RANK = {b: i for i, b in enumerate(BANDS)}  # red 0 < amber 1 < green 2


def snapshot_days(end: pd.Timestamp, start: pd.Timestamp, months: int) -> list[pd.Timestamp]:
    """The last ``months`` month ends up to ``end``, and ``end`` itself when it is not a month end."""
    end = pd.Timestamp(end).normalize()
    ends = list(pd.date_range(pd.Timestamp(start) + pd.offsets.MonthEnd(0), end, freq="ME"))
    if not ends or ends[-1] != end:
        ends.append(end)
    return ends[-int(months):] if months > 0 else []


def snapshots(inputs: ChurnInputs, months: int = 13, progress: Progress | None = None) -> list:
    """``[(day, measure frame), ...]`` for :func:`snapshot_days` (oldest first)."""
    cust = inputs.customers
    if cust["signup_date"].notna().sum() == 0:
        raise InsufficientDataError("Health scores need customers with signup dates: import them on the Data page "
                                    "or load the demo there.")
    days = snapshot_days(inputs.end(), cust["signup_date"].min(), months)
    out = []
    with asked_ahead(inputs, days):
        for i, d in enumerate(days):
            if progress:
                progress(i / len(days), f"Scoring {d:%b %Y} ...")
            try:
                out.append((d, measure_frame(inputs, d)[0]))
            except InsufficientDataError:
                continue  # nobody active that month
    if not out:
        raise InsufficientDataError("No customer is active in the data: import customers on the Data page.")
    return out


def history(config: HealthConfig, snaps: list) -> pd.DataFrame:
    """Scores of every snapshot: :func:`core.health.score.score` columns plus ``day`` (oldest first)."""
    return pd.concat([score(config, f).assign(day=d) for d, f in snaps], ignore_index=True)


def lost_points(config: HealthConfig, scored: pd.DataFrame) -> pd.DataFrame:
    """Per row and measure, the points of the score the measure costs: share x (100 - points)."""
    keys = list(MEASURES)
    P = scored[[f"points:{k}" for k in keys]].to_numpy(float)
    W = np.zeros_like(P)
    for s in STAGES:
        W[(scored["stage"] == s).to_numpy()] = [float(config.weights[s].get(k, 0)) for k in keys]
    W = np.where(np.isnan(P), 0.0, W)
    denom = W.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        lost = np.where(denom > 0, W / denom * (100 - np.nan_to_num(P)), np.nan)
    return pd.DataFrame(lost, columns=keys, index=scored.index)


def _named(values: pd.DataFrame, largest: bool, n: int = 2) -> list[str]:
    """Per row, the ``n`` measures with the largest (or most negative) value, as text: "Usage level
    costs 16 pts" (``largest``: points lost now) or "Usage level fell 8 pts" (contribution changes)."""
    verb = "costs" if largest else "fell"
    v = values.to_numpy(float)
    v = np.where(np.isnan(v), 0.0, v if largest else -v)
    order = np.argsort(-v, axis=1)[:, :n]
    labels = [MEASURES[k].label for k in values.columns]
    out = []
    for i, row in enumerate(order):
        parts = [f"{labels[j]} {verb} {v[i, j]:.0f} pts" for j in row if v[i, j] >= 0.5]
        out.append("; ".join(parts) or "small changes across measures")
    return out


def latest_two(hist: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The latest snapshot's rows and the previous one's (None when there is only one)."""
    days = sorted(hist["day"].unique())
    now = hist[hist["day"] == days[-1]].reset_index(drop=True)
    prev = hist[hist["day"] == days[-2]].reset_index(drop=True) if len(days) > 1 else None
    return now, prev


def portfolio(hist: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The portfolio view at the latest snapshot.

    Returns
    -------
    dict of DataFrame
        ``bands``: band, customers, share, share_before, mrr; ``moves``: movement (up, down, same
        band, new) and customers (compared with the previous snapshot); ``mrr_at_risk``: segment x
        band MRR; ``over_time``: day, band, customers, share.
    """
    now, prev = latest_two(hist)
    now = now[now["score"].notna()]  # a customer without any measure has no band and no move
    bands = now.groupby("band").agg(customers=("customer_id", "size"), mrr=("mrr", "sum")).reindex(list(BANDS))
    bands = bands.fillna(0).reset_index()
    bands["share"] = bands["customers"] / max(now["band"].notna().sum(), 1)
    if prev is not None:
        before = prev["band"].value_counts(normalize=True)
        bands["share_before"] = [float(before.get(b, 0.0)) for b in BANDS]
        m = now.merge(prev[["customer_id", "band"]], on="customer_id", how="left", suffixes=("", "_prev"))
        r_now = m["band"].map(_RANK)
        r_prev = m["band_prev"].map(_RANK)
        move = np.where(r_prev.isna(), "new", np.where(r_now > r_prev, "up", np.where(r_now < r_prev, "down",
                                                                                        "same band")))
        moves = pd.Series(move).value_counts().reindex(["up", "down", "same band", "new"], fill_value=0)
        moves = moves.rename_axis("movement").reset_index(name="customers")
    else:
        bands["share_before"] = np.nan
        moves = pd.DataFrame({"movement": ["new"], "customers": [len(now)]})
    risk = (now.assign(segment=now["segment"].fillna("(none)"))
            .pivot_table(index="segment", columns="band", values="mrr", aggfunc="sum", fill_value=0.0)
            .reindex(columns=list(BANDS), fill_value=0.0).reset_index())
    over = hist.groupby(["day", "band"]).size().rename("customers").reset_index()
    over["share"] = over["customers"] / over.groupby("day")["customers"].transform("sum")
    return {"bands": bands[["band", "customers", "share", "share_before", "mrr"]], "moves": moves,
            "mrr_at_risk": risk, "over_time": over}


def has_recurring_revenue(hist: pd.DataFrame) -> bool:
    """Whether any scored customer has MRR (a purchase log or a snapshot has none: no MRR to put at risk)."""
    return bool("mrr" in hist and hist["mrr"].notna().any())


def alerts(config: HealthConfig, hist: pd.DataFrame, drop_points: float = 15, renewal_days: int = 90,
           high_usage: float = 75, low_satisfaction: float = 25) -> pd.DataFrame:
    """Alerts at the latest snapshot, one row per customer and alert (see the module text).

    Returns
    -------
    pandas.DataFrame
        ``customer_id, segment, mrr, score, previous, change, band, stage, days_to_renewal, alert,
        because``; red first, then by MRR.
    """
    now, prev = latest_two(hist)
    now = now[now["score"].notna()].reset_index(drop=True)
    if prev is not None:
        p = prev.set_index("customer_id")
        known = now["customer_id"].isin(p.index).to_numpy()
        previous = p["score"].reindex(now["customer_id"]).to_numpy(float)
        prev_band = p["band"].reindex(now["customer_id"]).to_numpy(object)
        dc = (now[[f"contrib:{k}" for k in MEASURES]].to_numpy(float)
              - p[[f"contrib:{k}" for k in MEASURES]].reindex(now["customer_id"]).to_numpy(float))
        fell = _named(pd.DataFrame(dc, columns=list(MEASURES)), largest=False)
    else:
        known = np.zeros(len(now), bool)
        previous, prev_band, fell = np.full(len(now), np.nan), np.full(len(now), None), [""] * len(now)
    change = now["score"].to_numpy(float) - previous
    costly = _named(lost_points(config, now), largest=True)
    base = now[["customer_id", "segment", "mrr", "score", "band", "stage", "days_to_renewal"]].assign(
        previous=previous, change=change)
    parts = []

    def add(mask, alert, because):
        if np.any(mask):
            parts.append(base[mask].assign(alert=alert, because=np.asarray(because, dtype=object)[mask]))

    add(known & (now["band"].to_numpy() == "red") & (prev_band != "red"), "crossed into red", fell)
    add(known & (change < -float(drop_points)), f"dropped more than {drop_points:g} points", fell)
    add((now["days_to_renewal"].to_numpy() <= renewal_days) & now["band"].isin(["amber", "red"]).to_numpy(),
        f"renewal within {renewal_days} days", costly)
    usage = now["points:usage"].to_numpy(float)
    sat = now[["points:nps", "points:csat", "points:ces"]]
    low = (sat.to_numpy(float) <= low_satisfaction) & sat.notna().to_numpy()
    which = [", ".join(MEASURES[k].label + f" {now.at[i, 'points:' + k]:.0f} pts" for k, x
                       in zip(("nps", "csat", "ces"), row) if x) for i, row in enumerate(low)]
    contra = [f"Usage level {u:.0f} pts but {w}" for u, w in zip(usage, which)]
    add((usage >= high_usage) & low.any(axis=1), "contradiction: high usage, low satisfaction", contra)
    cols = ["customer_id", "segment", "mrr", "score", "previous", "change", "band", "stage", "days_to_renewal",
            "alert", "because"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols]
    out["_r"] = out["band"].map(_RANK)
    return out.sort_values(["_r", "mrr", "customer_id"], ascending=[True, False, True]).drop(columns="_r") \
        .reset_index(drop=True)


def action_list(alert_rows: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer with all its alerts (``alerts``, ``because`` joined), names added when given."""
    if alert_rows.empty:
        return alert_rows.assign(name=pd.Series(dtype=object))
    keys = ["customer_id", "segment", "mrr", "score", "previous", "change", "band", "stage", "days_to_renewal"]
    g = alert_rows.groupby("customer_id", sort=False)
    out = g[keys[1:]].first().reset_index()
    out["alerts"] = g["alert"].agg("; ".join).to_numpy()
    out["because"] = g["because"].agg(lambda s: " | ".join(dict.fromkeys(s))).to_numpy()
    if customers is not None and "name" in customers:
        names = customers.set_index(customers["customer_id"].astype(str))["name"]
        out.insert(1, "name", names.reindex(out["customer_id"].astype(str)).to_numpy())
    return out
