"""Results coming back: a contact log exported from the CRM (CSV or XLSX) says what came of each task a run handed
off (:mod:`core.plays.handoff`): done, reached or failed. Read with the importer's reader (its bounds, encodings and
delimiters), matched to the run's actions, and saved in one transaction; a log with any row that names no task, or
no result the workbench knows, is refused whole with one line per problem (row, column, fix), the store unchanged.

A row names its task by ``task_id`` (``R<run>-<n>``, as handed off) or by ``customer_id`` and ``play`` (the newest
run's action to reach for them). The result column (``result``, ``status`` or ``outcome``) takes done, reached or
failed, and the words CRMs use for them (completed, connected, no answer, bounced ...); an optional ``date`` says
when. The Intervention ROI page reads the results per play: the share of the treatment arm reached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.access import guard, rights
from core.errors import DataValidationError
from core.export import units
from core.ingest.fields import norm
from core.ingest.reader import read_table
from core.plays.queue import QUEUED, TREATMENT
from core.store import version
from core.store.engine import begin_write
from core.store.tables import PlayAction, PlayResult

#: the results, and the words a CRM writes for each (lower case)
RESULTS = {"done": ("done", "completed", "complete", "closed", "sent", "delivered"),
           "reached": ("reached", "connected", "spoke", "answered", "met", "replied"),
           "failed": ("failed", "no answer", "no_answer", "unreachable", "bounced", "declined", "not reached")}
#: the log's columns the workbench reads (normalised header -> field)
COLUMNS = {"task_id": "task_id", "task": "task_id", "customer_id": "customer_id", "customer": "customer_id",
           "play": "play", "result": "result", "status": "result", "outcome": "result", "date": "date",
           "completed_at": "date", "contacted_at": "date"}
_TASK = re.compile(r"R(\d+)-(\d+)")
#: the columns of :func:`reach`
REACH_COLUMNS = ["play", "to_reach", "reached", "done", "failed", "no_result"]


def _text(value) -> str:
    """A cell as text, a missing one empty."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def _word(value) -> str | None:
    text = _text(value).lower()
    return next((r for r, words in RESULTS.items() if text in words), None)


def _actions(engine: Engine) -> pd.DataFrame:
    """Every action to reach of every run, with its place in its run (the task id's n)."""
    a = PlayAction.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(a.c.id, a.c.run_id, a.c.customer_id, a.c.play, a.c.status, a.c.arm)
                            .order_by(a.c.id)).fetchall()
    out = pd.DataFrame(rows, columns=["action_id", "run_id", "customer_id", "play", "status", "arm"])
    out["n"] = out.groupby("run_id").cumcount() + 1
    return out[(out["status"] == QUEUED) & (out["arm"] == TREATMENT)]


def read_log(engine: Engine, data: bytes, file_name: str) -> pd.DataFrame:
    """The log's rows matched to actions: ``action_id, run_id, customer_id, result, date``.

    Raises
    ------
    core.errors.FileFormatError
        Not a readable CSV or XLSX file, or beyond the reader's bounds.
    DataValidationError
        A row names no known task, or no known result; one line per problem (row, column, fix), at most 20.
    """
    raw = read_table(data, file_name)
    frame = raw.frame.rename(columns={c: COLUMNS.get(norm(c), c) for c in raw.frame.columns})
    if "result" not in frame:
        raise DataValidationError(f"{file_name} has no result column: name one result, status or outcome, holding "
                                  "done, reached or failed for each task.")
    if "task_id" not in frame and not {"customer_id", "play"} <= set(frame):
        raise DataValidationError(f"{file_name} names no task: give a task_id column (R<run>-<n>, as handed off), "
                                  "or customer_id and play columns.")
    tasks = _Tasks(_actions(engine))
    rows, problems = [], []
    for rec, line in zip(frame.to_dict("records"), raw.rows, strict=True):
        action, why = _match(rec, tasks)
        result = _word(rec.get("result"))
        if action is None:
            problems.append(f"Row {line}, {why}")
        if result is None:
            said = _text(rec.get("result"))
            problems.append(f"Row {line}, column result: {said!r} is not a result; write done, reached or failed.")
        if action is not None and result is not None:
            rows.append({**action, "result": result, "date": _day(rec.get("date"))})
    if problems:
        more = f" ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise DataValidationError(f"The contact log {file_name} was not loaded (nothing changed): "
                                  + " ".join(problems[:20]) + more)
    if not rows:
        raise DataValidationError(f"The contact log {file_name} has no rows: nothing was loaded.")
    return pd.DataFrame(rows)


