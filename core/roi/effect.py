"""Intervention ROI: what each retention play measurably did, against its own holdout.

The unit is one **contact**: a row of the ``intervention`` table (a customer, a play, an arm and a
date). A customer can be contacted by several plays, or by the same play in several years; each
contact is measured on its own.

Outcomes (:func:`outcomes`):

* **retained**: the customer had not churned ``window`` days after the contact;
* **revenue kept**: revenue billed in the ``window`` days after the contact (MRR, or the amount of
  a transaction where there is no MRR);
* any numeric column imported with the play (for example ``converted`` or ``spend`` of a campaign
  spreadsheet), measured as given.

A contact is **eligible** for a store outcome only when the whole window lies inside the data and the
customer was still a customer on the contact date, so every denominator counts customers who could
have been kept for the whole window. Imported outcomes were measured by whoever ran the campaign and
every row counts.

The estimate (:func:`compare`) is the difference of the treatment arm's mean and the control arm's
mean with a 95 % interval: Wald's for a yes/no outcome, Welch's for an amount. **CUPED** subtracts
``theta * (x - mean(x))`` from each outcome, ``x`` a value fixed before the contact (revenue or usage
in the ``pre_days`` before it) and ``theta = cov(y, x) / var(x)`` over both arms; the difference
stays unbiased (randomisation makes ``x`` balanced) and its interval narrows by the share of the
outcome's variance that ``x`` explains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy.engine import Engine

from core.errors import DataValidationError, InsufficientDataError
from core.history import asof
from core.store.columnar import ActivityPairs

WINDOW_DAYS = 90
PRE_DAYS = 90
ALPHA = 0.05
CONTROL = "holdout"
RETAINED, REVENUE = "retained", "revenue_kept"
PRE_REVENUE, PRE_USAGE = "pre_revenue", "pre_usage"
#: plain names of the outcomes and covariates the store gives every play
LABELS = {RETAINED: "Retained", REVENUE: "Revenue kept", PRE_REVENUE: "Revenue before contact",
          PRE_USAGE: "Usage before contact (log)"}
OUTCOME_COLUMNS = ["id", "customer_id", "play", "arm", "channel", "date", "cost", "segment", "plan", "region",
                   "eligible", "followed", "churn_day", RETAINED, REVENUE, PRE_REVENUE, PRE_USAGE, "mrr_before"]
_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass
class RoiInputs:
    """What the Intervention ROI page reads from the store.

    Attributes
    ----------
    interventions : pandas.DataFrame
        ``id, customer_id, play, channel, date, arm, cost`` plus one column per numeric value imported
        with the plays (the ``attributes`` of the rows, flattened; yes/no text read as 1/0).
    customers : pandas.DataFrame
        ``customer_id, segment, plan, region, signup_date, churn_date, renewal_date``.
    revenue : pandas.DataFrame
        ``customer_id, period, value``: MRR per month, or the amount of a transaction.
    activity : ActivityPairs
        Daily usage with values.
    end : pandas.Timestamp
        The last day the data speaks about.
    """

    interventions: pd.DataFrame
    customers: pd.DataFrame
    revenue: pd.DataFrame
    activity: ActivityPairs
    end: pd.Timestamp

    def plays(self) -> list[str]:
        """The plays, in order of their first contact."""
        iv = self.interventions.sort_values("date", kind="stable")
        return list(pd.unique(iv["play"]))


def _flags_or_numbers(s: pd.Series) -> pd.Series | None:
    """A numeric attribute column (numbers, or yes/no text read as 1/0), or None when it is text."""
    from core.ingest.fields import to_flags

    if pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    num = pd.to_numeric(s, errors="coerce")
    given = s.notna()
    if given.any() and num[given].notna().mean() >= 0.95:
        return num.astype(float)
    text = s.where(given).astype(object)
    flags, bad = to_flags(text.where(given, None).astype("string").astype(object))
    if given.any() and (~bad[given]).mean() >= 0.95:
        return flags.astype(float)
    return None


def _attribute_columns(attrs: pd.Series) -> pd.DataFrame:
    rows = [a if isinstance(a, dict) else {} for a in attrs]
    raw = pd.DataFrame.from_records(rows, index=attrs.index) if any(rows) else pd.DataFrame(index=attrs.index)
    out = {}
    for c in raw.columns:
        col = _flags_or_numbers(raw[c])
        if col is not None:
            out[str(c)] = col
    return pd.DataFrame(out, index=attrs.index)


def inputs_from_frames(interventions: pd.DataFrame, customers: pd.DataFrame, revenue: pd.DataFrame | None = None,
                       activity: pd.DataFrame | ActivityPairs | None = None, end=None) -> RoiInputs:
    """:class:`RoiInputs` from frames in store column names (for example :func:`core.make_demo`'s).

    Parameters
    ----------
    interventions : pandas.DataFrame
        ``customer_id, play, date, group`` and optionally ``id, channel, cost, attributes``.
    customers : pandas.DataFrame
        ``customer_id, signup_date, churn_date`` and optionally ``segment, plan, region``.
    revenue : pandas.DataFrame, optional
        ``customer_id, period, mrr`` (and optionally ``amount``).
    activity : pandas.DataFrame or ActivityPairs, optional
        ``customer_id, date, value`` rows.
    end : date-like, optional
        The last day of the data (default: the latest signup, churn, usage or revenue date; contact
        dates do not count, so a contact file newer than the rest of the data is not measured as retained).
    """
    from core.history.inputs import inputs_from_frames as churn_inputs

    iv = interventions.copy()
    if "id" not in iv:
        iv.insert(0, "id", np.arange(1, len(iv) + 1))
    for c in ("channel", "cost"):
        if c not in iv:
            iv[c] = None if c == "channel" else np.nan
    extra = _attribute_columns(iv["attributes"]) if "attributes" in iv else pd.DataFrame(index=iv.index)
    base = pd.DataFrame({"id": iv["id"].astype(int).to_numpy(), "customer_id": iv["customer_id"].astype(str).to_numpy(),
                         "play": iv["play"].astype(str).to_numpy(), "channel": iv["channel"].to_numpy(),
                         "date": pd.to_datetime(iv["date"]).dt.normalize().to_numpy(),
                         "arm": iv["group"].astype(str).to_numpy(),
                         "cost": pd.to_numeric(iv["cost"], errors="coerce").astype(float).to_numpy()})
    extra = extra.drop(columns=[c for c in extra.columns if c in base.columns or c in LABELS], errors="ignore")
    iv = pd.concat([base, extra.reset_index(drop=True)], axis=1)

    cust = customers.copy()
    cust["customer_id"] = cust["customer_id"].astype(str)
    for c in ("signup_date", "churn_date", "renewal_date"):
        cust[c] = pd.to_datetime(cust[c]) if c in cust else pd.NaT
    for c in ("segment", "plan", "region"):
        if c not in cust:
            cust[c] = None
    cust = cust[["customer_id", "segment", "plan", "region", "signup_date", "churn_date", "renewal_date"]]

    rev = pd.DataFrame(columns=["customer_id", "period", "value"]) if revenue is None else pd.DataFrame({
        "customer_id": revenue["customer_id"].astype(str),
        "period": pd.to_datetime(revenue["period"]),
        "value": pd.to_numeric(revenue["mrr"], errors="coerce").fillna(
            pd.to_numeric(revenue["amount"], errors="coerce") if "amount" in revenue else np.nan)})
    rev = rev.dropna(subset=["value"])
    if isinstance(activity, ActivityPairs):
        acts = activity
    else:
        acts = churn_inputs(cust, activity).activity
    if end is None:  # the contacts themselves say nothing about churn, so they never move the end
        end = asof.data_end(cust, acts, rev)
    return RoiInputs(iv, cust, rev.reset_index(drop=True), acts, pd.Timestamp(end).normalize())


def load_inputs(engine: Engine) -> RoiInputs:
    """Read the plays, customers, revenue and usage the ROI measures need.

    Raises
    ------
    InsufficientDataError
        When the store holds no interventions.
    """
    from core.store.columnar import activity_pairs
    from core.store.read import load_columns, load_table

    iv = load_table(engine, "intervention")
    if iv.empty:
        raise InsufficientDataError("There are no plays to measure: import interventions (one row per contacted "
                                    "or held-out customer) on the Data page, or load the demo.")
    customers = load_columns(engine, "customer", ["customer_id", "segment", "plan", "region", "signup_date",
                                                  "churn_date", "renewal_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr", "amount"])
    # every customer's usage, not only the contacted ones': the next wave scores customers never contacted yet
    return inputs_from_frames(iv, customers, revenue, activity_pairs(engine, values=True))


# --------------------------------------------------------------------------- per-contact outcomes
def window_sums(cust_codes: np.ndarray, days: np.ndarray, values: np.ndarray,
                 q_codes: np.ndarray, q_lo: np.ndarray, q_hi: np.ndarray) -> np.ndarray:
    """For each query, the sum of ``values`` of its customer with ``q_lo <= day < q_hi`` (sorted cumsums)."""
    out = np.zeros(len(q_codes))
    ok = (cust_codes >= 0)
    if not ok.any() or not len(q_codes):
        return out
    span = np.int64(1 << 32)
    key = cust_codes[ok].astype(np.int64) * span + (days[ok].astype(np.int64) + (1 << 31))
    order = np.argsort(key, kind="stable")
    key, cs = key[order], np.r_[0.0, np.cumsum(values[ok][order])]
    base = q_codes.astype(np.int64) * span + (1 << 31)
    lo = np.searchsorted(key, base + q_lo.astype(np.int64), "left")
    hi = np.searchsorted(key, base + q_hi.astype(np.int64), "left")
    return np.where(q_codes >= 0, cs[hi] - cs[lo], 0.0)


def last_before(cust_codes: np.ndarray, days: np.ndarray, values: np.ndarray,
                 q_codes: np.ndarray, q_day: np.ndarray) -> np.ndarray:
    """For each query, the value of its customer's latest row with ``day < q_day`` (NaN if none)."""
    out = np.full(len(q_codes), np.nan)
    ok = cust_codes >= 0
    if not ok.any() or not len(q_codes):
        return out
    span = np.int64(1 << 32)
    key = cust_codes[ok].astype(np.int64) * span + (days[ok].astype(np.int64) + (1 << 31))
    order = np.argsort(key, kind="stable")
    key, vals = key[order], values[ok][order]
    i = np.searchsorted(key, q_codes.astype(np.int64) * span + (1 << 31) + q_day.astype(np.int64), "left") - 1
    same = (i >= 0) & (q_codes >= 0) & (key[np.maximum(i, 0)] // span == q_codes)
    out[same] = vals[i[same]]
    return out


def outcomes(inputs: RoiInputs, play: str, *, window: int = WINDOW_DAYS, pre_days: int = PRE_DAYS) -> pd.DataFrame:
    """One row per contact of ``play`` with its outcomes and pre-period values.

    Parameters
    ----------
    play : str
        The play's name.
    window : int
        Days after the contact over which retention and revenue are measured.
    pre_days : int
        Days before the contact over which the CUPED covariates are measured.

    Returns
    -------
    pandas.DataFrame
        :data:`OUTCOME_COLUMNS` plus the play's imported numeric columns: ``eligible`` (the whole
        window is in the data and the customer was a customer on the contact date), ``followed`` (the
        store knows the customer's signup, churn, revenue or usage), ``churn_day``
        (days from contact to churn, NaN if not churned), ``retained`` (1/0), ``revenue_kept``
        (revenue with a period in ``[date, date + window)``), ``pre_revenue`` (revenue with a period
        in ``[date - pre_days, date)``), ``pre_usage`` (log of 1 + daily usage in the ``pre_days``
        before the contact) and ``mrr_before`` (the latest revenue row before the contact).

    Raises
    ------
    DataValidationError
        When the play is unknown or the window is not positive.
    """
    if window < 1 or pre_days < 1:
        raise DataValidationError("The window and the pre-period must be at least one day.")
    iv = inputs.interventions
    iv = iv[iv["play"] == play]
    if iv.empty:
        raise DataValidationError(f"There is no play '{play}'. Plays: {', '.join(inputs.plays()) or 'none'}.")
    iv = iv.dropna(axis=1, how="all").reset_index(drop=True)
    cust = inputs.customers.set_index("customer_id")
    pos = cust.index.get_indexer(iv["customer_id"])
    known = pos >= 0

    def col(c):
        return np.where(known, cust[c].to_numpy()[np.maximum(pos, 0)], None) if len(cust) else np.full(len(iv), None)

    date = iv["date"].to_numpy("datetime64[D]")
    churn = pd.to_datetime(pd.Series(col("churn_date"))).to_numpy("datetime64[D]")
    churn_day = (churn - date).astype("timedelta64[D]").astype(float)  # NaT -> nan
    churn_day[np.isnat(churn)] = np.nan
    end = np.datetime64(inputs.end.date(), "D")
    eligible = known & (date + np.timedelta64(window, "D") <= end + np.timedelta64(1, "D")) & ~(churn_day <= 0)
    retained = np.where(np.isnan(churn_day) | (churn_day >= window), 1.0, 0.0)

    day = (date - _EPOCH).astype(np.int64)
    # revenue and usage sums over windows, per contact (sorted cumulative sums, no row loop)
    rev = inputs.revenue
    r_ids = pd.Index(pd.unique(iv["customer_id"]))
    r_codes = r_ids.get_indexer(rev["customer_id"]) if len(rev) else np.array([], np.int64)
    r_days = ((rev["period"].to_numpy("datetime64[D]") - _EPOCH).astype(np.int64) if len(rev)
              else np.array([], np.int64))
    r_vals = rev["value"].to_numpy(float) if len(rev) else np.array([], float)
    q = r_ids.get_indexer(iv["customer_id"])
    kept = window_sums(r_codes, r_days, r_vals, q, day, day + window)
    pre_rev = window_sums(r_codes, r_days, r_vals, q, day - pre_days, day)
    mrr = last_before(r_codes, r_days, r_vals, q, day)
    acts = inputs.activity
    if len(acts) and acts.value is not None:
        a_codes = r_ids.get_indexer(acts.ids)[acts.codes]
        use = window_sums(a_codes, acts.days, acts.value, q, day - pre_days, day)
    else:
        use = np.zeros(len(iv))
    signed = pd.notna(pd.to_datetime(pd.Series(col("signup_date")))).to_numpy()
    followed = known & (signed | ~np.isnan(churn_day) | (pre_rev > 0) | (kept > 0) | (use > 0))
    out = pd.DataFrame({
        "id": iv["id"].to_numpy(), "customer_id": iv["customer_id"].to_numpy(), "play": play,
        "arm": iv["arm"].to_numpy(), "channel": iv["channel"].to_numpy() if "channel" in iv else None,
        "date": iv["date"].to_numpy(), "cost": iv["cost"].to_numpy(float) if "cost" in iv else np.nan,
        "segment": col("segment"), "plan": col("plan"), "region": col("region"),
        "eligible": eligible, "followed": followed, "churn_day": churn_day, RETAINED: retained, REVENUE: kept,
        PRE_REVENUE: pre_rev, PRE_USAGE: np.log1p(np.maximum(use, 0) / pre_days), "mrr_before": mrr})
    # the play's own imported columns (another play's columns are empty here)
    extra = [c for c in iv.columns if c not in out.columns and c not in ("group", "attributes")
             and pd.api.types.is_numeric_dtype(iv[c]) and iv[c].notna().any()]
    return pd.concat([out, iv[extra]], axis=1)


def imported_columns(frame: pd.DataFrame) -> list[str]:
    """The numeric columns imported with the play (outcomes or pre-period values given in the file)."""
    return [c for c in frame.columns if c not in OUTCOME_COLUMNS and pd.api.types.is_numeric_dtype(frame[c])]


def store_outcomes_apply(frame: pd.DataFrame) -> bool:
    """Whether retention and revenue from the store mean something for these contacts: most of them are
    ``followed`` (a campaign file that only created its customers has neither signups, churn, revenue nor
    usage for them). It does not depend on the window."""
    return bool(frame["followed"].mean() >= 0.5) if len(frame) else False


def arms(frame: pd.DataFrame, control: str = CONTROL) -> list[str]:
    """Treatment arms of a play: every arm but ``control``, largest first."""
    counts = frame["arm"].value_counts()
    return [a for a in counts.index if a != control]


def default_control(frame: pd.DataFrame) -> str:
    """``holdout`` when the play has one, else its smallest arm."""
    counts = frame["arm"].value_counts()
    return CONTROL if CONTROL in counts.index else str(counts.index[-1])


def measured(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The rows that count for ``outcome``: eligible rows for a store outcome, rows with a value for an
    imported one."""
    if outcome in (RETAINED, REVENUE):
        return frame[frame["eligible"]]
    if outcome not in frame:
        raise DataValidationError(f"The play has no outcome '{outcome}'. Outcomes: "
                                  f"{', '.join([RETAINED, REVENUE] + imported_columns(frame))}.")
    return frame[frame[outcome].notna()]


# --------------------------------------------------------------------------- estimates
def is_binary(y) -> bool:
    y = np.asarray(y, float)
    y = y[~np.isnan(y)]
    return bool(len(y)) and bool(np.isin(y, (0.0, 1.0)).all())


def diff_interval(y_t, y_c, *, binary: bool | None = None, alpha: float = ALPHA) -> tuple[float, float, float, float]:
    """Difference of means (treatment minus control), its interval and two-sided p-value.

    A yes/no outcome (``binary``; by default: every value is 0 or 1) gets Wald's interval,
    ``d +- z * sqrt(v_t / n_t + v_c / n_c)`` with the arms' variances ``v = p (1 - p)`` (as ``statsmodels``
    ``confint_proportions_2indep(method="wald")``; CUPED-adjusted yes/no outcomes keep this form with
    their own variances); an amount gets Welch's t interval with Welch-Satterthwaite degrees of freedom.

    Returns
    -------
    tuple
        ``(difference, low, high, p_value)``; NaN when an arm has fewer than two rows.
    """
    y_t, y_c = np.asarray(y_t, float), np.asarray(y_c, float)
    n_t, n_c = len(y_t), len(y_c)
    if n_t < 2 or n_c < 2:
        return (np.nan,) * 4
    if binary is None:
        binary = is_binary(np.r_[y_t, y_c])
    d = y_t.mean() - y_c.mean()
    if binary:
        v_t, v_c = y_t.var() / n_t, y_c.var() / n_c
        se = np.sqrt(v_t + v_c)
        q = stats.norm.ppf(1 - alpha / 2)
        p = 2 * stats.norm.sf(abs(d) / se) if se > 0 else (1.0 if d == 0 else 0.0)
    else:
        v_t, v_c = y_t.var(ddof=1) / n_t, y_c.var(ddof=1) / n_c
        se = np.sqrt(v_t + v_c)
        df = (v_t + v_c) ** 2 / (v_t ** 2 / (n_t - 1) + v_c ** 2 / (n_c - 1)) if se > 0 else np.inf
        q = stats.t.ppf(1 - alpha / 2, df)
        p = 2 * stats.t.sf(abs(d) / se, df) if se > 0 else (1.0 if d == 0 else 0.0)
    return float(d), float(d - q * se), float(d + q * se), float(p)


def cuped(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, float]:
    """CUPED-adjusted outcomes ``y - theta (x - mean(x))`` and ``theta = cov(y, x) / var(x)``.

    Missing ``x`` takes the mean (no adjustment for that row); a constant ``x`` gives ``theta = 0``.
    """
    y, x = np.asarray(y, float), np.asarray(x, float)
    x = np.where(np.isnan(x), np.nanmean(x) if (~np.isnan(x)).any() else 0.0, x)
    vx = x.var(ddof=1) if len(x) > 1 else 0.0
    theta = float(np.cov(y, x, ddof=1)[0, 1] / vx) if vx > 0 else 0.0
    return y - theta * (x - x.mean()), theta


def compare(frame: pd.DataFrame, outcome: str = RETAINED, *, control: str = CONTROL, covariate: str | None = None,
            alpha: float = ALPHA) -> pd.DataFrame:
    """Each treatment arm against the control arm on ``outcome``, plain and (with ``covariate``) CUPED.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`outcomes` of one play.
    outcome : str
        ``retained``, ``revenue_kept`` or an imported numeric column.
    control : str
        The arm every other arm is compared with.
    covariate : str, optional
        A pre-period column (``pre_revenue``, ``pre_usage`` or an imported one) for CUPED.

    Returns
    -------
    pandas.DataFrame
        One row per treatment arm: ``arm, n, n_control, treatment, control, difference, low, high,
        p_value`` and, with a covariate, ``theta, cuped_difference, cuped_low, cuped_high,
        variance_reduction`` (1 - CUPED variance / plain variance, the share of the interval's
        squared width saved).

    Raises
    ------
    InsufficientDataError
        When the control arm has fewer than two measured rows.
    """
    rows = measured(frame, outcome)
    ctrl = rows[rows["arm"] == control]
    if len(ctrl) < 2:
        raise InsufficientDataError(
            f"The control arm '{control}' has {len(ctrl)} measured contacts; at least two are needed. "
            + ("Choose a shorter window, or " if outcome in (RETAINED, REVENUE) else "")
            + "pick the arm that was held out.")
    binary = is_binary(rows[outcome])
    out = []
    for arm in arms(rows, control):
        t = rows[rows["arm"] == arm]
        d, lo, hi, p = diff_interval(t[outcome], ctrl[outcome], binary=binary, alpha=alpha)
        r = {"arm": arm, "n": len(t), "n_control": len(ctrl), "treatment": t[outcome].mean(),
             "control": ctrl[outcome].mean(), "difference": d, "low": lo, "high": hi, "p_value": p}
        if covariate is not None:
            both = pd.concat([t, ctrl])
            adj, theta = cuped(both[outcome].to_numpy(float), both[covariate].to_numpy(float))
            a_t, a_c = adj[:len(t)], adj[len(t):]
            # the same interval family as the plain estimate, so the two widths compare like for like
            cd, clo, chi, cp = diff_interval(a_t, a_c, binary=binary, alpha=alpha)
            plain_var = ((hi - lo) / 2) ** 2
            r.update({"theta": theta, "cuped_difference": cd, "cuped_low": clo, "cuped_high": chi,
                      "cuped_p_value": cp,
                      "variance_reduction": 1 - ((chi - clo) / 2) ** 2 / plain_var if plain_var > 0 else np.nan})
        out.append(r)
    return pd.DataFrame(out)


def estimates_long(comp: pd.DataFrame) -> pd.DataFrame:
    """:func:`compare`'s table as ``arm, estimate, difference, low, high``: one row per arm and estimate
    (``plain``, and ``CUPED`` when it was computed), for charts and exports."""
    cols = ["arm", "estimate", "difference", "low", "high"]
    parts = [comp.assign(estimate="plain")[cols]]
    if "cuped_difference" in comp:
        parts.append(pd.DataFrame({"arm": comp["arm"], "estimate": "CUPED", "difference": comp["cuped_difference"],
                                   "low": comp["cuped_low"], "high": comp["cuped_high"]}))
    return pd.concat(parts, ignore_index=True)


def srm(frame: pd.DataFrame, *, control: str = CONTROL, holdout_share: float | None = None) -> dict:
    """Sample-ratio-mismatch check: do the arm sizes fit the planned split?

    Parameters
    ----------
    holdout_share : float, optional
        Planned share of the control arm (the rest split equally among treatment arms). Without it,
        all arms were planned equal.

    Returns
    -------
    dict
        ``counts`` (arm -> contacts), ``expected`` (arm -> planned count), ``chi2``, ``p_value`` and
        ``mismatch`` (p below 0.001, the usual alarm level: the assignment or the logging is broken and
        the estimates should not be trusted).
    """
    counts = frame["arm"].value_counts()
    names = [control] + [a for a in counts.index if a != control] if control in counts.index else list(counts.index)
    obs = np.array([counts.get(a, 0) for a in names], float)
    k = len(names)
    if holdout_share is not None and control in counts.index and k > 1:
        if not 0 < holdout_share < 1:
            raise DataValidationError("The planned holdout share must be between 0 and 1 (for example 0.15).")
        shares = np.r_[holdout_share, np.full(k - 1, (1 - holdout_share) / (k - 1))]
    else:
        shares = np.full(k, 1 / k)
    expected = shares * obs.sum()
    if k < 2:
        chi2, p = 0.0, 1.0
    else:
        chi2, p = stats.chisquare(obs, expected)
    return {"counts": dict(zip(names, obs.astype(int).tolist())), "expected": dict(zip(names, expected.tolist())),
            "chi2": float(chi2), "p_value": float(p), "mismatch": bool(p < 0.001)}


# --------------------------------------------------------------------------- money
def money(frame: pd.DataFrame, arm: str, *, control: str = CONTROL, margin: float = 0.8, value_months: int = 12,
          retention_covariate: str | None = PRE_USAGE, revenue_covariate: str | None = PRE_REVENUE,
          revenue: str = REVENUE, retention: str | None = RETAINED, alpha: float = ALPHA) -> pd.DataFrame:
    """What one treatment arm of a play earned: customers saved, revenue saved, cost, net value and ROI.

    Every figure scales the arm's measured difference to the contacts it treated, so each interval is
    the difference's interval scaled the same way (the cost is known, not estimated).

    * **Customers saved** = retention difference x treated contacts.
    * **Revenue saved (window)** = revenue-kept difference x treated contacts x ``margin``: revenue
      measured in the window, after the cost of serving it.
    * **Value of customers saved** = customers saved x their mean MRR before contact x
      ``value_months`` x ``margin``: what the saved customers are worth if each stays ``value_months``
      more months (an assumption, stated beside the figure).
    * **Net value** = revenue saved - cost; **ROI** = net value / cost.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`outcomes` of one play.
    revenue : str
        The amount outcome: ``revenue_kept``, or an imported amount such as a campaign's spend.
    retention : str or None
        The yes/no outcome counted as customers saved (``retained``); None for a campaign measured
        only by an amount (the rows about customers saved are left out).
    margin : float
        Gross margin, between 0 and 1.
    value_months : int
        Months of revenue a saved customer is assumed to bring.
    retention_covariate, revenue_covariate : str or None
        CUPED covariates of the two differences (None: the plain estimate).

    Returns
    -------
    pandas.DataFrame
        ``measure, value, low, high, unit, definition``.
    """
    if not 0 <= margin <= 1:
        raise DataValidationError("The margin must be between 0 and 1 (for example 0.8 for 80 %).")
    if value_months < 0:
        raise DataValidationError("The months of value must be zero or more.")

    def est(outcome, cov):
        c = compare(frame, outcome, control=control, covariate=cov, alpha=alpha)
        row = c[c["arm"] == arm]
        if row.empty:
            raise DataValidationError(f"The play has no measured arm '{arm}'. Arms: {', '.join(c['arm'])}.")
        row = row.iloc[0]
        key = "cuped_" if cov else ""
        return row[f"{key}difference"], row[f"{key}low"], row[f"{key}high"]

    rows = measured(frame, revenue)
    treated = rows[rows["arm"] == arm]
    n = len(treated)
    cost = float(treated["cost"].sum()) if treated["cost"].notna().any() else np.nan
    rev = np.array(est(revenue, revenue_covariate)) * n * margin
    net = rev - cost

    def roi(x):
        return x / cost if cost and cost > 0 else np.full(3, np.nan)

    what = "revenue-kept" if revenue == REVENUE else f"'{revenue}'"
    out = [
        ("Contacts treated", (n, n, n), "contacts", "measured contacts of the arm"),
        ("Revenue saved (window)", rev, "currency", f"{what} difference x contacts treated x margin {margin:.0%}"),
        ("Cost", (cost, cost, cost), "currency", "cost recorded on the arm's contacts"),
        ("Net value (window)", net, "currency", "revenue saved (window) - cost"),
        ("ROI (window)", roi(net), "roi", "net value (window) / cost"),
    ]
    if retention is not None:
        ret = np.array(est(retention, retention_covariate)) * n
        mrr = float(treated["mrr_before"].mean()) if treated["mrr_before"].notna().any() else np.nan
        value = ret * mrr * value_months * margin
        out[1:1] = [("Customers saved", ret, "customers", "retention difference x contacts treated")]
        out += [("Value of customers saved", value, "currency", f"customers saved x mean MRR before contact "
                 f"({mrr:,.0f}) x {value_months} months x margin {margin:.0%}"),
                ("Net value (projected)", value - cost, "currency", "value of customers saved - cost"),
                ("ROI (projected)", roi(value - cost), "roi", "net value (projected) / cost")]
    return pd.DataFrame([{"measure": m, "value": float(v[0]), "low": float(min(v[1], v[2])),
                          "high": float(max(v[1], v[2])), "unit": u, "definition": d} for m, v, u, d in out])


# --------------------------------------------------------------------------- time to impact
def time_to_impact(frame: pd.DataFrame, arm: str, *, window: int = WINDOW_DAYS, control: str = CONTROL,
                   alpha: float = ALPHA) -> pd.DataFrame:
    """Share still a customer ``day`` days after contact, arm vs control, and the cumulative difference.

    Uses the eligible contacts (the whole window observed), so every day has the same denominators.
    ``window`` must be the one ``frame`` was built with; on the last day the difference equals
    :func:`compare`'s plain retention difference.

    Returns
    -------
    pandas.DataFrame
        ``day, treatment, control, difference, low, high`` for day 0 .. ``window`` (Wald's interval
        each day).
    """
    rows = measured(frame, RETAINED)
    t, c = rows[rows["arm"] == arm], rows[rows["arm"] == control]
    if len(t) < 2 or len(c) < 2:
        raise InsufficientDataError(f"'{arm}' and '{control}' need at least two eligible contacts each.")
    horizon = int(window)
    grid = np.arange(horizon + 1)

    def still(g):
        cd = g["churn_day"].to_numpy(float)
        lost = np.bincount(np.clip(cd[~np.isnan(cd)].astype(int), 0, horizon + 1), minlength=horizon + 2)
        # still a customer on day d: churn_day >= d (as ``retained`` at the window's end)
        gone_before = np.r_[0, np.cumsum(lost)][:horizon + 1]
        return 1 - gone_before / len(g)

    st_, sc = still(t), still(c)
    se = np.sqrt(st_ * (1 - st_) / len(t) + sc * (1 - sc) / len(c))
    q = stats.norm.ppf(1 - alpha / 2)
    d = st_ - sc
    return pd.DataFrame({"day": grid, "treatment": st_, "control": sc, "difference": d, "low": d - q * se,
                         "high": d + q * se})


# --------------------------------------------------------------------------- planning
def _h(p1: float, p2: float) -> float:
    """Cohen's h, the arcsine effect size of two proportions."""
    return 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))


