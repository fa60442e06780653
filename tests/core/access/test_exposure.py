"""The rule "a server bound beyond this computer requires sign-in" (core.access.exposure), address by address."""

import tomllib
from pathlib import Path

import pytest

from core.access import exposure

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("address, local", [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("localhost", True),
    (" LocalHost ", True),
    ("", False), (None, False), ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("10.0.0.1", False),
    ("example.com", False), ("128.0.0.1", False), ("fe80::1", False),
])
def test_loopback(address, local):
    assert exposure.loopback(address) is local


@pytest.mark.parametrize("address, has_accounts, needs", [
    ("127.0.0.1", False, False), ("127.0.0.1", True, True), ("0.0.0.0", False, True), ("0.0.0.0", True, True),
    ("", False, True), ("localhost", True, True),
])
def test_needs_sign_in(address, has_accounts, needs):
    assert exposure.needs_sign_in(address, has_accounts) is needs


def test_the_readme_command_binds_this_computer_only():
    """`python3 dev.py app` runs `streamlit run app.py`, which reads .streamlit/config.toml."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert exposure.loopback(config["server"]["address"])
    assert "--server.address" not in (ROOT / "dev.py").read_text()
