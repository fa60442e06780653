"""``python -m core themes``: theme impact, survey scores, churn signals, the backlog, discovery and the codebook.

One action per call: with no action option the theme impact table is printed; ``--scores``,
``--signals``, ``--backlog``, ``--discover``, ``--codebook``, ``--export-codebook``, ``--log`` and
``--export`` read; ``--create``, ``--rename``, ``--merge`` and ``--split`` change the codebook (each
with ``--author``) and save the change with its log row.
"""

from __future__ import annotations

from pathlib import Path

from core.cli import dispatch
from core.cli.defaults import THEMES_GROUPS, THEMES_HORIZON_DAYS
from core.cli.themes_options import check

NAME = "themes"


def add_parser(sub) -> None:
    """Register the ``themes`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    te = sub.add_parser(NAME, help="feedback themes: impact, scores, churn signals, backlog, discovery, codebook",
                        description="With no action option: the theme impact table, ranked by churn impact.")
    te.add_argument("--start", metavar="YYYY-MM-DD", help="first day of the window (default: the first verbatim)")
    te.add_argument("--end", metavar="YYYY-MM-DD", help="last day of the window (default: the last verbatim)")
    te.add_argument("--horizon", type=int, default=THEMES_HORIZON_DAYS, metavar="DAYS",
                    help="churn within this many days of a verbatim (impact table, --export; default %(default)s)")
    te.add_argument("--out", type=Path, metavar="FILE",
                    help="write --scores, --signals or --backlog here (.csv or .xlsx) instead of stdout")
    te.add_argument("--scores", action="store_true", help="NPS, CSAT and CES per period with 95%% intervals (CSV)")
    te.add_argument("--freq", choices=["M", "Q", "Y"], default="Q",
                    help="--scores period: month, quarter, year (default Q)")
    te.add_argument("--by", choices=list(THEMES_GROUPS), default="segment",
                    help="--scores split by this customer column (default segment)")
    te.add_argument("--signals", action="store_true",
                    help="churn-signal verbatims of active customers with MRR and today's health (CSV)")
    te.add_argument("--backlog", action="store_true", help="follow-up items per owner team and theme")
    te.add_argument("--discover", type=int, metavar="K", help="cluster untagged verbatims into up to K candidates")
    te.add_argument("--codebook", action="store_true", help="print every theme with its rules")
    te.add_argument("--export-codebook", type=Path, metavar="FILE.json", help="write the codebook as JSON")
    te.add_argument("--log", action="store_true", help="print the codebook's change log, newest first")
    te.add_argument("--export", type=Path, metavar="FILE.xlsx",
                    help="one workbook: Themes, Scores, Signals, Backlog, Codebook, Change log")
    te.add_argument("--create", metavar="NAME", help="add a theme (with --keywords, optional --parent, --team)")
    te.add_argument("--rename", nargs=2, metavar=("ID", "NAME"), help="give a theme a new name")
    te.add_argument("--merge", metavar="SRC_ID[,SRC_ID...]", help="fold these themes into --into ID")
    te.add_argument("--into", metavar="ID", help="the theme --merge folds into")
    te.add_argument("--split", nargs=2, metavar=("ID", "NAME"),
                    help="move --keywords of theme ID into a new theme NAME")
    te.add_argument("--keywords", metavar='"a, b, c"', help="rule terms for --create or --split, comma-separated")
    te.add_argument("--parent", metavar="ID", help="--create: make the new theme a sub-theme of this one")
    te.add_argument("--team", help="--create / --split: owner team of the new theme")
    te.add_argument("--author", help="who makes the change (required with --create, --rename, --merge, --split)")
    te.add_argument("--reason", default="", help="why (with a change)")


def run(engine, a) -> int:
    """Run ``python -m core themes``; returns the exit code (:func:`core.cli.dispatch.run`): the options checked,
    then their action from :mod:`core.cli.themes_actions` (pandas and the feedback analytics load there)."""
    return dispatch.run(engine, a, check, "core.cli.themes_actions")
