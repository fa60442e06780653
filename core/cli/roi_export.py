"""``python -m core roi --play NAME --export FILE.xlsx``: one workbook of the play's figures."""

from __future__ import annotations

import pandas as pd

from core.cli.roi_compare import srm_frame
from core.cli.roi_impact import impact_table
from core.cli.roi_money import money_settings, money_setup, money_table
from core.cli.roi_play import Play
from core.errors import DataValidationError
from core.export import units
from core.export.xlsx import to_xlsx
from core.roi import setup
from core.roi.defaults import RETAINED, REVENUE
from core.roi.estimates import compare
from core.roi.outcomes import imported_columns
from core.roi.sample_ratio import srm


def export_sheets(p: Play, a) -> dict[str, pd.DataFrame]:
    """The sheets of ``--export``: Comparison, Money, Time to impact, SRM (the core functions' figures, unrounded).

    Comparison holds ``--outcome`` with ``--covariate``, by default retained and revenue kept (each with its
    default covariate) for a play the store follows, every imported column for a campaign it does not.
    Money values the default amount (:func:`money_setup`) with ``--margin`` and ``--value-months``; it is
    left out for a campaign without an amount, and Time to impact for a campaign the store does not follow.
    """
    if a.outcome is not None:
        outcomes = [setup.outcome(p.frame, p.name, a.outcome)]
    elif p.store:
        outcomes = [RETAINED, REVENUE]
    else:
        outcomes = imported_columns(p.frame) or [setup.outcome(p.frame, p.name)]
    parts = []
    for o in outcomes:
        cov = None if a.covariate == o else setup.covariate(p.frame, o, a.covariate)
        parts.append(compare(p.frame, o, control=p.control, covariate=cov).assign(outcome=o, covariate=cov))
    comp = pd.concat(parts, ignore_index=True)
    sheets = {"Comparison": comp[["outcome", "covariate"] + [c for c in comp.columns
                                                             if c not in ("outcome", "covariate")]]}
    try:
        chosen = money_setup(p)
    except DataValidationError:
        chosen = None
    if chosen is not None:
        sheets["Money"] = money_table(p, chosen, *money_settings(a))
    if p.store:
        sheets["Time to impact"] = impact_table(p)
    share = setup.planned_share(p.frame, a.holdout_share)
    sheets["SRM"] = srm_frame(srm(p.frame, control=p.control, holdout_share=share), p.control, share)
    return sheets


def write_export(p: Play, a) -> None:
    """Write :func:`export_sheets` to ``--export`` and say which sheets it holds."""
    sheets = export_sheets(p, a)
    a.export.write_bytes(to_xlsx(sheets))
    print(f"wrote {', '.join(f'{k} ({units.count(len(v))} rows)' for k, v in sheets.items())} to {a.export}")
