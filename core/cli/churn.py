"""``python -m core churn``: fit, validate and explain the churn models; optionally save the model and scores."""

from __future__ import annotations

import sys
from pathlib import Path

from core.cli.defaults import CHURN_HORIZON_DAYS
from core.cli.who import require
from core.export import units  # plain Python: --help stays fast
from core.history.feature_labels import feature_label  # plain Python: --help stays fast
from core.query import choice  # plain Python (no Ibis): --help stays fast

NAME = "churn"


def add_parser(sub) -> None:
    """Register the ``churn`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    ch = sub.add_parser(NAME, help="fit, validate and explain the churn models; optionally save scores",
                        description="Fit, validate and explain the churn models on the store, or on a company's "
                                    "warehouse when RETENTION_WAREHOUSE_URL and RETENTION_WAREHOUSE_MAP are set (its "
                                    "customers, tickets, answers and revenue read, its activity summed there).")
    ch.add_argument("--horizon", type=int, help="churn within this many days of a cutoff (default "
                    f"{CHURN_HORIZON_DAYS}; on a purchase log, the lapse period, so every active buyer can lapse)")
    ch.add_argument("--cutoffs", type=int, default=6, help="monthly training cutoffs (dated data; default 6)")
    ch.add_argument("--test-size", type=float, default=0.25, help="held-out share for snapshot data")
    ch.add_argument("--seed", type=int, default=0)
    ch.add_argument("--drivers", type=int, default=10, help="how many top drivers to print")
    ch.add_argument("--value", type=float, help="value of a saved customer (default: a year of median MRR)")
    ch.add_argument("--cost", type=float, help="cost of one outreach (default 150)")
    ch.add_argument("--success", type=float, help="share of would-be churners an outreach keeps (default 0.25)")
    ch.add_argument("--save", action="store_true", help="save the model, its card and today's scores")
    ch.add_argument("--scores", type=Path, help="write today's scores and tiers to this CSV")
    ch.add_argument("--lapse-days", type=int, help="a purchase log: churn = no purchase within this many days of "
                    "the last one (default: proposed from the gaps between purchases, printed)")
    ch.add_argument("--engine", choices=choice.NAMES,
                    help="who sums the behaviour into features: duckdb (embedded, over the store's column files), "
                         f"pandas, postgres (inside a PostgreSQL store) or spark (PySpark's session); default "
                         f"{choice.ENGINE_ENV}, else duckdb; "
                         "the figures are the same")


def _print_fit(r, n_drivers: int) -> None:
    """The rows, each model's held-out metrics, the calibration and the top drivers of a fit (ROC-AUC, PR-AUC and
    Brier as scores, as the quarterly review writes them)."""
    from core.churn.horizon import inflation_sentence  # sklearn: in the fit's printing, for a fast --help
    from core.churn.plain import headline  # as the Churn drivers page and the model card say it

    print(f"{units.count(len(r.train.y) + len(r.test.y))} rows, {units.count(r.train.y.sum() + r.test.y.sum())} "
          f"churned; held out {units.count(len(r.test.y))}; validation {r.validation}")
    for kind, m in r.metrics.items():
        mark = "  <- used" if kind == r.best else ""
        print(f"{kind:<9} ROC-AUC {units.score(m['roc_auc'])} {units.interval(*m['roc_auc_ci'], 'score')}  "
              f"PR-AUC {units.score(m['pr_auc'])}  Brier {units.score(m['brier'])}{mark}")
    print(f"calibrated ({r.model.calibration_method_}): Brier {units.score(r.brier_calibrated)}")
    print("in plain words: " + " ".join(headline(r.metrics[r.best], r.brier_calibrated)))
    print("top drivers (mean |SHAP|, log-odds):")
    for _, row in r.drivers.head(n_drivers).iterrows():
        kind = "controllable" if row["controllable"] else "fixed"
        label = feature_label(row["feature"])  # the label, and the column's name for analysts when it differs
        name = label if label == row["feature"] else f"{label} [{row['feature']}]"
        print(f"  {name:<48} {units.score(row['mean_abs_shap'])}  {kind:<12} {row['direction']}")
    if could := r.extra.get("could_lapse"):  # a horizon shorter than a purchase log's lapse period
        print(inflation_sentence(could, r.best, r.metrics[r.best]["roc_auc"]))
    if r.screen is not None:  # identifiers, personal data and free text left out (core/churn/feature_screen.py)
        print("not used as features:")
        for line in r.screen.lines():
            print(f"  {line}")


def _print_lapse(rule, asked: int | None) -> None:
    """On a purchase log, the lapse rule that made the churn dates and the proposal's reason; elsewhere a note
    when ``--lapse-days`` was given for nothing."""
    if rule is None:
        if asked is not None:
            print("note: --lapse-days is not used: the customers have their own churn dates (or no purchases)")
        return
    print(f"purchase log: churn = no purchase within {rule.days} days of the last one "
          f"({'proposed' if rule.proposed else f'--lapse-days; proposed {rule.proposal.days}'})")
    print(f"  why {rule.proposal.days}: {rule.proposal.reason}")


def run(engine, a) -> int:
    """Run ``python -m core churn``; returns the exit code (bad input raises a WorkbenchError)."""
    from core.access import rights  # in run, for a fast --help
    from core.history.inputs import load_inputs  # in run, for a fast --help
    from core.query import sources, warehouse  # Ibis loads here, not for --help

    company = warehouse.configured()
    if company is not None:
        _refuse_on_warehouse(a)
    # refused before the (slow) fit; the save checks the right again and writes the audit entry
    actor = require(engine, a, rights.SAVE_MODEL) if a.save else None
    if a.scores is not None:
        require(engine, a, rights.RISK_LISTS)
    if company is not None:
        return _warehouse_fit(engine, a, company)
    source = sources.by_name(engine, a.engine) if a.engine else choice.configured(engine)
    if source is None:
        return _fit_and_print(engine, a, load_inputs(engine, lapse_days=a.lapse_days, source=None), actor)
    with source:
        inputs = load_inputs(engine, lapse_days=a.lapse_days, source=source)
        print(f"Behaviour summed by {source.name}." if inputs.has_behaviour() else
              f"No dated behaviour in this store (a snapshot): {source.name} has nothing to sum.", file=sys.stderr)
        return _fit_and_print(engine, a, inputs, actor)


def _refuse_on_warehouse(a) -> None:
    """The options that read or write the store's own customers, refused when a warehouse is set."""
    from core.errors import DataValidationError  # in run, for a fast --help
    from core.query.warehouse import URL_ENV  # in run, for a fast --help

    for given, option, why in ((a.save, "--save", "the saved model and scores serve the store's pages"),
                               (a.engine is not None, "--engine", "the warehouse sums the behaviour itself")):
        if given:
            raise DataValidationError(f"{option} is not used with a warehouse ({URL_ENV} is set): {why}. Leave "
                                      f"{option} out, or unset {URL_ENV} to fit on the store.")


