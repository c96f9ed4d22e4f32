"""Pages of delegations: the list (all of them for HR and auditors), naming a deputy, ending
one early. The rules are in ``delegations``."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrfund.applications import delegations as service
from hrfund.applications.blueprint import bp
from hrfund.applications.forms import DelegationForm, EndDelegationForm
from hrfund.auth.models import Role
from hrfund.auth.services import get_user_by_email
from hrfund.core.errors import FORM_REFUSALS, ValidationFailed
from hrfund.core.form_checks import check_with_form
from hrfund.core.forms import show_errors
from hrfund.core.pagination import paginate, parse_page_args
from hrfund.core.permissions import refuse, roles_required

FILTERS = ("principal", "deputy", "state")


@bp.route("/delegations", methods=["GET", "POST"])
@roles_required(*service.READERS)
def delegations():
    form = DelegationForm()
    status = 200
    if request.method == "POST":
        if not service.can_create(current_user):
            refuse("only managers and HR officers name deputies")
        deputy = get_user_by_email(form.deputy.data) if form.deputy.data else None
        period = {"starts_on": form.starts_on.data, "ends_on": form.ends_on.data}
        # the deputy's notice is queued on creation: the pure checks run with the form's
        # own, and the service only once both pass
        status = 422
        if check_with_form(
            form, lambda: service.check_delegation(current_user, deputy=deputy, **period)
        ):
            try:
                service.create_delegation(current_user, deputy=deputy, **period)
            except FORM_REFUSALS as error:
                show_errors(form, error)
                status = 409 if error.status == 409 else 422
            else:
                flash(_("Your deputy is named."), "success")
                return redirect(url_for("applications.delegations"))
    return _list_page(form, status)


def _list_page(form: DelegationForm, status: int):
    page, per_page = parse_page_args(request.args, current_app.config["PAGE_SIZE"], 200)
    filters = {name: (request.args.get(name) or "").strip() or None for name in FILTERS}
    try:
        stmt = service.filtered_delegations(current_user, **filters)
    except ValidationFailed as error:  # say which filter is wrong and show everything else
        flash(" ".join([error.message, *error.fields.get("state", [])]), "warning")
        stmt = service.filtered_delegations(current_user, **(filters | {"state": None}))
    return render_template(
        "applications/delegations.html",
        form=form,
        page=paginate(stmt, page, per_page),
        filters=filters,
        state_of=service.state_of,
        can_create=service.can_create(current_user),
        can_end=lambda d: service.can_end(current_user, d),
        sees_all=current_user.has_role(Role.HR, Role.AUDITOR),
    ), status


@bp.route("/delegations/<int:delegation_id>/end", methods=["GET", "POST"])
@roles_required(Role.MANAGER, Role.HR)
def end_delegation(delegation_id: int):
    delegation = service.get_delegation_or_404(delegation_id, current_user)
    if not service.may_end(current_user, delegation):
        refuse("only the principal or HR ends a delegation")
    form = EndDelegationForm()
    status = 200
    if form.validate_on_submit():
        try:
            service.end_delegation(current_user, delegation, comment=form.comment.data)
        except FORM_REFUSALS as error:
            flash(error.message, "danger")
            return redirect(url_for("applications.delegations")), 303
        flash(_("The delegation has ended: the deputy's powers end now."), "success")
        return redirect(url_for("applications.delegations"))
    elif form.is_submitted():
        status = 422
    if not service.can_end(current_user, delegation):
        flash(_("This delegation has already ended."), "warning")
        return redirect(url_for("applications.delegations")), 303
    return render_template(
        "applications/delegation_end.html", delegation=delegation, form=form
    ), status
