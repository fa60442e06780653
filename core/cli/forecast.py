"""``python -m core forecast``: the revenue outlook of the next months (:mod:`core.forecast.outlook`).

The churn model is fitted on the store (as ``python -m core churn`` fits it) and scores today's customers; each
paying customer's probability gives the book's path, and the other MRR movements are forecast by exponential
smoothing. Printed: expected MRR with its 80 % and 95 % intervals, churned MRR and renewals, month by month.
``--backtest N`` also forecasts from each of the last N month ends, on the store as then known, and prints how often
the intervals covered what happened and the error beside a naive forecast. ``--out`` writes the table (.xlsx or
.csv, raw numbers).
"""

from __future__ import annotations

from pathlib import Path

from core.errors import DataValidationError
from core.export import units  # plain Python: --help stays fast

NAME = "forecast"
#: the columns written by ``--out``, and their headers
HEADERS = {"month": "Month", "mrr": "Expected MRR ($)", "mrr_low_80": "MRR, 80% low ($)",
           "mrr_high_80": "MRR, 80% high ($)", "mrr_low_95": "MRR, 95% low ($)", "mrr_high_95": "MRR, 95% high ($)",
           "churned_mrr": "Churned MRR ($)", "churned_low_95": "Churned MRR, 95% low ($)",
           "churned_high_95": "Churned MRR, 95% high ($)", "renewals_due": "Renewals due",
           "renewals": "Expected renewals", "renewals_low_95": "Renewals, 95% low",
           "renewals_high_95": "Renewals, 95% high"}


def add_parser(sub) -> None:
    """Register the ``forecast`` sub-command."""
    p = sub.add_parser(NAME, help="revenue outlook: expected MRR, churned MRR and renewals of the next months",
                       description="Expected MRR, churned MRR and renewals for each of the next months, with 80 % "
                                   "and 95 % intervals, from the churn model's probabilities and the trend of the "
                                   "other MRR movements.")
    p.add_argument("--months", type=int, default=12, help="months to forecast, 1 to 24 (default 12)")
    p.add_argument("--backtest", type=int, default=0, metavar="N",
                   help="also forecast from each of the last N month ends and compare with what happened")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws behind the intervals (default 0)")
    p.add_argument("--out", type=Path, help="write the forecast to this .xlsx or .csv file")


def _checked(a) -> None:
    if not 1 <= a.months <= 24:
        raise DataValidationError(f"--months {a.months}: forecast from 1 to 24 months, for example --months 12.")
    if not 0 <= a.backtest <= 36:
        raise DataValidationError(f"--backtest {a.backtest}: back-test from 0 to 36 month ends, for example 12.")


def run(engine, a) -> int:
    """Run ``python -m core forecast``; returns the exit code (bad input raises a WorkbenchError)."""
    _checked(a)
    import pandas as pd  # in run, for a fast --help

    from core.churn.pipeline import fit_churn  # the model libraries load here, not for --help
    from core.cli.format import text_table, write_table  # in run, for a fast --help
    from core.forecast.backtest import backtest  # statsmodels loads here, not for --help
    from core.forecast.outlook import outlook, paying_now  # in run, for a fast --help
    from core.history.inputs import load_inputs  # in run, for a fast --help

    inputs = load_inputs(engine, source=None)
    paying_now(inputs.customers, inputs.revenue)  # no recurring revenue: said before a model is fitted
    result = fit_churn(inputs, n_boot=20)
    p = pd.Series(result.p_current, index=result.current.customer_id.astype(str).to_numpy())
    o = outlook(inputs.customers, inputs.revenue, p, result.horizon_days, a.months, seed=a.seed)
    print(f"Revenue outlook after {o.as_of_month:%B %Y}: MRR then {units.money(o.mrr_now)} from "
          f"{units.count(o.paying)} paying customers. Each one's churn comes from the churn model "
          f"({units.count(result.horizon_days)}-day probabilities); new customers, reactivations, expansion and "
          f"contraction from {o.trend_model}.")
    t = o.table
    rows = [[f"{m:%Y-%m}", units.money(v), units.interval(l8, h8, "currency"), units.interval(l9, h9, "currency"),
             units.money(c), units.count(d), units.count(r)]
            for m, v, l8, h8, l9, h9, c, d, r in zip(t["month"], t["mrr"], t["mrr_low_80"], t["mrr_high_80"],
                                                     t["mrr_low_95"], t["mrr_high_95"], t["churned_mrr"],
                                                     t["renewals_due"], t["renewals"], strict=True)]
    print(text_table(("Month", "Expected MRR", "80% interval", "95% interval", "Churned MRR", "Renewals due",
                      "Renewing"), rows, left=(0,)))
    if a.backtest:
        _print_backtest(backtest(inputs, origins=a.backtest, seed=a.seed))
    if a.out is not None:
        out = t[list(HEADERS)].assign(month=t["month"].dt.strftime("%Y-%m")).rename(columns=HEADERS)
        write_table(out, a.out, "Forecast", "months")
    return 0


def _print_backtest(b) -> None:
    print(f"\nBack-test: {units.count(len(b.rows))} forecast months from {units.count(b.rows['origin'].nunique())} "
          f"month ends. The 80% interval covered the MRR that followed in {units.percent(b.coverage_80)} of them, "
          f"the 95% interval in {units.percent(b.coverage_95)}. Mean absolute error: {units.percent(b.mape / 100)} "
          f"(naive, the last MRR held flat: {units.percent(b.naive_mape / 100)}).")
