"""The revenue outlook back-tested: forecasts made at past month ends, against the MRR that followed.

At each of the last ``origins`` month ends before the as-of month, the store is cut to what was known then
(:func:`core.history.known_at.known_at`), the churn model is fitted and scores that day's customers (or
``scorer`` does), and :func:`core.forecast.outlook.outlook` forecasts the months after it. Every forecast month
that has happened since (up to the as-of month) is compared with the MRR the store holds for it: whether the 80 %
and 95 % intervals covered it, and the absolute percentage error of the forecast and of a naive one (the MRR of the
origin month, held flat).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.churn.pipeline import fit_churn
from core.errors import InsufficientDataError
from core.forecast.outlook import outlook
from core.history import asof
from core.history.inputs import ChurnInputs
from core.history.known_at import known_at
from core.history.movements import customer_months

#: the columns of :attr:`Backtest.rows`
COLUMNS = ["origin", "month", "month_ahead", "actual", "forecast", "naive", "low_80", "high_80", "low_95",
           "high_95", "in_80", "in_95", "error_pct", "naive_error_pct"]


@dataclass(frozen=True)
class Backtest:
    """Every back-tested month (``rows``: :data:`COLUMNS`) and the summary: the share of months inside each interval
    and the mean absolute percentage error of the forecast and of the naive one."""

    rows: pd.DataFrame

    @property
    def coverage_80(self) -> float:
        return float(self.rows["in_80"].mean())

    @property
    def coverage_95(self) -> float:
        return float(self.rows["in_95"].mean())

    @property
    def mape(self) -> float:
        return float(self.rows["error_pct"].mean())

    @property
    def naive_mape(self) -> float:
        return float(self.rows["naive_error_pct"].mean())


def model_scores(inputs: ChurnInputs, horizon_days: int) -> pd.Series:
    """The churn model fitted on ``inputs`` and its probabilities for the customers active at their end, by id."""
    result = fit_churn(inputs, horizon_days, n_boot=20)
    return pd.Series(result.p_current, index=result.current.customer_id.astype(str).to_numpy())


def origins_before(as_of_month: pd.Timestamp, origins: int) -> list[pd.Timestamp]:
    """The ``origins`` month ends before ``as_of_month``'s, oldest first."""
    end = pd.Timestamp(as_of_month).to_period("M")
    return [(end - k).to_timestamp("M") for k in range(origins, 0, -1)]


def backtest(inputs: ChurnInputs, origins: int = 12, months: int = 12, horizon_days: int = 90, seed: int = 0,
             scorer: Callable[[ChurnInputs, int], pd.Series] = model_scores,
             progress: Callable[[float, str], None] | None = None) -> Backtest:
    """Forecasts made at each of the last ``origins`` month ends, against what happened (see the module docstring).

    Raises
    ------
    InsufficientDataError
        The store has no MRR month before its as-of month to start from.
    """
    actual = customer_months(inputs.revenue).sum(axis=0)
    if actual.empty:
        raise InsufficientDataError("The back-test needs recurring revenue: import revenue with MRR.")
    as_of = asof.as_of_month(inputs.customers, inputs.revenue)
    starts = [t for t in origins_before(as_of, origins) if t.to_period("M").to_timestamp() in actual.index]
    if not starts:
        raise InsufficientDataError("The back-test needs at least one month of MRR before the last one.")
    parts = []
    for i, t in enumerate(starts):
        if progress:
            progress(i / len(starts), f"Forecasting from {t:%B %Y} ({i + 1} of {len(starts)})")
        known = known_at(inputs, t)
        o = outlook(known.customers, known.revenue, scorer(known, horizon_days), horizon_days, months, seed=seed,
                    as_of_month=t)
        parts.append(_compared(o.table, actual, t, as_of))
    return Backtest(pd.concat(parts, ignore_index=True)[COLUMNS])


def _compared(table: pd.DataFrame, actual: pd.Series, origin: pd.Timestamp, as_of: pd.Timestamp) -> pd.DataFrame:
    """The forecast months of ``table`` that have happened by ``as_of``, against ``actual`` (MRR by month start)."""
    done = table[table["month"] <= as_of].copy()
    done["actual"] = actual.reindex(done["month"]).fillna(0.0).to_numpy()
    done["naive"] = float(actual.get(origin.to_period("M").to_timestamp(), 0.0))
    done["origin"] = origin.to_period("M").to_timestamp()
    done = done.rename(columns={"mrr": "forecast", **{f"mrr_{b}_{lv}": f"{b}_{lv}" for b in ("low", "high")
                                                      for lv in (80, 95)}})
    for lv in (80, 95):
        done[f"in_{lv}"] = (done[f"low_{lv}"] <= done["actual"]) & (done["actual"] <= done[f"high_{lv}"])
    with np.errstate(divide="ignore", invalid="ignore"):
        done["error_pct"] = 100 * (done["forecast"] - done["actual"]).abs() / done["actual"]
        done["naive_error_pct"] = 100 * (done["naive"] - done["actual"]).abs() / done["actual"]
    return done
