"""Saved churn models: versions, model cards, and per-customer scores in the store.

Each save is one transaction: a :class:`core.store.tables.ChurnRun` row (version, model card, the fitted
model as a joblib blob) and one :class:`core.store.tables.ChurnScore` row per customer active on the
scoring day (calibrated probability, tier, the drivers pushing the risk up). Other pages read
:func:`latest_scores`.
"""

from __future__ import annotations

import datetime as dt
import io

import joblib
import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from core.access import guard, rights
from core.churn import plain as plain_words
from core.churn.feature_screen import RARE_MIN_ROWS, RARE_SHARE, card_exclusions, pooled_categories
from core.churn.horizon import inflation_sentence
from core.churn.model import ChurnModel
from core.churn.pipeline import OLD_TIER_NAMES, ChurnResult, Economics, best_threshold, net_value_curve, risk_tiers
from core.errors import DataValidationError, InsufficientDataError
from core.export import units
from core.export.markdown import plain
from core.history.feature_labels import feature_label
from core.store.tables import ChurnRun, ChurnScore

LIMITS = (
    "Associations, not causes: a driver says which customers churn, not what an outreach would change; "
    "Intervention ROI measures that with holdouts.",
    "Uploaded customer attributes are used as stored; a column updated after a cutoff (for example a "
    "plan changed at cancellation) would leak the outcome into the features.",
    "Probabilities are calibrated on the training period; if churn rises or falls they drift: compare the "
    "calibration on the held-out period and refit each quarter.",
)


def _versions() -> dict:
    import shap  # slow to import (about 2 s); a card is written far less often than this module loads
    import sklearn  # with shap: only when a card is written

    return {"scikit-learn": sklearn.__version__, "shap": shap.__version__}


