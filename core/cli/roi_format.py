"""What ``python -m core roi`` writes besides figures: settings echoed back (``margin 80%``), column labels, and the
writers of an outcome's figures. Every figure itself is written by :mod:`core.export.units`, as on the Intervention
ROI page and in the quarterly review."""

from __future__ import annotations

from collections.abc import Callable

from core.export import units
from core.roi.defaults import LABELS


def share_text(x: float) -> str:
    """A setting given as a share, echoed back as given: ``0.15`` -> ``15%`` (not a figure: no rounding)."""
    return f"{100 * x:g}%"


def money(x, signed: bool = False) -> str:
    """Money as the review writes it (``units.format_value(x, "currency")``): ``$1,235``, ``-$1,235``, cents kept on
    a small amount (``$0.05``); ``signed`` for a difference (``+$12``)."""
    return units.format_value(x, "currency", signed=signed)


def outcome_writers(binary: bool) -> tuple[Callable[[float], str], Callable[[float], str]]:
    """How an outcome's means and differences are written: a yes/no outcome's rates in % and its differences in
    points (``91.9%``, ``+5.0 pts``), an amount's means and differences as money (``$1,235``, ``+$12``)."""
    if binary:
        return units.percent, units.points
    return money, lambda x: money(x, signed=True)


def label(col: str | None) -> str:
    """A column's label in lower case (:data:`core.roi.defaults.LABELS`), else its name; ``none`` for None."""
    return "none" if col is None else LABELS.get(col, col).lower() if col in LABELS else col
