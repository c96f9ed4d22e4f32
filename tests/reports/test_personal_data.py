"""The disclosure export: a ZIP of JSON and files holding every kind of record of one person and
nothing of anyone else; HR only, audited; a CLI command too."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine
from click.testing import CliRunner
from flask_babel import force_locale

from hrfund.applications import delegations
from hrfund.core.audit import AuditEvent
from hrfund.placements import milestones
from hrfund.placements import services as placements
from hrfund.placements.models import Placement
from hrfund.reminders.models import Notification
from hrfund.reports.personal_data import collect_personal_data
from hrfund.training import services as training
from hrfund.training.records import record_training
from tests.conftest import AuthActions
from tests.reports.privacy_world import INSIDE, PDF, Upload, build_world


@pytest.fixture
def world(db):
    with force_locale("en"):
        w = build_world()
        w.placement = db.session.scalar(
            sa.select(Placement).where(Placement.application_id == w.approved.id)
        )
        with time_machine.travel(INSIDE, tick=False):
            placements.confirm_placement(
                w.coordinator, w.placement, host_office="Urban Planning", host_supervisor="Kim"
            )
        with time_machine.travel(date(2026, 10, 5), tick=False):
            placements.start_placement(w.coordinator, w.placement, arrived_on=date(2026, 10, 2))
            w.report = milestones.submit_report(
                w.person,
                w.placement,
                "mid_term",
                "Yamada's mid-term summary",
                Upload(PDF, "mid-term.pdf"),
            )
        program = training.create_program(
            None,
            title_en="English for diplomacy",
            title_ja="外交英語",
            category="language",
            hours=Decimal("20"),
            code="ENG-DIP",
        )
        w.record = record_training(
            w.hr, w.person, program, status="completed", completed_on=date(2025, 12, 1)
        )
        w.other_record = record_training(
            w.hr, w.other, program, status="completed", completed_on=date(2025, 12, 2)
        )
        w.delegation = delegations.create_delegation(
            w.manager, deputy=w.person, starts_on=date(2099, 1, 1), ends_on=date(2099, 1, 31)
        )
        db.session.commit()
        yield w


def _zip(response_or_bytes) -> tuple[dict, zipfile.ZipFile]:
    data = getattr(response_or_bytes, "data", response_or_bytes)
    archive = zipfile.ZipFile(io.BytesIO(data))
    return json.loads(archive.read("data.json")), archive


def test_hr_exports_every_kind_of_record_of_one_person(app, db, world, login_as):
    w = world
    person = AuthActions(app.test_client())
    assert person.login(w.person.email).status_code == 302  # a session of theirs
    hr = login_as("hr")
    response = hr.get(f"/privacy/people/{w.person.id}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    data, archive = _zip(response)

    assert data["profile"]["email"] == "yamada.taro@metro.tokyo.example"
    assert data["profile"]["family_name"] == "山田"
    assert "password_hash" not in data["profile"] and data["profile"]["has_local_password"]
    assert data["roles"] == ["employee"]
    assert {a["id"] for a in data["applications"]} == {
        w.declined.id,
        w.rejected.id,
        w.withdrawn.id,
        w.approved.id,
    }
    declined = next(a for a in data["applications"] if a["id"] == w.declined.id)
    assert declined["statement"] == "Private reasons of Yamada"
    assert [h["action"] for h in declined["history"]][:2] == [
        "applications.create",
        "applications.attach",
    ]
    assert declined["history"][-1]["to_state"] == "declined_by_manager"
    assert [p["id"] for p in data["placements"]] == [w.placement.id]
    placement = data["placements"][0]
    assert {m["kind"] for m in placement["milestones"]} >= {"departure", "arrival", "return"}
    assert placement["reports"][0]["summary"] == "Yamada's mid-term summary"
    assert [r["id"] for r in data["training_records"]] == [w.record.id]
    assert {s["id"] for s in data["language_scores"]} == {
        w.old_unverified.id,
        w.new_unverified.id,
        w.old_verified.id,
    }
    assert (
        {n["id"] for n in data["notifications"]}
        == set(
            db.session.scalars(
                sa.select(Notification.id).where(Notification.user_id == w.person.id)
            )
        )
        >= set(w.person_notifications)
    )
    assert {d["recipient_id"] for d in data["deliveries"]} == {w.person.id}
    assert [d["id"] for d in data["delegations"]] == [w.delegation.id]
    assert data["sessions"] and "key_hash" not in data["sessions"][0]
    assert any(e["action"] == "applications.submit" for e in data["audit_events"])
    # the files: every CV, the report and the certificate, with their bytes
    names = [f["path"] for f in data["files"]]
    assert len([n for n in names if n.endswith("履歴書.pdf")]) == 4
    assert any(n.endswith("mid-term.pdf") for n in names) and any(
        n.endswith("toeic.pdf") for n in names
    )
    for name in names:
        assert archive.read(name) == PDF
    assert data["missing_files"] == []
    # and nothing of anyone else
    text = archive.read("data.json").decode()
    for foreign in ("Sato", "sato.hanako", "Sato's own reasons", "Lee Jiwoo"):
        assert foreign not in text
    assert w.other_rejected.id not in {a["id"] for a in data["applications"]}
    assert w.other_record.id not in {r["id"] for r in data["training_records"]}
    assert w.other_unverified.id not in {s["id"] for s in data["language_scores"]}
    # audited, naming who exported
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "personal_data.export")
    )
    assert event.object_id == str(w.person.id) and event.actor_id == hr.user.id
    assert event.changes["applications"] == 4


def test_only_hr_may_export(app, db, world, login_as):
    url = f"/privacy/people/{world.person.id}/export"
    for role in ("employee", "manager", "coordinator", "auditor", "admin"):
        assert login_as(role).get(url).status_code == 403
    assert app.test_client().get(url).status_code == 302  # to the login page
    assert login_as("hr").get("/privacy/people/999999/export").status_code == 404
    exports = sa.select(sa.func.count()).where(AuditEvent.action == "personal_data.export")
    assert db.session.scalar(exports) == 0  # refused and unknown: nothing exported


def test_the_person_themself_gets_403_for_their_own_export(app, db, world, client, auth):
    auth.login(world.person.email)
    assert client.get(f"/privacy/people/{world.person.id}/export").status_code == 403


def test_the_button_is_on_the_persons_page_for_hr_only(app, db, world, login_as):
    page = f"/training/people/{world.person.id}"
    assert 'id="personal-data-export"' in login_as("hr").get(page).get_data(as_text=True)
    assert 'id="personal-data-export"' not in login_as("auditor").get(page).get_data(as_text=True)


def test_the_export_after_anonymisation_no_longer_holds_the_anonymised(app, db, world):
    from hrfund.reports.retention_jobs import run_retention

    run_retention()
    data, _files = collect_personal_data(world.person)
    assert {a["id"] for a in data["applications"]} == {world.withdrawn.id, world.approved.id}
    assert "Private reasons of Yamada" not in json.dumps(data)


def test_the_cli_writes_the_zip(app, db, world, tmp_path):
    out = tmp_path / "yamada.zip"
    result = CliRunner().invoke(
        app.cli,
        ["personal-data", "export", "YAMADA.taro@metro.tokyo.example", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    data, _archive = _zip(out.read_bytes())
    assert data["user_id"] == world.person.id
    missing = CliRunner().invoke(
        app.cli, ["personal-data", "export", "nobody@example.org", "--out", str(out)]
    )
    assert missing.exit_code == 1 and "no user" in missing.output
    again = CliRunner().invoke(
        app.cli, ["personal-data", "export", str(world.person.id), "--out", str(out)]
    )
    assert again.exit_code == 1 and "cannot write" in again.output  # never overwrites
    huge = CliRunner().invoke(
        app.cli, ["personal-data", "export", "9" * 40, "--out", str(tmp_path / "x.zip")]
    )
    assert huge.exit_code == 1 and "no user" in huge.output
