"""The talent search, driven from the intersected ids of scores, records and exchanges: the
edges that rewrite could get wrong, the page's count, and the export giving the page's rows."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from hrfund.extensions import db as _db
from hrfund.training import records, rejections, talent
from tests import factories

TAKEN = date.today() - timedelta(days=30)


def _ids(query: talent.TalentQuery) -> list[int]:
    return [u.id for u in _db.session.scalars(talent.talent_select(query))]


@pytest.fixture
def people(db, make_program):
    hr = factories.user(roles=["hr"])
    parent = factories.department("TLP")
    child = factories.department("TLP-C", parent=parent)
    other = factories.department("TLO")
    course = make_program("Negotiation", code="NEG-1")
    second = make_program("Protocol", code="PRO-1")
    made = {
        name: factories.user(given_name_romaji=name, department=dept)
        for name, dept in (
            ("Aiko", parent),
            ("Bunta", child),
            ("Chie", other),
            ("Daichi", child),
            ("Emi", parent),
        )
    }
    return {"hr": hr, "course": course, "second": second, "parent": parent} | made


def test_a_score_counts_through_the_day_it_expires_and_not_after(people):
    hr, aiko = people["hr"], people["Aiko"]
    expires = TAKEN + timedelta(days=10)
    records.add_language_score(
        hr, aiko, test="ielts", score="7.0", taken_on=TAKEN, expires_on=expires
    )
    _db.session.commit()
    query = talent.TalentQuery(language_test="ielts", min_score=Decimal("6.5"), on=expires)
    assert _ids(query) == [aiko.id]
    query.on = expires + timedelta(days=1)
    assert _ids(query) == []
    query.on = TAKEN - timedelta(days=1)  # not yet taken
    assert _ids(query) == []


def test_rejected_and_unverified_scores_and_records(people):
    hr, course = people["hr"], people["course"]
    aiko, bunta, chie = people["Aiko"], people["Bunta"], people["Chie"]
    records.add_language_score(hr, aiko, test="toeic", score="900", taken_on=TAKEN)
    records.add_language_score(bunta, bunta, test="toeic", score="900", taken_on=TAKEN)
    rejected = records.add_language_score(chie, chie, test="toeic", score="950", taken_on=TAKEN)
    rejections.reject_score(hr, rejected, "The certificate is another person's.")
    for person in (aiko, bunta, chie):
        records.record_training(person, person, course, status="completed", completed_on=TAKEN)
    chie_record = records.record_training(
        chie, chie, people["second"], status="completed", completed_on=TAKEN
    )
    _db.session.commit()
    scores = talent.TalentQuery(language_test="toeic", min_score=Decimal(800))
    assert _ids(scores) == [aiko.id]
    scores.include_unverified = True
    assert set(_ids(scores)) == {aiko.id, bunta.id}  # a rejected score never counts
    programs = talent.TalentQuery(program_ids=[course.id])
    assert _ids(programs) == []  # all three are the employees' own, unverified
    programs.include_unverified = True
    assert set(_ids(programs)) == {aiko.id, bunta.id, chie.id}
    second = talent.TalentQuery(program_ids=[people["second"].id], include_unverified=True)
    assert _ids(second) == [chie.id]
    rejections.reject_record(hr, chie_record, "No attendance sheet.")
    _db.session.commit()
    assert _ids(second) == []


def test_two_programs_mean_both_and_a_repeated_one_is_one(people):
    hr, course, second = people["hr"], people["course"], people["second"]
    aiko, bunta = people["Aiko"], people["Bunta"]
    for person in (aiko, bunta):
        records.record_training(hr, person, course, status="completed", completed_on=TAKEN)
    records.record_training(hr, aiko, second, status="completed", completed_on=TAKEN)
    records.record_training(hr, bunta, second, status="enrolled")
    _db.session.commit()
    assert _ids(talent.TalentQuery(program_ids=[course.id, second.id])) == [aiko.id]
    assert _ids(talent.TalentQuery(program_ids=[second.id, second.id])) == [aiko.id]
    both = talent.TalentQuery(program_ids=[course.id, second.id], language_test="ielts")
    assert _ids(both) == []  # and a score too: nobody has one
    records.add_language_score(hr, aiko, test="ielts", score="5.0", taken_on=TAKEN)
    _db.session.commit()
    assert _ids(both) == [aiko.id]


def test_a_department_takes_its_sections_and_combines_with_the_other_filters(people):
    hr, course = people["hr"], people["course"]
    for name in ("Aiko", "Bunta", "Chie"):
        records.record_training(hr, people[name], course, status="completed", completed_on=TAKEN)
    _db.session.commit()
    everyone = talent.TalentQuery(department="tlp".upper())
    assert set(_ids(everyone)) == {people[n].id for n in ("Aiko", "Bunta", "Daichi", "Emi")}
    assert set(_ids(talent.TalentQuery(department="TLP-C"))) == {
        people["Bunta"].id,
        people["Daichi"].id,
    }
    with_course = talent.TalentQuery(department="TLP", program_ids=[course.id])
    assert set(_ids(with_course)) == {people["Aiko"].id, people["Bunta"].id}
    assert _ids(talent.TalentQuery(department="NO-SUCH")) == []  # not everyone


def test_hours_by_category_sum_the_completed_verified_records(people, make_program):
    hr, aiko, bunta = people["hr"], people["Aiko"], people["Bunta"]
    language = make_program("English", category="language", hours="10", code="EN-1")
    more = make_program("English 2", category="language", hours="15", code="EN-2")
    records.record_training(hr, aiko, language, status="completed", completed_on=TAKEN)
    records.record_training(hr, aiko, more, status="completed", completed_on=TAKEN)
    records.record_training(hr, bunta, language, status="completed", completed_on=TAKEN)
    records.record_training(bunta, bunta, more, status="completed", completed_on=TAKEN)
    _db.session.commit()
    query = talent.TalentQuery(category="language", min_hours=Decimal(20))
    assert _ids(query) == [aiko.id]
    query.include_unverified = True
    assert set(_ids(query)) == {aiko.id, bunta.id}
    query.program_ids = [more.id]
    assert set(_ids(query)) == {aiko.id, bunta.id}
    query.include_unverified = False
    assert _ids(query) == [aiko.id]


def test_the_page_counts_the_intersection_and_a_page_beyond_shows_the_last(app, people):
    hr, course = people["hr"], people["course"]
    names = ("Aiko", "Bunta", "Chie", "Daichi")
    for name in names:
        records.record_training(hr, people[name], course, status="completed", completed_on=TAKEN)
        records.add_language_score(hr, people[name], test="hsk", score="5", taken_on=TAKEN)
    records.add_language_score(hr, people["Emi"], test="hsk", score="6", taken_on=TAKEN)
    _db.session.commit()
    query = talent.TalentQuery(language_test="hsk", program_ids=[course.id])
    with app.test_request_context("/talent"):
        expected = _ids(query)
        assert len(expected) == 4
        first = talent.talent_page(query, 1, 3)
        assert (first.total, first.pages, [u.id for u in first.items]) == (4, 2, expected[:3])
        second = talent.talent_page(query, 2, 3)
        assert [u.id for u in second.items] == expected[3:]
        beyond = talent.talent_page(query, 9, 3)
        assert (beyond.page, [u.id for u in beyond.items]) == (2, expected[3:])
        nobody = talent.talent_page(talent.TalentQuery(language_test="topik"), 1, 3)
        assert (nobody.total, nobody.items) == (0, [])
        by_name = talent.talent_page(talent.TalentQuery(q="Emi"), 1, 3)
        assert [u.id for u in by_name.items] == [people["Emi"].id]


def test_the_export_gives_the_rows_of_the_page(login_as, people):
    hr, course = people["hr"], people["course"]
    for name in ("Aiko", "Bunta", "Daichi", "Emi"):
        records.record_training(hr, people[name], course, status="completed", completed_on=TAKEN)
        records.add_language_score(hr, people[name], test="goethe", score="80", taken_on=TAKEN)
    _db.session.commit()
    client = login_as("hr")
    search = f"language_test=goethe&program_id={course.id}&department=TLP"
    page = client.get(f"/talent?{search}&per_page=200").get_data(as_text=True)
    exported = client.get(f"/talent/export.csv?{search}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))[1:]
    numbers = [u.employee_number for u in (people[n] for n in ("Aiko", "Bunta", "Daichi", "Emi"))]
    assert sorted(row[0] for row in rows) == sorted(n or "" for n in numbers)
    exported_names = [row[2] for row in rows]
    assert all(name in page for name in exported_names)
    assert exported_names == sorted(exported_names, key=page.index)  # in the page's order


def test_the_department_filter_takes_a_code_or_a_name_and_refuses_an_unknown_one(login_as, people):
    parent = people["parent"]
    client = login_as("hr")
    found = {}
    for text in ("tlp", parent.name_en.upper(), parent.name_ja):
        response = client.get("/talent", query_string={"department": text})
        assert response.status_code == 200, text
        found[text] = response.get_data(as_text=True)
    for page in found.values():  # the department and its section, not the other one
        assert "Aiko" in page and "Bunta" in page and "Chie" not in page
    assert "<option" not in found["tlp"].split('id="department"')[1].split("</div>")[0]
    unknown = client.get("/talent?department=NO-SUCH", headers={"Accept-Language": "en"})
    assert unknown.status_code == 422
    assert "No department has this code or name" in unknown.get_data(as_text=True)
    client.post("/language", data={"locale": "ja", "next": "/talent"})
    in_japanese = client.get("/talent?department=NO-SUCH")
    assert in_japanese.status_code == 422
    assert "このコードまたは名称の部署はありません" in in_japanese.get_data(as_text=True)
    assert client.get("/talent/export.csv?department=NO-SUCH").status_code == 400  # as others


def test_the_page_lists_the_programs_searched_for_and_counts_the_rest_the_export_has_all(
    login_as, people, make_program
):
    hr, course, second = people["hr"], people["course"], people["second"]
    aiko = people["Aiko"]
    third = make_program("Diplomacy", code="DIP-1")
    for program in (course, second, third):
        records.record_training(hr, aiko, program, status="completed", completed_on=TAKEN)
    _db.session.commit()
    client = login_as("hr")
    page = client.get(
        f"/talent?program_id={course.id}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    results = page.split('id="talent-results"')[1].split("</table>")[0]
    assert "Negotiation" in results
    assert "Protocol" not in results and "Diplomacy" not in results
    assert "+2 more programs" in results
    assert results.count(f'href="/training/people/{aiko.id}"') == 2  # the name and "+2 more"
    by_hours = client.get("/talent?min_hours=0", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    by_hours = by_hours.split('id="talent-results"')[1].split("</table>")[0]
    assert "3 programs" in by_hours and "Negotiation" not in by_hours
    exported = client.get(f"/talent/export.csv?program_id={course.id}").get_data(as_text=True)
    row = next(r for r in csv.reader(io.StringIO(exported.lstrip("\ufeff"))) if "Aiko" in r[2])
    assert all(name in row[6] for name in ("Negotiation", "Protocol", "Diplomacy"))
