"""Migrations: one head, upgrade and downgrade work, and models agree with migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from hrfund.extensions import db as _db
from tests.conftest import make_app


def _script(app) -> ScriptDirectory:
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def test_one_head_only(app):
    with app.app_context():
        heads = _script(app).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}; chain them"


def _for_another_backend(name: str, dialect: str) -> bool:
    """An index the models declare for one backend only (``.ddl_if(dialect=…)``); alembic's
    diff holds a copy without that condition, so look the model's index up by name."""
    declared = {i.name: i for t in _db.metadata.tables.values() for i in t.indexes}
    condition = getattr(declared.get(name), "_ddl_if", None)
    return condition is not None and condition.dialect not in (None, dialect)


def test_models_and_migrations_agree(app):
    with app.app_context(), _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        dialect = connection.dialect.name
        diff = [
            d
            for d in compare_metadata(context, _db.metadata)
            # expression indexes cannot be reflected on every backend; they are in the
            # migration by hand (uq_users_email_lower)
            if not (d[0] in ("add_index", "remove_index") and d[1].name == "uq_users_email_lower")
            and not (d[0] == "add_index" and _for_another_backend(d[1].name, dialect))
        ]
    assert diff == [], f"models differ from migrations: {diff}"


def test_downgrade_to_base_and_back(app, tmp_path):
    backend = (
        "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgres") else "sqlite"
    )
    fresh, cleanup = make_app(backend, tmp_path)
    try:
        with fresh.app_context():
            downgrade(revision="base")
            tables = _db.inspect(_db.engine).get_table_names()
            assert set(tables) <= {"alembic_version"}
            upgrade()
            assert "audit_events" in _db.inspect(_db.engine).get_table_names()
            _db.engine.dispose()
    finally:
        if cleanup:
            cleanup()
