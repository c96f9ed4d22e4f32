"""First directory sign-ins of one person raced through real PostgreSQL connections: one
account is created, every sign-in succeeds (the losers update the winner's record)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.auth.sessions import authenticate
from hrfund.extensions import db
from tests.conftest import make_app
from tests.ldap_server import STAFF_PASSWORD

pytestmark = pytest.mark.postgres_only

SIGN_INS = 4


@pytest.fixture(scope="module")
def race_app(app, slapd, tmp_path_factory):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("needs real concurrent connections (PostgreSQL)")
    options = {"pool_pre_ping": True, "pool_size": SIGN_INS + 2}
    race, cleanup = make_app(
        "postgresql",
        tmp_path_factory.mktemp("race"),
        SQLALCHEMY_ENGINE_OPTIONS=options,
        **slapd.config(),
    )
    yield race
    with race.app_context():
        db.engine.dispose()
    cleanup()


def test_concurrent_first_sign_ins_create_one_account(race_app):
    barrier = threading.Barrier(SIGN_INS)
    results: list = []

    def sign_in():
        with race_app.app_context():
            barrier.wait(timeout=30)
            try:
                user = authenticate("tsuzuki", STAFF_PASSWORD)
                db.session.commit()
                results.append(user.id)
            except Exception as error:  # noqa: BLE001 - reported below
                db.session.rollback()
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign_in) for _ in range(SIGN_INS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, int) for r in results), results
    with race_app.app_context():
        ids = db.session.scalars(sa.select(User.id).where(User.directory_uid == "tsuzuki")).all()
    assert len(ids) == 1 and set(results) == set(ids)
