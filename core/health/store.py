"""Saved health-score configurations: versions with an author and a reason, and their differences.

A version is never changed: editing weights, rules or bands saves a new version that names its
parent. When the store has no version yet, :func:`current_config` proposes the default (bounds
from today's data) without saving it; the page saves it as version 1 on first use.
A person's save (:func:`save_config`) needs the configure right and is audited.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.access import guard, rights
from core.errors import DataValidationError
from core.health.recency import lapse_days, predates_recency, with_recency_weight
from core.health.score import MEASURES, STAGES, HealthConfig, default_config, rule_text
from core.store.saved_versions import saved_version
from core.store.tables import HealthConfigVersion


def save_config(engine: Engine, config: HealthConfig, author: str, reason: str, parent: int | None = None,
                user: str | guard.Actor | None = None) -> int:
    """Validate and save ``config`` as a new version as ``user`` (None: ``RETENTION_USER``), who needs the configure
    right; audited. The author is the signed-in user (``author`` only on a store without accounts). Returns the
    version number.

    Raises
    ------
    DataValidationError
        The configuration is invalid, or the author or the reason is empty.
    core.access.guard.AccessDenied
        ``user`` may not change the health score's configuration; nothing is saved.
    """
    actor = guard.require(engine, user, rights.CONFIGURE)
    author = guard.author(actor, author)
    version = _insert(engine, config, author, reason, parent)
    guard.done(engine, actor, "save health configuration", f"v{version}",
               {"reason": str(reason).strip(), "parent": parent, "author": author})
    return version


def _insert(engine: Engine, config: HealthConfig, author: str, reason: str, parent: int | None) -> int:
    """Validate and store a new version (no right checked: the callers do, or say why none is needed)."""
    config.validate()
    if not str(author or "").strip():
        raise DataValidationError("Say who made this change: the author field is empty.")
    if not str(reason or "").strip():
        raise DataValidationError("Say why: the reason field is empty (it is what a reviewer reads later).")
    with Session(engine) as s:
        row = HealthConfigVersion(created_at=dt.datetime.now(dt.UTC), author=author.strip(),
                                  reason=reason.strip(), parent=parent, config=config.to_dict())
        s.add(row)
        s.commit()
        return int(row.version)


def versions(engine: Engine) -> pd.DataFrame:
    """Every saved version, newest first: ``version, created_at, author, reason, parent``."""
    with Session(engine) as s:
        rows = s.exec(select(HealthConfigVersion.version, HealthConfigVersion.created_at, HealthConfigVersion.author,
                             HealthConfigVersion.reason, HealthConfigVersion.parent)
                      .order_by(HealthConfigVersion.version.desc())).all()
    return pd.DataFrame(rows, columns=["version", "created_at", "author", "reason", "parent"])


def load_config(engine: Engine, version: int | None = None, frame: pd.DataFrame | None = None) -> HealthConfig | None:
    """The configuration of ``version`` (default the latest); None when nothing is saved. With the store's measures
    ``frame`` (a :func:`core.health.score.measure_frame`), one saved before Purchase recency existed reads as
    :func:`with_recency` makes it.

    Raises
    ------
    DataValidationError
        ``version`` does not exist.
    """
    saved = _saved(engine, version)
    if saved is None:
        return None
    return with_recency(saved, frame) if frame is not None else HealthConfig.from_dict(saved)


def _saved(engine: Engine, version: int | None) -> dict | None:
    """The stored dictionary of ``version`` (default the latest); None when nothing is saved."""
    row = saved_version(engine, HealthConfigVersion, version, "health configuration")
    return None if row is None else row.config


def needs_recency(saved: dict, frame: pd.DataFrame) -> bool:
    """Whether a saved configuration predates Purchase recency (:func:`core.health.recency.predates_recency`) on a
    store whose buyers have one (a purchase log): as saved, it would weigh the measure 0 in every stage."""
    return lapse_days(frame) is not None and predates_recency(saved)


def saved_before_recency(engine: Engine, version: int, frame: pd.DataFrame) -> bool:
    """:func:`needs_recency` of saved version ``version``."""
    return needs_recency(_saved(engine, version), frame)


def with_recency(saved: dict, frame: pd.DataFrame) -> HealthConfig:
    """A saved configuration (its stored dictionary) for the store of ``frame``: as saved, except when it predates
    Purchase recency on a store whose buyers have one (:func:`needs_recency`); then Purchase recency gets its
    default weight (each stage's renewal weight, half of it in a mix, as :func:`core.health.score.default_config`
    gives it) and, unless the configuration holds a rule for it, the default's rule (worst at the lapse period N)."""
    cfg = HealthConfig.from_dict(saved)
    if not needs_recency(saved, frame):
        return cfg
    renewals = bool(frame["days_to_renewal"].notna().any())
    rules = {**cfg.rules}
    if "recency" not in (saved.get("rules") or {}):
        rules["recency"] = default_config(frame).rules["recency"]
    return HealthConfig.from_dict({**cfg.to_dict(), "rules": rules,
                                   "weights": with_recency_weight(cfg.weights, renewals)})