def power(p_control: float, effect: float, n_treatment: float, n_control: float, *, alpha: float = ALPHA) -> float:
    """Chance that a two-sided test at ``alpha`` detects ``effect`` (points of retention added by the play)
    with these arm sizes (normal approximation on Cohen's h, as statsmodels' ``NormalIndPower``)."""
    h = abs(_h(p_control + effect, p_control))
    n_eff = 1 / (1 / n_treatment + 1 / n_control)
    crit = stats.norm.ppf(1 - alpha / 2)
    return float(stats.norm.sf(crit - h * np.sqrt(n_eff)) + stats.norm.cdf(-crit - h * np.sqrt(n_eff)))


def sample_size(p_control: float, effect: float, *, holdout_share: float = 0.15, alpha: float = ALPHA,
                power_target: float = 0.8, contacts_per_month: float | None = None) -> dict:
    """Contacts needed to detect ``effect`` with ``power_target``, and how long the play must run.

    Parameters
    ----------
    p_control : float
        Retention expected without the play (the holdout's rate), between 0 and 1.
    effect : float
        Retention points the play should add (0.05 = five points).
    holdout_share : float
        Share of contacts held out.
    contacts_per_month : float, optional
        Contacts the play makes a month (eligible customers); gives the duration.

    Returns
    -------
    dict
        ``n_treatment, n_holdout, n_total`` (whole contacts, rounded up) and ``months`` (NaN without
        ``contacts_per_month``).
    """
    from scipy.optimize import brentq

    if not 0 < p_control < 1 or not 0 < p_control + effect <= 1 or effect == 0:
        raise DataValidationError("The retention rates must lie between 0 and 1 and the effect must not be zero "
                                  f"(got {p_control:.3f} and {p_control + effect:.3f}).")
    if not 0 < holdout_share < 1:
        raise DataValidationError("The holdout share must be between 0 and 1 (for example 0.15).")
    if not 0 < power_target < 1 or not 0 < alpha < 1:
        raise DataValidationError("Power and significance level must be between 0 and 1.")
    ratio = holdout_share / (1 - holdout_share)

    def gap(n1):
        return power(p_control, effect, n1, n1 * ratio, alpha=alpha) - power_target

    hi = 10.0
    while gap(hi) < 0:
        hi *= 10
        if hi > 1e12:
            raise DataValidationError("The effect is too small to detect with any realistic number of contacts.")
    n1 = brentq(gap, 1e-6, hi, xtol=1e-9)
    n_t, n_h = int(np.ceil(n1 - 1e-9)), int(np.ceil(n1 * ratio - 1e-9))
    total = n_t + n_h
    months = total / contacts_per_month if contacts_per_month else np.nan
    return {"n_treatment_exact": float(n1), "n_treatment": n_t, "n_holdout": n_h, "n_total": total,
            "months": float(months)}


