"""`python -m core ... | head`: when the reader closes the pipe early the command stops quietly (exit 141, as a
shell reports SIGPIPE), never "error: Broken pipe: None" (issue 19)."""

import subprocess
import sys
from pathlib import Path

import core
from core.cli.main import EXIT_PIPE_CLOSED, main

ROOT = Path(__file__).resolve().parents[3]


class _ClosedPipe:
    """A stdout whose reader has gone: every write fails as a closed pipe does."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


def _store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 's.db'}"
    eng = core.make_engine(url)
    core.commit_import(eng, core.prepare_import(eng, b"customer_id\nA\nB\n", "a.csv", "customers"))
    eng.dispose()
    return url


def test_a_closed_pipe_ends_the_command_quietly(tmp_path, monkeypatch, capsys):
    url = _store(tmp_path)
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["--db", url, "status"]) == EXIT_PIPE_CLOSED
    assert capsys.readouterr().err == ""


def test_a_command_piped_into_a_reader_that_stops_after_one_line(tmp_path):
    url = _store(tmp_path)
    # a reader that takes one line and closes the pipe while the command still writes 200,000 lines of status
    script = ("import sys\nfrom core.cli import status\nfrom core.cli.main import main\n"
              "real = status.run\n"
              "def run(engine, args):\n"
              "    for i in range(200_000):\n"
              "        print('line', i)\n"
              "    return real(engine, args)\n"
              "status.run = run\n"
              f"sys.exit(main(['--db', {url!r}, 'status']))\n")
    writer = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    first = writer.stdout.readline()
    writer.stdout.close()
    err = writer.stderr.read().decode()
    assert writer.wait(timeout=120) == EXIT_PIPE_CLOSED
    assert first == b"line 0\n"
    assert "Broken pipe" not in err and "Traceback" not in err and err == ""
