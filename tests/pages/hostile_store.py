"""A small store whose every text field that reaches a page carries hostile content (issue 22, Deliver 4).

The demo business, generated small (:data:`CUSTOMERS` customers, seed 0, a couple of seconds), then its text fields
rewritten with SQL, each value given one of :data:`PAYLOADS` in front of what it was (so distinct values stay
distinct and every analysis still has its groups): customer ids (in every table), names, segments, plans, regions,
acquisition channels, play names and their contact channels, ticket categories, channels and texts, some verbatims,
the import's file name and an extra column (its header and values); one theme is renamed through the codebook's own
functions. The payloads are the ones the issue found live: a Markdown image and a link to a local address, emphasis,
an HTML image, and cells a spreadsheet would run (``=``, ``+``, ``-``, ``@``, a leading tab or carriage return).

``PORT`` in the payloads is the port of the browser test's own local server (:func:`build`'s ``port``): a request
to it is the proof that a page loaded an image or that a link was live.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

from sqlalchemy import text

import core
from core.access import audit
from core.feedback import store as codebook_store

#: customers of the demo business the store starts from (enough for every page's models and groups)
CUSTOMERS = 120
IMAGE = "![px](http://127.0.0.1:PORT/x.png)"
LINK = "[Open the board report](http://127.0.0.1:PORT/)"
HTML_IMAGE = "<img src=http://127.0.0.1:PORT/y.png>"
#: the spreadsheet formula starts of the issue (a leading tab and carriage return before a formula too)
STARTS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+2", "\r=1+2")
#: each starts like a spreadsheet formula and carries Markdown and HTML that would load or link something
PAYLOADS = tuple(f"{start} {IMAGE} {LINK} **bold** {HTML_IMAGE}" for start in STARTS)
#: the extra column of the customers (kept in ``attributes``): a hostile header and hostile values
EXTRA_COLUMN = f"=HYPERLINK(\"http://x\",\"y\") {IMAGE} {LINK}"
#: (table, column) whose distinct values are rewritten; customer ids and the customers' fields are done apart
#: customers' fields are rewritten customer by customer (each value gets every payload); the others value by value
CUSTOMER_FIELDS = ("name", "segment", "plan", "region", "channel")
TEXT_FIELDS = (
    ("intervention", "play"), ("intervention", "channel"), ("ticket", "category"),
    ("ticket", "channel"), ("importlog", "file_name"),
)
#: tables with a customer id column
ID_TABLES = ("customer", "revenue", "activity", "ticket", "feedback", "intervention")
#: every how-many-th customer id and verbatim gets a payload
ID_STEP, VERBATIM_STEP = 10, 4


def payloads(port: int | str) -> tuple[str, ...]:
    """:data:`PAYLOADS` pointing at ``port``."""
    return tuple(p.replace("PORT", str(port)) for p in PAYLOADS)


def hostile(value: str, i: int, port: int | str) -> str:
    """``value`` with the ``i``-th payload (cycled) in front."""
    return f"{payloads(port)[i % len(PAYLOADS)]} {value}"


def build(folder: Path, port: int | str = 9) -> str:
    """Build the hostile store in ``folder`` (its file ``store.db``) and return its URL."""
    url = f"sqlite:///{Path(folder) / 'store.db'}"
    engine = core.make_engine(url)
    try:
        from core.demo.load import load_demo

        load_demo(engine, n_customers=CUSTOMERS, seed=0)
        with engine.begin() as conn:
            _rewrite_fields(conn, port)
            _rewrite_customers(conn, port)
            _rewrite_ids(conn, port)
            _rewrite_verbatims(conn, port)
            _add_extra_column(conn, port)
            conn.execute(text("UPDATE store_state SET version = version + 1, token = :t"), {"t": secrets.token_hex(6)})
        _rename_theme(engine, port)
        _hostile_trail(engine, port)
    finally:
        engine.dispose()
    # the activity column files hold the old ids: drop them, the next read rebuilds them from SQLite
    shutil.rmtree(str(Path(folder) / "store.db") + ".columns", ignore_errors=True)
    return url


def _rewrite_fields(conn, port) -> None:
    for table, column in TEXT_FIELDS:
        values = [r[0] for r in conn.execute(text(f'SELECT DISTINCT "{column}" FROM "{table}" '
                                                  f'WHERE "{column}" IS NOT NULL ORDER BY 1'))]
        for i, value in enumerate(values):
            conn.execute(text(f'UPDATE "{table}" SET "{column}" = :new WHERE "{column}" = :old'),
                         {"new": hostile(value, i, port), "old": value})


def _rewrite_customers(conn, port) -> None:
    rows = conn.execute(text(f"SELECT customer_id, {', '.join(CUSTOMER_FIELDS)} FROM customer ORDER BY customer_id"))
    for i, (cid, *values) in enumerate(rows.all()):
        new = {c: hostile(v, i, port) for c, v in zip(CUSTOMER_FIELDS, values, strict=True) if v is not None}
        sets = ", ".join(f"{c} = :{c}" for c in new)
        conn.execute(text(f"UPDATE customer SET {sets} WHERE customer_id = :cid"), {**new, "cid": cid})


def _rewrite_ids(conn, port) -> None:
    ids = [r[0] for r in conn.execute(text("SELECT customer_id FROM customer ORDER BY customer_id"))]
    for i, cid in enumerate(ids[::ID_STEP]):
        for table in ID_TABLES:
            conn.execute(text(f'UPDATE "{table}" SET customer_id = :new WHERE customer_id = :old'),
                         {"new": hostile(cid, i, port), "old": cid})


def _rewrite_verbatims(conn, port) -> None:
    for table in ("feedback", "ticket"):
        rows = conn.execute(text(f'SELECT id, text FROM "{table}" WHERE text IS NOT NULL ORDER BY id')).all()
        for i, (rid, body) in enumerate(rows[::VERBATIM_STEP]):
            conn.execute(text(f'UPDATE "{table}" SET text = :t WHERE id = :id'), {"t": hostile(body, i, port),
                                                                                   "id": rid})


def _add_extra_column(conn, port) -> None:
    header = EXTRA_COLUMN.replace("PORT", str(port))
    ids = [r[0] for r in conn.execute(text("SELECT customer_id FROM customer ORDER BY customer_id"))]
    for i, cid in enumerate(ids):
        conn.execute(text("UPDATE customer SET attributes = :a WHERE customer_id = :c"),
                     {"a": json.dumps({header: hostile(f"value {i % 3}", i, port)}), "c": cid})


def _rename_theme(engine, port) -> None:
    """Rename the first theme through the codebook's own functions, as the codebook editor does."""
    before = codebook_store.load_codebook(engine)
    first = min(before.themes)
    after, change = before.rename(first, hostile(before.themes[first].name, 0, port), reason="hostile test")
    codebook_store.save_change(engine, before, after, change)


def _hostile_trail(engine, port) -> None:
    """An audit entry whose target and reason are payloads (the Admin page's trail shows them)."""
    audit.record(engine, "local", "admin", "undo import", hostile("import #1", 0, port),
                 {"reason": hostile("wrong file", 1, port)})
