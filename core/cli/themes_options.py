"""The options of ``python -m core themes``: the actions, and which options go together (:func:`check`).

Plain Python (no pandas), so that building the parser stays fast.
"""

from __future__ import annotations

from core.cli.who import acting_user
from core.errors import DataValidationError

#: the reading actions (besides the default impact table) and the codebook changes, by option name
READS = ("scores", "signals", "backlog", "discover", "codebook", "export_codebook", "log", "export")
CHANGES = ("create", "rename", "merge", "split")


def flag(name: str) -> str:
    """The option an argparse name stands for: ``export_codebook`` -> ``--export-codebook``."""
    return "--" + name.replace("_", "-")


def given(a, name: str) -> bool:
    """Whether option ``name`` was given (set, and not a switch left off)."""
    v = getattr(a, name)
    return v is not None and v is not False


def theme_id(value, flag: str) -> int:
    """A theme id given on the command line.

    Parameters
    ----------
    value : str
        What was typed.
    flag : str
        The option it came with (for the message).

    Returns
    -------
    int

    Raises
    ------
    core.errors.DataValidationError
        If ``value`` is not a whole number.
    """
    try:
        return int(str(value).strip())
    except ValueError:
        raise DataValidationError(f"{flag}: {value!r} is not a theme id; ids are whole numbers (see "
                                  "`python -m core themes --codebook`).") from None


def check(a) -> str | None:
    """The one action asked for (None: the impact table); raises on options that do not go together."""
    asked = [n for n in READS + CHANGES if given(a, n)]
    if len(asked) > 1:
        raise DataValidationError(f"Choose one action at a time: {' and '.join(flag(n) for n in asked)} were "
                                  "given together.")
    action = asked[0] if asked else None
    rules = (("into", ("merge",)), ("keywords", ("create", "split")), ("parent", ("create",)),
             ("team", ("create", "split")), ("out", ("scores", "signals", "backlog")))
    for opt, allowed in rules:
        if given(a, opt) and action not in allowed:
            raise DataValidationError(f"{flag(opt)} goes with {' or '.join(flag(n) for n in allowed)}.")
    if action == "merge" and a.into is None:
        raise DataValidationError("--merge needs --into ID: the theme the others fold into.")
    if action in ("create", "split") and not (a.keywords or "").strip():
        raise DataValidationError(f"{flag(action)} needs --keywords \"a, b, c\": the rule terms of the new theme.")
    if action in CHANGES and not (a.author or "").strip() and not acting_user(a):
        raise DataValidationError(f"{flag(action)} changes the codebook: say who makes the change with --author "
                                  "NAME.")
    if a.horizon < 1:
        raise DataValidationError(f"--horizon must be at least 1 day, not {a.horizon}.")
    if a.discover is not None and a.discover < 1:
        raise DataValidationError(f"--discover needs at least 1 candidate, not {a.discover}.")
    if action == "export" and a.export.suffix.lower() != ".xlsx":
        raise DataValidationError(f"--export writes an Excel workbook: give a file name ending in .xlsx, not "
                                  f"{a.export.name}.")
    return action
