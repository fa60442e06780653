"""Two snapshots side by side, figure by figure, with the known cause of each move: another quarter, new data (or
another source: a store's review against a warehouse's), a changed parameter, a new churn model, health configuration
or codebook version, a library version."""

from __future__ import annotations

import pandas as pd

from core.export.units import format_value
from core.health.score import HealthConfig
from core.health.store import compare as settings_diff
from core.history.feature_labels import feature_label
from core.review.log import PARAM_ASSUMPTIONS
from core.review.snapshot import Snapshot, churn_model_text


def _v(version) -> str:
    return "none" if version is None else f"v{version}"


def _model_cause(before: Snapshot, after: Snapshot, key: str, name: str) -> list[str]:
    a, b = before.versions.get(key), after.versions.get(key)
    return [] if a == b else [f"{name} {_v(a)} -> {_v(b)}"]


def _health_cause(before: Snapshot, after: Snapshot) -> list[str]:
    """``health configuration v1 -> v2 (weight: Usage level (adoption) 30 -> 40; ...)`` when the settings differ."""
    va, vb = before.versions.get("health_config"), after.versions.get("health_config")
    ca, cb = before.versions.get("health_settings"), after.versions.get("health_settings")
    if va == vb and ca == cb:
        return []
    what = ""
    if ca and cb:
        d = settings_diff(HealthConfig.from_dict(ca), HealthConfig.from_dict(cb))
        what = "; ".join(f"{r.setting} {r.a} -> {r.b}" for r in d.itertuples(index=False))
    head = f"health configuration {_v(va)} -> {_v(vb)}" if va != vb else "health configuration"
    return [f"{head} ({what})" if what else head]


def param_change(name: str, before, after) -> str:
    """A changed parameter in words with its unit: ``'roi_window', 90, 60 -> 'play measurement window 90 -> 60
    days'``, ``'margin', 0.8, 0.7 -> 'gross margin 80.0% -> 70.0%'`` (the names of
    :data:`core.review.log.PARAM_ASSUMPTIONS`)."""
    label, unit, _ = PARAM_ASSUMPTIONS.get(name, (name.replace("_", " "), "", ""))
    if unit == "share":
        return f"{label[0].lower()}{label[1:]} {format_value(before, unit)} -> {format_value(after, unit)}"
    return f"{label[0].lower()}{label[1:]} {before} -> {after} {unit}".rstrip()


