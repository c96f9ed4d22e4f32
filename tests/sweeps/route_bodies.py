"""The bodies the route table (route_table.txt) sends, by name: each one valid for the role
that may act, so that the others are refused by the role or scope check itself. Placeholders as
in tests/sweeps/requests.py ("@key" an id of the world, "@today+N" a date, "@file" a PDF)."""

from __future__ import annotations

LOGIN = {"email": "nobody@example.com", "password": "x"}

SET_LANGUAGE = {"locale": "ja"}

UPDATE_SETTINGS = {"locale": "en", "timezone": "Asia/Tokyo"}

CHANGE_PASSWORD = {"current_password": "wrong-one"}

CREATE_TOKEN = {"name": "script"}

_YAMADA = "yamada.taro@metro.tokyo.example"

USER_FORM = {
    "email": _YAMADA,
    "family_name": "山田",
    "given_name": "太郎",
    "family_name_kana": "ヤマダ",
    "given_name_kana": "タロウ",
    "family_name_romaji": "Yamada",
    "given_name_romaji": "Taro",
    "employee_number": "T0001001",
    "department": "UD-PLN",
    "joined_on": "2015-04-01",
    "locale": "ja",
    "timezone": "Asia/Tokyo",
    "roles": "employee",
    "active": "y",
}

NEW_USER = USER_FORM | {
    "email": "new.person@metro.tokyo.example",
    "employee_number": "T0009999",
    "password": "Brand-New-Passphrase-42",
}

RESET_PASSWORD = {"new_password": "Another-Long-Passphrase-7"}

SETTINGS = {"local_passwords": "y"}

NEW_CITY = {
    "code": "NEW",
    "name_en": "New City",
    "name_ja": "新市",
    "country": "KR",
    "timezone": "Asia/Seoul",
    "currency": "KRW",
    "relationship": "sister",
    "active": "y",
}

CITY_FORM = NEW_CITY | {"code": "SEL", "name_en": "Seoul", "name_ja": "ソウル"}

NEW_DEPARTMENT = {"code": "NEW-DPT", "name_ja": "新部", "name_en": "New", "level": "department"}

EDIT_DEPARTMENT = {
    "code": "UD-PLN",
    "name_ja": "都市計画部",
    "name_en": "Planning",
    "level": "department",
    "parent": "UD",
}

PLACEMENT_FORM = {
    "person": _YAMADA,
    "city": "SEL",
    "start_on": "@today+300",
    "end_on": "@today+400",
    "amount_jpy": "1000000",
    "purpose": "研修",
}

CONFIRM = {"host_office": "Seoul City Hall", "host_supervisor": "Park", "comment": "ok"}

REASON = {"comment": "理由 / reason"}

START = {"arrived_on": "@today+60"}

COMPLETE = {"confirm_early": "y"}

ADJUST_MILESTONE = {"due_on": "@today+20"}

SUBMIT_REPORT = {"kind": "final", "summary": "最終報告", "file": "@file"}

API_NOMINATION = {
    "name": "Choi Minsu",
    "email": "choi.minsu@seoul.example",
    "position": "Manager",
    "start_on": "@today+40",
    "end_on": "@today+130",
}

NOMINATION_FORM = API_NOMINATION | {"cv": "@file"}

ACCEPT_NOMINATION = {"host_department": "UD-PLN", "amount_jpy": "500000"}

AGREEMENT = {
    "title": "協定",
    "starts_on": "@today+1",
    "ends_on": "@today+365",
    "outgoing_people": "1",
    "outgoing_person_months": "6",
    "incoming_people": "1",
    "incoming_person_months": "6",
}

ACTION_LINK = {"action": "confirm"}

NEW_PROGRAM = {
    "code": "NEW-1",
    "title_ja": "上級英語研修",
    "title_en": "Advanced English",
    "category": "language",
    "hours": "40",
    "provider": "British Council Tokyo",
    "language": "en",
    "active": "y",
}

PROGRAM_FORM = NEW_PROGRAM | {"code": "EN-ADV"}

NEW_SESSION = {"starts_on": "@today+50", "ends_on": "@today+51", "place": "都庁", "capacity": "5"}

_RECORD = {"status": "completed", "completed_on": "@today-3", "hours": "40"}

RECORD_FORM = {"employee": _YAMADA, "program": "@program", **_RECORD}

EDIT_RECORD = {"status": "completed", "completed_on": "@today-10", "hours": "40"}

REJECT_RECORD = {"reason": "不鮮明"}

