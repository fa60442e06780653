"""``python -m core``: the workbench's command line.

Bad input ends with exit code 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from core.errors import WorkbenchError
from core.ingest.fields import KINDS
from core.ingest.importer import commit_import, prepare_import
from core.store import engine as db
from core.store import read as store

EXIT_BAD_INPUT = 2


def _pairs(items: list[str], what: str) -> list[tuple[str, str]]:
    out = []
    for item in items or []:
        if "=" not in item:
            raise WorkbenchError(f"{what} '{item}' needs the form LEFT=RIGHT.")
        left, right = item.rsplit("=", 1) if what == "--map" else item.split("=", 1)
        out.append((left.strip(), right.strip()))
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core", description="Retention workbench command line.")
    p.add_argument("--db", help="SQLAlchemy URL of the store (default: RETENTION_DB_URL or data/retention.db)")
    sub = p.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="validate and load a CSV/XLSX file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--kind", required=True, choices=list(KINDS))
    imp.add_argument("--sheet", help="workbook sheet name or 0-based number (default: first)")
    imp.add_argument("--map", action="append", metavar="COLUMN=FIELD", default=[],
                     help="map a column to a field (repeatable); COLUMN=- leaves the column out")
    imp.add_argument("--set", action="append", metavar="FIELD=VALUE", default=[],
                     help="one value for a field for the whole file, e.g. channel=review")
    imp.add_argument("--as-of", help="snapshot date for tenure / churn-flag files (YYYY-MM-DD)")
    imp.add_argument("--date-format", help="strftime format for every date column, e.g. %%d/%%m/%%Y")
    imp.add_argument("--create-customers", action="store_true", default=None,
                     help="create customers the file names but the store lacks")
    imp.add_argument("--mode", choices=["append", "replace"], default="append")
    imp.add_argument("--no-header", action="store_true", help="the text file has no header line")
    g = imp.add_mutually_exclusive_group()
    g.add_argument("--strict", dest="strict", action="store_true", default=True,
                   help="reject the whole file on any error (default)")
    g.add_argument("--lenient", dest="strict", action="store_false",
                   help="load the valid rows, write the rejected ones to --rejects")
    imp.add_argument("--dry-run", action="store_true", help="validate and report only; write nothing")
    imp.add_argument("--report", type=Path, help="write the full validation report to this CSV")
    imp.add_argument("--rejects", type=Path, help="where lenient mode writes rejected rows "
                     "(default: FILE.rejected.csv in the current folder)")

    sub.add_parser("status", help="rows per table and the import log")

    co = sub.add_parser("cohorts", help="cohort x period retention table (CSV to stdout or --out)")
    co.add_argument("--cohort-by", choices=["signup", "first_activity"], default="signup")
    co.add_argument("--period", choices=["day", "week", "month", "quarter"], default="month")
    co.add_argument("--measure", choices=["logo", "net_revenue", "gross_revenue", "count"], default="logo")
    co.add_argument("--definition", choices=["on", "on_or_after"], default="on")
    co.add_argument("--retained-by", choices=["subscription", "activity"], default="subscription",
                    help="subscription: retained while not churned; activity: retained when active")
    co.add_argument("--base", choices=["period0", "previous"], default="period0")
    co.add_argument("--weighting", choices=["weighted", "simple"], default="weighted")
    co.add_argument("--min-size", type=int, default=20)
    co.add_argument("--as-of", help="periods not ended by this date are incomplete (default: latest data)")
    co.add_argument("--segment", action="append", default=[], help="keep only this segment (repeatable)")
    co.add_argument("--out", type=Path, help="write the table here (.csv or .xlsx) instead of stdout")

    ch = sub.add_parser("churn", help="fit, validate and explain the churn models; optionally save scores")
    ch.add_argument("--horizon", type=int, default=90, help="churn within this many days of a cutoff (default 90)")
    ch.add_argument("--cutoffs", type=int, default=6, help="monthly training cutoffs (dated data; default 6)")
    ch.add_argument("--test-size", type=float, default=0.25, help="held-out share for snapshot data")
    ch.add_argument("--seed", type=int, default=0)
    ch.add_argument("--drivers", type=int, default=10, help="how many top drivers to print")
    ch.add_argument("--value", type=float, help="value of a saved customer (default: a year of median MRR)")
    ch.add_argument("--cost", type=float, help="cost of one outreach (default 150)")
    ch.add_argument("--success", type=float, help="share of would-be churners an outreach keeps (default 0.25)")
    ch.add_argument("--save", action="store_true", help="save the model, its card and today's scores")
    ch.add_argument("--scores", type=Path, help="write today's scores and tiers to this CSV")

    from core.cli import health as cli_health

    cli_health.add_parser(sub)

    from core.cli import themes as cli_themes

    cli_themes.add_parser(sub)

    from core.cli import roi as cli_roi

    cli_roi.add_parser(sub)

    from core.cli import report as cli_report

    cli_report.add_parser(sub)

    demo = sub.add_parser("demo", help="load the synthetic demo business, replacing the store's data")
    demo.add_argument("--customers", type=int, default=5000, metavar="N", help="customers (default 5000)")
    demo.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    return p


def _cmd_import(engine, a) -> int:
    if not a.file.is_file():
        raise WorkbenchError(f"No file at {a.file}.")
    mapping, ignore = {}, []
    for col, fld in _pairs(a.map, "--map"):
        if fld in ("-", ""):
            ignore.append(col)
        else:
            mapping[fld] = col
    plan = prepare_import(
        engine, a.file.read_bytes(), a.file.name, a.kind, sheet=a.sheet, mapping=mapping,
        constants=dict(_pairs(a.set, "--set")), ignore=tuple(ignore), as_of=a.as_of,
        date_format=a.date_format, create_customers=a.create_customers, mode=a.mode,
        header=False if a.no_header else None)
    print("mapping: " + ", ".join(f"{c} -> {f}" for f, c in plan.mapping.items())
          + "".join(f", {f} = {v!r}" for f, v in plan.constants.items()))
    print(plan.summary())
    if a.report is not None:
        plan.report.to_csv(a.report, index=False)
        print(f"report: {len(plan.report):,} problems written to {a.report}")
    if a.dry_run:
        return 0
    result = commit_import(engine, plan, strict=a.strict)
    loaded = ", ".join(f"{n:,} {t}" for t, n in result.tables.items())
    made = f", {result.customers_created:,} customers created" if result.customers_created else ""
    print(f"import #{result.import_id}: loaded {loaded}{made}; {result.rows_rejected:,} rows rejected")
    if result.rows_rejected:
        path = a.rejects or Path(f"{a.file.stem}.rejected.csv")
        path.write_bytes(plan.rejected_csv())
        print(f"rejected rows with reasons: {path}")
    return 0


def _cmd_status(engine) -> int:
    st = store.status(engine)
    width = max(len(t) for t in st["counts"])
    for table, n in st["counts"].items():
        print(f"{table:<{width}}  {n:>12,}")
    imports = st["imports"]
    print(f"\n{len(imports)} imports")
    if len(imports):
        cols = ["id", "file_name", "kind", "mode", "rows_read", "rows_loaded", "rows_rejected", "finished_at"]
        print(imports[cols].to_string(index=False))
    return 0


def _cmd_demo(engine, a) -> int:
    from core.demo.load import load_demo

    out = load_demo(engine, n_customers=a.customers, seed=a.seed)
    loaded = ", ".join(f"{n:,} {t}" for t, n in out["counts"].items())
    print(f"demo (seed {a.seed}) import #{out['import_id']}: loaded {loaded} in {out['seconds']:.1f} s")
    return 0


def _cmd_cohorts(engine, a) -> int:
    from core.cohorts.table import cohort_table

    customers = store.load_columns(engine, "customer", ["customer_id", "segment", "signup_date", "churn_date"])
    if a.segment:
        customers = customers[customers["segment"].isin(a.segment)]
    activity = revenue = None
    if a.cohort_by == "first_activity" or a.retained_by == "activity":
        from core.store.columnar import activity_pairs

        activity = activity_pairs(engine)  # the column store: ~0.4 s for 10M rows
    if a.measure in ("net_revenue", "gross_revenue"):
        revenue = store.load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    t = cohort_table(customers, activity, revenue, cohort_by=a.cohort_by, period=a.period, measure=a.measure,
                     definition=a.definition, retained_by=a.retained_by, base=a.base, as_of=a.as_of,
                     min_size=a.min_size, weighting=a.weighting)
    out = t.values.copy()
    out.insert(0, "customers", t.sizes)
    out.loc["average"] = [None, *t.average.tolist()]
    if a.out is None:
        print(out.to_csv(float_format="%.4f"), end="")
    elif a.out.suffix.lower() == ".xlsx":
        out.to_excel(a.out, sheet_name="cohorts")
        print(f"wrote {len(t.values)} cohorts x {t.values.shape[1]} periods to {a.out}")
    else:
        out.to_csv(a.out, float_format="%.6f")
        print(f"wrote {len(t.values)} cohorts x {t.values.shape[1]} periods to {a.out}")
    return 0


def _cmd_churn(engine, a) -> int:
    from core.churn import pipeline as cr
    from core.churn.store import card_markdown, model_card, save_run
    from core.history.features import load_inputs

    inputs = load_inputs(engine)
    r = cr.fit_churn(inputs, horizon_days=a.horizon, n_cutoffs=a.cutoffs, test_size=a.test_size, seed=a.seed)
    d = cr.default_economics(inputs)
    econ = cr.Economics(a.value if a.value is not None else d.value_saved,
                        a.cost if a.cost is not None else d.outreach_cost,
                        a.success if a.success is not None else d.success_rate)
    print(f"{len(r.train.y) + len(r.test.y):,} rows, {int(r.train.y.sum() + r.test.y.sum()):,} churned; "
          f"held out {len(r.test.y):,}; validation {r.validation}")
    for kind, m in r.metrics.items():
        lo, hi = m["roc_auc_ci"]
        mark = "  <- used" if kind == r.best else ""
        print(f"{kind:<9} ROC-AUC {m['roc_auc']:.3f} [{lo:.3f}, {hi:.3f}]  PR-AUC {m['pr_auc']:.3f}  "
              f"Brier {m['brier']:.3f}{mark}")
    print(f"calibrated ({r.model.calibration_method_}): Brier {r.brier_calibrated:.3f}")
    print("top drivers (mean |SHAP|, log-odds):")
    for _, row in r.drivers.head(a.drivers).iterrows():
        kind = "controllable" if row["controllable"] else "fixed"
        print(f"  {row['feature']:<24} {row['mean_abs_shap']:.3f}  {kind:<12} {row['direction']}")
    curve = cr.net_value_curve(r.p_test, econ, r.test.y)
    t = cr.best_threshold(curve)
    c = cr.confusion_at(r.test.y, r.p_test, t)
    print(f"threshold {t:.2f} (save worth {econ.value_saved:,.0f}, outreach {econ.outreach_cost:,.0f}, success "
          f"{econ.success_rate:.0%}): held out flagged {c['flagged']:,}, precision {c['precision']:.2f}, "
          f"recall {c['recall']:.2f}")
    tiers = pd.Series(cr.risk_tiers(r.p_current, t)).value_counts()
    print(f"today ({r.scored_at:%Y-%m-%d}): " + ", ".join(f"{k} {int(tiers.get(k, 0)):,}" for k in cr.TIERS))
    if a.scores is not None:
        pd.DataFrame({"customer_id": r.current.customer_id, "probability": r.p_current,
                      "tier": cr.risk_tiers(r.p_current, t)}).to_csv(a.scores, index=False, float_format="%.6f")
        print(f"wrote {len(r.p_current):,} scores to {a.scores}")
    if a.save:
        v = save_run(engine, r, econ, store.store_version(engine))
        print(f"saved churn model v{v} and {len(r.p_current):,} scores")
    else:
        print(card_markdown(model_card(r, econ, t)).splitlines()[0])
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        engine = db.make_engine(args.db)
        if args.command == "import":
            return _cmd_import(engine, args)
        if args.command == "churn":
            return _cmd_churn(engine, args)
        if args.command == "health":
            from core.cli import health as cli_health

            return cli_health.run(engine, args)
        if args.command == "themes":
            from core.cli import themes as cli_themes

            return cli_themes.run(engine, args)
        if args.command == "roi":
            from core.cli import roi as cli_roi

            return cli_roi.run(engine, args)
        if args.command == "report":
            from core.cli import report as cli_report

            return cli_report.run(engine, args)
        if args.command == "cohorts":
            return _cmd_cohorts(engine, args)
        if args.command == "demo":
            return _cmd_demo(engine, args)
        return _cmd_status(engine)
    except WorkbenchError as exc:
        print("error: " + " ".join(str(exc).split()), file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '')}", file=sys.stderr)
        return EXIT_BAD_INPUT
