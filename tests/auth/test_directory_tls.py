"""Directory sign-in over ldaps:// and StartTLS, with the directory's certificate checked
against LDAP_CA_FILE (a CA made for the test), and refused without it."""

from __future__ import annotations

import shutil

import pytest

from tests.ldap_server import MISSING, slapd_available, start_slapd


@pytest.fixture(scope="module")
def tls_slapd(tmp_path_factory):
    if not slapd_available():
        pytest.skip(MISSING)
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: no certificate for the test directory")
    server = start_slapd(tmp_path_factory.mktemp("slapd-tls"), tls=True)
    yield server
    server.stop()


@pytest.fixture
def via_tls(app, tls_slapd, monkeypatch):
    for name, value in tls_slapd.config().items():
        monkeypatch.setitem(app.config, name, value)
    return tls_slapd


def _sign_in(client):
    from tests.ldap_server import STAFF_PASSWORD

    return client.post("/login", data={"email": "tsuzuki", "password": STAFF_PASSWORD})


def test_ldaps_with_the_directory_ca(db, client, app, via_tls, monkeypatch):
    monkeypatch.setitem(app.config, "LDAP_URL", f"ldaps://127.0.0.1:{via_tls.tls_port}")
    monkeypatch.setitem(app.config, "LDAP_CA_FILE", via_tls.ca_file)
    assert _sign_in(client).status_code == 302


def test_start_tls_with_the_directory_ca(db, client, app, via_tls, monkeypatch):
    monkeypatch.setitem(app.config, "LDAP_START_TLS", True)
    monkeypatch.setitem(app.config, "LDAP_CA_FILE", via_tls.ca_file)
    assert _sign_in(client).status_code == 302


def test_an_unknown_certificate_is_refused(db, client, app, via_tls, monkeypatch):
    monkeypatch.setitem(app.config, "LDAP_URL", f"ldaps://127.0.0.1:{via_tls.tls_port}")
    response = _sign_in(client)  # the system's CAs do not know the test CA
    assert response.status_code == 200
    assert b"The staff directory cannot be reached just now." in response.data
