"""``python -m core roi``: what each retention play measurably did, against its own holdout.

One action per call. With no option, the plays table (retention over ``--window`` days, treated vs
control). ``--play NAME`` alone compares each treatment arm with the control arm (plain and CUPED
difference, 95 % intervals) and checks the sample ratio; with ``--money``, ``--impact`` or
``--export`` it prints the money table, the time to impact, or writes a workbook; with ``--next-wave
--budget MONEY`` it lists whom to contact next (:func:`core.roi.wave.next_wave`). ``--plan`` sizes a new
test (with ``--play``, at that play's pace). ``--out`` writes the action's table (.csv or .xlsx) instead
of printing it.
"""

from __future__ import annotations

from pathlib import Path

from core.cli import dispatch
from core.cli.defaults import ROI_REST_DAYS
from core.cli.roi_options import IMPACT_STEP, check
from core.roi.defaults import (  # plain constants:
    ALPHA,
    HOLDOUT_SHARE,
    MARGIN,
    POWER,
    PRE_REVENUE,
    PRE_USAGE,
    RETAINED,  # --help stays fast
    REVENUE,
    VALUE_MONTHS,
    WINDOW_DAYS,
)

NAME = "roi"


def add_parser(sub) -> None:
    """Register the ``roi`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    ro = sub.add_parser(NAME, help="intervention ROI: each play against its holdout, money, time to impact, planning",
                        description="With no option: one row per play, retention over --window days after the "
                                    "contact, treated arms vs the control arm. The store's plays, or a company's "
                                    "warehouse's when RETENTION_WAREHOUSE_URL and RETENTION_WAREHOUSE_MAP are set (its "
                                    "[contacts] table; each contact's windows summed there).")
    _play_options(ro)
    _money_options(ro)
    _plan_options(ro)
    _wave_options(ro)
    _output_options(ro)


def _play_options(ro) -> None:
    """The window, the play, its control arm, the outcome and covariate, the planned holdout share."""
    ro.add_argument("--window", type=int, default=WINDOW_DAYS, metavar="DAYS",
                    help="measure outcomes over this many days after each contact (default %(default)s)")
    ro.add_argument("--play", metavar="NAME",
                    help="compare each treatment arm of this play with its control arm, and check the sample ratio")
    ro.add_argument("--control", metavar="ARM", help="the arm the others are compared with (default: holdout, else "
                    "the play's smallest arm)")
    ro.add_argument("--outcome", metavar="NAME", help=f"{RETAINED}, {REVENUE}, or a numeric column imported "
                    f"with the play (default: {RETAINED}, or the first imported column of a campaign the store "
                    f"does not follow); with --money, the amount valued (default {REVENUE}, or the campaign's "
                    "first amount)")
    ro.add_argument("--covariate", metavar="NAME", help=f"CUPED covariate: {PRE_USAGE}, {PRE_REVENUE}, an "
                    f"imported column, or none (default: {PRE_USAGE} for {RETAINED}, {PRE_REVENUE} for "
                    f"{REVENUE}, none for an imported outcome); with --money, the amount's (none: every "
                    "estimate plain)")
    ro.add_argument("--holdout-share", type=float, metavar="SHARE",
                    help=f"planned share of the control arm: the sample-ratio check's split (default {HOLDOUT_SHARE} "
                         f"for a play with two arms, equal arms for more) and --plan's (default {HOLDOUT_SHARE})")


def _money_options(ro) -> None:
    """``--money`` and what a save is worth."""
    ro.add_argument("--money", action="store_true",
                    help="with --play: customers saved, revenue saved, cost, net value and ROI per treatment arm")
    ro.add_argument("--margin", type=float, metavar="SHARE",
                    help=f"--money / --export: gross margin between 0 and 1 (default {MARGIN})")
    ro.add_argument("--value-months", type=int, metavar="MONTHS",
                    help=f"--money / --export: months of revenue a saved customer brings (default {VALUE_MONTHS})")


def _plan_options(ro) -> None:
    """``--impact``, and ``--plan`` with what sizes a test."""
    ro.add_argument("--impact", action="store_true",
                    help=f"with --play: share still a customer every {IMPACT_STEP} days after contact, arm vs control")
    ro.add_argument("--plan", action="store_true",
                    help="contacts and months a test needs to detect --effect over --p-control")
    ro.add_argument("--p-control", type=float, metavar="RATE",
                    help="--plan: retention expected without the play, e.g. 0.87 (default with --play: its control "
                         "arm's retention over --window days)")
    ro.add_argument("--effect", type=float, metavar="POINTS",
                    help="--plan: retention the play should add, e.g. 0.05 for five points")
    ro.add_argument("--power", type=float, metavar="P", help=f"--plan: chance to detect the effect (default {POWER})")
    ro.add_argument("--alpha", type=float, metavar="A",
                    help=f"--plan: two-sided significance level (default {ALPHA})")
    ro.add_argument("--per-month", type=float, metavar="CONTACTS",
                    help="--plan: contacts a month (default: the --play's average from first to last contact month)")


def _wave_options(ro) -> None:
    """``--next-wave`` and what picks and prices the wave."""
    ro.add_argument("--next-wave", action="store_true",
                    help="with --play and --budget: whom to contact next, ranked by the play's uplift model (fitted "
                         "on its contacts; churn risk too once a churn model is saved), only customers like its "
                         "contacts, until the budget is spent")
    ro.add_argument("--budget", type=float, metavar="MONEY", help="--next-wave: money for the wave")
    ro.add_argument("--cost", type=float, metavar="MONEY",
                    help="--next-wave: cost of one contact (default: the play's average cost of a treated contact)")
    ro.add_argument("--value-per-save", type=float, metavar="MONEY",
                    help="--next-wave: what one more unit of the outcome is worth (default for retained: each "
                         "customer's MRR x --value-months x --margin; needed for another outcome)")
    ro.add_argument("--rest-days", type=int, metavar="DAYS",
                    help=f"--next-wave: leave out customers contacted (any play) in the last DAYS days (default "
                         f"{ROI_REST_DAYS}; 0 keeps them)")
    ro.add_argument("--renewing-within", type=int, metavar="DAYS",
                    help="--next-wave: only customers whose renewal date is in the next DAYS days")


def _output_options(ro) -> None:
    """Where the tables go: ``--out`` and ``--export``."""
    ro.add_argument("--out", type=Path, metavar="FILE",
                    help="write the plays table, the comparison, --money, --impact (every day), --plan or "
                         "--next-wave here (.csv or .xlsx) instead of printing it")
    ro.add_argument("--export", type=Path, metavar="FILE.xlsx",
                    help="with --play: one workbook: Comparison, Money, Time to impact, SRM")



def run(engine, a) -> int:
    """Run ``python -m core roi``; returns the exit code (:func:`core.cli.dispatch.run`): the options checked,
    then their action from :mod:`core.cli.roi_actions` (pandas, scipy and the uplift models load there)."""
    return dispatch.run(engine, a, check, "core.cli.roi_actions")
