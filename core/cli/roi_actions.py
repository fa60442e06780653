"""The actions of ``python -m core roi`` (:mod:`core.cli.roi`), each in its module: the plays table and the
comparison (:mod:`~core.cli.roi_compare`), money, time to impact, planning, the next wave and the workbook."""

from __future__ import annotations

import sys

from core.access import rights
from core.cli.roi_compare import show_comparison, show_plays
from core.cli.roi_export import write_export
from core.cli.roi_impact import show_impact
from core.cli.roi_money import show_money
from core.cli.roi_plan import show_plan
from core.cli.roi_play import Play
from core.cli.roi_wave import show_next_wave
from core.cli.who import require
from core.query import warehouse
from core.roi import setup
from core.roi.inputs import load_inputs
from core.roi.outcomes import outcomes
from core.roi.warehouse_inputs import warehouse_roi_inputs


def run(engine, a, action: str | None) -> None:
    """Run the ``action`` :func:`core.cli.roi_options.check` found (None: the plays table, or the comparison with
    ``--play``), on the store's plays or, when ``RETENTION_WAREHOUSE_URL`` is set, on the warehouse's
    (:func:`core.roi.warehouse_inputs.warehouse_roi_inputs`, where the figures come from said on stderr)."""
    if action == "plan" and a.play is None:
        show_plan(a, None)  # needs no store
        return
    company = warehouse.configured()
    if company is None:
        if action == "next_wave":  # a per-customer list: admins and the roles an admin allows (before the slow fit)
            require(engine, a, rights.RISK_LISTS)
        _act(engine, a, action, load_inputs(engine))
        return
    with company:
        if action == "next_wave":  # the warehouse's customers listed: the same right as on the store
            require(engine, a, rights.RISK_LISTS)
        inputs = warehouse_roi_inputs(company)  # a mapping without contacts: its one line, and nothing else
        print(f"Figures from {company.name}.", file=sys.stderr)
        _act(engine, a, action, inputs, saved_risk=False)


def _act(engine, a, action: str | None, inputs, saved_risk: bool = True) -> None:
    """The action on ``inputs``; ``saved_risk``: the store's saved churn model scores its customers (never a
    warehouse's, whose customers the store's model does not know)."""
    if a.play is None:
        show_plays(inputs, a)
        return
    frame = outcomes(inputs, a.play, window=a.window)
    p = Play(a.play, frame, setup.control_arm(frame, a.play, a.control), a.window, a.control is not None)
    if action is None:
        show_comparison(p, a)
    elif action == "money":
        show_money(p, a)
    elif action == "impact":
        show_impact(p, a)
    elif action == "plan":
        show_plan(a, p)
    elif action == "next_wave":
        show_next_wave(engine, inputs, p, a, saved_risk=saved_risk)
    else:
        write_export(p, a)
