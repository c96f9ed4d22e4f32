"""The trial behind "every error at once" (core.apiblueprint.with_service_errors): the route,
run on a refused body's readable fields inside a savepoint, leaves nothing behind — not a
broken session after a failed flush, not a notice to send, not a log line of a booking that
never happened — and hides no real error behind the 400."""

from __future__ import annotations

import io
import logging

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from hrfund.core.apiblueprint import SchemaRefused, with_service_errors
from hrfund.core.audit import AuditEvent, record_event
from hrfund.core.errors import ValidationFailed
from hrfund.core.logging import configure_logging


def _refused() -> SchemaRefused:
    return SchemaRefused("Some fields are not valid.", {"memo": ["Too long."]}, {})


def _events(db, action: str) -> int:
    stmt = sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    return db.session.scalar(stmt)


def test_a_trial_failing_in_the_database_leaves_the_session_usable(app, db):
    with app.test_request_context("/api/v1/fund/contributions", method="POST"):
        record_event(None, "test.before_trial", object_type="thing", object_id=1)

        def trial():
            record_event(None, "test.in_trial", object_type="thing", object_id=2)
            db.session.add(AuditEvent(action="test.no_actor_label"))  # NOT NULL refused
            db.session.flush()

        error = with_service_errors(_refused(), trial)
        assert error.fields == {"memo": ["Too long."]}
        assert not db.session().in_nested_transaction()
        # usable, the trial gone, what the request did before it kept
        assert _events(db, "test.in_trial") == 0
        assert _events(db, "test.before_trial") == 1


def test_a_service_refusal_is_added_and_its_writes_rolled_back(app, db):
    with app.test_request_context("/api/v1/x", method="POST"):

        def trial():
            record_event(None, "test.in_trial", object_type="thing", object_id=3)
            raise ValidationFailed("No.", fields={"ends_on": ["The end is before the start."]})

        error = with_service_errors(_refused(), trial)
        assert error.fields == {"memo": ["Too long."], "ends_on": ["The end is before the start."]}
        assert _events(db, "test.in_trial") == 0


def test_a_real_error_in_the_trial_is_not_hidden_behind_the_400(app, db):
    with app.test_request_context("/api/v1/x", method="POST"):

        def trial():
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

        with pytest.raises(OperationalError):
            with_service_errors(_refused(), trial)


def test_a_none_for_a_refused_field_is_no_error(app, db):
    with app.test_request_context("/api/v1/x", method="POST"):

        def trial():
            return None + 1  # what a service does with the None of a refused amount

        assert with_service_errors(_refused(), trial).fields == {"memo": ["Too long."]}


def test_the_trial_leaves_nothing_in_the_session_info_nor_a_file(app, db, tmp_path):
    from hrfund.core.files import NEW_FILES
    from hrfund.reminders.notices import PENDING

    kept, written = tmp_path / "kept", tmp_path / "written"
    kept.write_bytes(b"before the trial")
    with app.test_request_context("/api/v1/x", method="POST"):
        db.session.info[PENDING] = [1]
        db.session.info[NEW_FILES] = [kept]

        def trial():
            db.session.info[PENDING].append(2)  # as a notice's e-mail does
            written.write_bytes(b"a stored file whose row the savepoint takes back")
            db.session.info[NEW_FILES].append(written)

        with_service_errors(_refused(), trial)
        assert db.session.info[PENDING] == [1] and db.session.info[NEW_FILES] == [kept]
        assert kept.exists() and not written.exists()


@pytest.fixture
def log_stream(app, monkeypatch):
    """A plain handler on the root logger, filtered as configure_logging filters the app's."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    levels = {}
    for name in ("", "hrfund", "hrfund.fund", "hrfund.fund.posting", "hrfund.test"):
        logger = logging.getLogger(name)  # alembic's fileConfig leaves the root at WARNING
        monkeypatch.setattr(logger, "disabled", False)
        levels[logger] = logger.level
        logger.setLevel(logging.INFO if not name else logging.NOTSET)  # clears the level cache
    configure_logging(app)
    yield stream
    root.removeHandler(handler)
    for logger, level in levels.items():
        logger.setLevel(level)


def test_a_booking_the_trial_rolled_back_is_not_logged(api_as, db, log_stream):
    hr = api_as("hr")
    body = {"amount_jpy": 5000, "received_on": "2026-05-01"}
    refused = hr.post(
        "/api/v1/fund/contributions", json=body | {"memo": "x" * 2001}, headers=hr.headers
    )
    assert refused.status_code == 400 and set(refused.json["error"]["fields"]) == {"memo"}
    assert "fund contribution" not in log_stream.getvalue()
    booked = hr.post("/api/v1/fund/contributions", json=body, headers=hr.headers)
    assert booked.status_code == 201
    assert "fund contribution" in log_stream.getvalue()  # the same line, when it happened


def test_the_trial_of_another_request_does_not_silence_this_one(app, db, log_stream):
    from hrfund.core.logging import in_trial

    log = logging.getLogger("hrfund.test")
    marked = in_trial.set(True)
    log.warning("a warning of a trial")
    log.info("an info of a trial")
    in_trial.reset(marked)
    log.info("an info of the request")
    text = log_stream.getvalue()
    assert "a warning of a trial" in text and "an info of a trial" not in text
    assert "an info of the request" in text
