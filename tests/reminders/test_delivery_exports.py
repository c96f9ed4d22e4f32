"""Delivery log export (HR and auditors, like the page): the rows of the filtered page, newest
first, CSV with BOM and XLSX; other roles get 403."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from hrfund.reminders.models import Delivery, ReminderRule
from tests import factories
from tests.export_files import csv_rows, xlsx_rows
from tests.reminders.conftest import rule

SENT = datetime(2026, 8, 2, 0, 0, 5, tzinfo=UTC)
RETRY = datetime(2026, 8, 2, 0, 10, tzinfo=UTC)


def _page_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="delivery-(\d+)"', html)]


@pytest.fixture
def log(db):
    """Five deliveries of two rules to two people, by both channels, in every status."""
    yamada = factories.user(
        ["employee"],
        email="yamada.export@metro.tokyo.example",
        family_name="山田",
        given_name="太郎",
        family_name_romaji="Yamada",
        given_name_romaji="Taro",
    )
    sato = factories.user(["employee"], email="sato.export@metro.tokyo.example")
    start = rule("placement_start_30")
    other = db.session.scalar(
        sa.select(ReminderRule).where(ReminderRule.id != start.id).order_by(ReminderRule.id)
    )

    def add(rule_, person, channel, status, n, **values):
        delivery = Delivery(
            rule_id=rule_.id,
            subject_type="placement",
            subject_id=n,
            due_on=date(2026, 9, 1),
            recipient_id=person.id,
            channel=channel,
            status=status,
            title=f"派遣開始まで30日：ソウル特別市 #{n}",
            body="準備を進めてください。",
            **values,
        )
        db.session.add(delivery)
        db.session.flush()
        return delivery

    made = [
        add(start, yamada, "email", "sent", 1, attempts=1, sent_at=SENT),
        add(start, yamada, "in_app", "sent", 1, attempts=1, sent_at=SENT),
        add(
            start,
            sato,
            "email",
            "failed",
            2,
            attempts=2,
            next_attempt_at=RETRY,
            last_error="SMTP 451 一時的なエラー",
        ),
        add(other, yamada, "email", "claimed", 3, claimed_at=SENT, claimed_by="worker-1"),
        add(other, sato, "in_app", "failed", 4, attempts=6, last_error="=HYPERLINK(1)"),
    ]
    db.session.commit()
    return yamada, sato, start, made


@pytest.mark.parametrize("role", ["hr", "auditor"])
def test_export_holds_the_rows_the_filtered_page_shows(login_as, log, role):
    _yamada, _sato, start, made = log
    client = login_as(role)
    queries = {
        "": made,
        "status=failed": [made[2], made[4]],
        f"rule_id={start.id}&channel=email": [made[0], made[2]],
        "q=YAMADA.export": [made[0], made[1], made[3]],
        "status=bogus&channel=fax": made,  # unknown values mean "all", as on the page
    }
    ours = {d.id for d in made}
    for query, expected in queries.items():
        newest_first = [d.id for d in reversed(expected)]
        page = client.get(f"/reminders/deliveries?{query}&per_page=200").get_data(as_text=True)
        assert [n for n in _page_ids(page) if n in ours] == newest_first
        rows = csv_rows(client.get(f"/reminders/deliveries/export.csv?{query}"))
        assert [int(row[0]) for row in rows[1:] if int(row[0]) in ours] == newest_first
        assert [int(row[0]) for row in rows[1:]] == _page_ids(page)
        assert xlsx_rows(client.get(f"/reminders/deliveries/export.xlsx?{query}")) == rows


def test_export_row_says_what_happened(login_as, log):
    _yamada, sato, start, made = log
    rows = csv_rows(login_as("hr").get("/reminders/deliveries/export.csv?status=failed"))
    assert rows[0][:3] == ["Delivery", "Created at (UTC)", "Reminder"]
    by_id = {int(row[0]): row for row in rows[1:]}
    failed = made[2]
    assert by_id[failed.id] == [
        str(failed.id),
        failed.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "placement_start_30",
        "Placement starts",  # kind, channel and state as the delivery log names them
        f"placement #{failed.subject_id}",
        "2026-09-01",
        sato.display_name("ja"),
        sato.display_name("en"),
        "sato.export@metro.tokyo.example",
        "E-mail",
        "派遣開始まで30日：ソウル特別市 #2",
        "failed",
        "2",
        "",
        "2026-08-02 00:10:00",
        "SMTP 451 一時的なエラー",
    ]
    assert by_id[made[4].id][-1] == "'=HYPERLINK(1)"  # never a formula


def test_sent_delivery_has_its_time_and_a_japanese_name(login_as, log):
    _yamada, _sato, _start, made = log
    rows = csv_rows(login_as("hr").get("/reminders/deliveries/export.csv?q=yamada.export"))
    row = next(r for r in rows[1:] if int(r[0]) == made[0].id)
    assert row[6:8] == ["山田 太郎", "Taro Yamada"]
    assert row[13] == "2026-08-02 00:00:05"


def test_page_links_to_its_exports_with_its_filters(login_as, log):
    page = login_as("hr").get("/reminders/deliveries?status=failed&page=1")
    html = page.get_data(as_text=True)
    assert 'href="/reminders/deliveries/export.csv?status=failed"' in html
    assert 'href="/reminders/deliveries/export.xlsx?status=failed"' in html


@pytest.mark.parametrize("role", ["employee", "manager", "coordinator"])  # the admin reads them
def test_other_roles_cannot_export_deliveries(login_as, log, role):
    client = login_as(role)
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/reminders/deliveries/export.{fmt}").status_code == 403