def _warehouse_fit(engine, a, company) -> int:
    """Fit on the warehouse's customers and behaviour (:func:`core.history.warehouse_inputs.warehouse_inputs`)."""
    from core.history.warehouse_inputs import warehouse_inputs  # in run, for a fast --help
    from core.query.warehouse import answered  # in run, for a fast --help

    with company:
        print(f"Figures from {company.name}.", file=sys.stderr)
        # the fit asks the warehouse for the behaviour at each cutoff: its failures are one plain line too
        return answered(_fit_and_print)(engine, a, warehouse_inputs(company, a.lapse_days), None)


def _fit_and_print(engine, a, inputs, actor) -> int:
    """Fit on ``inputs``, print the figures, write or save what ``a`` asks (the save as ``actor``)."""
    import pandas as pd  # pandas, sklearn, lifelines and shap load here, not for --help

    from core.churn import pipeline as cr  # in run, for a fast --help
    from core.churn.horizon import default_horizon  # in run, for a fast --help
    from core.churn.store import card_markdown, model_card, save_run  # in run, for a fast --help
    from core.export.csv import write_csv  # in run, for a fast --help
    from core.store.read import store_version  # in run, for a fast --help

    _print_lapse(inputs.lapse, a.lapse_days)
    horizon = a.horizon if a.horizon is not None else default_horizon(
        inputs.lapse.days if inputs.lapse else None, inputs.customers["signup_date"].min(), inputs.end())
    r = cr.fit_churn(inputs, horizon_days=horizon, n_cutoffs=a.cutoffs, test_size=a.test_size, seed=a.seed)
    d = cr.default_economics(inputs)
    econ = cr.Economics(a.value if a.value is not None else d.value_saved,
                        a.cost if a.cost is not None else d.outreach_cost,
                        a.success if a.success is not None else d.success_rate,
                        d.basis if (a.value, a.cost, a.success) == (None, None, None) else "set on the command line")
    _print_fit(r, a.drivers)
    print(f"economics: {econ.basis}")
    curve = cr.net_value_curve(r.p_test, econ, r.test.y)
    t = cr.best_threshold(curve)
    c = cr.confusion_at(r.test.y, r.p_test, t)
    # the threshold, precision and recall as the Churn drivers page writes them (ui/churn/sections.py)
    print(f"threshold {units.score(t, digits=2)} (save worth {units.format_value(econ.value_saved, 'currency')}, "
          f"outreach {units.format_value(econ.outreach_cost, 'currency')}, success "
          f"{units.percent(econ.success_rate)}): held out flagged {units.count(c['flagged'])}, precision "
          f"{units.percent(c['precision'])}, recall {units.percent(c['recall'])}")
    tiers = pd.Series(cr.risk_tiers(r.p_current, t)).value_counts()
    print(f"today ({r.scored_at:%Y-%m-%d}): " + ", ".join(f"{k} {units.count(tiers.get(k, 0))}" for k in cr.TIERS))
    if a.scores is not None:
        write_csv(pd.DataFrame({"customer_id": r.current.customer_id, "probability": r.p_current,
                                "tier": cr.risk_tiers(r.p_current, t)}), a.scores, float_format="%.6f")
        print(f"wrote {units.count(len(r.p_current))} scores to {a.scores}")
    if a.save:
        v = save_run(engine, r, econ, store_version(engine), user=actor)
        print(f"saved churn model v{v} and {units.count(len(r.p_current))} scores")
    else:
        print(card_markdown(model_card(r, econ, t)).splitlines()[0])
    return 0
