"""``python -m core themes --create / --rename / --merge / --split``: one codebook change, saved
with its log row."""

from __future__ import annotations

from core.cli.themes_options import theme_id
from core.cli.who import acting_user, require
from core.feedback import store as ts


def change(engine, a, action: str) -> None:
    """Apply one codebook change from the options, save it with its log row and print it.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    a : argparse.Namespace
        The parsed options (``--author`` already checked).
    action : {"create", "rename", "merge", "split"}
        The change.

    Raises
    ------
    core.errors.DataValidationError
        An unknown or inactive theme id, an invalid rule or name, or the codebook changed meanwhile.
    """
    actor = require(engine, a, "codebook")  # first: reading the codebook saves the starter one in a new store
    before = ts.load_codebook(engine)
    who = {"author": (acting_user(a) or a.author or "").strip(), "reason": (a.reason or "").strip()}
    if action == "create":
        parent = None if a.parent is None else theme_id(a.parent, "--parent")
        team = a.team or (before.get(parent).team if parent is not None else "")  # a sub-theme: its parent's team
        after, ch = before.create(a.create, a.keywords, parent=parent, team=team, **who)
    elif action == "rename":
        after, ch = before.rename(theme_id(a.rename[0], "--rename"), a.rename[1], **who)
    elif action == "merge":
        sources = [theme_id(s, "--merge") for s in a.merge.split(",") if s.strip()]
        after, ch = before.merge(sources, theme_id(a.into, "--into"), **who)
    else:
        if a.team is not None:
            who["team"] = a.team
        after, ch = before.split(theme_id(a.split[0], "--split"), a.split[1], a.keywords, **who)
    ts.save_change(engine, before, after, ch, user=actor)
    ids = ", ".join(str(i) for i in ch.theme_ids)
    print(f"saved {ch.action} (theme ids {ids}) by {ch.author}: {ch.detail}" + (f"; reason: {ch.reason}"
                                                                                 if ch.reason else ""))
    if action in ("create", "split"):
        new = after.get(ch.theme_ids[-1])
        print(f"new theme {new.id}: {after.label(new.id)}, team {new.team}, keywords {', '.join(new.keywords)}")
