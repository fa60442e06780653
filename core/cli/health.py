"""``python -m core health``: today's health scores, the back-test, suggested weights, alerts, versions."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from core.cli.defaults import HEALTH_HORIZON_DAYS
from core.cli.who import acting_user, require
from core.errors import WorkbenchError
from core.export import units  # plain Python: --help stays fast

NAME = "health"
#: the unit of each column of the back-test's band table (core.health.backtest.BacktestResult.bands)
BAND_UNITS = {"customers": "customers", "share": "share", "churners": "customers", "churn_rate": "share",
              "predicted": "share", "lift": "ratio"}


def add_parser(sub) -> None:
    """Register the ``health`` sub-command."""
    he = sub.add_parser(NAME, help="health scores: today's bands, back-test, suggested weights, alerts",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    he.add_argument("--version", type=int, help="configuration version (default: the latest saved, else the default)")
    he.add_argument("--config", type=Path, help="a configuration JSON file instead of a saved version")
    he.add_argument("--months", type=int, default=12, help="back-test months")
    he.add_argument("--horizon", type=int, help="churn within this many days of a back-test month (default "
                    f"{HEALTH_HORIZON_DAYS}; on a purchase log, the lapse period)")
    he.add_argument("--backtest", action="store_true", help="print the back-test (AUC, churn rate per band)")
    he.add_argument("--suggest", action="store_true", help="fit and print suggested weights beside the current")
    he.add_argument("--accept", action="store_true", help="save the suggested weights as a new version")
    he.add_argument("--save", action="store_true", help="save --config as a new version")
    he.add_argument("--author", help="who saves (with --save or --accept)")
    he.add_argument("--reason", help="why (with --save or --accept)")
    he.add_argument("--drop", type=float, default=15, help="alert when the score fell more than this in a month")
    he.add_argument("--scores", type=Path, help="write today's scores and measure contributions to this CSV")
    he.add_argument("--alerts", type=Path, help="write the action list to this .csv or .xlsx")
    he.add_argument("--export-config", type=Path, help="write the configuration used to this JSON file")
    he.add_argument("--versions", action="store_true", help="list the saved configuration versions")


def _config(engine, a, frame):
    """The configuration ``--config``, ``--version`` or the store names, and its saved version (None: unsaved)."""
    from core.health import score as h  # pandas loads here, not for --help
    from core.health import store as hs  # in run, for a fast --help

    if a.config is not None:
        if not a.config.is_file():
            raise WorkbenchError(f"No configuration file at {a.config}.")
        try:
            return h.HealthConfig.from_dict(json.loads(a.config.read_text())), None
        except json.JSONDecodeError as exc:
            raise WorkbenchError(f"{a.config} is not valid JSON ({exc.msg} at line {exc.lineno}).") from None
    if a.version is not None:
        return hs.load_config(engine, a.version), a.version
    return hs.current_config(engine, frame)


def _write_files(a, cfg, now, rows_of_alerts) -> None:
    """``--export-config``, ``--scores`` and ``--alerts`` (``rows_of_alerts()`` builds the action list)."""
    from core.export.csv import write_csv  # pandas loads here, not for --help
    from core.export.xlsx import to_xlsx  # in run, for a fast --help

    if a.export_config is not None:
        a.export_config.write_text(json.dumps(cfg.to_dict(), indent=2))
        print(f"wrote the configuration to {a.export_config}")
    if a.scores is not None:
        write_csv(now.drop(columns="day"), a.scores, float_format="%.4f")
        print(f"wrote {units.count(len(now))} scores to {a.scores}")
    if a.alerts is not None:
        rows = rows_of_alerts()
        if a.alerts.suffix.lower() == ".xlsx":
            a.alerts.write_bytes(to_xlsx({"action list": rows}))
        else:
            write_csv(rows, a.alerts, float_format="%.2f")
        print(f"wrote {units.count(len(rows))} customers with alerts to {a.alerts}")


def _backtest(engine, a, cfg, inputs, version) -> None:
    """``--backtest``, ``--suggest`` and ``--accept``: the back-test, the suggested weights, saving them."""
    from core.cli.format import figures_text  # pandas loads here, not for --help
    from core.health import backtest as hb  # pandas and sklearn load here, not for --help
    from core.health import store as hs  # in run, for a fast --help

    data = hb.backtest_data(inputs, months=a.months, horizon_days=a.horizon)
    r = hb.evaluate(cfg, data)
    ratio = f"red churns {r.red_green_text} as often as green" if not math.isnan(r.red_green_ratio) else \
        f"red against green: {r.red_green_text}"
    print(f"back-test, {len(data.cutoffs)} month ends {data.cutoffs[0]:%Y-%m} to {data.cutoffs[-1]:%Y-%m}, churn "
          f"within {data.horizon_days} days: ROC-AUC {units.score(r.auc)}; {ratio}")
    print(figures_text(r.bands, BAND_UNITS, left=("band",)))
    if not (a.suggest or a.accept):
        return
    s = hb.suggest_weights(cfg, data)
    print(f"suggested weights (fitted on {s.train_cutoffs[0]:%Y-%m} to {s.train_cutoffs[-1]:%Y-%m}; compared "
          f"on {s.eval_cutoffs[0]:%Y-%m} to {s.eval_cutoffs[-1]:%Y-%m}): ROC-AUC {units.score(s.auc_suggested)} vs "
          f"{units.score(s.auc_current)} now")
    # weights are points out of each stage's 100: counts (a fitted weight keeps one decimal when it has one)
    print(s.weights.pivot(index="measure", columns="stage", values=["current", "suggested"])
          .to_string(float_format=units.count))
    if a.accept:
        v = hs.save_config(engine, s.config, a.author or "", a.reason or "", parent=version, user=acting_user(a))
        print(f"saved the suggested weights as health configuration v{v}")


def run(engine, a) -> int:
    """Run ``python -m core health``; returns the exit code."""
    from core.access import rights  # SQLAlchemy loads here, not for --help
    from core.health import store as hs  # in run, for a fast --help
    from core.history.inputs import load_inputs  # in run, for a fast --help
    from core.history.warehouse_inputs import warehouse_inputs  # Ibis loads here, not for --help
    from core.query import warehouse  # in run, for a fast --help
    from core.query.warehouse import answered  # in run, for a fast --help

    if a.versions:
        print(hs.versions(engine).to_string(index=False))
        return 0
    if a.save or a.accept:  # refused before the store is read (the save checks again and writes the audit entry)
        require(engine, a, rights.CONFIGURE)
    if a.alerts is not None or a.scores is not None:  # per-customer lists: admins and the roles an admin allows
        require(engine, a, rights.RISK_LISTS)
    company = warehouse.configured()
    if company is None:
        return _report(engine, a, load_inputs(engine))
    with company:
        print(f"Figures from {company.name}.", file=sys.stderr)
        # the measures and the back-test ask the warehouse for the behaviour at each month end: one plain line
        return answered(_report)(engine, a, warehouse_inputs(company))


def _report(engine, a, inputs) -> int:
    """Print today's health under the configuration ``a`` names, write the files it asks for, and the back-test."""
    from core.health import monitor as hm  # pandas loads here, not for --help
    from core.health import score as h  # in run, for a fast --help
    from core.health import store as hs  # in run, for a fast --help
    from core.health.coverage import coverage  # in run, for a fast --help

    snaps = hm.snapshots(inputs, months=2)
    day, frame = snaps[-1]
    cfg, version = _config(engine, a, frame)
    if a.save:
        version = hs.save_config(engine, cfg, a.author or "", a.reason or "", parent=version, user=acting_user(a))
        print(f"saved health configuration v{version}")
    hist = hm.history(cfg, snaps)
    now, _ = hm.latest_two(hist)
    label = f"v{version}" if version is not None else "default (not saved yet)"
    cov = coverage(cfg.min_measures, now)
    counts = now["band"].value_counts()  # shares of the banded customers, as the page shows them
    print(f"health on {day:%Y-%m-%d}, configuration {label}: " + (cov.message if not cov.banded else (
        f"{units.count(cov.banded)} customers, mean score {units.score(now['score'].mean(), digits=1)}; "
        + ", ".join(f"{b} {units.count(counts.get(b, 0))} ({units.percent(counts.get(b, 0) / cov.banded)})"
                    for b in h.BANDS))))
    if cov.banded and cov.below:
        print(cov.message)
    _write_files(a, cfg, now, lambda: hm.action_list(hm.alerts(cfg, hist, drop_points=a.drop), inputs.customers))
    if a.backtest or a.suggest or a.accept:
        _backtest(engine, a, cfg, inputs, version)
    return 0
