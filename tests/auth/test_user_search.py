"""``auth.services.user_search``: the one free-text search over people that every page uses."""

from __future__ import annotations

import sqlalchemy as sa

from hrfund.auth.models import User
from hrfund.auth.services import user_search
from hrfund.extensions import db
from hrfund.training import talent
from tests import factories


def _found(q: str) -> set[int]:
    return set(db.session.scalars(sa.select(User.id).where(user_search(q))))


def _people():
    hanako = factories.user(
        ["employee"],
        email="hanako.sato@metro.tokyo.example",
        family_name="佐藤",
        given_name="花子",
        family_name_kana="サトウ",
        given_name_kana="ハナコ",
        family_name_romaji="Sato",
        given_name_romaji="Hanako",
        employee_number="E100_42",
    )
    other = factories.user(
        ["employee"],
        email="jiro.suzuki@metro.tokyo.example",
        family_name="鈴木",
        given_name="次郎",
        family_name_kana="スズキ",
        given_name_kana="ジロウ",
        family_name_romaji="Suzuki",
        given_name_romaji="Jiro",
        employee_number="E100142",
    )
    return hanako, other


def test_every_name_form_email_and_number_are_searched(db):
    hanako, other = _people()
    for q in ("佐藤", "花子", "サトウ", "ハナコ", "sato", "HANAKO", "hanako.sato@", "E100_42"):
        assert hanako.id in _found(q), q
        assert other.id not in _found(q), q


def test_every_word_must_match_in_any_order(db):
    hanako, other = _people()
    assert hanako.id in _found("Hanako Sato")
    assert hanako.id in _found("佐藤 花子")
    assert hanako.id not in _found("Hanako Suzuki")
    assert other.id in _found("jiro  SUZUKI")


def test_wildcards_are_taken_literally(db):
    hanako, other = _people()
    # "_" would match any one character: E100142 must not be found for E100_42
    assert hanako.id in _found("E100_42") and other.id not in _found("E100_42")
    assert _found("%") & {hanako.id, other.id} == set()


def test_empty_query_matches_everyone(db):
    hanako, other = _people()
    assert {hanako.id, other.id} <= _found("")
    assert {hanako.id, other.id} <= _found("   ")


def test_talent_search_uses_it(db):
    hanako, other = _people()
    found = set(db.session.scalars(talent.talent_select(talent.TalentQuery(q="ハナコ"))))
    assert hanako in found and other not in found


def test_admin_user_list_uses_it(login_as, db):
    hanako, other = _people()
    admin = login_as("admin")
    page = admin.get("/admin/users?q=サトウ ハナコ").get_data(as_text=True)
    assert "hanako.sato@metro.tokyo.example" in page
    assert "jiro.suzuki@metro.tokyo.example" not in page