def model_card(result: ChurnResult, economics: Economics, threshold: float, version: int | None = None,
               created: dt.datetime | None = None) -> dict:
    """Everything a reviewer needs to judge the model: data window, features, metrics, limits, version."""
    r = result
    first = r.train.cutoff.min() if len(r.train.cutoff) else None
    m = r.metrics[r.best]
    return {
        "version": version, "created_utc": (created or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M"),
        "model": r.best, "source": r.source, "validation": r.validation, "horizon_days": r.horizon_days,
        "data_window": {"first_cutoff": None if first is None else f"{first:%Y-%m-%d}",
                        "test_cutoff": None if r.test_cutoff is None else f"{r.test_cutoff:%Y-%m-%d}",
                        "scored_at": f"{r.scored_at:%Y-%m-%d}"},
        "rows": {"train": int(len(r.train.y)), "train_churners": int(r.train.y.sum()),
                 "test": int(len(r.test.y)), "test_churners": int(r.test.y.sum()),
                 "scored_customers": int(len(r.current.X))},
        "features": [{"name": f, "controllable": bool(c)} for f, c in r.train.controllable.items()],
        "not_available": list(r.train.missing),
        "excluded": card_exclusions(r.screen),
        "rare_categories": {"min_share": RARE_SHARE, "min_rows": RARE_MIN_ROWS, "pooled": pooled_categories(r.model)},
        "metrics": {k: {"roc_auc": v["roc_auc"], "roc_auc_ci": list(v["roc_auc_ci"]), "pr_auc": v["pr_auc"],
                        "pr_auc_ci": list(v["pr_auc_ci"]), "brier": v["brier"]} for k, v in r.metrics.items()},
        "calibration": {"method": r.model.calibration_method_, "brier_raw": m["brier"],
                        "brier_calibrated": r.brier_calibrated},
        "top_drivers": r.drivers["feature"].head(5).tolist(),
        "economics": {"value_saved": economics.value_saved, "outreach_cost": economics.outreach_cost,
                      "success_rate": economics.success_rate, "threshold": threshold,
                      "basis": economics.basis},
        "limits": list(LIMITS), "seed": r.seed, "libraries": _versions(), "lapse": r.extra.get("lapse"),
        "could_lapse": r.extra.get("could_lapse"),
    }


def card_markdown(card: dict) -> str:
    """The model card as Markdown (for the page and the export); figures by :mod:`core.export.units`, features by
    label (:func:`core.history.feature_labels.feature_label`), names from the data made inert
    (:func:`core.export.markdown.plain`)."""
    m, rows, cal, econ = card["metrics"][card["model"]], card["rows"], card["calibration"], card["economics"]
    lo, hi = m["roc_auc_ci"]
    lines = [
        f"**Churn model v{card['version'] or '(unsaved)'}** - {card['model']}, created {card['created_utc']} UTC",
        "",
        _label(card),
        f"- **Validation:** {card['validation']}",
        f"- **Rows:** {units.count(rows['train'])} training ({units.count(rows['train_churners'])} churners), "
        f"{units.count(rows['test'])} held out ({units.count(rows['test_churners'])} churners); "
        f"{units.count(rows['scored_customers'])} customers scored on {card['data_window']['scored_at']}",
        f"- **Held-out ROC-AUC** {units.score(m['roc_auc'])} {units.interval(lo, hi, 'score')}, "
        f"PR-AUC {units.score(m['pr_auc'])}, Brier {units.score(cal['brier_raw'])} raw / "
        f"{units.score(cal['brier_calibrated'])} calibrated ({cal['method']})",
        _plain_line(card),
        *_could_lapse_lines(card),
        "- **Other model:** " + "; ".join(f"{k} ROC-AUC {units.score(v['roc_auc'])}"
                                          for k, v in card["metrics"].items() if k != card["model"]),
        f"- **Features ({len(card['features'])}):** " + ", ".join(
            plain(feature_label(f["name"])) + (" (controllable)" if f["controllable"] else "")
            for f in card["features"]),
        *_screen_lines(card),
        "- **Not available in this store:** " + ("; ".join(card["not_available"]) or "nothing"),
        f"- **Threshold:** {units.score(econ['threshold'], digits=2)} (save worth "
        f"{units.format_value(econ['value_saved'], 'currency')}, outreach "
        f"{units.format_value(econ['outreach_cost'], 'currency')}, success {units.percent(econ['success_rate'], 0)}"
        + (f"; {plain(econ['basis'])}" if econ.get("basis") else "") + ")",
        "- **Limits:** " + " ".join(card["limits"]),
        f"- **Reproduce:** seed {card['seed']}; " + ", ".join(f"{k} {v}" for k, v in card["libraries"].items()),
    ]
    return "\n".join(lines)


def _label(card: dict) -> str:
    """The card's label line; on a purchase log with the lapse rule that made the churn dates."""
    if card["source"] != "temporal":
        return "- **Label:** churned by the snapshot date"
    line = f"- **Label:** churn within {card['horizon_days']} days of a cutoff"
    lapse = card.get("lapse")
    if lapse:
        line += (f"; a buyer has churned when no purchase follows the last one within {lapse['days']} days "
                 f"(proposed: {lapse['proposed_days']} days. {lapse['reason']})")
    return line


def _plain_line(card: dict) -> str:
    """The held-out figures in plain words (:func:`core.churn.plain.headline`), the churn rate from the held-out
    rows."""
    m, rows = card["metrics"][card["model"]], card["rows"]
    rate = rows["test_churners"] / rows["test"] if rows["test"] else float("nan")
    said = plain_words.headline({**m, "churn_rate": rate}, card["calibration"]["brier_calibrated"])
    return "- **In plain words:** " + " ".join(said)


def _could_lapse_lines(card: dict) -> list[str]:
    """When the horizon is shorter than the lapse period: the held-out ROC-AUC among the buyers who could lapse
    within it, and why the headline is inflated (none otherwise, and for cards saved before issue 20)."""
    could = card.get("could_lapse")
    if not could:
        return []
    kind = card["model"]
    return [f"- **Held-out ROC-AUC among buyers who could lapse within {could['horizon_days']} days** (last purchase "
            f"at least {could['min_recency_days']} days before the cutoff): "
            f"{units.score(could['roc_auc'].get(kind, float('nan')))}. "
            + inflation_sentence(could, kind, card["metrics"][kind]["roc_auc"])]


def _screen_lines(card: dict) -> list[str]:
    """The card's columns left out of the features (with why) and the rare categories pooled (none for cards
    saved before the screen existed)."""
    if "excluded" not in card:
        return []
    rare = card["rare_categories"]
    pooled = ", ".join(f"{plain(feature_label(c))} {units.count(n)}"
                       for c, n in rare["pooled"].items()) or "none were rare"
    return [f"- **Not used as features ({len(card['excluded'])}):** "
            + "; ".join(f"{plain(feature_label(e['column']))}: {e['reason']}" for e in card["excluded"]),
            f"- **Rare categories** (under {units.percent(rare['min_share'], 0)} of the training rows or fewer "
            f"than {units.count(rare['min_rows'])} of them) pooled into \"other\": {pooled}"]


def top_drivers(result: ChurnResult) -> tuple[np.ndarray, np.ndarray]:
    """For each of today's customers, the feature raising the risk most, and the controllable one."""
    vals = result.current_explanation.values
    feats = np.array(vals.columns, dtype=object)
    v = vals.to_numpy()
    top = np.where(v.max(axis=1) > 0, feats[v.argmax(axis=1)], None)
    ctrl = np.array([bool(result.train.controllable.get(f, False)) for f in feats])
    if ctrl.any():
        vc = np.where(ctrl[None, :], v, -np.inf)
        top_c = np.where(vc.max(axis=1) > 0, feats[vc.argmax(axis=1)], None)
    else:
        top_c = np.full(len(v), None, dtype=object)
    return top, top_c


def score_table(result: ChurnResult, threshold: float, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Today's customers, riskiest first: ``customer_id`` (plus name, segment, plan when ``customers`` is
    given), ``probability, tier, top_driver, top_controllable``."""
    top, top_c = top_drivers(result)
    df = pd.DataFrame({"customer_id": result.current.customer_id.to_numpy(), "probability": result.p_current,
                       "tier": risk_tiers(result.p_current, threshold), "top_driver": top,
                       "top_controllable": top_c})
    if customers is not None:
        cols = [c for c in ("customer_id", "name", "segment", "plan") if c in customers]
        df = df.merge(customers[cols].astype({"customer_id": str}), on="customer_id", how="left")
        df = df[cols + ["probability", "tier", "top_driver", "top_controllable"]]
    return df.sort_values("probability", ascending=False, kind="stable").reset_index(drop=True)


def save_run(engine: Engine, result: ChurnResult, economics: Economics, data_version: str,
             user: str | guard.Actor | None = None) -> int:
    """Save the kept model, its card and today's scores as a new version (one transaction), as ``user`` (None:
    ``RETENTION_USER``), who needs the save-model right; audited.

    Returns
    -------
    int
        The new version number.

    Raises
    ------
    core.access.guard.AccessDenied
        ``user`` may not save a churn model; nothing is saved.
    """
    actor = guard.require(engine, user, rights.SAVE_MODEL)
    version = save_fitted(engine, result, economics, data_version)
    guard.done(engine, actor, "save churn model", f"v{version}",
               {"horizon_days": result.horizon_days, "data_version": data_version})
    return version


def current_tiers(result: ChurnResult, economics: Economics) -> tuple[float, list[str]]:
    """(the threshold of the best net value under ``economics``, the risk tier of each of today's customers
    (``result.current``)): the tiers a saved model's scores carry."""
    threshold = best_threshold(net_value_curve(result.p_test, economics, result.test.y))
    return threshold, risk_tiers(result.p_current, threshold)


