"""Cached access to the store. Caching lives here, never in core.

Every cached function is keyed by the store URL and the store's version (``core.store_version``: a
counter and a random token changed in the transaction of every import, undo and demo load, read fresh on
each run), so switching stores, importing or undoing, even from the CLI in another process, never shows
stale figures.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

import core
from core.store.profile import StoreProfile, profile

T = TypeVar("T")
_LOCK = threading.Lock()


def store_url() -> str:
    """The store this server reads: RETENTION_DB_URL or data/retention.db."""
    return core.default_url()


@st.cache_resource(show_spinner=False, max_entries=4)
def get_engine(url: str | None = None) -> Engine:
    """One engine per store URL per server process."""
    return core.make_engine(url or store_url())


def store_version(url: str) -> str:
    """The store's current version (one small query; not cached on purpose)."""
    return core.store_version(get_engine(url))


def has_imports(url: str) -> bool:
    """True once anything was ever imported into the store (not cached: read on the first start only)."""
    return core.has_imports(get_engine(url))


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def store_counts(url: str, version: str) -> dict[str, int]:
    """Rows per table."""
    return core.table_counts(get_engine(url))


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def store_profile(url: str, version: str) -> StoreProfile:
    """What the store holds (:func:`core.store.profile.profile`): each kind of data, its rows and days."""
    return profile(get_engine(url))


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def import_history(url: str, version: str) -> pd.DataFrame:
    """The import log, newest first, undone imports marked (``status``, ``undone_at``, ``undo_reason``)."""
    return core.import_history(get_engine(url))


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def table(url: str, version: str, name: str) -> pd.DataFrame:
    """A whole store table, dates as datetime64 (cached per store version; callers filter the copy they get)."""
    return core.load_table(get_engine(url), name)


def entries(cache: dict) -> list[tuple]:
    """``cache``'s (key, value) pairs, oldest first, read under the lock :func:`built_once` writes under."""
    with _LOCK:
        return list(cache.items())


def built_once(cache: dict, key, build: Callable[[], T], keep: int = 2) -> T:
    """``cache[key]``, building it with ``build()`` the first time (outside the lock, so a progress bar
    can draw); ``cache`` is a ``st.cache_resource`` dict shared by every session, holding the last ``keep``."""
    with _LOCK:
        if key in cache:
            return cache[key]
    value = build()
    with _LOCK:
        while len(cache) >= keep:
            cache.pop(next(iter(cache)))
        cache[key] = value
    return value
