"""Each rule, with time moved: due exactly once, not before, not twice; offsets changed later do
not send again. Runs on SQLite, and PostgreSQL when configured."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from hrfund.placements.models import MilestoneKind
from hrfund.reminders import rules
from hrfund.reminders.models import Channel, DeliveryStatus
from tests.placements.conftest import START
from tests.reminders.conftest import (
    at,
    deliveries,
    make_record,
    make_score,
    notifications_of,
    rule,
    run,
)

pytestmark = pytest.mark.usefixtures("quiet_mail")
DAY = timedelta(days=1)


def _milestone(placement, kind):
    return next(m for m in placement.milestones if m.kind == kind)


def test_placement_start_30_days_before_once(db, world):
    placement = world.place()
    run(at(START - 31 * DAY))
    assert deliveries("placement_start_30") == []

    result = run(at(START - 30 * DAY))
    sent = deliveries("placement_start_30")
    assert {(d.channel, d.recipient_id, d.subject_id, d.due_on) for d in sent} == {
        (Channel.EMAIL, world.employee.id, placement.id, START),
        (Channel.IN_APP, world.employee.id, placement.id, START),
    }
    assert all(d.status == DeliveryStatus.SENT for d in sent)
    assert result.sent >= 2 and result.failed == 0

    again = run(at(START - 30 * DAY, 15))
    assert again.already_sent >= 2
    run(at(START - 29 * DAY))
    assert len(deliveries("placement_start_30")) == 2
    in_app = deliveries("placement_start_30", channel=Channel.IN_APP)
    notes = [n for n in notifications_of(world.employee) if n.delivery_id == in_app[0].id]
    assert len(notes) == 1 and "Seoul" in notes[0].title


def test_placement_start_7_days_and_not_after_start(db, world):
    world.place()
    run(at(START - 8 * DAY))
    assert deliveries("placement_start_7") == []
    run(at(START - 7 * DAY))
    assert len(deliveries("placement_start_7")) == 2
    run(at(START - 6 * DAY))
    assert len(deliveries("placement_start_7")) == 2


def test_a_missed_day_is_caught_up_but_never_after_the_date(db, world):
    world.place()
    run(at(START - 5 * DAY))  # the scheduler was down for two days
    assert len(deliveries("placement_start_7")) == 2
    late = world.place(person=world.other_employee, start=START + 60 * DAY, end=END_LATER)
    run(at(late.start_on + DAY))
    assert deliveries("placement_start_7", subject_id=late.id) == []


END_LATER = date(2027, 3, 31)


def test_changing_the_offset_does_not_send_again(db, world):
    world.place()
    run(at(START - 30 * DAY))
    assert len(deliveries("placement_start_30")) == 2
    rules.update_rule(
        world.hr, rule("placement_start_30"), offset_days=25, enabled=True, channels="email,in_app"
    )
    db.session.commit()
    result = run(at(START - 25 * DAY))
    assert len(deliveries("placement_start_30")) == 2
    assert result.already_sent >= 2


def test_a_disabled_rule_sends_nothing(db, world):
    world.place()
    rules.update_rule(
        world.hr, rule("placement_start_30"), offset_days=30, enabled=False, channels="email,in_app"
    )
    db.session.commit()
    run(at(START - 30 * DAY))
    assert deliveries("placement_start_30") == []


def test_email_only_channel(db, world):
    world.place()
    rules.update_rule(
        world.hr, rule("placement_start_30"), offset_days=30, enabled=True, channels="email"
    )
    db.session.commit()
    run(at(START - 30 * DAY))
    assert [d.channel for d in deliveries("placement_start_30")] == [Channel.EMAIL]


def test_milestone_due_three_days_before(db, world):
    placement = world.place()
    visa = _milestone(placement, MilestoneKind.VISA)
    run(at(visa.due_on - 4 * DAY))
    assert deliveries("milestone_due", subject_id=visa.id) == []
    run(at(visa.due_on - 3 * DAY))
    run(at(visa.due_on - 2 * DAY))
    sent = deliveries("milestone_due", subject_id=visa.id)
    assert len(sent) == 2 and {d.due_on for d in sent} == {visa.due_on}
    assert "Visa" in sent[0].title
    # report milestones are the report rule's business
    report = _milestone(placement, MilestoneKind.MID_TERM_REPORT)
    run(at(report.due_on - 3 * DAY))
    assert deliveries("milestone_due", subject_id=report.id) == []


def test_milestone_overdue_once_and_not_when_done(db, world):
    placement = world.place()
    visa = _milestone(placement, MilestoneKind.VISA)
    training = _milestone(placement, MilestoneKind.PRE_DEPARTURE_TRAINING)
    run(at(visa.due_on))
    assert deliveries("milestone_overdue") == []
    run(at(visa.due_on + DAY))
    run(at(visa.due_on + 2 * DAY))
    assert len(deliveries("milestone_overdue", subject_id=visa.id)) == 2

    training.done_at = at(training.due_on)
    db.session.commit()
    run(at(training.due_on + DAY))
    assert deliveries("milestone_overdue", subject_id=training.id) == []


def test_report_due_seven_days_before_unless_submitted(db, world):
    placement = world.place()
    mid = _milestone(placement, MilestoneKind.MID_TERM_REPORT)
    run(at(mid.due_on - 8 * DAY))
    assert deliveries("report_due") == []
    run(at(mid.due_on - 7 * DAY))
    run(at(mid.due_on - 7 * DAY, 18))
    sent = deliveries("report_due")
    assert len(sent) == 2 and {d.subject_id for d in sent} == {mid.id}


def test_no_report_reminder_once_the_report_is_in(db, world):
    from hrfund.placements import milestones
    from hrfund.placements import services as placements

    placement = world.place()
    placements.confirm_placement(world.seoul_coordinator, placement, host_office="ソウル市庁")
    placements.start_placement(world.seoul_coordinator, placement, arrived_on=START)
    mid = _milestone(placement, MilestoneKind.MID_TERM_REPORT)
    milestones.submit_report(world.employee, placement, "mid_term", "中間報告：順調です。")
    run(at(mid.due_on - 7 * DAY))
    run(at(mid.due_on + 2 * DAY))  # not overdue either
    assert deliveries("report_due") == [] and deliveries("milestone_overdue") == []


def test_host_confirmation_pending_escalates_to_hr(db, world):
    placement = world.place()
    placement.created_at = at(date(2026, 7, 1), 10)
    db.session.commit()
    run(at(date(2026, 7, 14)))
    assert deliveries("host_confirmation_pending") == []
    run(at(date(2026, 7, 15)))
    run(at(date(2026, 7, 16)))
    sent = deliveries("host_confirmation_pending")
    assert {d.recipient_id for d in sent} == {world.hr.id}
    assert {d.due_on for d in sent} == {date(2026, 7, 1)}
    assert len(sent) == 2

    confirmed = world.place(person=world.other_employee)
    confirmed.created_at = at(date(2026, 7, 2), 10)
    db.session.commit()
    from hrfund.placements.services import confirm_placement

    confirm_placement(world.seoul_coordinator, confirmed, host_office="Seoul City Hall")
    db.session.commit()
    run(at(date(2026, 7, 16)))
    assert deliveries("host_confirmation_pending", subject_id=confirmed.id) == []


def test_nomination_pending_reaches_hr_once(db, world):
    nomination = world.nominate()
    nomination.created_at = at(date(2026, 5, 1), 11)
    db.session.commit()
    run(at(date(2026, 5, 7)))
    assert deliveries("nomination_pending") == []
    run(at(date(2026, 5, 8)))
    run(at(date(2026, 5, 8), 20))
    sent = deliveries("nomination_pending")
    assert len(sent) == 2 and {d.recipient_id for d in sent} == {world.hr.id}


def test_certificate_expiring_in_sixty_days(db, world):
    record = make_record(world.employee, date(2027, 1, 31))
    db.session.commit()
    run(at(record.expires_on - 61 * DAY))
    assert deliveries("certificate_expiring") == []
    run(at(record.expires_on - 60 * DAY))
    run(at(record.expires_on - 59 * DAY))
    sent = deliveries("certificate_expiring")
    assert len(sent) == 2 and {d.recipient_id for d in sent} == {world.employee.id}
    assert "Business English" in sent[0].title


def test_language_score_expiring_in_sixty_days(db, world):
    score = make_score(world.employee, date(2027, 2, 15))
    db.session.commit()
    run(at(score.expires_on - 61 * DAY))
    assert deliveries("language_score_expiring") == []
    with time_machine.travel(at(score.expires_on - 60 * DAY), tick=False):
        run(datetime.now().astimezone())
        run(datetime.now().astimezone())
    assert len(deliveries("language_score_expiring")) == 2


def test_hr_digest_once_a_day_from_half_past_eight(db, world):
    day = date(2026, 10, 5)
    run(at(day, 8, 29))
    assert deliveries("hr_digest") == []
    run(at(day, 8, 30))
    run(at(day, 12))
    sent = deliveries("hr_digest")
    assert [(d.recipient_id, d.channel, d.due_on) for d in sent] == [
        (world.hr.id, Channel.EMAIL, day)
    ]
    run(at(day + DAY, 8, 31))
    assert len(deliveries("hr_digest")) == 2


def test_a_week_of_simulated_time_sends_each_reminder_once(db, world):
    placement = world.place()
    make_record(world.employee, START + 30 * DAY)
    start = START - 35 * DAY
    for hour in range(0, 24 * 14, 3):  # every three hours for two weeks
        run(at(start) + timedelta(hours=hour))
    keys = [
        (d.rule_id, d.subject_type, d.subject_id, d.due_on, d.recipient_id, d.channel)
        for d in deliveries("placement_start_30")
        + deliveries("milestone_due")
        + deliveries("certificate_expiring")
    ]
    assert len(keys) == len(set(keys))
    assert len(deliveries("placement_start_30", subject_id=placement.id)) == 2
    assert len(deliveries("certificate_expiring")) == 2


def test_hr_digest_counts_what_was_due_yesterday_in_tokyo(db, world):
    """At 08:30 in Tokyo it is still the day before in UTC: a step due yesterday (Tokyo) is
    overdue in the digest all the same."""
    from hrfund.placements import services as placements
    from hrfund.reminders.rules import digest_figures

    placement = world.place()
    placements.confirm_placement(world.seoul_coordinator, placement, host_office="ソウル市庁")
    placements.start_placement(world.seoul_coordinator, placement, arrived_on=START)
    report = _milestone(placement, MilestoneKind.MID_TERM_REPORT)
    morning = at(report.due_on + DAY, 8, 30).astimezone(UTC)  # as the scheduler passes it
    assert morning.date() == report.due_on  # UTC has not turned the day yet
    before = digest_figures(at(report.due_on, 8, 30).astimezone(UTC))["overdue"]
    assert digest_figures(morning)["overdue"] == before + 1