def save_fitted(engine: Engine, result: ChurnResult, economics: Economics, data_version: str) -> int:
    """:func:`save_run` without a right or an audit entry: for the fit the Churn drivers page saves on its own the
    first time a store version is opened (not a person's act: whoever opens the page triggers it). Returns the
    version."""
    threshold, tiers = current_tiers(result, economics)
    created = dt.datetime.now(dt.UTC)
    buf = io.BytesIO()
    joblib.dump(result.model, buf, compress=3)
    top, top_c = top_drivers(result)
    with engine.begin() as conn:
        version = (conn.execute(select(func.max(ChurnRun.version))).scalar() or 0) + 1
        card = model_card(result, economics, threshold, version=version, created=created)
        conn.execute(ChurnRun.__table__.insert().values(
            version=version, created_at=created, kind=result.best, source=result.source,
            horizon_days=result.horizon_days, scored_at=result.scored_at.date(), data_version=data_version,
            threshold=threshold, card=card, model=buf.getvalue()))
        conn.execute(ChurnScore.__table__.insert(), [
            {"version": version, "customer_id": c, "probability": float(p), "tier": t, "top_driver": d,
             "top_controllable": dc}
            for c, p, t, d, dc in zip(result.current.customer_id, result.p_current, tiers, top, top_c)])
    return version


