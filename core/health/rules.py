"""Scoring rules of the health measures: how a raw value becomes points from 0 to 100, checked and in words.

A rule is *linear* between two bounds (``{"kind": "linear", "worst": a, "best": b}``: 0 points at ``worst``, 100 at
``best``, clipped outside, either way round) or *tiers* (``{"kind": "tiers", "edges": [e1 < e2 ...], "points":
[p0 ... pk]}``: a value below ``e1`` gets ``p0``, from ``e1`` up to ``e2`` ``p1`` ...). :mod:`core.health.score`
re-exports :func:`points` and :func:`rule_text`.
"""

from __future__ import annotations

import numpy as np

from core.errors import DataValidationError


def check_rule(key: str, rule: dict) -> None:
    """Raise :class:`DataValidationError` saying what to fix when ``rule`` (of measure ``key``) is not a valid rule."""
    kind = rule.get("kind")
    if kind == "linear":
        try:
            worst, best = float(rule["worst"]), float(rule["best"])
        except (KeyError, TypeError, ValueError):
            raise DataValidationError(f"The linear rule of '{key}' needs numbers for 'worst' and 'best'.") from None
        if worst == best or not (np.isfinite(worst) and np.isfinite(best)):
            raise DataValidationError(f"The linear rule of '{key}' needs two different bounds (got {worst:g} "
                                      f"and {best:g}).")
    elif kind == "tiers":
        edges, points = list(rule.get("edges", [])), list(rule.get("points", []))
        if len(points) != len(edges) + 1 or not edges:
            raise DataValidationError(f"The tiers of '{key}' need one more points value than edges (got "
                                      f"{len(edges)} edges and {len(points)} points).")
        try:
            edges, points = [float(e) for e in edges], [float(p) for p in points]
        except (TypeError, ValueError):
            raise DataValidationError(f"The tiers of '{key}' need numbers for edges and points.") from None
        if not all(np.isfinite(edges)) or not all(np.isfinite(points)):
            raise DataValidationError(f"The tier edges and points of '{key}' must be finite numbers.")
        if any(b <= a for a, b in zip(edges, edges[1:])):
            raise DataValidationError(f"The tier edges of '{key}' must increase: {edges}.")
        if any(not 0 <= float(p) <= 100 for p in points):
            raise DataValidationError(f"The tier points of '{key}' must be between 0 and 100: {points}.")
    else:
        raise DataValidationError(f"The rule of '{key}' must be 'linear' or 'tiers' (got {kind!r}).")


def points(rule: dict, values) -> np.ndarray:
    """Points (0 to 100) a rule gives to values; NaN stays NaN (the measure is missing).

    Examples
    --------
    >>> points({"kind": "linear", "worst": 0, "best": 10}, [-5, 5, 20]).tolist()
    [0.0, 50.0, 100.0]
    >>> points({"kind": "tiers", "edges": [1, 2], "points": [100, 40, 0]}, [0, 1, 5]).tolist()
    [100.0, 40.0, 0.0]
    """
    v = np.asarray(values, dtype=float)
    if rule["kind"] == "linear":
        worst, best = float(rule["worst"]), float(rule["best"])
        out = np.clip((v - worst) / (best - worst), 0.0, 1.0) * 100.0
    else:
        idx = np.searchsorted(np.asarray(rule["edges"], float), v, side="right")
        out = np.asarray(rule["points"], float)[np.minimum(idx, len(rule["points"]) - 1)]
    return np.where(np.isnan(v), np.nan, out)


def rule_text(key: str, rule: dict) -> str:
    """The rule in words, e.g. ``0 points at 5 or less, 100 at 25 or more, linear between``."""
    if rule["kind"] == "linear":
        return f"0 points at {rule['worst']:.4g}, 100 at {rule['best']:.4g}, linear between"
    e, p = rule["edges"], rule["points"]
    parts = [f"below {e[0]:g}: {p[0]:g}"] + [f"{a:g} to <{b:g}: {q:g}" for a, b, q in zip(e, e[1:], p[1:])]
    return "; ".join(parts + [f"{e[-1]:g} or more: {p[-1]:g}"])
