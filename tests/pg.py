"""A real PostgreSQL server for the tests: started once per session (per xdist worker) on a free local port in a
temporary folder, stopped at the end.

``pg_server`` (session) is the running server; ``pg_server.new_database()`` gives the URL of a fresh, empty
database, so each test module owns its own. ``pg_url`` is one such database for the session.

The binaries (``initdb``, ``pg_ctl``) are looked for on PATH, then in Debian's ``/usr/lib/postgresql/*/bin``.
PostgreSQL refuses to run as root: as root, the server runs as the unprivileged user ``nobody`` (via ``runuser``
or ``setpriv``) in a folder that user owns. With ``CI=true`` a missing server is a failure, never a skip.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

#: the unprivileged user the server runs as when the tests run as root
SERVER_USER = "nobody"
_SUPERUSER = "postgres"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def pg_bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: on PATH first, then the newest Debian install; None if none."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(debian[-1]).parent if debian else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user() -> list[str]:
    """The command prefix that runs a program as :data:`SERVER_USER` (empty when not root)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser"):
        return ["runuser", "-u", SERVER_USER, "--"]
    if shutil.which("setpriv"):
        return ["setpriv", "--reuid", SERVER_USER, "--regid", "nogroup", "--init-groups"]
    raise RuntimeError("PostgreSQL cannot run as root and neither runuser nor setpriv is available")


class PgServer:
    """A throw-away PostgreSQL cluster: :meth:`start`, :meth:`new_database`, :meth:`stop`."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self._prefix = _as_server_user()
        # as root, in /tmp itself: the server's user must reach the folder (a TMPDIR under /root it could not)
        self.folder = Path(tempfile.mkdtemp(prefix="retention-pg-", dir="/tmp" if self._prefix else None))
        self.data = self.folder / "data"
        self.port = 0
        self._names = itertools.count(1)
        if self._prefix:
            shutil.chown(self.folder, user=SERVER_USER)

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._prefix, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr[-2000:]}\n{tail}")

    def start(self) -> PgServer:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", _SUPERUSER, "-E", "UTF8",
                  "--locale=C", "--no-sync")
        for attempt in range(3):  # another process may take the free port between the check and the start
            self.port = _free_port()
            opts = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c full_page_writes=off"
            try:
                self._run(str(self.bin / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data),
                          "-l", str(self.folder / "server.log"), "-o", opts)
                return self
            except RuntimeError:
                if attempt == 2:
                    raise
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{_SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self, name: str | None = None) -> str:
        """Create an empty database (``retention_N`` unless named); returns its SQLAlchemy URL."""
        import psycopg

        name = name or f"retention_{next(self._names)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={_SUPERUSER} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self._prefix, str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast",
                            "-w"], capture_output=True, timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    """A running PostgreSQL server for the session; skipped (failed with ``CI=true``) if none is installed."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        reason = "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin)"
        if _in_ci():
            pytest.fail(f"{reason}: CI must run the PostgreSQL tests (.ci/run installs it)")
        pytest.skip(reason)
    server = PgServer(bin_dir)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server) -> str:
    """One empty PostgreSQL database for the session (tests that write into it must not need it empty)."""
    return pg_server.new_database("retention")
