"""Set-up and run the workbench with one command, on a machine that has only Python 3.11.

    python3 dev.py app    # create .venv if needed, install the pinned packages, open the app
    python3 dev.py test   # same set-up, then run the whole test suite (extra args go to pytest)

Standard library only: it must work before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
REQS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt", ROOT / "constraints.txt"]
STAMP = VENV / ".requirements.sha256"
PYCACHE = VENV / "pycache"


def ensure_env() -> None:
    """Create the virtual environment and install the pins when they changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py runs under whatever python3 the user has)
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    want = hashlib.sha256(b"".join(p.read_bytes() for p in REQS)).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != want:
        print("Installing pinned packages (first run takes a minute) ...", flush=True)
        # --no-compile: Python compiles a module the first time it is imported instead of pip compiling every
        # file of every package up front (the install: 69 s down to 44 s on a clean clone)
        subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
                        "-r", str(ROOT / "requirements-dev.txt")], check=True)
        STAMP.write_text(want)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("app", "test"):
        print(__doc__)
        return 2
    ensure_env()
    os.chdir(ROOT)
    if argv[0] == "app":
        cmd = [str(PY), "-m", "streamlit", "run", "app.py", *argv[1:]]
    else:
        # the test files spread over one worker per CPU plus two (pytest-xdist): the browser tests spend much of
        # their time waiting on their server and Chromium, which the extra workers fill (the browser tests alone:
        # 390 s on 2 workers, 338 s on 3; the whole suite 1,162 s on 3 workers, 1,100 s on 4 with the CPUs 98 % busy;
        # on 2 CPUs); a file's tests kept together on one worker so its module fixtures (a store built once) are
        # built once; the files taken in the suite's order, longest first (tests/conftest.py), not re-sorted by
        # their number of tests (--no-loadscope-reorder); arguments given after "test" come last and win
        cmd = [str(PY), "-m", "pytest", "-n", str((os.cpu_count() or 1) + 2), "--dist", "loadfile",
               "--no-loadscope-reorder", *argv[1:]]
    return subprocess.call(cmd, env=child_env())


def child_env() -> dict[str, str]:
    """The environment of the app or the tests: compiled modules kept under .venv and reused.

    A shell with PYTHONDONTWRITEBYTECODE set (some CI images set it) makes every Python process compile every
    module it imports from source: 6.8 s to import the workbench's libraries instead of 2.7 s, paid again by
    each test worker, each browser test's server and each CLI run. The compiled files go to .venv/pycache, so
    the source tree stays clean either way."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
