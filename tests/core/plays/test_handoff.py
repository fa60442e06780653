"""Handing a run off (core/plays/handoff.py): the actions to reach become tasks (never a held-out customer), split
per owner team under names a workbook takes, and posted as JSON to a webhook, tested against a local HTTP server
the test starts on 127.0.0.1 and stops; a webhook that fails or cannot be reached is one plain line."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest

from core.errors import DataValidationError, WorkbenchError
from core.export.xlsx import to_xlsx
from core.plays import handoff
from core.plays.queue import QUEUED, TREATMENT, Context, run
from core.plays.rules import Playbook, Trigger
from core.roi.defaults import CONTROL
from tests.core.plays.webhook import free_port, receiving

DAY = dt.date(2025, 3, 31)
BOOK = Playbook((Trigger("High risk", "churn_tier", "Rescue call", "Customer success", "phone",
                         {"tiers": ["high risk"]}),
                 Trigger("Usage falling", "usage_drop", "Adoption email", "Product [EMEA]: *new*", "email",
                         {"percent": 30.0})))


@pytest.fixture(scope="module")
def queue() -> pd.DataFrame:
    n = 80
    signals = pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(n)], "segment": ["SMB", "Enterprise"] * 40,
                            "tier": ["high risk", "low risk"] * 40, "usage_change": [-0.5] * n})
    customers = {"C003": {"attributes": {"opt_out": "yes"}}}
    return run(BOOK, signals, DAY, Context(customers, pd.DataFrame(columns=["customer_id", "play", "date", "arm"])),
               seed=1)


def test_tasks_are_the_actions_to_reach_never_a_held_out_customer(queue):
    t = handoff.tasks(7, queue)
    reach = queue[(queue.status == QUEUED) & (queue.arm == TREATMENT)]
    assert list(t.columns) == list(handoff.TASK_COLUMNS) and len(t) == len(reach)
    held_out = set(queue.loc[queue.arm == CONTROL, "customer_id"])
    assert held_out and not held_out & set(t.customer_id)
    assert "C003" not in set(t.customer_id)  # opted out: held back, no task
    assert t.task_id.is_unique and t.task_id.str.fullmatch(r"R7-\d+").all()
    first = reach.iloc[0]
    row = t.iloc[0]
    assert row.task_id == f"R7-{queue.index.get_loc(first.name) + 1}"
    assert (row.subject, row.due_date, row.status, row.run) == (f"{first.play}: {first.customer_id}", "2025-04-07",
                                                                "Not started", 7)
    assert row.description == f"{first.trigger}: {first.reason}"


def test_per_owner_files_take_any_owner_name(queue, tmp_path):
    t = handoff.tasks(7, queue)
    parts = handoff.by_owner(t)
    assert list(parts) == ["Customer success", "Product -EMEA-- -new-"]
    assert sum(len(p) for p in parts.values()) == len(t)
    assert set(parts["Product -EMEA-- -new-"].play) == {"Adoption email"}
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(parts)))
    assert book.sheetnames[:2] == list(parts)
    assert book["Customer success"].max_row == len(parts["Customer success"]) + 1
    same = handoff.by_owner(pd.concat([t.assign(owner="A/B"), t.head(1).assign(owner="A:B")]))
    assert list(same) == ["A-B", "A-B 2"]


@pytest.fixture
def receiver():
    """A webhook receiver on 127.0.0.1 at a free port, stopped when the test ends."""
    with receiving() as server:
        yield server


def test_the_webhook_receives_every_task_as_json(queue, receiver):
    t = handoff.tasks(7, queue)
    assert handoff.post(receiver.url, handoff.payload(7, DAY, t)) == 200
    ((kind, body),) = receiver.received
    got = json.loads(body)
    assert kind.startswith("application/json")
    assert (got["run"], got["as_of"], len(got["tasks"])) == (7, "2025-03-31", len(t))
    assert got["tasks"] == t.to_dict("records")


def test_a_failing_or_missing_webhook_is_one_plain_line(queue, receiver):
    body = handoff.payload(7, DAY, handoff.tasks(7, queue))
    receiver.answer = 500
    with pytest.raises(WorkbenchError, match=r"The webhook at 127\.0\.0\.1 answered HTTP 500 .*The run stays recorded"):
        handoff.post(receiver.url, body)
    with pytest.raises(WorkbenchError, match="could not be reached"):
        handoff.post(f"http://127.0.0.1:{free_port()}/", body, timeout=2)
    for bad in ("file:///etc/passwd", "ftp://host/x", "http://", ""):
        with pytest.raises(DataValidationError, match="http:// or https:// address"):
            handoff.post(bad, body)
