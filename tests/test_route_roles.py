"""Every route of the app, for anonymous and each role: the answer the route must give.

A route missing from ROUTES fails the test, so a new page or endpoint cannot ship without
declaring who may use it. "ok" means the role check let the request through (the answer is
neither 401, 403 nor a redirect to the login page); "forbidden" is 403; "login" is a redirect
to the login page; "unauthorized" is 401 (API).
"""

from __future__ import annotations

import pytest

ROLES = ("employee", "manager", "hr", "coordinator", "auditor", "admin")


def only(*roles: str, api: bool = False) -> dict[str, str]:
    table = {"anon": "unauthorized" if api else "login"}
    table.update({role: "ok" if not roles or role in roles else "forbidden" for role in ROLES})
    return table


def everyone(api: bool = False) -> dict[str, str]:
    return only(api=api)


PUBLIC = {"anon": "ok", **{role: "ok" for role in ROLES}}
RECORD_READERS = only("employee", "manager", "hr", "auditor", "admin")  # not coordinators

# (endpoint, method): (url arguments, expected answer per role)
ROUTES: dict[tuple[str, str], tuple[dict, dict[str, str]]] = {
    ("static", "GET"): ({"filename": "css/app.css"}, PUBLIC),
    ("bootstrap.static", "GET"): ({"filename": "css/bootstrap.min.css"}, PUBLIC),
    ("core.index", "GET"): ({}, everyone()),
    ("core.favicon", "GET"): ({}, PUBLIC),
    ("health.healthz", "GET"): ({}, PUBLIC),
    ("health.readyz", "GET"): ({}, PUBLIC),
    ("core.audit", "GET"): ({}, only("hr", "auditor")),
    ("reports.dashboard", "GET"): ({}, everyone()),
    ("core.audit_export", "GET"): ({"fmt": "csv"}, only("hr", "auditor")),
    ("applications.calls_export", "GET"): ({"fmt": "csv"}, only("hr", "auditor")),
    ("placements.nominations_export", "GET"): ({"fmt": "csv"}, only("hr", "auditor")),
    ("reminders.deliveries_export", "GET"): ({"fmt": "csv"}, only("hr", "auditor", "admin")),
    ("reports.fiscal_year_index", "GET"): ({}, only("hr", "auditor")),
    ("reports.fiscal_year", "GET"): ({"fy": 2026}, only("hr", "auditor")),
    ("reports.fiscal_year_xlsx", "GET"): ({"fy": 2026}, only("hr", "auditor")),
    ("reports.retention_periods", "GET"): ({}, only("hr", "auditor")),
    ("reports.personal_data_export", "GET"): ({"user_id": 999999}, only("hr")),
    ("auth.login", "GET"): ({}, PUBLIC),
    ("auth.login", "POST"): ({}, PUBLIC),
    ("auth.logout", "POST"): ({}, everyone()),
    ("auth.set_language", "POST"): ({}, PUBLIC),
    ("auth.profile", "GET"): ({}, everyone()),
    ("auth.update_settings", "POST"): ({}, everyone()),
    ("auth.change_password", "POST"): ({}, everyone()),
    ("auth.create_token", "POST"): ({}, everyone()),
    ("auth.revoke_token", "POST"): ({"token_id": 999999}, everyone()),
    ("auth.revoke_all_tokens", "GET"): ({}, everyone()),
    ("auth.revoke_all_tokens", "POST"): ({}, everyone()),
    ("admin.users", "GET"): ({}, only("admin", "auditor")),
    ("admin.new_user", "GET"): ({}, only("admin")),
    ("admin.new_user", "POST"): ({}, only("admin")),
    ("admin.edit_user", "GET"): ({"user_id": 999999}, only("admin", "auditor")),
    ("admin.edit_user", "POST"): ({"user_id": 999999}, only("admin")),
    ("admin.deactivate_user", "GET"): ({"user_id": 999999}, only("admin")),
    ("admin.deactivate_user", "POST"): ({"user_id": 999999}, only("admin")),
    ("admin.activate_user", "POST"): ({"user_id": 999999}, only("admin")),
    ("admin.reset_password", "POST"): ({"user_id": 999999}, only("admin")),
    ("admin.unlock_user", "POST"): ({"user_id": 999999}, only("admin")),
    ("directory_admin.settings", "GET"): ({}, only("admin", "auditor")),
    ("directory_admin.settings", "POST"): ({}, only("admin")),
    ("org.cities", "GET"): ({}, everyone()),
    ("org.city", "GET"): ({"code": "SEL"}, everyone()),
    ("org.new_city", "GET"): ({}, only("hr", "admin")),
    ("org.new_city", "POST"): ({}, only("hr", "admin")),
    ("org.edit_city", "GET"): ({"code": "SEL"}, only("hr", "admin")),
    ("org.edit_city", "POST"): ({"code": "SEL"}, only("hr", "admin")),
    ("org.departments", "GET"): ({}, everyone()),
    ("org.new_department", "GET"): ({}, only("admin")),
    ("org.new_department", "POST"): ({}, only("admin")),
    ("org.edit_department", "GET"): ({"code": "NOPE"}, only("admin")),
    ("org.edit_department", "POST"): ({"code": "NOPE"}, only("admin")),
    ("placements.index", "GET"): ({}, everyone()),
    ("placements.export", "GET"): ({"fmt": "csv"}, only("hr", "auditor")),
    ("placements.timeline", "GET"): ({}, only("hr", "auditor", "coordinator")),
    ("placements.detail", "GET"): ({"placement_id": 999999}, everyone()),
    ("placements.new", "GET"): ({}, only("hr")),
    ("placements.new", "POST"): ({}, only("hr")),
    ("placements.confirm", "POST"): ({"placement_id": 999999}, only("coordinator", "hr")),
    ("placements.decline", "POST"): ({"placement_id": 999999}, only("coordinator", "hr")),
    ("placements.start", "POST"): ({"placement_id": 999999}, only("coordinator", "hr")),
    ("placements.complete", "POST"): ({"placement_id": 999999}, only("hr")),
    ("placements.cancel", "POST"): ({"placement_id": 999999}, only("hr")),
    ("placements.adjust_milestone", "POST"): ({"placement_id": 1, "milestone_id": 1}, only("hr")),
    ("placements.milestone_done", "POST"): ({"placement_id": 1, "milestone_id": 1}, everyone()),
    ("placements.submit_report", "POST"): ({"placement_id": 999999}, only("employee")),
    ("placements.acknowledge_report", "POST"): ({"placement_id": 1, "report_id": 1}, only("hr")),
    ("placements.report_file", "GET"): ({"placement_id": 1, "report_id": 1}, everyone()),
    ("placements.nominations", "GET"): ({}, only("coordinator", "hr", "auditor")),
    ("placements.nominate", "GET"): ({}, only("coordinator")),
    ("placements.nominate", "POST"): ({}, only("coordinator")),
    ("placements.nomination", "GET"): (
        {"nomination_id": 999999},
        only("coordinator", "hr", "auditor"),
    ),
    ("placements.nomination_cv", "GET"): (
        {"nomination_id": 999999},
        only("coordinator", "hr", "auditor"),
    ),
    ("placements.accept_nomination", "POST"): ({"nomination_id": 999999}, only("hr")),
    ("placements.reject_nomination", "POST"): ({"nomination_id": 999999}, only("hr")),
    ("placements.exchanges", "GET"): ({"code": "SEL"}, only("hr", "auditor", "coordinator")),
    ("placements.new_agreement", "GET"): ({"code": "SEL"}, only("hr")),
    ("placements.new_agreement", "POST"): ({"code": "SEL"}, only("hr")),
    ("placements.action_link", "GET"): ({"token": "not-a-token"}, PUBLIC),
    ("placements.action_link", "POST"): ({"token": "not-a-token"}, PUBLIC),
    ("api.placements_api.list_placements", "GET"): ({}, everyone(api=True)),
    ("api.placements_api.get_placement", "GET"): ({"placement_id": 999999}, everyone(api=True)),
    ("api.placements_api.confirm", "POST"): (
        {"placement_id": 999999},
        only("coordinator", "hr", api=True),
    ),
    ("api.placements_api.decline", "POST"): (
        {"placement_id": 999999},
        only("coordinator", "hr", api=True),
    ),
    ("api.placements_api.start", "POST"): (
        {"placement_id": 999999},
        only("coordinator", "hr", api=True),
    ),
    ("api.placements_api.complete", "POST"): ({"placement_id": 999999}, only("hr", api=True)),
    ("api.placements_api.cancel", "POST"): ({"placement_id": 999999}, only("hr", api=True)),
    ("api.placements_api.list_nominations", "GET"): (
        {},
        only("coordinator", "hr", "auditor", api=True),
    ),
    ("api.placements_api.create_nomination", "POST"): ({}, only("coordinator", api=True)),
    ("api.placements_api.upload_nomination_cv", "POST"): (
        {"nomination_id": 999999},
        only("coordinator", api=True),
    ),
    ("api.placements_api.accept_nomination", "POST"): (
        {"nomination_id": 999999},
        only("hr", api=True),
    ),
    ("training.programs", "GET"): ({}, everyone()),
    ("training.program", "GET"): ({"program_id": 999999}, everyone()),
    ("training.new_program", "GET"): ({}, only("hr")),
    ("training.new_program", "POST"): ({}, only("hr")),
    ("training.edit_program", "GET"): ({"program_id": 999999}, only("hr")),
    ("training.edit_program", "POST"): ({"program_id": 999999}, only("hr")),
    ("training.new_session", "POST"): ({"program_id": 999999}, only("hr")),
    ("training.enrol", "POST"): ({"session_id": 999999}, only("employee")),
    ("training.cancel", "POST"): ({"record_id": 999999}, only("employee", "hr")),
    ("training.my_history", "GET"): ({}, RECORD_READERS),
    ("training.history", "GET"): ({"user_id": 999999}, RECORD_READERS),
    ("training.new_record", "GET"): ({}, only("employee", "hr")),
    ("training.new_record", "POST"): ({}, only("employee", "hr")),
    ("training.edit_record", "GET"): ({"record_id": 999999}, only("hr")),
    ("training.edit_record", "POST"): ({"record_id": 999999}, only("hr")),
    ("training.verify_record", "POST"): ({"record_id": 999999}, only("hr")),
    ("training.record_certificate", "GET"): ({"record_id": 999999}, RECORD_READERS),
    ("training.new_score", "GET"): ({}, only("employee", "hr")),
    ("training.new_score", "POST"): ({}, only("employee", "hr")),
    ("training.verify_score", "POST"): ({"score_id": 999999}, only("hr")),
    ("training.reject_score", "POST"): ({"score_id": 999999}, only("hr")),
    ("training.reject_record", "POST"): ({"record_id": 999999}, only("hr")),
    ("training.score_certificate", "GET"): ({"score_id": 999999}, RECORD_READERS),
    ("training.verification", "GET"): ({}, only("hr", "auditor")),
    ("training.import_list", "GET"): ({}, only("hr", "auditor")),
    ("training.new_import", "GET"): ({}, only("hr")),
    ("training.new_import", "POST"): ({}, only("hr")),
    ("training.import_detail", "GET"): ({"batch_id": 999999}, only("hr", "auditor")),
    ("training.import_step", "POST"): ({"batch_id": 999999}, only("hr")),
    ("training.import_commit", "POST"): ({"batch_id": 999999}, only("hr")),
    ("training.talent_pool", "GET"): ({}, only("hr", "auditor")),
    ("training.talent_export", "GET"): ({"fmt": "csv"}, only("hr", "auditor")),
    ("applications.calls", "GET"): ({}, everyone()),
    ("applications.call", "GET"): ({"call_id": 999999}, everyone()),
    ("applications.new_call", "GET"): ({}, only("hr")),
    ("applications.new_call", "POST"): ({}, only("hr")),
    ("applications.call_action", "POST"): ({"call_id": 999999, "action": "open"}, only("hr")),
    ("applications.apply", "GET"): ({"call_id": 999999}, only("employee")),
    ("applications.apply", "POST"): ({"call_id": 999999}, only("employee")),
    ("applications.edit", "GET"): ({"application_id": 999999}, only("employee")),
    ("applications.edit", "POST"): ({"application_id": 999999}, only("employee")),
    ("applications.applications", "GET"): ({}, everyone()),
    ("applications.export", "GET"): ({"fmt": "csv"}, only("hr", "auditor")),
    ("applications.application", "GET"): ({"application_id": 999999}, everyone()),
    ("applications.act", "POST"): ({"application_id": 999999, "action": "endorse"}, everyone()),
    ("applications.approve", "GET"): ({"application_id": 999999}, everyone()),
    ("applications.approve", "POST"): ({"application_id": 999999}, everyone()),
    ("applications.attach", "POST"): ({"application_id": 999999}, only("employee")),
    ("applications.attachment", "GET"): ({"application_id": 1, "attachment_id": 1}, everyone()),
    ("applications.delegations", "GET"): ({}, only("employee", "manager", "hr", "auditor")),
    ("applications.delegations", "POST"): ({}, only("manager", "hr")),
    ("applications.end_delegation", "GET"): ({"delegation_id": 999999}, only("manager", "hr")),
    ("applications.end_delegation", "POST"): ({"delegation_id": 999999}, only("manager", "hr")),
    ("api.applications_api.list_delegations", "GET"): ({}, everyone(api=True)),
    ("api.applications_api.create_delegation", "POST"): ({}, only("manager", "hr", api=True)),
    ("api.applications_api.end_delegation", "POST"): (
        {"delegation_id": 999999},
        only("manager", "hr", api=True),
    ),
    ("api.applications_api.list_calls", "GET"): ({}, everyone(api=True)),
    ("api.applications_api.create_call", "POST"): ({}, only("hr", api=True)),
    ("api.applications_api.call_action", "POST"): (
        {"call_id": 999999, "action": "open"},
        only("hr", api=True),
    ),
    ("api.applications_api.create_application", "POST"): ({}, only("employee", api=True)),
    ("api.applications_api.update_application", "PATCH"): (
        {"application_id": 999999},
        only("employee", api=True),
    ),
    ("api.applications_api.list_applications", "GET"): ({}, everyone(api=True)),
    ("api.applications_api.get_application", "GET"): (
        {"application_id": 999999},
        everyone(api=True),
    ),
    ("api.applications_api.act", "POST"): (
        {"application_id": 999999, "action": "submit"},
        everyone(api=True),
    ),
    ("api.applications_api.approve", "POST"): ({"application_id": 999999}, everyone(api=True)),
    ("api.openapi", "GET"): ({}, PUBLIC),
    ("api.training_api.list_programs", "GET"): ({}, everyone(api=True)),
    ("api.training_api.create_program", "POST"): ({}, only("hr", api=True)),
    ("api.training_api.get_program", "GET"): ({"program_id": 999999}, everyone(api=True)),
    ("api.training_api.list_records", "GET"): ({}, everyone(api=True)),
    ("api.training_api.create_record", "POST"): ({}, only("employee", "hr", api=True)),
    ("api.training_api.verify_record", "POST"): ({"record_id": 999999}, only("hr", api=True)),
    ("api.training_api.list_scores", "GET"): ({}, everyone(api=True)),
    ("api.training_api.create_score", "POST"): ({}, only("employee", "hr", api=True)),
    ("api.training_api.verify_score", "POST"): ({"score_id": 999999}, only("hr", api=True)),
    ("api.training_api.reject_score", "POST"): ({"score_id": 999999}, only("hr", api=True)),
    ("api.training_api.reject_record", "POST"): ({"record_id": 999999}, only("hr", api=True)),
    ("api.training_api.talent_search", "GET"): ({}, only("hr", "auditor", api=True)),
    ("api.training_api.check_eligibility", "GET"): ({}, everyone(api=True)),
    ("api.core_api.audit", "GET"): ({}, only("hr", "auditor", api=True)),
    ("api.auth_api.me", "GET"): ({}, everyone(api=True)),
    ("api.org_api.list_cities", "GET"): ({}, everyone(api=True)),
    ("api.org_api.get_city", "GET"): ({"code": "SEL"}, everyone(api=True)),
    ("api.org_api.create_city", "POST"): ({}, only("hr", "admin", api=True)),
    ("api.org_api.list_departments", "GET"): ({}, everyone(api=True)),
    ("api.org_api.create_department", "POST"): ({}, only("admin", api=True)),
    ("fund.overview", "GET"): ({}, only("hr", "auditor")),
    ("fund.ledger", "GET"): ({}, only("hr", "auditor")),
    ("fund.export", "GET"): ({"fmt": "csv"}, only("hr", "auditor")),
    ("fund.entry", "GET"): ({"entry_id": 999999}, only("hr", "auditor")),
    ("fund.reverse_entry", "GET"): ({"entry_id": 999999}, only("hr")),
    ("fund.reverse_entry", "POST"): ({"entry_id": 999999}, only("hr")),
    ("fund.new_contribution", "GET"): ({}, only("hr")),
    ("fund.new_contribution", "POST"): ({}, only("hr")),
    ("fund.new_allocation", "GET"): ({}, only("hr")),
    ("fund.new_allocation", "POST"): ({}, only("hr")),
    ("fund.new_disbursement", "GET"): ({}, only("hr")),
    ("fund.new_disbursement", "POST"): ({}, only("hr")),
    ("fund.fx_rates", "GET"): ({}, only("hr", "auditor")),
    ("fund.new_fx_rate", "GET"): ({}, only("hr")),
    ("fund.new_fx_rate", "POST"): ({}, only("hr")),
    ("fund.close_year", "GET"): ({"fiscal_year": 2026}, only("hr")),
    ("fund.close_year", "POST"): ({"fiscal_year": 2026}, only("hr")),
    ("api.fund_api.summary", "GET"): ({}, only("hr", "auditor", api=True)),
    ("api.fund_api.create_contribution", "POST"): ({}, only("hr", api=True)),
    ("api.fund_api.create_budget_line", "POST"): ({}, only("hr", api=True)),
    ("api.fund_api.create_disbursement", "POST"): ({}, only("hr", api=True)),
    ("api.fund_api.create_fx_rate", "POST"): ({}, only("hr", api=True)),
    ("api.fund_api.list_fx_rates", "GET"): ({}, only("hr", "auditor", api=True)),
    ("api.fund_api.applicable_fx_rate", "GET"): ({}, only("hr", "auditor", api=True)),
    ("api.fund_api.list_entries", "GET"): ({}, only("hr", "auditor", api=True)),
    ("api.fund_api.get_entry", "GET"): ({"entry_id": 999999}, only("hr", "auditor", api=True)),
    ("api.fund_api.reverse_entry", "POST"): ({"entry_id": 999999}, only("hr", api=True)),
    ("api.fund_api.close_fiscal_year", "POST"): ({"fiscal_year": 2026}, only("hr", api=True)),
    ("reminders.rules", "GET"): ({}, only("hr", "auditor")),
    ("reminders.update_rule", "POST"): ({"rule_id": 999999}, only("hr")),
    ("reminders.deliveries", "GET"): ({}, only("hr", "auditor", "admin")),
    ("reminders.retry_delivery", "POST"): ({"delivery_id": 999999}, only("hr")),
    ("reminders.notifications", "GET"): ({}, everyone()),
    ("reminders.read_notification", "POST"): ({"notification_id": 999999}, everyone()),
    ("reminders.read_all_notifications", "POST"): ({}, everyone()),
    ("reminders.notice_settings", "GET"): ({}, everyone()),
    ("reminders.notice_settings", "POST"): ({}, everyone()),
    ("reminders.calendar_feeds", "GET"): ({}, everyone()),
    ("reminders.create_feed", "POST"): ({}, everyone()),
    ("reminders.revoke_feed", "POST"): ({"token_id": 999999}, everyone()),
    ("reminders.feed", "GET"): ({"token": "cal_not-a-token"}, PUBLIC),
    ("api.reminders_api.list_notifications", "GET"): ({}, everyone(api=True)),
    ("api.reminders_api.notice_settings", "GET"): ({}, everyone(api=True)),
    ("api.reminders_api.notice_settings", "PUT"): ({}, everyone(api=True)),
    ("api.reminders_api.read_notification", "POST"): (
        {"notification_id": 999999},
        everyone(api=True),
    ),
}


