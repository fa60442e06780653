"""Customer lifetime value for buyers without a contract: BG/NBD for how often they buy, Gamma-Gamma for how much.

The models of the field, fitted with its library, ``lifetimes`` 0.11.3 (Davidson-Pilon; MIT; it imports and fits
with numpy 2.4, scipy 1.17 and pandas 2.3):

* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive, a customer buys at a
  Poisson rate (gamma-distributed across customers, ``r, alpha``); after each purchase the customer may drop out
  for good (probability beta-distributed, ``a, b``). From each customer's *frequency* (repeat purchase days),
  *recency* (first to last purchase) and *T* (first purchase to the end of the data) it gives the probability the
  customer is still alive and the purchases expected in any coming period.
* **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV"): the value of a purchase varies around the customer's
  own mean, itself gamma-distributed (``p, q, gamma``), independent of how often the customer buys; it gives the
  expected value of a customer's future purchases, shrunk from the observed mean toward the population's.

Time is in **weeks** (as in the paper; the figures below are in weeks), counted from days; purchases are purchase
*days* (several orders on one day are one purchase, their amounts added). CLV over ``horizon_months`` is
lifetimes' discounted sum, month by month, of expected purchases x expected value per purchase, each month
discounted at ``monthly_discount``.

Validated on the CDNOW 1/10 sample (tests/core/buyers/test_clv.py): calibrated on 1997-01-01 to 1997-09-30 it
gives r = 0.243, alpha = 4.414 (weeks), a = 0.793, b = 2.426, and Gamma-Gamma on the calibration repeat buyers
p = 6.25, q = 3.74, gamma = 15.44: the published figures. Over the hold-out 1997-10-01 to 1998-06-30 it predicts
1,653 repeat purchase days against 1,882 bought (-12 %, inside the 15 % tolerance the test states), and the mean
per calibration frequency (0 to 7+) within 30 % of the actual in every group (:func:`holdout_check`).

Overview and CLI: :func:`buyer_values` (a store's transactions in, one row per customer out); the Churn drivers
page shows the table on a purchase log.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import ConvergenceError
from sqlalchemy.engine import Engine

from core.buyers.purchases import PurchaseLog, load_purchase_log
from core.errors import DataValidationError, InsufficientDataError
from core.store.dates import datetimes

#: days in the models' unit of time (weeks), and weeks in a month of the CLV sum (lifetimes' own figure)
UNIT_DAYS = 7.0
WEEKS_PER_MONTH = 4.345
#: the fewest buyers and repeat buyers a fit needs
MIN_BUYERS, MIN_REPEAT = 20, 10
#: lifetime value asked of data without purchases
NO_PURCHASES = "Lifetime value needs purchases: import a purchase log (customer, date, amount) on the Data page."
#: customer-value table columns, in order
VALUE_COLUMNS = ["customer_id", "purchase_days", "frequency", "recency_days", "age_days", "spend_per_purchase",
                 "p_alive", "expected_purchases", "expected_value_per_purchase", "clv"]


def transactions(log: PurchaseLog) -> pd.DataFrame:
    """A purchase log (:mod:`core.buyers.purchases`) as ``customer_id, date, amount``: one row per purchase day,
    the amount of that day's sales (returns left out: a return is never a purchase; 0 for a day without one)."""
    sold = log.sales[log.sales["amount"] > 0].groupby(["customer_id", "date"])["amount"].sum()
    days = log.days.set_index(["customer_id", "date"])
    days["amount"] = sold.reindex(days.index).fillna(0.0).to_numpy()
    return days.reset_index()


def read_transactions(engine: Engine) -> pd.DataFrame:
    """The store's purchase days with their amounts (:func:`transactions` of the store's purchase log)."""
    return transactions(load_purchase_log(engine))


