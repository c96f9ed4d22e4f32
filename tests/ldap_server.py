"""A real OpenLDAP server for the tests: Debian's slapd on a free port, in a temporary folder.

``start_slapd(folder)`` writes a minimal slapd.conf (mdb backend; core, cosine, inetorgperson and
nis schemas), starts slapd on 127.0.0.1, loads ``STAFF_LDIF`` with ldapadd and returns a
``Slapd``; ``stop()`` ends it. The ``slapd`` fixture of tests/auth/conftest.py and
tests/browser/conftest.py wraps it; without /usr/sbin/slapd those tests skip, saying so.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
SCHEMAS = "/etc/ldap/schema"
BASE_DN = "dc=metro,dc=tokyo,dc=example"
ROOT_DN = f"cn=admin,{BASE_DN}"
ROOT_PASSWORD = "slapd-root-secret"
BIND_DN = f"cn=hrfund,ou=services,{BASE_DN}"
BIND_PASSWORD = "hrfund-bind-secret"
STAFF_PASSWORD = "directory-Pass-2026"
GROUPS_DN = f"ou=groups,{BASE_DN}"
PEOPLE_DN = f"ou=people,{BASE_DN}"

MISSING = f"{SLAPD} is not installed (Debian packages slapd and ldap-utils)"


def _person(uid, number, sn, given, sn_ja, given_ja, sn_kana, given_kana, dept, extra=""):
    return f"""dn: uid={uid},{PEOPLE_DN}
