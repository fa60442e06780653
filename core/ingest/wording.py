"""How an import message names its fix: in the Data page's words there, as a command-line option in the CLI.

A message is written once, with :func:`how` filling the one slot that differs between the two surfaces, so it stays
one line on both::

    f"Choose one{how('map', field='channel')}."
    # page: "Choose one: pick its column for 'channel' in the column mapping."
    # CLI:  "Choose one (--map COLUMN=channel)."

The surface is the caller's, not the message's: the CLI is the default, and the Data page runs its
``prepare_import`` and ``commit_import`` inside ``with speaking("page"):``. A context variable carries it (each
Streamlit session runs in its own thread, so one analyst's page never changes another's CLI words), so no
function between the page and the message needs a parameter for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

PAGE, CLI = "page", "cli"
_SURFACE: ContextVar[str] = ContextVar("core_ingest_surface", default=CLI)

#: action -> (the page's words, the CLI's words), each filling the same slot of a message; ``{field}`` is named
ACTIONS: dict[str, tuple[str, str]] = {
    # "Choose one{...}." when a needed field has no column
    "map": (": pick its column for '{field}' in the column mapping", " (--map COLUMN={field})"),
    "map_or_set": (": pick its column for '{field}' in the column mapping, or choose one value for every row",
                   " (--map COLUMN={field} or --set {field}=VALUE)"),
    "map_amount": (": pick the column for 'mrr' or 'amount' in the column mapping",
                   " (--map COLUMN=mrr or --map COLUMN=amount)"),
    "map_any": (" in the column mapping", " (--map COLUMN=FIELD)"),
    # "give the snapshot date{...} so ..."
    "as_of": (" (Snapshot date, above the column mapping)", " (--as-of YYYY-MM-DD)"),
    # "{...} '2024-13-01' is not a date"
    "as_of_name": ("The snapshot date", "--as-of"),
    # "import the customers first{...}"
    "create_customers": ("", ", or allow creating them (--create-customers)"),
    # "write it like the rest of the column (31/03/2024){...}"
    "date_format": (", or type the format of every date column in Date format (above the column mapping)",
                    ", or force a format with --date-format"),
    # "if the column is DD/MM/YYYY, write the dates as YYYY-MM-DD{...}" (``{field}``: the other reading's format)
    "date_format_as": (", or type '{field}' in Date format (above the column mapping)",
                       ", or import with --date-format '{field}'"),
    # the column of a field given one value for the whole file
    "constant": ("({field}: one value for every row)", "(--set {field})"),
    # kind detection (core.ingest.kind_detection.advice): one kind, listed in "kind" and "map_every" as {field}
    "kind_each": ("{field}", "--kind {field}"),
    # "Cannot tell what FILE holds (...): {...}."
    "kind": ("choose it in What the file holds ({field})", "give the kind with {field}"),
    # ... of a file without a header line (its columns named column_1 ...)
    "map_every": ("choose the kind in What the file holds ({field}), then pick the column of each field in the "
                  "column mapping", "give the kind ({field}) and map every column to a field (--map "
                  "column_1=FIELD and so on; COLUMN=- leaves a column out)"),
    # "if the rows are customer records, {...}" (a customer id beside columns no field takes)
    "kind_and_map": ("choose customers in What the file holds and pick those columns' fields in the column mapping "
                     "(the others are kept with each customer)", "give the kind with --kind customers and map "
                     "those columns (--map COLUMN=FIELD; the others are kept with each customer)"),
}


def surface() -> str:
    """The surface messages are written for now: ``"cli"`` (the default) or ``"page"``."""
    return _SURFACE.get()


@contextlib.contextmanager
def speaking(where: str) -> Iterator[None]:
    """Write the messages of the block for ``where`` (``"page"`` or ``"cli"``), then restore the surface before."""
    if where not in (PAGE, CLI):
        raise ValueError(f"surface must be {PAGE!r} or {CLI!r}, not {where!r}")
    token = _SURFACE.set(where)
    try:
        yield
    finally:
        _SURFACE.reset(token)


def how(action: str, field: str = "", where: str | None = None) -> str:
    """The words of ``action`` (a key of :data:`ACTIONS`) for ``where`` (default: the current :func:`surface`).

    Examples
    --------
    >>> how("map", field="channel", where="cli")
    ' (--map COLUMN=channel)'
    >>> with speaking("page"):
    ...     how("constant", field="channel")
    '(channel: one value for every row)'
    """
    page, cli = ACTIONS[action]
    return (page if (where or surface()) == PAGE else cli).format(field=field)
