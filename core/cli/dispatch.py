"""The ``run`` of a sub-command whose options name one action (``python -m core roi``, ``themes``): the options are
checked first, then the action runs from a module loaded only then, so ``--help`` never loads pandas, scipy or the
models that module imports."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def run(engine, a, check: Callable, actions: str) -> int:
    """Run the action the parsed options name; returns the exit code.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    a : argparse.Namespace
        The parsed options of the sub-command.
    check : callable
        ``check(a)``: the action the options name (None: the sub-command's default), or a
        :class:`core.errors.WorkbenchError` on options that do not go together.
    actions : str
        The module (``core.cli.roi_actions``) whose ``run(engine, a, action)`` runs it.

    Returns
    -------
    int
        0; bad input raises :class:`core.errors.WorkbenchError` (exit code 2 in :func:`core.cli.main.main`).
    """
    action = check(a)
    importlib.import_module(actions).run(engine, a, action)
    return 0