def detectable_effect(p_control: float, n_treatment: int, n_control: int, *, alpha: float = ALPHA,
                      power_target: float = 0.8) -> float:
    """The smallest retention gain (points) these arm sizes detect with ``power_target``."""
    from scipy.optimize import brentq

    if n_treatment < 2 or n_control < 2 or not 0 < p_control < 1:
        return np.nan
    top = 1 - p_control
    if power(p_control, top, n_treatment, n_control, alpha=alpha) < power_target:
        return np.nan
    return float(brentq(lambda e: power(p_control, e, n_treatment, n_control, alpha=alpha) - power_target,
                        1e-9, top, xtol=1e-10))


def power_curve(p_control: float, effect: float, *, holdout_share: float = 0.15, alpha: float = ALPHA,
                up_to: int | None = None, points: int = 60) -> pd.DataFrame:
    """Power against total contacts (``contacts, power``), up to ``up_to`` (default: twice the 80 % size)."""
    if up_to is None:
        up_to = 2 * sample_size(p_control, effect, holdout_share=holdout_share, alpha=alpha)["n_total"]
    total = np.unique(np.linspace(max(4, up_to / points), up_to, points).round().astype(int))
    pw = [power(p_control, effect, n * (1 - holdout_share), n * holdout_share, alpha=alpha) for n in total]
    return pd.DataFrame({"contacts": total, "power": pw})