def compare(a: HealthConfig, b: HealthConfig) -> pd.DataFrame:
    """What differs between two configurations: ``setting, a, b`` (weights per stage, rules, bands, stages)."""
    rows = []
    for s in STAGES:
        for k, m in MEASURES.items():
            wa, wb = float(a.weights[s].get(k, 0)), float(b.weights[s].get(k, 0))
            if wa != wb:
                rows.append({"setting": f"weight: {m.label} ({s})", "a": f"{wa:g}", "b": f"{wb:g}"})
    for k, m in MEASURES.items():
        if a.rules[k] != b.rules[k]:
            rows.append({"setting": f"rule: {m.label}", "a": rule_text(k, a.rules[k]), "b": rule_text(k, b.rules[k])})
    for attr, label in (("red_max", "red up to"), ("amber_max", "amber up to"),
                        ("onboarding_days", "onboarding days"), ("renewal_days", "renewal window days"),
                        ("min_measures", "minimum measures per customer")):
        if float(getattr(a, attr)) != float(getattr(b, attr)):
            rows.append({"setting": label, "a": f"{getattr(a, attr):g}", "b": f"{getattr(b, attr):g}"})
    return pd.DataFrame(rows, columns=["setting", "a", "b"])


def weights_table(config: HealthConfig, keys: list[str] | None = None) -> pd.DataFrame:
    """``measure, group, rule`` and one weight column per stage (the configuration at a glance) of the measures
    ``keys`` (default all; :func:`core.health.score.store_measures`: those of the store)."""
    return pd.DataFrame([{"measure": MEASURES[k].label, "key": k, "group": MEASURES[k].group,
                          "definition": MEASURES[k].text, "rule": rule_text(k, config.rules[k]),
                          **{s: float(config.weights[s].get(k, 0)) for s in STAGES}} for k in keys or MEASURES])


def current_config(engine: Engine, frame: pd.DataFrame | None = None) -> tuple[HealthConfig, int | None]:
    """The one rule for "the current health configuration", used by the page, the CLI and the review.

    The newest saved version; while none is saved, the default configuration whose usage and time-to-resolve
    bounds come from ``frame``: the measures on the data's last day (the frame the Health scores page saves
    as version 1, :func:`save_default`). A version saved before Purchase recency existed reads as
    :func:`with_recency` makes it for the store of ``frame``.

    Returns
    -------
    (HealthConfig, int or None)
        The configuration and its version (None for the unsaved default).
    """
    cfg = load_config(engine, frame=frame)
    if cfg is None:
        return default_config(frame), None
    return cfg, int(versions(engine)["version"].iloc[0])


def save_default(engine: Engine, day: pd.Timestamp, frame: pd.DataFrame) -> int | None:
    """Save the default configuration (bounds from ``frame``, the measures on ``day``) as version 1 when no
    version is saved yet, so every later change has a parent; returns the new version, or None if one existed.

    Not a person's act (the page saves it on first use, for whoever opens it): no right is checked and no audit
    entry written; its author is "workbench"."""
    if not versions(engine).empty:
        return None
    return _insert(engine, default_config(frame), "workbench",
                   f"default configuration (usage and time-to-resolve bounds from the data on {day:%Y-%m-%d})",
                   None)
