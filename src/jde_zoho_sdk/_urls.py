"""Checks on the base URLs a user configures: encrypted off this machine, and no credentials inside.

Both clients send secrets on every call (the AIS password and session token, Zoho's client secret and
access tokens), so a plain ``http://`` URL to another host would put them on the network in clear text.
Loopback hosts are exempt (the emulators and local tunnels); anything else needs an explicit opt-in.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult

__all__ = ["is_loopback", "url_problem"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address, IPv6 with or without brackets) is this machine."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(parts: SplitResult, *, allow_insecure_http: bool) -> str | None:
    """What makes a configured base URL unsafe to send secrets to, or ``None``.

    Args:
        parts: The URL, split (scheme and host already known to be present).
        allow_insecure_http: Accept ``http://`` to a host other than this machine.

    Returns:
        A sentence naming the problem; it never repeats the URL, which may hold a password.
    """
    if parts.username is not None or parts.password is not None:
        return "it holds credentials (user:password@); give them as the client's credentials, not in the URL"
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback(parts.hostname or ""):
        return (
            "plain http would send the password and tokens unencrypted; use https "
            "(http is accepted for this machine's loopback addresses, or with allow_insecure_http=True)"
        )
    return None