class _Tasks:
    """The actions to reach, looked up by task id (run, n) and by customer and play (the newest run's), in O(1)."""

    def __init__(self, actions: pd.DataFrame):
        rows = [{"action_id": int(a), "run_id": int(r), "customer_id": str(c)}
                for a, r, c in zip(actions["action_id"], actions["run_id"], actions["customer_id"], strict=True)]
        self.by_task = {(int(r), int(n)): row for r, n, row in zip(actions["run_id"], actions["n"], rows, strict=True)}
        self.by_name = {(str(c), str(p)): row for c, p, row in zip(actions["customer_id"], actions["play"], rows,
                                                                   strict=True)}  # in id order: the newest stays


def _match(rec: dict, tasks: _Tasks) -> tuple[dict | None, str]:
    task = _text(rec.get("task_id"))
    if task:
        m = _TASK.fullmatch(task)
        hit = tasks.by_task.get((int(m.group(1)), int(m.group(2)))) if m else None
        if hit is None:
            return None, (f"column task_id: {task!r} is no task handed off; copy the task id from the hand-off "
                          "file (R<run>-<n>).")
        return hit, ""
    cid, play = _text(rec.get("customer_id")), _text(rec.get("play"))
    hit = tasks.by_name.get((cid, play))
    if hit is None:
        return None, (f"columns customer_id and play: no action to reach {cid!r} with {play!r} was handed off; "
                      "check both, or give the task id.")
    return hit, ""


def _day(value) -> dt.date | None:
    if not _text(value):
        return None
    day = pd.to_datetime(_text(value), errors="coerce")
    return None if pd.isna(day) else day.date()


def import_log(engine: Engine, data: bytes, file_name: str, user: str | guard.Actor | None = None) -> int:
    """Load the contact log ``data`` (:func:`read_log`) as ``user``, who needs the import right; audited. Returns
    the results saved. The same file twice is refused (its sha256), so a result is never counted twice.

    Raises
    ------
    DataValidationError
        A problem of :func:`read_log`, or the file was loaded before; nothing changes.
    """
    actor = guard.require(engine, user, rights.IMPORT)
    sha = hashlib.sha256(data).hexdigest()
    log = read_log(engine, data, file_name)
    t = PlayResult.__table__
    with begin_write(engine) as conn:
        if conn.execute(select(t.c.id).where(t.c.sha256 == sha).limit(1)).first() is not None:
            raise DataValidationError(f"{file_name} was loaded before (same content): nothing was loaded again.")
        now = dt.datetime.now(dt.UTC)
        conn.execute(t.insert(), [{**r, "recorded_at": now, "file_name": file_name, "sha256": sha}
                                  for r in log.to_dict("records")])
        version.bump(conn)  # the ROI page's reach figures read the results
    guard.done(engine, actor, "load contact log", file_name, {"results": len(log),
                                                               **log["result"].value_counts().to_dict()})
    return len(log)


def reach(engine: Engine) -> pd.DataFrame:
    """Per play, of the actions to reach handed off: how many, and the latest result of each (reached, done,
    failed, none yet): :data:`REACH_COLUMNS`."""
    actions = _actions(engine)
    t = PlayResult.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.action_id, t.c.result).order_by(t.c.id)).fetchall()
    if not len(actions):
        return pd.DataFrame({c: pd.Series(dtype=object if c == "play" else int) for c in REACH_COLUMNS})
    latest = pd.DataFrame(rows, columns=["action_id", "result"]).drop_duplicates("action_id", keep="last")
    a = actions.merge(latest, on="action_id", how="left")
    out = a.groupby("play", sort=True).agg(to_reach=("action_id", "size"),
                                           reached=("result", lambda r: int((r == "reached").sum())),
                                           done=("result", lambda r: int((r == "done").sum())),
                                           failed=("result", lambda r: int((r == "failed").sum())),
                                           no_result=("result", lambda r: int(r.isna().sum())))
    return out.reset_index()[REACH_COLUMNS]


def reach_text(row: pd.Series | dict, effect: float | None = None, binary: bool = True) -> str:
    """One play's reach in plain words (a :func:`reach` row) and, given the play's ``effect`` on its treatment arm,
    the effect per customer contacted (the effect divided by the share contacted, valid if contact is what works)."""
    to_reach = int(row["to_reach"])
    contacted = int(row["reached"]) + int(row["done"])
    share = contacted / to_reach if to_reach else 0.0
    text = (f"The contact log reports {units.count(contacted)} of the {units.count(to_reach)} customers to reach "
            f"contacted ({units.percent(share)}: {units.count(int(row['reached']))} reached, "
            f"{units.count(int(row['done']))} done), {units.count(int(row['failed']))} failed and "
            f"{units.count(int(row['no_result']))} without a result yet.")
    if effect is None or not share or pd.isna(effect):
        return text
    per = effect / share
    said = units.points(per) if binary else units.format_value(per, "currency", signed=True)
    return text + (f" Per customer contacted the effect is about {said} (the play's effect divided by "
                   f"{units.percent(share)}), if contact is what works and the customers not contacted were not "
                   "moved.")