def purchase_days(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per customer and purchase day: ``customer_id, date, amount`` (the day's amounts added)."""
    missing = [c for c in ("customer_id", "date", "amount") if c not in transactions]
    if missing:
        raise DataValidationError(f"Transactions need the columns customer_id, date and amount; {', '.join(missing)} "
                                  "is missing.")
    t = pd.DataFrame({"customer_id": transactions["customer_id"].astype(str).to_numpy(),
                      "date": datetimes(transactions["date"]).dt.normalize().to_numpy(),
                      "amount": pd.to_numeric(transactions["amount"], errors="coerce").fillna(0.0).to_numpy()})
    return t.groupby(["customer_id", "date"], as_index=False, sort=True)["amount"].sum()


def rfm(transactions: pd.DataFrame, end) -> pd.DataFrame:
    """Each customer's frequency, recency, age and spend up to ``end`` (customers who first bought by then).

    Parameters
    ----------
    transactions : pandas.DataFrame
        ``customer_id, date, amount``: one row per purchase.
    end : date-like
        The last day observed (inclusive).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``frequency`` (purchase days after the first), ``recency`` and ``T`` (weeks from
        the first purchase to the last one, and to ``end``), ``monetary_value`` (mean amount of the repeat purchase
        days; 0 without any), ``first`` (the first purchase day).
    """
    end = pd.Timestamp(end).normalize()
    days = purchase_days(transactions)
    days = days[days["date"] <= end]
    g = days.groupby("customer_id")
    first, last, n = g["date"].min(), g["date"].max(), g.size()
    repeat = days[days["date"] > days["customer_id"].map(first)].groupby("customer_id")["amount"].mean()
    return pd.DataFrame({
        "frequency": (n - 1).astype(float), "recency": (last - first).dt.days / UNIT_DAYS,
        "T": (end - first).dt.days / UNIT_DAYS, "monetary_value": repeat.reindex(n.index).fillna(0.0),
        "first": first}).rename_axis("customer_id")


@dataclass
class ClvFit:
    """A fitted BG/NBD (``purchases``) and Gamma-Gamma (``spend``; None with too few repeat buyers) on ``summary``
    (:func:`rfm`) as of ``end``; ``mean_spend`` is the mean repeat purchase value used without a spend model."""

    purchases: BetaGeoFitter
    spend: GammaGammaFitter | None
    summary: pd.DataFrame
    end: pd.Timestamp
    mean_spend: float

    @property
    def params(self) -> dict[str, float]:
        """``r, alpha`` (weeks), ``a, b`` and, with a spend model, ``p, q, gamma``."""
        out = {k: float(v) for k, v in self.purchases.params_.items()}
        if self.spend is not None:
            out.update({"p": float(self.spend.params_["p"]), "q": float(self.spend.params_["q"]),
                        "gamma": float(self.spend.params_["v"])})
        return out

    @property
    def spend_frequency_correlation(self) -> float:
        """Pearson correlation of spend per purchase and frequency among repeat buyers: Gamma-Gamma assumes
        they are independent (near 0)."""
        rep = self.summary[(self.summary["frequency"] > 0) & (self.summary["monetary_value"] > 0)]
        return float(rep["frequency"].corr(rep["monetary_value"])) if len(rep) > 2 else float("nan")


def fit_clv(summary: pd.DataFrame, end, penalizer: float = 0.0) -> ClvFit:
    """Fit BG/NBD on every buyer of ``summary`` (:func:`rfm`) and Gamma-Gamma on its repeat buyers with a positive
    spend.

    Raises
    ------
    InsufficientDataError
        Fewer than 20 buyers or 10 repeat buyers, or a fit that does not converge.
    """
    repeat = summary[summary["frequency"] > 0]
    if len(summary) < MIN_BUYERS or len(repeat) < MIN_REPEAT:
        raise InsufficientDataError(f"Lifetime value needs at least {MIN_BUYERS} buyers and {MIN_REPEAT} who bought "
                                    f"again; the data has {len(summary):,} and {len(repeat):,}.")
    try:
        bgf = BetaGeoFitter(penalizer_coef=penalizer).fit(summary["frequency"], summary["recency"], summary["T"])
    except ConvergenceError as exc:
        raise InsufficientDataError("The purchase model (BG/NBD) did not converge on this data; with few or very "
                                    "regular buyers, try again once more purchases are in.") from exc
    paid = repeat[repeat["monetary_value"] > 0]
    ggf = None
    if len(paid) >= MIN_REPEAT:
        try:
            ggf = GammaGammaFitter(penalizer_coef=penalizer).fit(paid["frequency"], paid["monetary_value"])
        except ConvergenceError:
            ggf = None  # spend then falls back to the observed mean (said in the table's docstring)
    mean_spend = float(paid["monetary_value"].mean()) if len(paid) else 0.0
    return ClvFit(bgf, ggf, summary, pd.Timestamp(end).normalize(), mean_spend)


def _value_per_purchase(fit: ClvFit, s: pd.DataFrame) -> pd.Series:
    """Gamma-Gamma's expected value of a customer's next purchase (the population mean for a first-time buyer);
    without a spend model, the customer's own mean, else the mean of every repeat buyer."""
    if fit.spend is not None:
        return fit.spend.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    return s["monetary_value"].where(s["monetary_value"] > 0, fit.mean_spend)


def customer_values(fit: ClvFit, days: int = 90, horizon_months: int = 12,
                    monthly_discount: float = 0.01) -> pd.DataFrame:
    """Each buyer's expected purchases in the next ``days``, probability alive, expected value per purchase and
    lifetime value over ``horizon_months`` discounted at ``monthly_discount`` a month.

    Returns
    -------
    pandas.DataFrame
        :data:`VALUE_COLUMNS`, highest CLV first: ``purchase_days`` (days with a purchase), ``frequency`` (after
        the first), ``recency_days`` and ``age_days`` (first purchase to last, and to the fit's end),
        ``spend_per_purchase`` (observed mean of repeat purchase days; 0 without any), ``p_alive``,
        ``expected_purchases`` (purchase days in the next ``days``), ``expected_value_per_purchase``, ``clv``.
    """
    if not (1 <= int(days) == days and 1 <= int(horizon_months) == horizon_months and 0 <= monthly_discount < 1):
        raise DataValidationError("The period and horizon must be whole numbers of days and months (at least 1) and "
                                  "the monthly discount rate from 0 to 1 (for example 0.01).")
    s, bgf = fit.summary, fit.purchases
    f, r, t = s["frequency"], s["recency"], s["T"]
    value = _value_per_purchase(fit, s)
    if fit.spend is not None:
        clv = fit.spend.customer_lifetime_value(bgf, f, r, t, s["monetary_value"], time=int(horizon_months),
                                                discount_rate=monthly_discount, freq="W")
    else:
        clv = _discounted(bgf, s, value, int(horizon_months), monthly_discount)
    out = pd.DataFrame({
        "customer_id": s.index.astype(str), "purchase_days": (f + 1).astype(int).to_numpy(),
        "frequency": f.astype(int).to_numpy(), "recency_days": (r * UNIT_DAYS).round().astype(int).to_numpy(),
        "age_days": (t * UNIT_DAYS).round().astype(int).to_numpy(),
        "spend_per_purchase": s["monetary_value"].to_numpy(),
        "p_alive": np.asarray(bgf.conditional_probability_alive(f, r, t), float),
        "expected_purchases": np.asarray(
            bgf.conditional_expected_number_of_purchases_up_to_time(days / UNIT_DAYS, f, r, t), float),
        "expected_value_per_purchase": np.asarray(value, float), "clv": np.asarray(clv, float)})
    return out.sort_values("clv", ascending=False, kind="stable").reset_index(drop=True)


def _discounted(bgf: BetaGeoFitter, s: pd.DataFrame, value: pd.Series, months: int, rate: float) -> pd.Series:
    """Lifetimes' CLV sum without a spend model: month by month, expected purchases x value, discounted."""
    step = WEEKS_PER_MONTH
    f, r, t = s["frequency"], s["recency"], s["T"]
    total = pd.Series(0.0, index=s.index)
    for m in range(1, months + 1):
        n = (bgf.conditional_expected_number_of_purchases_up_to_time(m * step, f, r, t)
             - bgf.conditional_expected_number_of_purchases_up_to_time((m - 1) * step, f, r, t))
        total += value * n / (1 + rate) ** m
    return total


def buyer_values(transactions: pd.DataFrame, as_of=None, days: int = 90, horizon_months: int = 12,
                 monthly_discount: float = 0.01) -> tuple[ClvFit, pd.DataFrame]:
    """The one call for a page or the CLI: fit on every purchase up to ``as_of`` (default the last purchase day)
    and value each buyer (:func:`customer_values`).

    Parameters
    ----------
    transactions : pandas.DataFrame
        ``customer_id, date, amount`` (:func:`read_transactions` for a store).
    as_of : date-like, optional
        The last day observed.
    days, horizon_months, monthly_discount
        The coming period for expected purchases, the CLV horizon and its monthly discount rate.

    Returns
    -------
    (ClvFit, pandas.DataFrame)

    Examples
    --------
    >>> fit, table = buyer_values(read_transactions(engine))  # doctest: +SKIP
    >>> table[["customer_id", "p_alive", "expected_purchases", "clv"]].head()  # doctest: +SKIP
    """
    if transactions.empty:
        raise InsufficientDataError(NO_PURCHASES)
    end = datetimes(transactions["date"]).max() if as_of is None else pd.Timestamp(as_of)
    return summary_values(rfm(transactions, end), end, days, horizon_months, monthly_discount)


def summary_values(summary: pd.DataFrame, end, days: int = 90, horizon_months: int = 12,
                   monthly_discount: float = 0.01) -> tuple[ClvFit, pd.DataFrame]:
    """:func:`buyer_values` from each buyer's frequency, recency, age and spend as of ``end`` (:func:`rfm`, or
    :func:`core.buyers.engine_clv.rfm` summed by an engine)."""
    fit = fit_clv(summary, end)
    return fit, customer_values(fit, days, horizon_months, monthly_discount)


def holdout_cut(first, last) -> pd.Timestamp:
    """The end of the calibration period of the pages' hold-out check: two thirds of the way from the first purchase
    day to the last (the last third held out)."""
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    return (first + (last - first) * 2 / 3).normalize()


@dataclass
class HoldoutCheck:
    """Predicted against bought repeat purchase days in a hold-out period, for customers seen in calibration.

    Attributes
    ----------
    fit : ClvFit
        Fitted on the calibration period.
    weeks : float
        Length of the hold-out.
    predicted, actual : float
        Sum over customers of expected and observed purchase days in the hold-out.
    by_frequency : pandas.DataFrame
        ``frequency`` (calibration repeat purchase days, the last group "7+"), ``customers``, ``actual`` and
        ``predicted`` (mean purchase days per customer in the hold-out), ``error`` (predicted / actual - 1).
    """

    fit: ClvFit
    weeks: float
    predicted: float
    actual: float
    by_frequency: pd.DataFrame

    @property
    def error(self) -> float:
        """Predicted / actual - 1 over every customer."""
        return self.predicted / self.actual - 1 if self.actual else float("nan")


def holdout_check(transactions: pd.DataFrame, calibration_end, holdout_end, top: int = 7) -> HoldoutCheck:
    """Fit on purchases up to ``calibration_end`` and compare the predicted purchase days in
    (``calibration_end``, ``holdout_end``] with those bought, overall and per calibration frequency (0 to
    ``top`` and more)."""
    cal_end, end = pd.Timestamp(calibration_end).normalize(), pd.Timestamp(holdout_end).normalize()
    days = purchase_days(transactions)
    later = days[(days["date"] > cal_end) & (days["date"] <= end)]
    return summary_holdout(rfm(transactions, cal_end), later.groupby("customer_id").size(), cal_end, end, top)


def summary_holdout(summary: pd.DataFrame, bought: pd.Series, calibration_end, holdout_end,
                    top: int = 7) -> HoldoutCheck:
    """:func:`holdout_check` from the buyers' :func:`rfm` as of ``calibration_end`` and ``bought``, their purchase
    days in the hold-out by customer id (those without any left out or 0)."""
    cal_end, end = pd.Timestamp(calibration_end).normalize(), pd.Timestamp(holdout_end).normalize()
    if end <= cal_end:
        raise DataValidationError("The hold-out must end after the calibration period.")
    fit = fit_clv(summary, cal_end)
    s = fit.summary
    actual = bought.reindex(s.index, fill_value=0)
    weeks = (end - cal_end).days / UNIT_DAYS
    pred = fit.purchases.conditional_expected_number_of_purchases_up_to_time(
        weeks, s["frequency"], s["recency"], s["T"])
    group = s["frequency"].clip(upper=top).astype(int)
    table = pd.DataFrame({"group": group, "actual": actual, "predicted": np.asarray(pred, float)}).groupby("group").agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")).reset_index()
    table.insert(0, "frequency", [f"{g}+" if g == top else str(g) for g in table.pop("group")])
    table["error"] = table["predicted"] / table["actual"] - 1
    return HoldoutCheck(fit, weeks, float(np.sum(pred)), float(actual.sum()), table)
