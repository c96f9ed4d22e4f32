"""A list's person is joined for the name alone: roles and managed departments wait until asked."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from hrfund.auth.models import ApiToken, Role, named_person
from hrfund.auth.services import create_api_token
from tests import factories


def _token_of_a_manager(db):
    heads = factories.department()
    manager = factories.user(["employee", "manager"], manages=[heads])
    create_api_token(manager, manager, "list")
    code = heads.code
    db.session.commit()
    db.session.expunge_all()
    return code


def _load(db, app, query_counter, option):
    with query_counter() as count:
        token = db.session.scalars(sa.select(ApiToken).options(option)).one()
        statements = count()
    return token.user, statements


def test_named_person_loads_neither_roles_nor_managed_departments(app, db, query_counter):
    _token_of_a_manager(db)
    person, statements = _load(db, app, query_counter, named_person(ApiToken.user))
    assert statements == 1
    assert {"role_rows", "managed_departments"} <= sa.inspect(person).unloaded


def test_a_plain_join_loads_both_which_is_what_named_person_spares(app, db, query_counter):
    _token_of_a_manager(db)
    person, statements = _load(db, app, query_counter, so.joinedload(ApiToken.user))
    assert statements == 3  # the token with its user, then the two selectin loads
    assert not {"role_rows", "managed_departments"} & sa.inspect(person).unloaded


def test_roles_and_departments_of_a_named_person_still_load_when_asked(app, db, query_counter):
    code = _token_of_a_manager(db)
    person, _ = _load(db, app, query_counter, named_person(ApiToken.user))
    assert person.roles == {Role.EMPLOYEE, Role.MANAGER}
    assert person.has_role(Role.MANAGER)
    assert [d.code for d in person.managed_departments] == [code]
