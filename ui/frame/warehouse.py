"""A company's warehouse for the pages that read it when ``RETENTION_WAREHOUSE_URL`` is set (the README's Engines and
warehouses): whether one is set, and its source (:func:`core.query.warehouse.configured`), connected once per server
and mapping file and shared by the sessions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from core.buyers import warehouse_overview
from core.buyers.lapse import LapseProposal
from core.export.markdown import plain
from core.feedback.warehouse_inputs import maps_text
from core.history.filters import Filters
from core.history.warehouse_inputs import warehouse_customers, warehouse_proposal
from core.query import warehouse
from core.query.sources import Source
from core.store.profile import StoreProfile
from ui.frame import filters, loaders

#: how a cache key's store version names the warehouse instead (:func:`version`)
PREFIX = "warehouse "


#: what to check when a page cannot read what it needs from the warehouse
CHECK_MAPPING = ("check the tables and columns the mapping file names (RETENTION_WAREHOUSE_MAP; the README's Engines "
                 "and warehouses shows a worked one).")


def says_so(text: str) -> None:
    """Where a page's figures come from when a warehouse is set (``text``, which may name the mapping file: shown as
    plain text, never as Markdown), at its top."""
    st.info(plain(text), icon=":material/database:")


def needs(page: str, what: str) -> None:
    """What ``page`` needs of the warehouse (``what``) when it cannot show its figures, and what to check (plain
    text, never Markdown)."""
    st.info(plain(f"On a warehouse the {page} page needs {what}: {CHECK_MAPPING}"))


def page_scope(url: str, note: Callable[[], None]) -> tuple[bool, Filters, str]:
    """What a page that reads a warehouse when one is set works on: (whether one is set, the sidebar's filters (none
    on a warehouse: they apply to the store's pages), the version its caches key on (:func:`version` on a warehouse,
    else the store's)); ``note``, the page's words on where its figures come from, is shown first on a warehouse."""
    if not is_set():
        return False, filters.current(), loaders.store_version(url)
    note()
    return True, Filters(), version()


def text_pages() -> tuple[str, ...]:
    """The Feedback themes page's customer link (``("feedback_page",)``, :data:`ui.components.CUSTOMER_PAGES`) when
    the configured warehouse's mapping names texts, so that page shows the customer's verbatims; else none."""
    return ("feedback_page",) if maps_text(source(key())) else ()


def is_set() -> bool:
    """Whether a warehouse URL is set for this server."""
    return warehouse.identity() is not None


def key() -> tuple | None:
    """What names the configured warehouse (:func:`core.query.warehouse.identity`): its answers' cache key."""
    return warehouse.identity()


@st.cache_resource(ttl=600, max_entries=1, show_spinner="Connecting to the warehouse ...")
def source(key: tuple) -> Source:
    """The configured warehouse (``key``: :func:`key`), shared by the sessions (its connection runs one query at a
    time).

    Raises
    ------
    DataValidationError
        The URL, the mapping file or a mapped table or column is wrong (:func:`core.query.warehouse.configured`).
    """
    return warehouse.configured()


def version() -> str:
    """The warehouse's stand-in for a store version in a cache key: the warehouse, its mapping file and today's date
    (UTC). A warehouse's tables carry no version, so what is fitted on them (the churn model) is fitted again each
    day, and when the mapping file changes."""
    digest = hashlib.sha256(repr(key()).encode()).hexdigest()[:16]  # the URL's password never in a key or a log
    return f"{PREFIX}{digest} {datetime.now(UTC):%Y-%m-%d}"


def named(version: str) -> bool:
    """Whether a cache key's ``version`` names the warehouse (:func:`version`), not a store version."""
    return version.startswith(PREFIX)


@st.cache_data(ttl=600, max_entries=1, show_spinner=False)
def customers(key: tuple) -> pd.DataFrame:
    """The warehouse's customers (:func:`core.history.warehouse_inputs.warehouse_customers`)."""
    return warehouse_customers(source(key))


@st.cache_data(ttl=600, max_entries=1, show_spinner=False)
def lapse_proposal(key: tuple) -> LapseProposal | None:
    """The lapse period proposed for the warehouse's purchase log
    (:func:`core.history.warehouse_inputs.warehouse_proposal`); None without one."""
    return warehouse_proposal(source(key))


@st.cache_data(ttl=600, max_entries=1, show_spinner=False)
def profile(key: tuple) -> StoreProfile:
    """What the warehouse holds, as a store's profile says it (:func:`core.buyers.warehouse_overview.profile`)."""
    return warehouse_overview.profile(source(key), customers(key))
