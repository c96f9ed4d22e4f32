"""The registry behind the autouse SMTP block in tests/conftest.py.

A test may reach an SMTP server only on loopback and only on a port that a test server
(aiosmtpd) registered here; every other connection is refused and recorded.
"""

from __future__ import annotations

import smtplib

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
TEST_PORTS: set[int] = set()
BLOCKED: list[tuple[str, int]] = []
_real_connect = smtplib.SMTP.connect


def allow(port: int) -> None:
    """Let tests connect to the aiosmtpd server on ``127.0.0.1:port``."""
    TEST_PORTS.add(port)


def guarded_connect(self, host="localhost", port=0, source_address=None):
    if not port and host.count(":") == 1:
        host, _, tail = host.partition(":")
        port = int(tail) if tail.isdigit() else 0
    port = port or smtplib.SMTP_PORT
    if host not in LOOPBACK or port not in TEST_PORTS:
        BLOCKED.append((host, port))
        raise ConnectionRefusedError(f"real SMTP is blocked in tests: {host}:{port}")
    return _real_connect(self, host, port, source_address)
