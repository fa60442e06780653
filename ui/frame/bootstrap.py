"""First start: an empty store is filled with the demo business in two steps (:mod:`core.demo.staged`).

The customers and revenue first, with a progress bar, so the Overview draws within seconds; then activity, tickets,
feedback and interventions in a background thread. While that runs every page shows its progress; the Overview
draws (its MRR in red says the usage data is still loading) and every other page waits with a plain message,
and each refreshes by itself when the rest is in.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import streamlit as st

from core.access import guard, rights
from core.demo import staged
from core.demo.load import load_demo
from core.store.version import data_loading
from ui import components
from ui.frame import loaders

DEMO_CUSTOMERS = 5000
DEMO_SEED = 0
#: the page that draws while the rest of the demo loads (it needs only customers and revenue)
FIRST_PAGE = "Overview"
#: step two waits for the first page to be drawn (the CPU is the reader's first), at most this many seconds
WAIT_FOR_PAGE = 20.0
_LOCK = threading.Lock()
_FIRST = threading.Lock()  # held by the session running step one
_DRAWING = "bootstrap_page_run"  # session flag: the progress is drawn by a page's run, not by its own


@dataclass
class Background:
    """The second step of one store's first start, run by a thread of this server: progress, and its error."""

    thread: threading.Thread | None = None
    go: threading.Event = field(default_factory=threading.Event)  # set once a page was drawn
    fraction: float = 0.0
    message: str = "starting ..."  # shown after "Loading the demo's usage data: "
    error: str | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


_BACKGROUND: dict[str, Background] = {}


def demo_on_start() -> bool:
    """False when ``RETENTION_DEMO=0``: the app then opens on an empty store (empty states, tests)."""
    return os.environ.get("RETENTION_DEMO", "1") != "0"


def load_demo_with_progress(url: str, user: guard.Actor | None = None) -> dict:
    """Replace the store's data with the whole demo business in one step, showing progress on the page (the Data
    page's reset; :func:`core.demo.load.load_demo`), as ``user``, who needs the reset right; audited.

    Raises
    ------
    core.access.guard.AccessDenied
        ``user`` may not reset the store; nothing changes.
    """
    engine = loaders.get_engine(url)
    actor = guard.require(engine, user, rights.RESET)
    bar = st.progress(0.0, text="Generating the demo business ...")
    out = load_demo(engine, n_customers=DEMO_CUSTOMERS, seed=DEMO_SEED,
                    progress=lambda frac, msg: bar.progress(min(max(frac, 0.0), 1.0), text=msg))
    bar.empty()
    guard.done(engine, actor, "load demo", f"import #{out['import_id']}",
               {"customers": DEMO_CUSTOMERS, "seed": DEMO_SEED})
    st.cache_data.clear()
    return out


def load_first_with_progress(url: str) -> staged.Pending:
    """Step one: replace the store's data with the demo's customers and revenue, showing progress on the page."""
    bar = st.progress(0.0, text="Generating the demo business ...")
    pending = staged.load_first(loaders.get_engine(url), n_customers=DEMO_CUSTOMERS, seed=DEMO_SEED,
                                progress=lambda frac, msg: bar.progress(min(max(frac, 0.0), 1.0), text=msg))
    bar.empty()
    st.cache_data.clear()
    return pending


def start_rest(url: str, engine, pending: staged.Pending | None) -> Background:
    """Start step two in a thread (once per store and server); ``pending`` None: generate it again first (a
    step one left by an earlier run of the server)."""
    with _LOCK:
        bg = _BACKGROUND.get(url)
        if bg is not None and (bg.running or bg.error):
            return bg
        bg = _BACKGROUND[url] = Background()

    def progress(frac: float, msg: str) -> None:
        bg.fraction, bg.message = min(max(frac, 0.0), 1.0), msg

    def run() -> None:
        bg.go.wait(WAIT_FOR_PAGE)
        try:
            rest = pending if pending is not None else staged.resume(engine)
            if rest is not None:
                staged.load_rest(engine, rest, progress)
        except Exception as exc:  # shown on every page; step one was taken back, the store is as it was
            bg.error = f"The demo's usage data could not be loaded ({type(exc).__name__}: {exc})."

    bg.thread = threading.Thread(target=run, name=f"demo-rest-{url}", daemon=True)
    bg.thread.start()
    return bg


def wait(url: str, timeout: float | None = None) -> Background | None:
    """Wait for this store's step two, if one runs (tests, benchmarks); its state."""
    bg = _BACKGROUND.get(url)
    if bg is not None and bg.thread is not None:
        bg.go.set()
        bg.thread.join(timeout)
    return bg


@st.fragment(run_every=1.0)
def _progress(url: str) -> None:
    """The background load's progress; the whole page runs again once it is done (or failed). Its first run of its
    own (after the page was drawn) lets the load start."""
    bg = _BACKGROUND.get(url)
    if bg is None or not bg.running:
        st.rerun(scope="app")
    if not st.session_state.get(_DRAWING):
        bg.go.set()
    st.progress(bg.fraction, text=f"Loading the demo's usage data: {bg.message}")


def ensure_store(page=None) -> None:
    """On the very first start (no import ever made), load the demo data; while its usage data loads, show the
    progress, and on every page but the Overview (``page``: the page about to run) a note instead of the page."""
    if not demo_on_start():
        return
    url = loaders.store_url()
    bg = _BACKGROUND.get(url)
    if bg is not None and bg.error:
        if loaders.has_imports(url) and not data_loading(loaders.get_engine(url)):
            _BACKGROUND.pop(url, None)  # loaded again since (the Data page): the error is over
            return
        st.error(components.plain(bg.error + " The store is as it was before the first start. Load the demo on "
                                  "the Data page to try again."))
        return
    if bg is None or not bg.running:
        if not loaders.has_imports(url):
            with _FIRST, st.container():  # one session loads; another opened meanwhile waits and finds it loaded
                if not loaders.has_imports(url):
                    st.info("First start: loading a demo business (5,000 customers over 36 months) so every page "
                            "has data to show. Import your own files on the Data page.")
                    start_rest(url, loaders.get_engine(url), load_first_with_progress(url))
            st.rerun()
        if not data_loading(loaders.get_engine(url)):
            return
        bg = start_rest(url, loaders.get_engine(url), None)
    st.session_state[_DRAWING] = True
    _progress(url)
    st.session_state[_DRAWING] = False
    if page is not None and getattr(page, "title", None) != FIRST_PAGE:
        st.info(f"The demo's usage data (activity, tickets, feedback and interventions) is still loading, so this "
                f"page waits for it and shows by itself once it is in. The {FIRST_PAGE} is ready now.")
        st.stop()
