"""How expected problems are shown: a plain message, never a traceback.

Expected problems are :class:`~core.errors.WorkbenchError` (bad file, bad option, too little data, a store
fault) and the store faults the database driver raises itself (locked, disk full, read-only, not a database,
damaged), which :func:`core.store.faults.store_fault` puts in plain words. Anything else is a bug: it is
raised again, never dressed up as a message.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from core.errors import WorkbenchError
from core.export.markdown import plain
from core.store.faults import store_fault, store_path
from ui.frame import loaders


def show(exc: BaseException) -> None:
    """Show an expected problem (bad file, bad option, too little data, a store fault) with its fix.

    Raises
    ------
    BaseException
        ``exc`` itself when it is neither a :class:`~core.errors.WorkbenchError` nor a store fault (a bug).
    """
    if not isinstance(exc, WorkbenchError):
        fault = store_fault(exc, store_path(loaders.store_url()))
        if fault is None:
            raise exc
        exc = fault
    st.error(plain(str(exc)), icon=":material/error:")  # messages quote the data (sheet names, values)


@contextmanager
def store_guard() -> Iterator[None]:
    """Run a block that reads or writes the store; a store fault shows its message and stops this run.

    Other problems pass through unchanged: a page's own :class:`~core.errors.WorkbenchError` is the page's to
    show where it happened, and anything else is a bug.
    """
    try:
        yield
    except Exception as exc:
        fault = store_fault(exc, store_path(loaders.store_url()))
        if fault is None:
            raise
        show(fault)
        st.stop()
