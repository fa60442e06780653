"""A play's uplift model on the Intervention ROI page (Where it works, Next wave): fitted and cross-fitted
(:func:`core.roi.uplift_model.fit_uplift`, fewer folds on a small play), and its Qini curve. A play with too few
contacts of a kind to model is a known limit, not a fault: it gets a plain message saying how many contacts there
are, how many are needed and what to import."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import InsufficientDataError, WorkbenchError
from core.export import units
from core.roi import chart_text, plain
from core.roi.defaults import LABELS
from core.roi.uplift_model import FOLDS, UpliftResult
from ui import components
from ui.frame import errors
from ui.roi import cached as data
from ui.roi import charts


def fitted(frame: pd.DataFrame, features: tuple[str, ...], outcome: str, control: str) -> UpliftResult | None:
    """The play's uplift model (cached), or None after saying why there is none."""
    try:
        return data.uplift_model(frame, features, outcome, control)
    except InsufficientDataError as exc:  # too few contacts of a kind: how many there are, what to import
        st.info(components.plain(str(exc)), icon=":material/info:")
    except WorkbenchError as exc:
        errors.show(exc)
    return None


def qini(coef: float, binary: bool) -> str:
    """The Qini coefficient: points of a yes/no outcome to 2 decimals, else money per contact."""
    return units.points(coef, digits=2) if binary else units.money(coef, decimals=2, signed=True)


def folds_text(folds: int) -> str:
    """How the model was judged: ``5-fold cross-fitting``, and why there are fewer folds on a small play."""
    fewer = "" if folds >= FOLDS else f", not {FOLDS}: the play has too few contacts of a kind for more"
    return f"{folds}-fold cross-fitting{fewer}"


def qini_section(frame: pd.DataFrame, features: tuple[str, ...], play: str, outcome: str, control: str,
                 binary: bool) -> None:
    """The uplift model's Qini coefficient and curve, with the curve's download."""
    res = fitted(frame, features, outcome, control)
    if res is None:
        return
    label = LABELS.get(outcome, outcome)
    st.markdown(components.plain(plain.qini(res.qini_coefficient, binary=binary, outcome=outcome, label=label)
                                 + " " + plain.T_LEARNER))
    with st.expander("Analyst detail: the uplift model and its Qini curve"):
        st.markdown(f"A two-model (T-learner) logistic uplift model on {components.plain(plain.features(features))}, "
                    f"judged on contacts it never saw ({folds_text(res.folds)}). Qini coefficient "
                    f"**{qini(res.qini_coefficient, binary)}**: the average extra gain per treated contact from "
                    "targeting in its order rather than at random; 0 means the model finds no one the play helps "
                    "more.")
        # the chart's data is the download just below
        components.chart(charts.qini(res.qini), chart_text.qini(res.qini, binary=binary, outcome=outcome, label=label),
                         None, "", key="roi_chart_qini")
        components.csv_download(res.qini, "Download Qini curve (CSV)", f"{play}_qini.csv", "roi_dl_qini")
