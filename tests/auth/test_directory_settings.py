"""The LDAP_* settings read from the environment."""

from __future__ import annotations

import pytest

from config import Config


def test_ldap_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv(
        "LDAP_URL", "ldaps://dc1.metro.tokyo.example ldaps://dc2.metro.tokyo.example"
    )
    monkeypatch.setenv("LDAP_ROLE_GROUPS", '{"cn=hrfund-hr,ou=groups,dc=x": ["hr", "employee"]}')
    monkeypatch.setenv("LDAP_DEPARTMENT_GROUPS", '{"kikaku": "GOV-INT"}')
    monkeypatch.setenv("LDAP_TIMEOUT", "7")
    monkeypatch.setenv("LDAP_ALLOW_LOCAL_PASSWORDS", "false")
    values = Config.from_environment()
    assert values["LDAP_URL"].split() == [
        "ldaps://dc1.metro.tokyo.example",
        "ldaps://dc2.metro.tokyo.example",
    ]
    assert values["LDAP_ROLE_GROUPS"] == {"cn=hrfund-hr,ou=groups,dc=x": ["hr", "employee"]}
    assert values["LDAP_DEPARTMENT_GROUPS"] == {"kikaku": "GOV-INT"}
    assert values["LDAP_TIMEOUT"] == 7
    assert values["LDAP_ALLOW_LOCAL_PASSWORDS"] is False


@pytest.mark.parametrize("value", ["not json", '["hr"]'])
def test_a_malformed_group_mapping_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("LDAP_ROLE_GROUPS", value)
    with pytest.raises(RuntimeError, match="LDAP_ROLE_GROUPS must be a JSON object"):
        Config.from_environment()


def test_without_ldap_url_directory_sign_in_is_off(app):
    from hrfund.auth import directory

    with app.app_context():
        assert app.config["LDAP_URL"] is None
        assert directory.is_configured() is False