def compare(before: Snapshot, after: Snapshot) -> pd.DataFrame:
    """Each figure of the two snapshots side by side: ``page, metric, group, unit, before, after, change,
    text_before, text_after, cause``.

    ``cause`` names what is known to differ between the two builds and could move the figure: ``another
    quarter``, ``new data`` (different data fingerprints), ``<parameter> <before> -> <after>`` in words (a changed
    :class:`ReviewParams` field the page's figures use), ``churn model v1 -> v2``, ``health configuration v1 ->
    v2 (weight: ... 30 -> 40)``, ``codebook v3 -> v4``, ``library <name>``;
    empty when nothing differs (the figure cannot have moved). A figure in only one snapshot has an empty
    side.
    """
    key = ["page", "metric", "group"]
    a = before.figures[key + ["value", "text"]].rename(columns={"value": "before", "text": "text_before"})
    b = after.figures[key + ["value", "text"]].rename(columns={"value": "after", "text": "text_after"})
    # the later snapshot's order, then the figures only the earlier one has
    ia, ib = pd.MultiIndex.from_frame(a[key]), pd.MultiIndex.from_frame(b[key])
    order = ib.append(ia[~ia.isin(ib)])
    out = (b.set_index(key).reindex(order).join(a.set_index(key), how="left")).reset_index()
    out["change"] = out["after"] - out["before"]
    driver = out["metric"] == "Top driver"  # by label on both sides, whatever each snapshot holds
    for side in ("text_before", "text_after"):
        out.loc[driver, side] = [feature_label(t) if isinstance(t, str) else t for t in out.loc[driver, side]]
    common = []
    if (before.quarter, before.as_of) != (after.quarter, after.as_of):
        common.append(f"another quarter ({before.quarter} as of {before.as_of:%Y-%m-%d} -> {after.quarter} as of "
                      f"{after.as_of:%Y-%m-%d})")
    source_a, source_b = before.versions.get("source"), after.versions.get("source")
    if source_a != source_b:  # a store's review against a warehouse's (or two warehouses)
        common.append(f"another source ({source_a or 'the store'} -> {source_b or 'the store'})")
    elif before.data_hash != after.data_hash:
        common.append("new data")
    libs_a, libs_b = before.versions.get("libraries", {}), after.versions.get("libraries", {})
    common += [f"library {k} {libs_a.get(k)} -> {libs_b.get(k)}" for k in sorted(set(libs_a) | set(libs_b))
               if libs_a.get(k) != libs_b.get(k)]
    uses = {"Intervention ROI": ("roi_window", "margin", "value_months"),
            "Health scores": ("health_backtest_months", "health_horizon"), "Feedback themes": ("top_themes",)}
    model_a, model_b = churn_model_text(before.versions), churn_model_text(after.versions)
    by_page = {"Churn drivers": [] if model_a == model_b else [f"churn model {model_a} -> {model_b}"],
               "Health scores": _health_cause(before, after),
               "Feedback themes": _model_cause(before, after, "codebook", "codebook")}
    # the Overview's MRR at risk reads the saved churn scores and the health configuration
    by_metric = {("Overview", "MRR at high churn risk"): by_page["Churn drivers"],
                 ("Overview", "MRR in red"): by_page["Health scores"]}
    causes = []
    for page, metric in zip(out["page"], out["metric"], strict=True):
        c = list(common)
        c += [param_change(p, before.params.get(p), after.params.get(p)) for p in uses.get(page, ())
              if before.params.get(p) != after.params.get(p)]
        c += by_page.get(page, []) + by_metric.get((page, metric), [])
        causes.append("; ".join(c))
    out["cause"] = causes
    units = pd.concat([after.figures[key + ["unit"]], before.figures[key + ["unit"]]]).drop_duplicates(key)
    out["unit"] = [units.set_index(key)["unit"].get(k, "") for k in zip(out["page"], out["metric"], out["group"],
                                                                        strict=True)]
    return out[key + ["unit", "before", "after", "change", "text_before", "text_after", "cause"]]


def moved(comparison: pd.DataFrame) -> pd.Series:
    """Which rows of a :func:`compare` output moved: a value that changed, a figure in only one snapshot, or a
    top driver that changed place."""
    c = comparison
    value = c["change"].abs() > 1e-12
    one_side = c["before"].isna() != c["after"].isna()
    text_ = (c["metric"] == "Top driver") & (c["text_before"].fillna("") != c["text_after"].fillna(""))
    return (value | one_side | text_).fillna(False)


def shown_comparison(before: Snapshot, after: Snapshot, comparison: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`compare` as text the way the review shows it: ``page, metric, group, before, after, change, cause``
    (values by :func:`format_value` in each figure's unit; a top driver's name in place of its rank)."""
    c = compare(before, after) if comparison is None else comparison
    key = ["page", "metric", "group"]
    rows = []
    for r in c.itertuples(index=False):
        u = r.unit
        if r.metric == "Top driver":
            b, a, ch = (r.text_before if isinstance(r.text_before, str) else ""), \
                (r.text_after if isinstance(r.text_after, str) else ""), ""
        else:
            b, a, ch = format_value(r.before, u), format_value(r.after, u), format_value(r.change, u, signed=True)
        rows.append([r.page, r.metric, r.group, b, a, ch, r.cause])
    return pd.DataFrame(rows, columns=key + ["before", "after", "change", "cause"])
