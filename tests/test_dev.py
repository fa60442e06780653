"""dev.py, the README's two commands: the environment the app and the tests run in."""

import subprocess
import sys

import dev


def test_compiled_modules_are_kept_under_the_venv_even_when_the_shell_forbids_bytecode(monkeypatch):
    """With PYTHONDONTWRITEBYTECODE set, every worker, server and CLI run compiled every module from source."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("RETENTION_SOMETHING", "kept")
    env = dev.child_env()
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["RETENTION_SOMETHING"] == "kept"
    out = subprocess.run([sys.executable, "-c", "import sys; print(sys.dont_write_bytecode, sys.pycache_prefix)"],
                         env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", str(dev.VENV / "pycache")]
