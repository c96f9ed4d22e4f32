"""The talent search's hours, summed person by person (issue 16): the same people as a sum
computed here from the records, alone or with other filters, and the count of a search checked
person by person capped and labelled."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from hrfund.extensions import db as _db
from hrfund.training import records, rejections, talent
from hrfund.training.models import RecordStatus, TrainingRecord
from tests import factories

TAKEN = date.today() - timedelta(days=30)


def _ids(query: talent.TalentQuery) -> list[int]:
    return [u.id for u in _db.session.scalars(talent.talent_select(query))]


def _summed(query: talent.TalentQuery, people) -> set[int]:
    """The people whose records of the query's category (verified ones unless unverified are
    included) add up to the minimum, from the records one by one."""
    found = set()
    for person in people:
        total, seen = Decimal(0), False
        for record in _db.session.scalars(
            _db.select(TrainingRecord).where(TrainingRecord.user_id == person.id)
        ):
            if record.status != RecordStatus.COMPLETED:
                continue
            if not query.include_unverified and not record.verified:
                continue
            if query.category and record.program.category != query.category:
                continue
            total, seen = total + record.effective_hours, True
        if seen and total >= (query.min_hours or 0):
            found.add(person.id)
    return found


@pytest.fixture
def learners(db, make_program):
    hr = factories.user(roles=["hr"])
    english = make_program("English", category="language", hours="10", code="EN-H1")
    french = make_program("French", category="language", hours="30", code="FR-H1")
    seminar = make_program("Protocol", category="seminar", hours="8", code="SEM-H1")
    people = [factories.user(given_name_romaji=n) for n in ("Ao", "Ben", "Cho", "Dai", "Eri")]
    ao, ben, cho, dai, eri = people
    records.record_training(hr, ao, english, status="completed", completed_on=TAKEN)
    records.record_training(hr, ao, french, status="completed", completed_on=TAKEN)
    # its own hours (4) instead of the program's (30)
    records.record_training(hr, ben, french, status="completed", completed_on=TAKEN, hours="4")
    records.record_training(hr, ben, seminar, status="completed", completed_on=TAKEN)
    records.record_training(cho, cho, french, status="completed", completed_on=TAKEN)  # own
    records.record_training(hr, dai, english, status="enrolled")
    own = records.record_training(eri, eri, english, status="completed", completed_on=TAKEN)
    records.record_training(hr, eri, seminar, status="completed", completed_on=TAKEN)
    rejections.reject_record(hr, own, "No attendance sheet.")
    records.add_language_score(hr, ao, test="ielts", score="7.0", taken_on=TAKEN)
    records.add_language_score(hr, ben, test="ielts", score="7.5", taken_on=TAKEN)
    _db.session.commit()
    return {"people": people, "english": english, "french": french, "seminar": seminar}


@pytest.mark.parametrize("unverified", [False, True])
@pytest.mark.parametrize(
    "category, min_hours",
    [
        ("language", Decimal(0)),
        ("language", Decimal(12)),
        ("language", Decimal(40)),
        ("seminar", None),
        (None, Decimal(10)),
        (None, Decimal(0)),
        ("cross_cultural", None),
    ],
)
def test_hours_are_the_sum_of_the_records_alone_and_with_a_score(
    learners, category, min_hours, unverified
):
    people = learners["people"]
    query = talent.TalentQuery(category=category, min_hours=min_hours)
    query.include_unverified = unverified
    expected = _summed(query, people)
    assert set(_ids(query)) == expected
    query.language_test = "ielts"
    with_score = expected & {people[0].id, people[1].id}
    assert set(_ids(query)) == with_score
    query.program_ids = [learners["french"].id]
    assert set(_ids(query)) == with_score  # both completed French, verified


def test_a_search_checked_person_by_person_is_in_name_order_with_a_capped_count(
    app, learners, monkeypatch
):
    monkeypatch.setitem(app.config, "TALENT_COUNT_CAP", 2)
    query = talent.TalentQuery(min_hours=Decimal(0), include_unverified=True)
    expected = _ids(query)
    assert len(expected) == 4  # Ao, Ben, Cho and Eri: Dai has only an enrolment
    with app.test_request_context("/talent"):
        first = talent.talent_page(query, 1, 2)
        assert [u.id for u in first.items] == expected[:2]
        assert (first.total, first.more, first.has_next) == (2, True, True)
        second = talent.talent_page(query, 2, 2)
        assert [u.id for u in second.items] == expected[2:]
    monkeypatch.setitem(app.config, "TALENT_COUNT_CAP", 1_000)
    with app.test_request_context("/talent"):
        counted = talent.talent_page(query, 1, 2)
        assert (counted.total, counted.more, counted.pages) == (4, False, 2)


def test_the_capped_count_is_labelled_on_the_page(app, login_as, learners, monkeypatch):
    monkeypatch.setitem(app.config, "TALENT_COUNT_CAP", 2)
    client = login_as("hr")
    page = client.get(
        "/talent?min_hours=0&unverified=1&per_page=2", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "More than 2 in all" in page


def test_a_score_that_never_expires_counts_and_one_expired_yesterday_does_not(learners):
    hr = factories.user(roles=["hr"])
    lasting, lapsed = factories.user(), factories.user()
    records.add_language_score(hr, lasting, test="topik", score="5", taken_on=TAKEN)
    records.add_language_score(
        hr,
        lapsed,
        test="topik",
        score="6",
        taken_on=TAKEN,
        expires_on=date.today() - timedelta(days=1),
    )
    _db.session.commit()
    query = talent.TalentQuery(language_test="topik", min_score=Decimal(5))
    assert _ids(query) == [lasting.id]
    ao, ben = learners["people"][:2]
    any_test = talent.TalentQuery(min_score=Decimal("5.5"))  # IELTS 7.0 and 7.5; not lapsed's 6
    assert set(_ids(any_test)) == {ao.id, ben.id}
