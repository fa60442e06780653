"""The options of ``python -m core roi``: its defaults, and which options go together (:func:`check`).

Plain Python (no pandas), so that building the parser stays fast.
"""

from __future__ import annotations

from core.errors import DataValidationError

#: the actions besides the default (the plays table, or the comparison with ``--play``)
ACTIONS = ("money", "impact", "plan", "export", "next_wave")
#: rows of the next wave printed (--out writes them all)
WAVE_ROWS = 20
#: days of the time to impact printed (every 7th; the last day is always added)
IMPACT_STEP = 7
#: what each option goes with: actions, "compare" (``--play NAME`` alone) and "plays" (no option: the plays table)
GOES_WITH = {"outcome": ("compare", "money", "export", "next_wave"), "covariate": ("compare", "money", "export"),
             "margin": ("money", "export", "next_wave"), "value_months": ("money", "export", "next_wave"),
             "budget": ("next_wave",), "cost": ("next_wave",), "value_per_save": ("next_wave",),
             "rest_days": ("next_wave",), "renewing_within": ("next_wave",), "p_control": ("plan",),
             "effect": ("plan",), "power": ("plan",), "alpha": ("plan",), "per_month": ("plan",),
             "holdout_share": ("compare", "export", "plan"),
             "out": ("plays", "compare", "money", "impact", "plan", "next_wave")}
#: how the messages name the two modes that are not options
MODE_NAMES = {"compare": "--play NAME alone", "plays": "the plays table"}


def flag(name: str) -> str:
    """The option an argparse name stands for: ``next_wave`` -> ``--next-wave``."""
    return "--" + name.replace("_", "-")


def given(a, name: str) -> bool:
    """Whether option ``name`` was given (set, and not a switch left off)."""
    v = getattr(a, name)
    return v is not None and v is not False


def goes_with(allowed) -> str:
    """``allowed`` modes as words: ``--money, --export or --next-wave``."""
    names = [MODE_NAMES.get(n) or flag(n) for n in allowed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def check(a) -> str | None:
    """The one action asked for (None: the plays table, or the comparison with ``--play``); raises on options
    that do not go together."""
    asked = [n for n in ACTIONS if given(a, n)]
    if len(asked) > 1:
        raise DataValidationError(f"Choose one action at a time: {' and '.join(flag(n) for n in asked)} were "
                                  "given together.")
    action = asked[0] if asked else None
    if action in ("money", "impact", "export", "next_wave") and a.play is None:
        raise DataValidationError(f"{flag(action)} measures one play: name it with --play NAME (`python -m core "
                                  "roi` lists the plays).")
    for opt in ("control", "outcome", "covariate"):
        if given(a, opt) and a.play is None:
            raise DataValidationError(f"{flag(opt)} goes with --play NAME.")
    mode = action or ("compare" if a.play is not None else "plays")
    for opt, allowed in GOES_WITH.items():
        if given(a, opt) and mode not in allowed:
            raise DataValidationError(f"{flag(opt)} goes with {goes_with(allowed)}.")
    if action == "next_wave" and a.budget is None:
        raise DataValidationError("--next-wave needs --budget MONEY: the money available for the wave.")
    if a.value_per_save is not None and (a.value_months is not None or a.margin is not None):
        raise DataValidationError("Give --value-per-save, or --value-months and --margin (a save worth the "
                                  "customer's MRR x months x margin), not both.")
    for opt in ("rest_days", "renewing_within"):
        if getattr(a, opt) is not None and getattr(a, opt) < 0:
            raise DataValidationError(f"{flag(opt)} must be 0 days or more, not {getattr(a, opt)}.")
    if a.window < 1:
        raise DataValidationError(f"--window must be at least 1 day, not {a.window}.")
    if action == "plan" and a.effect is None:
        raise DataValidationError("--plan needs --effect POINTS: the retention the play should add, e.g. 0.05 for "
                                  "five points.")
    if action == "plan" and a.p_control is None and a.play is None:
        raise DataValidationError("--plan needs --p-control RATE (retention expected without the play, e.g. 0.87), "
                                  "or --play NAME to start from its control arm's retention.")
    if a.per_month is not None and not a.per_month > 0:
        raise DataValidationError(f"--per-month must be more than 0 contacts, not {a.per_month:g}.")
    if action == "export" and a.export.suffix.lower() != ".xlsx":
        raise DataValidationError(f"--export writes an Excel workbook: give a file name ending in .xlsx, not "
                                  f"{a.export.name}.")
    return action
