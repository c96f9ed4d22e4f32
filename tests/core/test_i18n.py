"""Every user-facing string has a Japanese translation; pages switch language."""

from __future__ import annotations

from babel.messages.pofile import read_po

from hrfund.core.catalogs import catalog_dir, extract, split_key


def test_every_message_is_translated_to_japanese():
    untranslated = []
    for name, messages in extract().items():
        path = catalog_dir(name) / "ja" / "LC_MESSAGES" / "messages.po"
        assert path.exists(), f"no Japanese catalog at {path}"
        catalog = read_po(path.open("rb"), locale="ja")
        for key, places in messages.items():
            msgid, context = split_key(key)
            entry = catalog.get(msgid, context=context)
            if (
                entry is None
                or not entry.string
                or (isinstance(entry.string, tuple) and not all(entry.string))
            ):
                untranslated.append(f"{places[0][0]}:{places[0][1]} {msgid!r}")
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)


def test_no_message_has_two_translations_across_catalogs():
    """The catalogs are merged into one at run time, the last one winning: a message translated
    one way in one module and another way in the next shows the wrong word somewhere (``From``
    as 開始 in the audit log). A word meaning two things gets a context (pgettext)."""
    seen: dict[tuple, dict[str, str]] = {}
    for name in extract():
        path = catalog_dir(name) / "ja" / "LC_MESSAGES" / "messages.po"
        for entry in read_po(path.open("rb"), locale="ja"):
            if entry.id and entry.string:
                key = (str(entry.id), entry.context)
                seen.setdefault(key, {})[name or "shared"] = str(entry.string)
    clashes = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert not clashes, "\n".join(f"{k}: {v}" for k, v in clashes.items())


def test_language_switch_for_anonymous_visitors(client):
    assert b"Log in" in client.get("/login").data
    client.post("/language", data={"locale": "ja", "next": "/login"})
    assert "ログイン".encode() in client.get("/login").data
    client.post("/language", data={"locale": "en", "next": "/login"})
    assert b"Log in" in client.get("/login").data


def test_japanese_browser_gets_japanese(app):
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja,en;q=0.5"
    assert "メールアドレス".encode() in c.get("/login").data


def test_dates_are_shown_in_the_users_time_zone(db, login_as):
    from hrfund.core.audit import record_event

    c = login_as("auditor", timezone="America/Toronto")
    record_event(None, "tz.check", object_type="thing", object_id="tz")
    db.session.commit()
    import sqlalchemy as sa

    from hrfund.core.audit import AuditEvent

    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "tz.check"))
    page = c.get("/audit?action=tz.check").data.decode()
    from zoneinfo import ZoneInfo

    local = event.at.astimezone(ZoneInfo("America/Toronto"))
    assert local.strftime("%-I:%M") in page or local.strftime("%H:%M") in page


def test_templates_translate_in_the_locale_of_the_moment(app):
    """Templates find their catalog by the request's locale (``install_template_gettext``): it
    must be flask_babel's catalog for that locale, follow ``force_locale`` (e-mails in the
    recipient's language within a request) and come back after it."""
    from flask_babel import force_locale, gettext

    template = app.jinja_env.from_string(
        "{{ _('Figures') }}|{{ ngettext('%(num)d failed login in a row.',"
        " '%(num)d failed logins in a row.', 3) }}"
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert template.render() == "Figures|3 failed logins in a row."
        with force_locale("ja"):
            assert template.render() == "数値|連続3回ログインに失敗しています。"
        assert template.render() == "Figures|3 failed logins in a row."
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        assert template.render().startswith("数値|")
    with app.app_context():  # no request: the default language's catalog, as flask_babel's
        assert template.render().split("|")[0] == gettext("Figures")
