"""Auditors read the directory sign-in page as they read every settings page: what is in
force, no form; a POST is refused and changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from hrfund.auth import directory_login
from hrfund.core.audit import AuditEvent


def test_the_auditor_reads_the_directory_settings_without_a_form(db, login_as):
    auditor = login_as("auditor")
    page = auditor.get("/admin/directory")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "LDAP_URL" in text and 'id="local-passwords"' in text
    assert '<form method="post" class="mb-4"' not in text and 'name="local_passwords"' not in text
    assert 'href="/admin/directory"' in auditor.get("/admin/users").get_data(as_text=True)

    before = directory_login.local_passwords_allowed()
    refused = auditor.post("/admin/directory", data={"submit": "Save"})
    assert refused.status_code == 403
    assert directory_login.local_passwords_allowed() is before
    assert (
        db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "setting.update"))
        is None
    )


def test_the_admin_still_has_the_form(db, login_as):
    text = login_as("admin").get("/admin/directory").get_data(as_text=True)
    assert 'name="local_passwords"' in text and 'id="local-passwords"' not in text
