"""The autouse SMTP block (tests/conftest.py): outside a test server, no test sends real mail."""

from __future__ import annotations

import smtplib

import pytest

from hrfund.core.mail import MailError, send_mail
from tests import smtp_guard


@pytest.mark.parametrize(
    ("host", "port"),
    [("smtp.example.org", 25), ("mail.example.com", 587), ("127.0.0.1", 25), ("::1", 2525)],
)
def test_real_smtp_is_refused(app, monkeypatch, host, port):
    monkeypatch.setitem(app.config, "MAIL_SERVER", host)
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    before = len(smtp_guard.BLOCKED)
    with app.app_context(), pytest.raises(MailError, match="blocked in tests"):
        send_mail("someone@example.org", "subject", "body")
    assert smtp_guard.BLOCKED[before:] == [(host, port)]
    print(f"SMTP guard: {host}:{port} refused, {len(smtp_guard.BLOCKED)} blocked so far")


def test_host_with_port_in_one_string_is_refused():
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP("smtp.example.org:465", timeout=1)
    assert smtp_guard.BLOCKED[-1] == ("smtp.example.org", 465)


def test_registered_loopback_server_is_reached(app, smtp, monkeypatch):
    smtp.start()
    with app.app_context():
        send_mail("someone@example.org", "subject", "body")
    assert len(smtp.to("someone@example.org")) == 1
