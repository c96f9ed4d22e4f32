"""A partner city's exchange balance and agreements (coordinator portal, /cities/<code>/...)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.auth.models import Role
from hrfund.core.errors import NotFound
from hrfund.core.form_checks import run_with_form
from hrfund.core.permissions import may_open, roles_required
from hrfund.extensions import db
from hrfund.org.services import get_city_by_code
from hrfund.placements import nominations as service
from hrfund.placements.blueprint import bp
from hrfund.placements.forms import (
    AgreementForm,
)
from hrfund.placements.models import ExchangeAgreement


def _city_in_scope(code: str):
    city = get_city_by_code(code)
    if current_user.has_role(Role.HR, Role.AUDITOR) or current_user.city_id == city.id:
        return city
    raise NotFound(_("No partner city with code %(code)s.", code=code))


@bp.route("/cities/<code>/exchanges")
@roles_required(Role.HR, Role.AUDITOR, Role.COORDINATOR)
def exchanges(code: str):
    city = _city_in_scope(code)
    agreements = db.session.scalars(
        sa.select(ExchangeAgreement)
        .where(ExchangeAgreement.city_id == city.id)
        .order_by(ExchangeAgreement.starts_on.desc())
    ).all()
    return render_template(
        "placements/exchanges.html",
        city=city,
        agreements=agreements,
        balance=service.exchange_balance(city),
        can_edit=may_open("placements.new_agreement"),
    )


@bp.route("/cities/<code>/agreements/new", methods=["GET", "POST"])
@roles_required(Role.HR)
def new_agreement(code: str):
    city = _city_in_scope(code)
    form = AgreementForm()
    agreement = run_with_form(  # the form's errors and the service's, on the first submit
        form,
        lambda: service.create_agreement(
            current_user,
            city=city,
            title=form.title.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            outgoing_people=form.outgoing_people.data,
            outgoing_person_months=form.outgoing_person_months.data,
            incoming_people=form.incoming_people.data,
            incoming_person_months=form.incoming_person_months.data,
        ),
    )
    if agreement is not None:
        flash(_("The agreement is saved."), "success")
        return redirect(url_for("placements.exchanges", code=city.code))
    status = 422 if form.is_submitted() else 200
    return render_template("placements/agreement_form.html", form=form, city=city), status
