"""First start: an empty store is filled with the demo business, with a progress bar."""

from __future__ import annotations

import os

import streamlit as st

from core.demo.load import load_demo
from ui.frame import loaders

DEMO_CUSTOMERS = 5000
DEMO_SEED = 0


def demo_on_start() -> bool:
    """False when ``RETENTION_DEMO=0``: the app then opens on an empty store (empty states, tests)."""
    return os.environ.get("RETENTION_DEMO", "1") != "0"


def load_demo_with_progress(url: str) -> dict:
    """Replace the store's data with the demo business, showing progress on the page."""
    bar = st.progress(0.0, text="Generating the demo business ...")
    out = load_demo(loaders.get_engine(url), n_customers=DEMO_CUSTOMERS, seed=DEMO_SEED,
                    progress=lambda frac, msg: bar.progress(min(max(frac, 0.0), 1.0), text=msg))
    bar.empty()
    st.cache_data.clear()
    return out


def ensure_store() -> None:
    """On the very first start (no import ever made), load the demo data."""
    if not demo_on_start():
        return
    url = loaders.store_url()
    if loaders.has_imports(url):
        return
    with st.container():
        st.info("First start: loading a demo business (5,000 customers over 36 months) so every page has "
                "data to show. Import your own files on the Data page.")
        load_demo_with_progress(url)
    st.rerun()

