"""How fast the command line answers ``--help``: ``python -m core --help`` and each ``python -m core SUB --help``,
each in a fresh process, beside a bare ``python -c pass`` (the interpreter's own start).

    .venv/bin/python benchmarks/cli_help.py [--repeat N]

Prints one row per command: the median wall-clock seconds over N runs (default 7), and its ratio to the baseline.
Target: every ``--help`` under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the sub-commands of ``python -m core`` (core.cli.main.COMMANDS)
SUBCOMMANDS = ("import", "status", "cohorts", "churn", "health", "themes", "roi", "report", "demo")


def seconds(argv: list[str], repeat: int) -> float:
    """Median wall-clock seconds of running ``argv`` (from the project folder) ``repeat`` times."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs per command (default 7); the median is shown")
    repeat = ap.parse_args().repeat
    rows = [("python -c pass", [sys.executable, "-c", "pass"]),
            ("python -m core --help", [sys.executable, "-m", "core", "--help"])]
    rows += [(f"python -m core {s} --help", [sys.executable, "-m", "core", s, "--help"]) for s in SUBCOMMANDS]
    base = None
    print(f"{'command':<32} {'median s':>9} {'x baseline':>11}   ({repeat} runs each)")
    for name, argv in rows:
        s = seconds(argv, repeat)
        base = base or s
        print(f"{name:<32} {s:>9.3f} {s / base:>11.1f}")


if __name__ == "__main__":
    main()