objectClass: inetOrgPerson
objectClass: shadowAccount
uid: {uid}
cn: {given} {sn}
sn: {sn}
givenName: {given}
sn;lang-ja: {sn_ja}
givenName;lang-ja: {given_ja}
sn;lang-ja-x-phonetic: {sn_kana}
givenName;lang-ja-x-phonetic: {given_kana}
mail: {uid}@metro.tokyo.example
employeeNumber: {number}
departmentNumber: {dept}
userPassword: {STAFF_PASSWORD}
{extra}"""


def _group(cn, *members):
    lines = "".join(f"member: uid={m},{PEOPLE_DN}\n" for m in members)
    return f"dn: cn={cn},{GROUPS_DN}\nobjectClass: groupOfNames\ncn: {cn}\n{lines}"


STAFF_LDIF = "\n".join(
    [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: TMG\ndc: metro\n",
        f"dn: ou=people,{BASE_DN}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: ou=groups,{BASE_DN}\nobjectClass: organizationalUnit\nou: groups\n",
        f"dn: ou=services,{BASE_DN}\nobjectClass: organizationalUnit\nou: services\n",
        f"dn: {BIND_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: hrfund\nuserPassword: {BIND_PASSWORD}\n",
        _person("hsato", "D1001", "Sato", "Hanako", "佐藤", "花子", "サトウ", "ハナコ", "SEIKATSU"),
        _person("tsuzuki", "D1002", "Suzuki", "Taro", "鈴木", "太郎", "スズキ", "タロウ", "KIKAKU"),
        _person(
            "mtanaka", "D1003", "Tanaka", "Misaki", "田中", "美咲", "タナカ", "ミサキ", "KIKAKU"
        ),
        # shadowExpire (days since 1970-01-01) in the past: a disabled account (see directory.py)
        _person(
            "kito",
            "D1004",
            "Ito",
            "Kenji",
            "伊藤",
            "健二",
            "イトウ",
            "ケンジ",
            "KIKAKU",
            "shadowExpire: 1\n",
        ),
        _person("ynogroup", "D1005", "Yamada", "Yui", "山田", "結衣", "ヤマダ", "ユイ", "KIKAKU"),
        _group("hrfund-staff", "hsato", "tsuzuki", "mtanaka", "kito"),
        _group("hrfund-hr", "tsuzuki"),
        _group("hrfund-managers", "mtanaka"),
        _group("other-team", "ynogroup"),
    ]
)


def slapd_available() -> bool:
    return os.access(SLAPD, os.X_OK) and shutil.which("ldapadd") is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Slapd:
    """A running slapd and what a test needs to reach it."""

    folder: Path
    port: int
    process: subprocess.Popen
    tls_port: int | None = None

    @property
    def ca_file(self) -> str:
        return str(self.folder / "ca.pem")

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def config(self, **overrides) -> dict:
        """The app settings that point hrfund at this server."""
        return {
            "LDAP_URL": self.url,
            "LDAP_BASE_DN": BASE_DN,
            "LDAP_BIND_DN": BIND_DN,
            "LDAP_BIND_PASSWORD": BIND_PASSWORD,
            "LDAP_GROUP_BASE_DN": GROUPS_DN,
            "LDAP_ROLE_GROUPS": {
                "hrfund-staff": ["employee"],
                "hrfund-hr": ["hr", "employee"],
                "hrfund-managers": ["manager", "employee"],
            },
            "LDAP_TIMEOUT": 3,
            **overrides,
        }

    def ldif(self, text: str, *, modify: bool = False) -> None:
        """Apply LDIF as the root DN (ldapmodify for changes, ldapadd for new entries)."""
        tool = "ldapmodify" if modify else "ldapadd"
        subprocess.run(
            [tool, "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD],
            input=text.encode(),
            check=True,
            capture_output=True,
            timeout=30,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def make_certificates(folder: Path) -> None:
    """A throw-away CA and a server certificate for 127.0.0.1 and localhost (openssl)."""

    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=60)

    days = ("-days", "2")
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", *days, "-subj", "/CN=hrfund test CA",
        "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
    (folder / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", *days, "-extfile", "san.cnf", "-out", "server.pem")  # fmt: skip


def _tls_conf(folder: Path) -> str:
    return (
        f"TLSCACertificateFile {folder}/ca.pem\n"
        f"TLSCertificateFile {folder}/server.pem\n"
        f"TLSCertificateKeyFile {folder}/server.key\n"
    )


def _slapd_conf(folder: Path, tls: bool = False) -> str:
    schemas = "".join(
        f"include {SCHEMAS}/{name}.schema\n" for name in ("core", "cosine", "inetorgperson", "nis")
    )
    return f"""{schemas}
{_tls_conf(folder) if tls else ""}
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{BASE_DN}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {folder}/data
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="{BIND_DN}" read by self read by * none
"""


def start_slapd(folder: Path, *, tls: bool = False) -> Slapd:
    """Start slapd in ``folder`` on a free loopback port and load the staff LDIF; with ``tls``,
    also ldaps:// on another port, with a certificate of a CA made for it (``ca_file``)."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    if tls:
        make_certificates(folder)
    conf = folder / "slapd.conf"
    conf.write_text(_slapd_conf(folder, tls), encoding="utf-8")
    port = _free_port()
    tls_port = _free_port() if tls else None
    urls = f"ldap://127.0.0.1:{port}/" + (f" ldaps://127.0.0.1:{tls_port}/" if tls else "")
    log = open(folder / "slapd.log", "wb")  # noqa: SIM115 - slapd writes it while it runs
    process = subprocess.Popen(
        [SLAPD, "-d", "0", "-f", str(conf), "-h", urls],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Slapd(folder, port, process, tls_port)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd ended: {(folder / 'slapd.log').read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.stop()
        raise RuntimeError("slapd did not listen within 20 seconds")
    try:
        server.ldif(STAFF_LDIF)
    except subprocess.CalledProcessError as error:
        server.stop()
        raise RuntimeError(f"ldapadd failed: {error.stderr.decode()}") from None
    return server


# ---------------------------------------------------------------- pytest fixtures
# Imported by tests/auth/conftest.py and the browser tests.

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    """One real slapd for the session, with the staff of STAFF_LDIF."""
    if not slapd_available():
        pytest.skip(MISSING)
    server = start_slapd(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


@pytest.fixture
def directory(app, slapd, monkeypatch):
    """The app pointed at the test slapd for one test (the settings go back afterwards)."""
    for name, value in slapd.config().items():
        monkeypatch.setitem(app.config, name, value)
    return slapd
