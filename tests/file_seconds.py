"""Refresh ``tests/file_seconds.json``, the seconds each test file took in a whole run, from a run's JUnit report.

The suite's files are handed to the test workers longest first (``tests/conftest.py``,
``pytest_collection_modifyitems``), by this table. Refresh it when files are added or grow::

    python3 dev.py test --junitxml=/tmp/run.xml
    .venv/bin/python tests/file_seconds.py /tmp/run.xml

A file's seconds are the sum of its tests' (each test's set-up, call and tear-down, as JUnit reports them), so a
module fixture's build counts with its file.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

TABLE = Path(__file__).with_name("file_seconds.json")


def file_seconds(report: Path) -> dict[str, float]:
    """Seconds per test file (``tests/...py``) in the JUnit report ``report``."""
    seconds: Counter[str] = Counter()
    for case in ET.parse(report).iter("testcase"):
        module = case.get("classname", "").split("::")[0]
        parts = module.split(".")
        while parts and not (Path(*parts).with_suffix(".py")).exists():
            parts.pop()  # a test class's name ends the class name
        if parts:
            seconds[str(Path(*parts).with_suffix(".py"))] += float(case.get("time") or 0)
    return {name: round(s, 1) for name, s in sorted(seconds.items())}


if __name__ == "__main__":
    table = file_seconds(Path(sys.argv[1]))
    TABLE.write_text(json.dumps(table, indent=0) + "\n")
    print(f"{len(table)} files, {sum(table.values()):,.0f} s in all, written to {TABLE}")
