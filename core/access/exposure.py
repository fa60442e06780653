"""The rule "a server bound beyond this computer requires sign-in".

On this computer only (a loopback address) a store without accounts is a single-user tool: no sign-in, everyone
is the local admin. A server any other machine can reach (any other address, or every interface) needs accounts
and a sign-in; without an account it shows only :data:`REFUSAL`.
"""

from __future__ import annotations

import ipaddress

#: what a server bound beyond this computer shows on a store without accounts (and nothing else)
REFUSAL = ("This workbench is served beyond this computer and has no accounts: add an admin first: "
           "python -m core users add NAME --role admin")


def loopback(address: str | None) -> bool:
    """Whether a server bound to ``address`` is reachable from this computer only: 127.0.0.0/8, ::1 or localhost.
    Empty, ``0.0.0.0`` and ``::`` (every interface), and any other address or host name, are not."""
    a = str(address or "").strip().strip("[]").lower()
    if a == "localhost":
        return True
    try:
        return ipaddress.ip_address(a).is_loopback
    except ValueError:
        return False


def needs_sign_in(address: str | None, has_accounts: bool) -> bool:
    """Whether a session must sign in: the store has accounts, or the server is bound beyond this computer."""
    return bool(has_accounts) or not loopback(address)