def monthly_contacts(frame: pd.DataFrame) -> float:
    """Average contacts a month over the play's run (first to last contact month)."""
    months = frame["date"].dt.to_period("M")
    span = (months.max() - months.min()).n + 1 if len(frame) else 0
    return len(frame) / span if span else np.nan


# --------------------------------------------------------------------------- overview
def plays_table(inputs: RoiInputs, *, window: int = WINDOW_DAYS, control: str = CONTROL) -> pd.DataFrame:
    """One row per play: ``play, channel, arms, contacts, held_out, first, last, eligible, cost,
    retention_treated, retention_control, difference, low, high`` (retention over ``window`` days;
    treated = every arm but the control; retention is left empty, and eligible 0, for a play whose
    customers the store does not follow, such as an imported campaign measured by its own columns)."""
    rows = []
    for play in inputs.plays():
        f = outcomes(inputs, play, window=window)
        ctrl = control if control in set(f["arm"]) else default_control(f)
        e = f[f["eligible"] & store_outcomes_apply(f)]  # an imported campaign's own outcomes are not retention
        t, c = e[e["arm"] != ctrl], e[e["arm"] == ctrl]
        d, lo, hi, _ = diff_interval(t[RETAINED], c[RETAINED], binary=True)
        rows.append({"play": play, "channel": ", ".join(sorted(map(str, f["channel"].dropna().unique()))),
                     "arms": f["arm"].nunique(), "contacts": len(f), "held_out": int((f["arm"] == ctrl).sum()),
                     "first": f["date"].min(), "last": f["date"].max(), "eligible": len(e),
                     "cost": float(f["cost"].sum()), "retention_treated": t[RETAINED].mean() if len(t) else np.nan,
                     "retention_control": c[RETAINED].mean() if len(c) else np.nan,
                     "difference": d, "low": lo, "high": hi})
    return pd.DataFrame(rows)


def scope(frame: pd.DataFrame, f) -> pd.DataFrame:
    """The contacts within the sidebar filters: contact date in ``[f.start, f.end]`` and the customer's
    segment, plan and region among the chosen ones (a filter left empty keeps everything). Filtering on
    what was fixed before the contact keeps the comparison randomised."""
    keep = pd.Series(True, index=frame.index)
    if f.start is not None:
        keep &= frame["date"] >= pd.Timestamp(f.start)
    if f.end is not None:
        keep &= frame["date"] <= pd.Timestamp(f.end)
    for col, chosen in (("segment", f.segments), ("plan", f.plans), ("region", f.regions)):
        if chosen:
            keep &= frame[col].isin(chosen)
    return frame[keep]
