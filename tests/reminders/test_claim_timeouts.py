"""One SMTP send may not outlast its reminder's claim: else another dispatcher takes the claim
over while the first is still sending, and the e-mail goes out twice. The settings are refused
at start-up when MAIL_TIMEOUT (each wait of a send) is not well below the claim timeout."""

from __future__ import annotations

import pytest

from hrfund import create_app
from hrfund.config import SMTP_WAITS_PER_SEND, Config, get_config


def test_the_defaults_keep_a_send_well_inside_its_claim():
    assert Config.MAIL_TIMEOUT * SMTP_WAITS_PER_SEND <= Config.REMINDER_CLAIM_TIMEOUT_SECONDS


@pytest.mark.parametrize(
    "settings",
    [
        {"MAIL_TIMEOUT": 600},  # one wait as long as the claim
        {"MAIL_TIMEOUT": 61},  # ten waits past it
        {"MAIL_TIMEOUT": 30, "REMINDER_CLAIM_TIMEOUT_SECONDS": 120},
        {"MAIL_TIMEOUT": 0},
        {"MAIL_TIMEOUT": None},
        {"REMINDER_CLAIM_TIMEOUT_SECONDS": 0},
    ],
)
def test_an_smtp_timeout_near_the_claim_timeout_is_refused_at_start(tmp_path, settings):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    with pytest.raises(RuntimeError, match="MAIL_TIMEOUT|REMINDER_CLAIM_TIMEOUT_SECONDS"):
        create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, **settings})


def test_a_short_claim_timeout_starts_with_a_short_enough_smtp_timeout(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": url, "MAIL_TIMEOUT": 6, "REMINDER_CLAIM_TIMEOUT_SECONDS": 60},
    )
    assert app.config["MAIL_TIMEOUT"] == 6


def test_the_smtp_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MAIL_TIMEOUT", "2.5")
    assert get_config("production").from_environment()["MAIL_TIMEOUT"] == 2.5
    monkeypatch.setenv("MAIL_TIMEOUT", "soon")
    with pytest.raises(RuntimeError, match="MAIL_TIMEOUT"):
        get_config("production").from_environment()
