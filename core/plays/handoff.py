"""Handing a recorded run to the teams that act on it: the actions to reach as CRM-ready tasks, per owner team, as
CSV or XLSX files, or posted as JSON to a webhook (a CRM's or an automation tool's inbound URL).

Only the treatment arm is handed off: a held-out customer is never in a task list (that is what keeps the holdout
measurable). Each task carries the run and a task id (``R<run>-<n>``, n the action's place in the run), the
customer, the play, the owner team, the channel, the due date and the reason with the signal values that fired it;
a contact log imported later names the task id (or the customer and play) with its result.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pandas as pd

from core.access import guard, rights
from core.errors import DataValidationError, WorkbenchError
from core.plays.queue import QUEUED, TREATMENT
from core.plays.runs import run_actions, runs

#: the task layout: column -> what it holds (a CRM import maps these to its own task fields)
TASK_COLUMNS = {
    "task_id": "the task's id: R<run>-<n>, n the action's place in the run",
    "subject": "what to do, for whom: the play and the customer",
    "customer_id": "the customer",
    "play": "the play",
    "owner": "the team that owns the play",
    "channel": "how to reach the customer (the preferred channel when the customer has one)",
    "due_date": "the day the action is due (YYYY-MM-DD)",
    "status": "Not started (a contact log brings back done, failed or reached)",
    "description": "why: the trigger and the signal values that fired it, other triggers merged into it, any note",
    "segment": "the customer's segment",
    "run": "the playbook run that queued it",
}
#: how long a webhook may take to answer
WEBHOOK_TIMEOUT_S = 10
#: characters Excel refuses in a sheet name
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def tasks(run_id: int, queue: pd.DataFrame) -> pd.DataFrame:
    """The actions to reach of run ``run_id`` (its ``queue`` as :func:`core.plays.runs.run_actions` reads it) as
    tasks, :data:`TASK_COLUMNS`, in the run's order."""
    q = queue.reset_index(drop=True)
    n = pd.Series(range(1, len(q) + 1), index=q.index)
    reach = q[(q["status"] == QUEUED) & (q["arm"] == TREATMENT)]
    why = reach["trigger"].astype(str) + ": " + reach["reason"].astype(str)
    why = why + reach["merged"].map(lambda m: f"; also {m}" if isinstance(m, str) and m else "")
    why = why + reach["note"].map(lambda m: f" {m}" if isinstance(m, str) and m else "")
    out = pd.DataFrame({"task_id": "R" + str(run_id) + "-" + n[reach.index].astype(str),
                        "subject": reach["play"].astype(str) + ": " + reach["customer_id"].astype(str),
                        "customer_id": reach["customer_id"].astype(str), "play": reach["play"].astype(str),
                        "owner": reach["owner"].astype(str), "channel": reach["channel"].astype(str),
                        "due_date": pd.to_datetime(reach["due"]).dt.strftime("%Y-%m-%d"), "status": "Not started",
                        "description": why, "segment": reach["segment"].astype(object).where(reach["segment"].notna(),
                                                                                          ""),
                        "run": int(run_id)})
    return out[list(TASK_COLUMNS)].reset_index(drop=True)


def by_owner(task_list: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The tasks per owner team, each under a name a file or a workbook sheet can take (owners in first-task order;
    two owners whose safe names collide get a number)."""
    out: dict[str, pd.DataFrame] = {}
    for owner, rows in task_list.groupby("owner", sort=False):
        name = _SHEET_BAD.sub("-", str(owner)).strip().strip("'")[:28] or "owner"
        base, k = name, 2
        while name.lower() in {n.lower() for n in out}:
            name, k = f"{base} {k}", k + 1
        out[name] = rows.reset_index(drop=True)
    return out


def payload(run_id: int, as_of, task_list: pd.DataFrame) -> bytes:
    """The JSON a webhook receives: ``{"run", "as_of", "tasks": [{column: value}]}`` (UTF-8)."""
    body = {"run": int(run_id), "as_of": f"{pd.Timestamp(as_of):%Y-%m-%d}",
            "tasks": task_list.astype(object).where(task_list.notna(), None).to_dict("records")}
    return json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")


def check_url(url: str) -> str:
    """``url`` if it is an http(s) address with a host; else a plain :class:`DataValidationError`."""
    parts = urlsplit(str(url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DataValidationError(f"The webhook must be an http:// or https:// address with a host, not {url!r}.")
    return parts.geturl()


def post(url: str, body: bytes, timeout: float = WEBHOOK_TIMEOUT_S) -> int:
    """POST ``body`` (JSON) to ``url``; the HTTP status of a 2xx answer. Anything else is one plain line
    (:class:`core.errors.WorkbenchError`): the run stays recorded, so the post can be sent again."""
    url = check_url(url)
    host = urlsplit(url).hostname
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "retention-workbench"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (http(s) only: check_url)
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        raise WorkbenchError(f"The webhook at {host} answered HTTP {exc.code} ({exc.reason}): the tasks were not "
                             "taken. The run stays recorded; send it again once the webhook works.") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WorkbenchError(f"The webhook at {host} could not be reached ({reason}): the tasks were not sent. The "
                             "run stays recorded; send it again once the webhook answers.") from None


#: the environment variable naming the webhook the Playbooks page and the CLI post to
WEBHOOK_ENV = "RETENTION_PLAYS_WEBHOOK"


def send_run(engine, run_id: int, url: str, user=None) -> int:
    """Post run ``run_id``'s tasks to ``url`` as ``user`` (None: ``RETENTION_USER``), who needs the import right (the
    right that recorded the run); audited with the number of tasks. Returns the tasks sent.

    Raises
    ------
    core.access.guard.AccessDenied
        ``user`` may not hand runs off; nothing is sent.
    core.errors.WorkbenchError
        No such run, or the webhook failed (one plain line).
    """
    actor = guard.require(engine, user, rights.IMPORT)
    known = runs(engine).set_index("run")
    if int(run_id) not in known.index:
        raise DataValidationError(f"There is no playbook run {run_id}.")
    task_list = tasks(run_id, run_actions(engine, run_id))
    post(url, payload(run_id, known.loc[int(run_id), "as_of"], task_list))
    guard.done(engine, actor, "hand off playbook run", f"run #{run_id}", {"tasks": len(task_list),
                                                                          "webhook": urlsplit(url).hostname})
    return len(task_list)