def _app_routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((rule.endpoint, method))
    return found


def test_every_route_is_in_the_table(app):
    missing = sorted(_app_routes(app) - set(ROUTES))
    assert not missing, f"routes without an entry in ROUTES: {missing}"
    stale = sorted(set(ROUTES) - _app_routes(app))
    assert not stale, f"ROUTES lists routes the app does not have: {stale}"


def _classify(response, api: bool) -> str:
    if response.status_code == 401:
        return "unauthorized"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    return "ok"


@pytest.mark.parametrize("role", ("anon", *ROLES))
def test_route_answers_by_role(app, db, role, login_as, api_as):
    from flask import url_for

    from tests import factories

    factories.city("SEL")
    db.session.commit()
    page_client = api_client = None
    if role == "anon":
        page_client = api_client = app.test_client()
        headers = {}
    else:
        page_client = login_as(role)
        api_client = api_as(role)
        headers = api_client.headers
    failures = []
    for (endpoint, method), (kwargs, expected) in sorted(ROUTES.items()):
        if endpoint in ("auth.logout",):
            continue  # would end the session the loop goes on with; checked in test_auth
        with app.test_request_context():
            url = url_for(endpoint, **kwargs)
        is_api = url.startswith("/api/")
        c = api_client if is_api else page_client
        response = c.open(
            url,
            method=method,
            headers=headers if is_api else {},
            json={} if is_api and method != "GET" else None,
        )
        got = _classify(response, is_api)
        if got != expected[role]:
            failures.append(
                f"{method} {url}: expected {expected[role]}, got {got} "
                f"({response.status_code} {response.data[:200]!r})"
            )
    assert not failures, "\n".join(failures)