_SCORE = {"test": "toeic", "score": "850", "taken_on": "@today-5"}

SCORE_FORM = {"employee": _YAMADA, **_SCORE}

NEW_IMPORT = {"file": "@csv"}

CALL_FORM = {
    "title_ja": "新しい募集",
    "title_en": "A new call",
    "fiscal_year": "@fy+1",
    "opens_on": "@today+1",
    "closes_on": "@today+30",
    "slots-0-city": "SEL",
    "slots-0-positions": "1",
    "slots-0-months": "6",
    "slots-0-estimated_cost_jpy": "1000000",
}

APPLICATION_FORM = {
    "preference_1": "SEL",
    "statement": "ソウル市で学びたい。",
    "start_on": "@fy+1-10-01",
    "end_on": "@fy+2-03-31",
    "travel_jpy": "200000",
    "stipend_jpy": "1000000",
    "housing_jpy": "800000",
    "save": "y",
}

APPROVE = {
    "city": "SEL",
    "start_on": "@fy+1-10-01",
    "end_on": "@fy+2-03-31",
    "amount_jpy": "2000000",
}

ATTACH = {"kind": "certificate", "file": "@file"}

DELEGATION_FORM = {
    "deputy": "tanaka.misaki@metro.tokyo.example",
    "starts_on": "@today+30",
    "ends_on": "@today+40",
}

HR_DELEGATION = {
    "deputy": "suzuki.ichiro@metro.tokyo.example",
    "starts_on": "@today+30",
    "ends_on": "@today+40",
}

REVERSE_ENTRY = {"memo": "誤り / mistake"}

NEW_CONTRIBUTION = {"amount_jpy": "1000", "received_on": "@today+0", "memo": "m"}

NEW_ALLOCATION = {"fiscal_year": "@fy", "category": "training", "amount_jpy": "1000"}

NEW_DISBURSEMENT = {
    "placement_id": "@placement_sel_active",
    "paid_on": "@today+0",
    "currency": "JPY",
    "amount": "10000",
    "purpose": "",
}

NEW_FX_RATE = {"currency": "EUR", "rate_on": "@today+0", "jpy_per_unit": "160.5"}

CLOSE_YEAR = {"confirm": "y"}

CLOSE_YEAR_2 = {"confirm": "y", "release_open_commitments": "y"}

UPDATE_RULE = {"offset_days": "7", "enabled": "on", "channels": "email"}

NOTICE_SETTINGS = {}

NOTICE_SETTINGS_2 = {"email": "application_submitted"}

API_CITY = NEW_CITY | {"active": True}

API_CREATE_DEPARTMENT = {"code": "NEW-DPT", "name_ja": "新部", "name_en": "New"}

API_COMPLETE = {"confirm_early": True}

API_UPLOAD_NOMINATION_CV = {"file": "@file"}

API_ACCEPT_NOMINATION = {"host_department": "UD-PLN", "amount_jpy": 500000}

API_CALL = {
    "title": "A new call",
    "fiscal_year": "@fy+1",
    "opens_on": "@today+1",
    "closes_on": "@today+30",
    "slots": [{"city": "SEL", "positions": 1, "months": 6, "estimated_cost_jpy": 1000000}],
}

API_APPLICATION = {
    "call_id": "@call_fresh",
    "preferences": ["SEL"],
    "statement": "ソウル市で学びたい。",
    "start_on": "@fy+1-10-01",
    "end_on": "@fy+2-03-31",
    "budget": {"travel_jpy": 200000, "stipend_jpy": 1000000, "housing_jpy": 800000},
}

API_UPDATE_APPLICATION = {"statement": "書き直し"}

API_APPROVE = APPROVE | {"amount_jpy": 2000000}

API_CREATE_PROGRAM = {"title": "New", "category": "language", "hours": "10", "code": "NEW-2"}

API_CREATE_RECORD = {"user": _YAMADA, "program_id": "@program", **_RECORD}

API_CREATE_SCORE = {"user": _YAMADA, **_SCORE}

API_CREATE_CONTRIBUTION = {"amount_jpy": 1000, "received_on": "@today+0"}

API_CREATE_BUDGET_LINE = {"fiscal_year": "@fy", "category": "training", "allocated_jpy": 1000}

DISBURSEMENT = NEW_DISBURSEMENT | {"purpose": "placement"}

API_CREATE_FX_RATE = {"currency": "EUR", "on": "@today+0", "jpy_per_unit": "160.5"}

API_REVERSE_ENTRY = {"memo": "誤り"}

API_NOTICE_SETTINGS = {"email": {}}
