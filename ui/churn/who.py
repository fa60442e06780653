"""Who saves: the "Your name" field of the pages' save forms (the lapse period, the health configuration)."""

from __future__ import annotations

import streamlit as st

from core.access import guard
from ui.frame import signin


def author_input(engine, key: str, where=st) -> str:
    """The "Your name" field of a save: read-only, showing the signed-in user, on a store with accounts (the save
    records that name whatever is typed); free text on a store without accounts."""
    try:
        me = signin.actor(engine)
    except guard.AccessDenied:
        me = None
    if me is not None and not me.local:
        return where.text_input("Your name", me.name, key=f"{key}_{me.name}", disabled=True,
                                help="Saved under the signed-in user.")
    return where.text_input("Your name", key=key)
