"""The store's integrity check, run once per store per server process and shown at the top of every page.

``PRAGMA quick_check`` reads the whole store file (seconds for a large one), so its answer is cached as a
resource: one check per store URL (and per file on disk, so a store restored under the same name by moving
a backup into place is checked again) for the life of the server.
"""

from __future__ import annotations

import os

import streamlit as st

from core.export.markdown import plain
from core.store import faults, integrity
from ui.frame import loaders

#: problems listed under the message; the rest are counted
SHOWN = 5


@st.cache_resource(show_spinner="Checking the store file ...", max_entries=8)
def problems(url: str, file_id: tuple | None = None) -> tuple[str, ...]:
    """SQLite's integrity problems of the store at ``url`` (empty when sound); ``file_id`` keys the cache
    to the file on disk."""
    return tuple(integrity.quick_check(loaders.get_engine(url)))


def _file_id(url: str) -> tuple | None:
    """(device, inode) of the store file, None for a store that is not a file (or not there yet)."""
    path = faults.store_path(url)
    try:
        info = os.stat(path) if path else None
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if info else None


def show() -> None:
    """Show the store's integrity problems, if any, as a plain error at the top of the page."""
    url = loaders.store_url()
    found = list(problems(url, _file_id(url)))
    if not found:
        return
    lines = [integrity.summary(found, faults.store_path(url) or "the store")]
    lines += [f"SQLite: {p}" for p in found[:SHOWN]]
    if len(found) > SHOWN:
        lines.append(f"... and {len(found) - SHOWN} more.")
    st.error("\n\n".join(plain(line) for line in lines), icon=":material/report:")
