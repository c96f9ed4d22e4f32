"""Fixtures of the auth tests: a real OpenLDAP server (see tests/ldap_server.py)."""

from tests.ldap_server import directory, slapd  # noqa: F401
