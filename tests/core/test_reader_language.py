"""Words in the reader's language at their source: labels of codes and states, fiscal years,
system memos, call titles in two languages, notifications read in the reader's language now."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from hrfund.applications import calls
from hrfund.applications import services as applications
from hrfund.core.audit import record_event
from hrfund.core.errors import ValidationFailed
from hrfund.core.labels import ACTION_LABELS, action_label, fiscal_year_label, state_label
from hrfund.fund.memos import memo_text, system_memo
from hrfund.placements.models import PlacementStatus
from hrfund.reminders.models import Notification
from tests.applications.conftest import INSIDE, build_setup


@pytest.fixture
def s(db):
    with time_machine.travel(INSIDE, tick=True):
        setup = build_setup()
        db.session.commit()
        yield setup


def test_every_machine_action_has_a_label():
    from hrfund.applications.calls import CALL_MACHINE
    from hrfund.applications.services import MACHINE as APPLICATIONS
    from hrfund.placements.services import MACHINE as PLACEMENTS

    for machine in (CALL_MACHINE, APPLICATIONS, PLACEMENTS):
        for t in machine.transitions:
            assert f"{machine.object_type}.{t.action}" in ACTION_LABELS


def test_labels_fiscal_years_and_memos_in_both_languages(app):
    with app.test_request_context(), force_locale("ja"):
        assert action_label("milestone.done") == "マイルストーンを完了"
        assert action_label("unknown.code") == "unknown.code"
        assert state_label("proposed") == PlacementStatus.PROPOSED.label != "proposed"
        assert fiscal_year_label(2027) == "2027年度"
        memo = system_memo("declined", placement=12)
        assert memo == "placement 12 declined"
        assert memo_text(memo) == "解除: 派遣・受入 #12 の辞退"
        assert memo_text("手入力のメモ") == "手入力のメモ"
    with app.test_request_context(), force_locale("en"):
        assert fiscal_year_label(2027) == "FY2027"
        assert memo_text("Released at the close of FY2026") == "Released at the close of FY2026"
        assert memo_text("placement 3") == "Commitment for placement #3"


def test_audit_log_in_japanese_shows_labels_not_codes(db, login_as):
    record_event(
        None,
        "placements.confirm",
        object_type="placements",
        object_id=1,
        from_state="proposed",
        to_state="confirmed",
    )
    db.session.commit()
    page = login_as("auditor", locale="ja").get("/audit?action=placements.confirm").text
    assert "変更前" in page and "変更後" in page and "宛先" not in page
    with force_locale("ja"):
        assert str(ACTION_LABELS["placements.confirm"]) in page
        assert f">{PlacementStatus.PROPOSED.label}<" in page and ">proposed<" not in page


def test_a_call_has_a_title_in_each_language_shown_by_the_readers(db, s, login_as):
    with time_machine.travel(INSIDE, tick=True):
        call = calls.create_call(
            s.hr,
            title_ja="2027年度 海外派遣",
            title_en="Secondments FY2027",
            fiscal_year=2027,
            opens_on=date(2026, 6, 1),
            closes_on=date(2026, 6, 30),
            slots=[{"city": "SEL", "positions": 1, "months": 6, "estimated_cost_jpy": 1}],
        )
        calls.open_call(s.hr, call)
        db.session.commit()
        assert call.title == "Secondments FY2027"  # the API's one title
        assert call.name("ja") == "2027年度 海外派遣" and call.name("en") == "Secondments FY2027"
        ja = login_as("employee", locale="ja").get(f"/calls/{call.id}").text
        assert "2027年度 海外派遣" in ja and "Secondments FY2027" not in ja
        en = login_as("employee", locale="en").get(f"/calls/{call.id}").text
        assert "Secondments FY2027" in en and "2027年度 海外派遣" not in en
        only_ja = calls.create_call(
            s.hr,
            title_ja="日本語だけ",
            fiscal_year=2027,
            opens_on=date(2026, 6, 1),
            closes_on=date(2026, 6, 30),
            slots=[],
        )
        assert only_ja.name("en") == "日本語だけ"  # the other language where one is missing
        with pytest.raises(ValidationFailed) as refused:
            calls.create_call(
                s.hr,
                fiscal_year=2027,
                opens_on=date(2026, 6, 1),
                closes_on=date(2026, 6, 30),
                slots=[],
            )
        assert {"title_ja", "title_en"} <= set(refused.value.fields)


def test_api_takes_and_gives_both_titles(db, s, api_as):
    client = api_as("hr")
    headers = client.headers
    body = {
        "title_ja": "ベルリン派遣",
        "title_en": "Berlin secondment",
        "fiscal_year": 2027,
        "opens_on": "2027-05-01",
        "closes_on": "2027-05-31",
        "slots": [{"city": "BER", "positions": 1, "months": 12, "estimated_cost_jpy": 1}],
    }
    created = client.post("/api/v1/calls", headers=headers, json=body)
    assert created.status_code == 201, created.json
    answer = created.json
    assert answer["title"] == "Berlin secondment"
    assert (answer["title_ja"], answer["title_en"]) == ("ベルリン派遣", "Berlin secondment")
    bad = client.post("/api/v1/calls", headers=headers, json={**body, "title_ja": 5})
    assert bad.status_code == 400


def test_a_notification_is_read_in_the_readers_language_of_now(db, s, app):
    s.manager.locale = "en"
    with time_machine.travel(INSIDE, tick=True):
        application = s.draft()
        applications.submit_application(s.employee, application, now=INSIDE)
        db.session.commit()
    notification = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == s.manager.id)
    ).first()
    assert notification.title == "Application to endorse: Taro Yamada"  # written in English
    assert notification.text("ja")[0] == "推薦待ちの応募: 山田 太郎"
    s.manager.locale = "ja"  # the manager switches to Japanese: the old notice follows
    db.session.commit()
    client = app.test_client()
    from tests.conftest import TEST_PASSWORD

    client.post("/login", data={"email": s.manager.email, "password": TEST_PASSWORD})
    page = client.get("/notifications").text
    assert "推薦待ちの応募: 山田 太郎" in page and "Application to endorse" not in page
