"""Login throttling per client address and per submitted account (Flask-Limiter)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.auth.sessions import check_password
from hrfund.extensions import db, limiter
from tests import factories
from tests.conftest import TEST_PASSWORD, make_app

WRONG = "wrong-password-1"


@pytest.fixture(scope="module")
def throttled_app(tmp_path_factory):
    """An app with the limiter on and the default login limits."""
    app, cleanup = make_app("sqlite", tmp_path_factory.mktemp("throttle"), RATELIMIT_ENABLED=True)
    yield app
    # The limiter is one object shared by every app: leave it off for the tests that follow.
    limiter.enabled = False
    if cleanup:
        cleanup()


@pytest.fixture
def throttled(throttled_app):
    limiter.enabled = True
    with throttled_app.app_context():
        limiter.reset()
    yield throttled_app
    with throttled_app.app_context():
        limiter.reset()


def _users(app, n: int) -> list[str]:
    with app.app_context():
        emails = [factories.user(["employee"]).email for _ in range(n)]
        db.session.commit()
        db.session.remove()
    return emails


def _client(app, address: str):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def _post(c, email, password=WRONG):
    return c.post("/login", data={"email": email, "password": password}).status_code


def test_one_office_behind_one_address_does_not_share_one_quota(throttled):
    """21 people of one office each mistype once; the 21st then logs in (issue 14)."""
    emails = _users(throttled, 21)
    office = _client(throttled, "10.1.2.3")
    assert [_post(office, email) for email in emails] == [200] * 21
    assert _post(office, emails[-1], TEST_PASSWORD) == 302
    # successful logins do not use up the address's quota either
    for email in emails[:-1]:
        assert _post(_client(throttled, "10.1.2.3"), email, TEST_PASSWORD) == 302


def test_guessing_one_account_is_stopped_from_any_number_of_addresses(throttled):
    target, bystander = _users(throttled, 2)
    limit = 10  # LOGIN_ACCOUNT_RATE_LIMIT: 10 per minute
    codes = [_post(_client(throttled, f"198.51.100.{i}"), target) for i in range(limit + 1)]
    assert codes == [200] * limit + [429]
    # the same for a name without an account: the answer does not tell which exists
    codes = [
        _post(_client(throttled, f"203.0.113.{i}"), "nobody@metro.tokyo.example")
        for i in range(limit + 1)
    ]
    assert codes == [200] * limit + [429]
    # the addresses the guesses came from, and other accounts, are not held up
    assert _post(_client(throttled, "198.51.100.1"), bystander, TEST_PASSWORD) == 302


def test_failures_from_one_address_are_throttled(throttled):
    saved = throttled.config["LOGIN_RATE_LIMIT"]
    throttled.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        c = _client(throttled, "192.0.2.7")
        codes = [_post(c, f"x{i}@metro.tokyo.example") for i in range(4)]
        assert codes == [200, 200, 200, 429]
        assert c.get("/login").status_code == 200  # viewing the form is not limited
        assert _post(_client(throttled, "192.0.2.8"), "y@metro.tokyo.example") == 200
    finally:
        throttled.config["LOGIN_RATE_LIMIT"] = saved


def test_the_owners_browser_is_not_held_up_by_guesses_at_the_account(throttled):
    (target,) = _users(throttled, 1)
    owner = _client(throttled, "10.9.9.9")
    assert _post(owner, target, TEST_PASSWORD) == 302
    owner.post("/logout")
    codes = [_post(_client(throttled, f"198.51.100.{i}"), target) for i in range(11)]
    assert codes[-1] == 429
    assert _post(_client(throttled, "10.9.9.10"), target, TEST_PASSWORD) == 429
    assert _post(owner, target, TEST_PASSWORD) == 302


def test_failed_password_changes_are_limited_per_account(throttled):
    """Someone at a session left open cannot guess the current password: after five wrong ones
    the change is refused (429) even with the right one, and another account is not held up."""
    with throttled.app_context():
        owner, other = factories.user(["employee"]), factories.user(["employee"])
        db.session.commit()
        owner_email, other_email = owner.email, other.email
        db.session.remove()
    client = throttled.test_client()
    assert (
        client.post("/login", data={"email": owner_email, "password": TEST_PASSWORD}).status_code
        == 302
    )
    new = {
        "new_password": "Another-Long-Passphrase-2027",
        "confirm": "Another-Long-Passphrase-2027",
    }
    for _ in range(5):
        wrong = client.post("/profile/password", data={"current_password": "guess", **new})
        assert wrong.status_code == 422
    right = client.post("/profile/password", data={"current_password": TEST_PASSWORD, **new})
    assert right.status_code == 429
    with throttled.app_context():
        assert check_password(
            db.session.scalar(sa.select(User).filter_by(email=owner_email)), TEST_PASSWORD
        )
    second = throttled.test_client()
    assert (
        second.post("/login", data={"email": other_email, "password": TEST_PASSWORD}).status_code
        == 302
    )
    changed = second.post("/profile/password", data={"current_password": TEST_PASSWORD, **new})
    assert changed.status_code == 302
