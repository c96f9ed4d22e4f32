"""Settings classes; environment variables override them; production fails without secrets."""

from __future__ import annotations

import json
import os
from datetime import timedelta


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = "dev-key-not-for-production"  # noqa: S105 - replaced in production
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite file in the instance folder
    # PostgreSQL: a pooled connection idle longer than this (seconds) is pinged before use, so
    # that the first request after a restart or failover succeeds (hrfund.core.db.ping_when_idle);
    # one in use moments ago is not, which spares a round trip per request under load
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    DB_PING_IDLE_SECONDS = 2.0
    WTF_CSRF_TIME_LIMIT = None  # bound to the session, which has its own timeouts

    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    LANGUAGES = ("ja", "en")

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_HTTPONLY = True

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Login throttling. Per client address (the forwarded one behind HRFUND_PROXY_HOPS), only
    # failed attempts count, and generously: one office behind one proxy shares it. Per submitted
    # account every attempt counts, so that parallel guesses cannot outrun the lockout.
    LOGIN_RATE_LIMIT = "60 per minute;600 per hour"
    LOGIN_ACCOUNT_RATE_LIMIT = "10 per minute"
    # The lockout: from the THRESHOLD-th failure in a row, BASE seconds, doubled with each further
    # failure, at most MAX (1, 2, 4, 8, 15, 15 … minutes); attempts while locked are not checked
    # and do not count. Failures are forgotten FAILURE_MEMORY_HOURS after the last one.
    LOGIN_LOCKOUT_THRESHOLD = 5
    LOGIN_LOCKOUT_BASE_SECONDS = 60
    LOGIN_LOCKOUT_MAX_SECONDS = 15 * 60
    LOGIN_FAILURE_MEMORY_HOURS = 24
    # A browser that logged in to an account before is not held up by its lockout or its
    # per-account limit (so that an attacker cannot keep the owner out); it has its own limit.
    LOGIN_KNOWN_DEVICE_DAYS = 180
    LOGIN_KNOWN_DEVICE_RATE_LIMIT = "10 per hour"
    # Failed password changes per account (a wrong current password): a session left open must
    # not let anyone guess the password faster than the login does.
    PASSWORD_CHANGE_RATE_LIMIT = "5 per 15 minutes"  # noqa: S105 - a rate, not a password

    PASSWORD_MIN_LENGTH = 10
    # argon2id; OWASP: m=19 MiB, t=2, p=1 at least. We use 64 MiB, t=3, p=1.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 1

    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_FROM = "hrfund@metro.tokyo.example"
    # seconds, for each wait of an SMTP exchange (connect, each answer): see check_timeouts
    MAIL_TIMEOUT = 30
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"  # links in e-mails and calendar feeds

    # Reminders: dispatch interval of `flask scheduler run`; how late a missed reminder is still
    # sent; when a claim whose sender died is taken over; SMTP retries (base × 2^n, n attempts).
    REMINDER_INTERVAL_MINUTES = 5
    REMINDER_CATCH_UP_DAYS = 7
    REMINDER_CLAIM_TIMEOUT_SECONDS = 600
    REMINDER_RETRY_BASE_SECONDS = 300
    REMINDER_MAX_ATTEMPTS = 6
    REMINDER_SEND_PAUSE_SECONDS = 0.0

    # Retention of personal data (APPI), in days; HRFUND_RETENTION_DAYS_<KIND> overrides each.
    # See hrfund/reports/retention.py for what anonymising keeps and drops.
    RETENTION_DAYS_APPLICATIONS = 3 * 365  # not approved: declined, rejected, withdrawn
    RETENTION_DAYS_NOMINATIONS = 3 * 365  # rejected
    RETENTION_DAYS_UNVERIFIED_SCORES = 2 * 365
    RETENTION_DAYS_NOTIFICATIONS = 365
    RETENTION_DAYS_AUDIT_EVENTS = 10 * 365
    RETENTION_BATCH_SIZE = 500
    # Directory sign-in (LDAP / Active Directory, see hrfund/auth/directory.py and the README).
    # Off while LDAP_URL is empty: then every account signs in with its local password, as before.
    LDAP_URL: str | None = None  # ldap://host:389 or ldaps://host:636; several: space-separated
    LDAP_START_TLS = False
    LDAP_CA_FILE: str | None = None
    LDAP_BASE_DN = ""
    LDAP_BIND_DN: str | None = None  # the service account that searches; None: anonymous
    LDAP_BIND_PASSWORD: str | None = None
    # {login} is the escaped name typed on the login page. Active Directory:
    # (&(objectClass=user)(|(sAMAccountName={login})(userPrincipalName={login})(mail={login})))
    LDAP_USER_FILTER = "(&(objectClass=inetOrgPerson)(|(uid={login})(mail={login})))"
    LDAP_ATTR_UID = "uid"  # AD: sAMAccountName (or objectGUID)
    LDAP_ATTR_EMAIL = "mail"
    LDAP_ATTR_FAMILY_NAME = "sn;lang-ja"  # kanji; AD: sn
    LDAP_ATTR_GIVEN_NAME = "givenName;lang-ja"  # AD: givenName
    LDAP_ATTR_FAMILY_NAME_KANA = "sn;lang-ja-x-phonetic"  # AD: msDS-PhoneticLastName
    LDAP_ATTR_GIVEN_NAME_KANA = "givenName;lang-ja-x-phonetic"  # AD: msDS-PhoneticFirstName
    LDAP_ATTR_FAMILY_NAME_ROMAJI = "sn"  # AD: e.g. extensionAttribute1
    LDAP_ATTR_GIVEN_NAME_ROMAJI = "givenName"
    LDAP_ATTR_EMPLOYEE_NUMBER = "employeeNumber"  # AD: employeeID
    LDAP_ATTR_DEPARTMENT = "departmentNumber"  # holds a department code; AD: department
    LDAP_ATTR_MEMBER_OF = "memberOf"  # read when the directory has it (AD, slapd's memberof)
    # Groups are also searched under LDAP_GROUP_BASE_DN with LDAP_GROUP_FILTER ({dn}: the user's).
    LDAP_GROUP_BASE_DN = ""
    LDAP_GROUP_FILTER = "(|(member={dn})(uniqueMember={dn}))"
    # Group (its DN or its cn) → roles; JSON in the environment. A user in none is refused.
    LDAP_ROLE_GROUPS: dict = {}
    # Group (DN or cn) → department code; else the department attribute names the code.
    LDAP_DEPARTMENT_GROUPS: dict = {}
    LDAP_TIMEOUT = 5  # seconds, to connect and for each answer
    # Whether directory users may also sign in with a local password (when they have one), until
    # an administrator switches it off on the admin page (the setting is then kept in the DB).
    LDAP_ALLOW_LOCAL_PASSWORDS = True
    # Placements: how many days before its start a guest or employee may arrive.
    ARRIVAL_TOLERANCE_DAYS = 7

    API_PER_PAGE_DEFAULT = 50
    API_PER_PAGE_MAX = 200
    PAGE_SIZE = 25
    # the long lists (applications, ledger, audit log) count this far, then say "more than"
    LIST_COUNT_CAP = 10_000
    # the talent pool, when its filters are checked person by person (hours, department, name),
    # counts this far (each person counted costs a look at their records)
    TALENT_COUNT_CAP = 1_000

    # Uploads live outside the web root (None: <instance>/uploads). Certificates and CVs are at
    # most UPLOAD_MAX_BYTES; imports of training records may be larger. MAX_CONTENT_LENGTH caps
    # any request (answered 413); the bigger of the two limits, plus room for the form.
    UPLOAD_FOLDER: str | None = None
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    IMPORT_MAX_BYTES = 64 * 1024 * 1024
    MAX_CONTENT_LENGTH = IMPORT_MAX_BYTES + 1024 * 1024
    HSTS = False
    SHOW_ERROR_DETAILS = False

    # Trusted reverse proxies in front of the app (HRFUND_PROXY_HOPS): with N > 0, Werkzeug's
    # ProxyFix takes the client's address, scheme and host from the last N X-Forwarded-* values.
    PROXY_HOPS = 0
    # The instance folder (HRFUND_INSTANCE_PATH); None: Flask's, instance/ in a checkout.
    INSTANCE_PATH: str | None = None

    @classmethod
    def from_environment(cls) -> dict:
        """The settings that environment variables override."""
        values: dict = {}
        for name in (
            "SECRET_KEY",
            "RATELIMIT_STORAGE_URI",
            "MAIL_SERVER",
            "MAIL_USERNAME",
            "MAIL_PASSWORD",
            "MAIL_FROM",
            "PUBLIC_BASE_URL",
            "UPLOAD_FOLDER",
        ):
            if os.environ.get(name):
                values[name] = os.environ[name]
        if os.environ.get("DATABASE_URL"):
            values["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
        if os.environ.get("MAIL_PORT"):
            values["MAIL_PORT"] = int(os.environ["MAIL_PORT"])
        for name in (
            "LOGIN_RATE_LIMIT",
            "LOGIN_ACCOUNT_RATE_LIMIT",
            "LOGIN_KNOWN_DEVICE_RATE_LIMIT",
            "PASSWORD_CHANGE_RATE_LIMIT",
        ):
            if os.environ.get(name):
                values[name] = os.environ[name]
        for name in (
            "LOGIN_LOCKOUT_THRESHOLD",
            "LOGIN_LOCKOUT_BASE_SECONDS",
            "LOGIN_LOCKOUT_MAX_SECONDS",
            "LOGIN_FAILURE_MEMORY_HOURS",
            "LOGIN_KNOWN_DEVICE_DAYS",
            "REMINDER_INTERVAL_MINUTES",
            "REMINDER_CATCH_UP_DAYS",
            "REMINDER_CLAIM_TIMEOUT_SECONDS",
            "REMINDER_RETRY_BASE_SECONDS",
            "REMINDER_MAX_ATTEMPTS",
            "ARRIVAL_TOLERANCE_DAYS",
        ):
            if os.environ.get(name):
                values[name] = int(os.environ[name])
        values |= _retention_from_environment()
        if os.environ.get("MAIL_TIMEOUT"):
            values["MAIL_TIMEOUT"] = _env_seconds("MAIL_TIMEOUT")
        if os.environ.get("REMINDER_SEND_PAUSE_SECONDS"):
            values["REMINDER_SEND_PAUSE_SECONDS"] = float(os.environ["REMINDER_SEND_PAUSE_SECONDS"])
        values |= _ldap_from_environment()
        if os.environ.get("HRFUND_PROXY_HOPS"):
            values["PROXY_HOPS"] = _env_hops(os.environ["HRFUND_PROXY_HOPS"])
        if os.environ.get("MAIL_USE_TLS"):
            values["MAIL_USE_TLS"] = _env_bool("MAIL_USE_TLS", False)
        return values

    @classmethod
    def instance_path(cls) -> str | None:
        """HRFUND_INSTANCE_PATH, else this environment's default (None: Flask's own)."""
        path = os.environ.get("HRFUND_INSTANCE_PATH") or cls.INSTANCE_PATH
        return os.path.abspath(path) if path else None


#: The waits of one SMTP send, each bounded by MAIL_TIMEOUT (connect, greeting, EHLO, STARTTLS,
#: EHLO again, AUTH, MAIL, RCPT, DATA, the message's end), rounded up.
SMTP_WAITS_PER_SEND = 10


def check_timeouts(config) -> None:
    """Refuse settings under which one slow SMTP send can outlast its reminder's claim: the
    claim would be taken over by another dispatcher while the first is still sending, and the
    e-mail sent twice. MAIL_TIMEOUT bounds each wait of a send, not the send, hence the margin."""
    mail = config.get("MAIL_TIMEOUT")
    claim = config.get("REMINDER_CLAIM_TIMEOUT_SECONDS")
    if not isinstance(mail, int | float) or isinstance(mail, bool) or mail <= 0:
        raise RuntimeError(f"MAIL_TIMEOUT must be a number of seconds above 0, not {mail!r}")
    if not isinstance(claim, int | float) or isinstance(claim, bool) or claim <= 0:
        raise RuntimeError(
            f"REMINDER_CLAIM_TIMEOUT_SECONDS must be a number of seconds above 0, not {claim!r}"
        )
    if mail * SMTP_WAITS_PER_SEND > claim:
        raise RuntimeError(
            f"MAIL_TIMEOUT ({mail} s) must be at most REMINDER_CLAIM_TIMEOUT_SECONDS / "
            f"{SMTP_WAITS_PER_SEND} ({claim / SMTP_WAITS_PER_SEND:g} s): a send that waits "
            "longer would have its claim taken over and its e-mail sent twice"
        )


RETENTION_SETTINGS = (
    "RETENTION_DAYS_APPLICATIONS",
    "RETENTION_DAYS_NOMINATIONS",
    "RETENTION_DAYS_UNVERIFIED_SCORES",
    "RETENTION_DAYS_NOTIFICATIONS",
    "RETENTION_DAYS_AUDIT_EVENTS",
    "RETENTION_BATCH_SIZE",
)


def _retention_from_environment() -> dict:
    """HRFUND_RETENTION_DAYS_* and HRFUND_RETENTION_BATCH_SIZE: whole numbers, at least 1."""
    values = {}
    for name in RETENTION_SETTINGS:
        raw = os.environ.get(f"HRFUND_{name}")
        if not raw:
            continue
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise RuntimeError(f"HRFUND_{name} must be a whole number of at least 1, not {raw!r}")
        values[name] = number
    return values


LDAP_TEXT_SETTINGS = (
    "LDAP_URL",
    "LDAP_CA_FILE",
    "LDAP_BASE_DN",
    "LDAP_BIND_DN",
    "LDAP_BIND_PASSWORD",
    "LDAP_USER_FILTER",
    "LDAP_ATTR_UID",
    "LDAP_ATTR_EMAIL",
    "LDAP_ATTR_FAMILY_NAME",
    "LDAP_ATTR_GIVEN_NAME",
    "LDAP_ATTR_FAMILY_NAME_KANA",
    "LDAP_ATTR_GIVEN_NAME_KANA",
    "LDAP_ATTR_FAMILY_NAME_ROMAJI",
    "LDAP_ATTR_GIVEN_NAME_ROMAJI",
    "LDAP_ATTR_EMPLOYEE_NUMBER",
    "LDAP_ATTR_DEPARTMENT",
    "LDAP_ATTR_MEMBER_OF",
    "LDAP_GROUP_BASE_DN",
    "LDAP_GROUP_FILTER",
)


def _ldap_from_environment() -> dict:
    """The LDAP_* settings; the two group mappings are JSON objects, loud when malformed."""
    values: dict = {name: os.environ[name] for name in LDAP_TEXT_SETTINGS if os.environ.get(name)}
    for name in ("LDAP_ROLE_GROUPS", "LDAP_DEPARTMENT_GROUPS"):
        if os.environ.get(name):
            try:
                mapping = json.loads(os.environ[name])
            except ValueError:
                mapping = None
            if not isinstance(mapping, dict):
                raise RuntimeError(
                    f'{name} must be a JSON object, e.g. {{"cn=hr,ou=groups": "hr"}}'
                )
            values[name] = mapping
    if os.environ.get("LDAP_TIMEOUT"):
        values["LDAP_TIMEOUT"] = int(os.environ["LDAP_TIMEOUT"])
    for name in ("LDAP_START_TLS", "LDAP_ALLOW_LOCAL_PASSWORDS"):
        if os.environ.get(name):
            values[name] = _env_bool(name, True)
    return values


def _env_seconds(name: str) -> float:
    try:
        return float(os.environ[name])
    except ValueError:
        value = os.environ[name]
        raise RuntimeError(f"{name} must be a number of seconds, not {value!r}") from None


def _env_hops(value: str) -> int:
    try:
        hops = int(value)
    except ValueError:
        hops = -1
    if hops < 0:
        raise RuntimeError(f"HRFUND_PROXY_HOPS must be a whole number, 0 or more, not {value!r}")
    return hops


class DevelopmentConfig(Config):
    """A laptop: SQLite in the instance folder, mail to the log."""

    ENV_NAME = "development"
    SHOW_ERROR_DETAILS = True


class TestingConfig(Config):
    """The test suite: fast hashing, no CSRF on plain test clients unless a test asks for it."""

    ENV_NAME = "testing"
    TESTING = True
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8192
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False


class ProductionConfig(Config):
    """Production: PostgreSQL, secure cookies, HSTS; refuses to start without a secret key."""

    ENV_NAME = "production"
    SECRET_KEY = None
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_SAMESITE = "Strict"
    REMEMBER_COOKIE_SECURE = True
    HSTS = True
    # Never inside the virtualenv, which a release replaces: uploads and the like live here.
    INSTANCE_PATH = "/var/lib/hrfund"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    """The settings class for HRFUND_ENV (or ``name``)."""
    name = name or os.environ.get("HRFUND_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"HRFUND_ENV must be one of {', '.join(CONFIGS)}, not {name!r}"
        ) from None
