"""The TMG staff directory (LDAP: Active Directory or OpenLDAP) through ldap3.

Finds a person with the service account, checks their password by binding as them, and reads
their attributes and groups. Settings are the ``LDAP_*`` of config/; no request objects here.

A disabled account is, in Active Directory, one whose ``userAccountControl`` has bit 2
(ACCOUNTDISABLE) set, or whose bind AD refuses as disabled, expired or locked (data 533, 701,
775). In OpenLDAP it is an entry whose ``shadowExpire`` (days since 1970-01-01, nis schema's
shadowAccount) has passed, or that carries ``pwdAccountLockedTime`` (ppolicy).
"""

from __future__ import annotations

import logging
import re
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from ldap3 import FIRST, NONE, SUBTREE, Connection, Server, ServerPool, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

log = logging.getLogger(__name__)

#: The hrfund fields and the LDAP_ATTR_* setting naming the directory attribute of each.
ATTRIBUTE_SETTINGS = {
    "uid": "LDAP_ATTR_UID",
    "email": "LDAP_ATTR_EMAIL",
    "family_name": "LDAP_ATTR_FAMILY_NAME",
    "given_name": "LDAP_ATTR_GIVEN_NAME",
    "family_name_kana": "LDAP_ATTR_FAMILY_NAME_KANA",
    "given_name_kana": "LDAP_ATTR_GIVEN_NAME_KANA",
    "family_name_romaji": "LDAP_ATTR_FAMILY_NAME_ROMAJI",
    "given_name_romaji": "LDAP_ATTR_GIVEN_NAME_ROMAJI",
    "employee_number": "LDAP_ATTR_EMPLOYEE_NUMBER",
    "department": "LDAP_ATTR_DEPARTMENT",
}
DISABLED_ATTRIBUTES = ("userAccountControl", "shadowExpire", "pwdAccountLockedTime")
AD_ACCOUNT_DISABLED = 0x2
# Active Directory's reasons in a refused bind: disabled, account expired, locked out.
AD_DISABLED_BIND = re.compile(r"data (533|701|775)\b")


class DirectoryError(Exception):
    """The directory did not sign the person in."""


class DirectoryUnavailable(DirectoryError):
    """The directory cannot be reached, or refuses the service account."""


class WrongCredentials(DirectoryError):
    """No such person in the directory, or a wrong password (not told apart)."""


class AccountDisabled(DirectoryError):
    """The directory holds the account but has it disabled, expired or locked."""


@dataclass
class DirectoryPerson:
    """What the directory says about one person, in hrfund's terms."""

    dn: str
    uid: str
    email: str
    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    family_name_romaji: str = ""
    given_name_romaji: str = ""
    employee_number: str | None = None
    department: str | None = None
    groups: list[str] = field(default_factory=list)


def is_configured() -> bool:
    """Whether directory sign-in is on (LDAP_URL is set)."""
    return bool((current_app.config.get("LDAP_URL") or "").strip())


def normalize_dn(dn: str) -> str:
    """A DN compared case-insensitively, without the blanks around commas."""
    return re.sub(r"\s*,\s*", ",", (dn or "").strip()).lower()


def group_names(dn: str) -> set[str]:
    """The names a mapping may use for a group: its whole DN and its first RDN's value (cn)."""
    normal = normalize_dn(dn)
    first = normal.split(",", 1)[0]
    return {normal, first.split("=", 1)[1] if "=" in first else first}


def _server():
    cfg = current_app.config
    timeout = int(cfg["LDAP_TIMEOUT"])
    tls = None
    if cfg.get("LDAP_CA_FILE") or cfg.get("LDAP_START_TLS") or "ldaps://" in cfg["LDAP_URL"]:
        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=cfg.get("LDAP_CA_FILE") or None)
    servers = [
        Server(
            url, get_info=NONE, connect_timeout=timeout, use_ssl=url.startswith("ldaps"), tls=tls
        )
        for url in cfg["LDAP_URL"].split()
    ]
    if len(servers) == 1:
        return servers[0]
    return ServerPool(servers, FIRST, active=1, exhaust=60)


def _connection(server, user: str | None, password: str | None) -> Connection:
    """An open connection, TLS started when configured, bound as ``user`` (or anonymous)."""
    connection = Connection(
        server,
        user=user,
        password=password,
        receive_timeout=int(current_app.config["LDAP_TIMEOUT"]),
        auto_referrals=False,
        raise_exceptions=False,
        read_only=True,
    )
    connection.open()
    if current_app.config.get("LDAP_START_TLS"):
        connection.start_tls()
    return connection


def _first(values) -> str:
    if isinstance(values, list | tuple):
        values = values[0] if values else ""
    if isinstance(values, bytes):
        values = values.decode("utf-8", "replace")
    return str(values or "").strip()


def _all(values) -> list[str]:
    if not isinstance(values, list | tuple):
        values = [values] if values else []
    return [_first(v) for v in values if _first(v)]