def runs(engine: Engine) -> pd.DataFrame:
    """Saved models, newest first: ``version, created_at, kind, source, horizon_days, scored_at,
    data_version, threshold, roc_auc``."""
    with engine.connect() as conn:
        rows = conn.execute(select(ChurnRun.version, ChurnRun.created_at, ChurnRun.kind, ChurnRun.source,
                                   ChurnRun.horizon_days, ChurnRun.scored_at, ChurnRun.data_version,
                                   ChurnRun.threshold, ChurnRun.card).order_by(ChurnRun.version.desc())).all()
    df = pd.DataFrame(rows, columns=["version", "created_at", "kind", "source", "horizon_days", "scored_at",
                                     "data_version", "threshold", "card"])
    df["roc_auc"] = [c["metrics"][c["model"]]["roc_auc"] for c in df["card"]]
    return df.drop(columns="card")


def latest_scores(engine: Engine, version: int | None = None) -> pd.DataFrame:
    """Per-customer scores of the newest saved model (or of ``version``)."""
    with engine.connect() as conn:
        if version is None:
            version = conn.execute(select(func.max(ChurnRun.version))).scalar()
        if version is None:
            raise InsufficientDataError("No churn model is saved yet: open the Churn drivers page or run "
                                        "`python -m core churn --save`.")
        rows = conn.execute(select(ChurnScore.customer_id, ChurnScore.probability, ChurnScore.tier,
                                   ChurnScore.top_driver, ChurnScore.top_controllable)
                            .where(ChurnScore.version == version)).all()
    df = pd.DataFrame(rows, columns=["customer_id", "probability", "tier", "top_driver", "top_controllable"])
    df["tier"] = df["tier"].replace(OLD_TIER_NAMES)  # scores saved under the old names read as today's
    df.insert(0, "version", version)
    return df


def load_model(engine: Engine, version: int) -> ChurnModel:
    """The fitted model saved as ``version``."""
    with engine.connect() as conn:
        blob = conn.execute(select(ChurnRun.model).where(ChurnRun.version == version)).scalar()
    if blob is None:
        raise DataValidationError(f"There is no saved churn model version {version}.")
    return joblib.load(io.BytesIO(blob))


def saved_for(engine: Engine, data_version: str, horizon_days: int, lapse_days: int | None = None) -> int | None:
    """The newest version fitted on this store version with this horizon (and, on a purchase log, this lapse
    period in days; None for a store with its own churn dates), if any."""
    with engine.connect() as conn:
        rows = conn.execute(select(ChurnRun.version, ChurnRun.card).where(
            ChurnRun.data_version == data_version, ChurnRun.horizon_days == horizon_days)
            .order_by(ChurnRun.version.desc())).all()
    return next((int(v) for v, card in rows if ((card or {}).get("lapse") or {}).get("days") == lapse_days), None)
