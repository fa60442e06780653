"""How ``python -m core roi`` writes its figures: rates, points, p-values, amounts, intervals, labels."""

from __future__ import annotations

import pandas as pd

from core.roi.defaults import LABELS


def pct(x) -> str:
    """A rate in % to 1 decimal (``n/a`` when missing)."""
    return "n/a" if pd.isna(x) else f"{100 * x:.1f}%"


def pp(x) -> str:
    """A difference of rates in signed percentage points to 1 decimal."""
    return "n/a" if pd.isna(x) else f"{100 * x:+.1f}"


def p_text(p) -> str:
    """A p-value to 3 decimals, ``<0.001`` below that."""
    return "n/a" if pd.isna(p) else "<0.001" if p < 0.001 else f"{p:.3f}"


def share_text(x: float) -> str:
    """A share as given: ``0.15`` -> ``15%``."""
    return f"{100 * x:g}%"


def amount(decimals: int, signed: bool = False):
    """A formatter of amounts with thousands separators and ``decimals`` decimals (signed: with ``+``)."""
    def fmt(x) -> str:
        return "n/a" if pd.isna(x) else f"{x:+,.{decimals}f}" if signed else f"{x:,.{decimals}f}"

    return fmt


def with_ci(d, lo, hi, fmt) -> str:
    """``d [lo, hi]``, each written with ``fmt``."""
    return "n/a" if pd.isna(d) else f"{fmt(d)} [{fmt(lo)}, {fmt(hi)}]"


def label(col: str | None) -> str:
    """A column's label in lower case (:data:`core.roi.defaults.LABELS`), else its name; ``none`` for None."""
    return "none" if col is None else LABELS.get(col, col).lower() if col in LABELS else col