def _is_disabled(attributes: dict) -> bool:
    control = _first(attributes.get("useraccountcontrol"))
    if control.lstrip("-").isdigit() and int(control) & AD_ACCOUNT_DISABLED:
        return True
    expire = _first(attributes.get("shadowexpire"))
    today = (datetime.now(UTC).date() - datetime(1970, 1, 1, tzinfo=UTC).date()).days
    if expire.lstrip("-").isdigit() and 0 <= int(expire) <= today:
        return True
    return bool(_first(attributes.get("pwdaccountlockedtime")))


def _search(connection: Connection, base: str, query: str, attributes: list[str], limit: int):
    """The entries found (referrals skipped); DirectoryUnavailable when the search fails."""
    ok = connection.search(
        base, query, SUBTREE, attributes=attributes, size_limit=limit, time_limit=10
    )
    result = connection.result or {}
    if not ok and result.get("description") not in ("success", "noSuchObject", "sizeLimitExceeded"):
        raise DirectoryUnavailable(f"search failed: {result.get('description')}")
    return [
        (entry["dn"], {k.lower(): v for k, v in entry.get("attributes", {}).items()})
        for entry in connection.response or []
        if entry.get("type") == "searchResEntry"
    ]


def _groups(connection: Connection, dn: str, attributes: dict) -> list[str]:
    cfg = current_app.config
    groups = _all(attributes.get(cfg["LDAP_ATTR_MEMBER_OF"].lower()))
    if cfg.get("LDAP_GROUP_BASE_DN") and cfg.get("LDAP_GROUP_FILTER"):
        query = cfg["LDAP_GROUP_FILTER"].replace("{dn}", escape_filter_chars(dn))
        groups += [g for g, _ in _search(connection, cfg["LDAP_GROUP_BASE_DN"], query, [], 500)]
    return sorted({normalize_dn(g) for g in groups})


def _person(dn: str, attributes: dict, groups: list[str]) -> DirectoryPerson:
    cfg = current_app.config
    values = {
        name: _first(attributes.get(cfg[setting].lower()))
        for name, setting in ATTRIBUTE_SETTINGS.items()
    }
    # Without the id attribute, the DN identifies the person (never an empty id shared by all).
    values["uid"] = values["uid"] or normalize_dn(dn)
    return DirectoryPerson(
        dn=dn,
        **{k: v for k, v in values.items() if k not in ("employee_number", "department")},
        employee_number=values["employee_number"] or None,
        department=values["department"] or None,
        groups=groups,
    )


def authenticate(login: str, password: str) -> DirectoryPerson:
    """The person behind ``login`` (the escaped value fills ``{login}`` of LDAP_USER_FILTER) if
    ``password`` is theirs; else WrongCredentials, AccountDisabled or DirectoryUnavailable."""
    cfg = current_app.config
    if not login or not password:
        # An empty password is an "unauthenticated bind" that LDAP answers with success.
        raise WrongCredentials("empty login or password")
    wanted = [cfg[s] for s in ATTRIBUTE_SETTINGS.values()]
    wanted += [cfg["LDAP_ATTR_MEMBER_OF"], *DISABLED_ATTRIBUTES]
    try:
        server = _server()
        service = _connection(server, cfg.get("LDAP_BIND_DN"), cfg.get("LDAP_BIND_PASSWORD"))
        try:
            if not service.bind():
                raise DirectoryUnavailable(f"service bind refused: {service.result}")
            query = cfg["LDAP_USER_FILTER"].replace("{login}", escape_filter_chars(login))
            found = _search(service, cfg["LDAP_BASE_DN"], query, wanted, 2)
            if len(found) != 1:
                raise WrongCredentials(f"{len(found)} entries for the login")
            dn, attributes = found[0]
            person_connection = _connection(server, dn, password)
            try:
                bound = person_connection.bind()
                refusal = str((person_connection.result or {}).get("message") or "")
            finally:
                person_connection.unbind()
            if not bound:
                if AD_DISABLED_BIND.search(refusal):
                    raise AccountDisabled(refusal)
                raise WrongCredentials("bind refused")
            if _is_disabled(attributes):
                raise AccountDisabled("disabled in the directory")
            return _person(dn, attributes, _groups(service, dn, attributes))
        finally:
            service.unbind()
    except DirectoryError:
        raise
    except (LDAPException, OSError) as error:
        log.error("directory %s unreachable: %s", cfg.get("LDAP_URL"), error)
        raise DirectoryUnavailable(str(error)) from error


def describe_settings() -> dict:
    """The directory settings an administrator may see (never the bind password)."""
    cfg = current_app.config
    return {
        "url": cfg.get("LDAP_URL") or "",
        "base_dn": cfg.get("LDAP_BASE_DN") or "",
        "bind_dn": cfg.get("LDAP_BIND_DN") or "",
        "user_filter": cfg.get("LDAP_USER_FILTER") or "",
        "group_base_dn": cfg.get("LDAP_GROUP_BASE_DN") or "",
        "attributes": {setting: cfg[setting] for setting in ATTRIBUTE_SETTINGS.values()},
        "role_groups": dict(cfg.get("LDAP_ROLE_GROUPS") or {}),
        "department_groups": dict(cfg.get("LDAP_DEPARTMENT_GROUPS") or {}),
    }
