"""Who lists accounts: administrators, HR and auditors all of them; anyone else only
themselves. The admin page also checks the role; this is the scope under it (found by
`make mutation`: no test failed when ``visible_users`` stopped filtering)."""

from __future__ import annotations

from hrfund.auth.services import visible_users
from tests import factories


def test_only_admins_hr_and_auditors_list_other_accounts(app, db):
    people = {
        role: factories.user([role], city_code="SEL")
        for role in ("admin", "hr", "auditor", "employee", "coordinator", "manager")
    }
    db.session.commit()
    everyone = set(db.session.scalars(visible_users(people["admin"])).all())
    assert set(people.values()) <= everyone
    for role in ("hr", "auditor"):
        assert set(db.session.scalars(visible_users(people[role])).all()) == everyone, role
    for role in ("employee", "coordinator", "manager"):
        assert db.session.scalars(visible_users(people[role])).all() == [people[role]], role
