"""The baseline: bare Flask + Flask-SQLAlchemy on hrfund's database, none of hrfund's layers.

One page, ``/``, renders 50 applications joined to their applicants and departments, newest
first, in a plain Jinja table: the same kind of work as hrfund's HR applications list.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/hrfund_bench \\
        gunicorn -w 2 bench.baseline:app
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, render_template_string, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Department(db.Model):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str]
    name_en: Mapped[str]


class User(db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]
    family_name_romaji: Mapped[str]
    given_name_romaji: Mapped[str]
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    department: Mapped[Department | None] = relationship()


class Application(db.Model):
    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str]
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[object] = mapped_column(sa.DateTime(timezone=True))
    applicant: Mapped[User] = relationship()


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Applications</title></head><body>
<h1>Applications</h1>
<table>
<tr><th>#</th><th>Applicant</th><th>E-mail</th><th>Department</th><th>Status</th><th>Updated</th></tr>
{% for a in rows %}<tr><td>{{ a.id }}</td>
<td>{{ a.applicant.given_name_romaji }} {{ a.applicant.family_name_romaji }}</td>
<td>{{ a.applicant.email }}</td>
<td>{{ a.applicant.department.name_en if a.applicant.department else "" }}</td>
<td>{{ a.status }}</td><td>{{ a.updated_at.strftime("%Y-%m-%d %H:%M") }}</td></tr>
{% endfor %}</table></body></html>
"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)

    @app.route("/")
    def applications():
        page = max(1, request.args.get("page", 1, type=int))
        rows = db.session.scalars(
            sa.select(Application)
            .options(sa.orm.selectinload(Application.applicant).selectinload(User.department))
            .order_by(Application.updated_at.desc(), Application.id.desc())
            .limit(50)
            .offset((page - 1) * 50)
        ).all()
        return render_template_string(PAGE, rows=rows)

    return app


app = create_app() if os.environ.get("DATABASE_URL") else None
