"""deploy/: gunicorn's own loader reads the config, systemd accepts the units, and the limits
of the proxy, gunicorn and the app agree."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gunicorn.app.base import Application

from config import Config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = ("hrfund-web.service", "hrfund-scheduler.service")


class _Probe(Application):
    """gunicorn's application, loading only a config file (as `gunicorn --config` does)."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__()

    def load_config(self):
        self.load_config_from_file(str(self.path))

    def init(self, parser, opts, args):
        return None

    def load(self):  # never serves
        raise AssertionError("not to be served")


def _load(monkeypatch, **env) -> object:
    for name in ("GUNICORN_WORKERS", "GUNICORN_TIMEOUT", "HRFUND_LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return _Probe(DEPLOY / "gunicorn.conf.py").cfg


def test_gunicorn_loads_the_config(monkeypatch):
    import multiprocessing

    cfg = _load(monkeypatch, HRFUND_FORWARDED_ALLOW_IPS="10.0.0.5,10.0.0.6")
    assert cfg.workers == multiprocessing.cpu_count() * 2 + 1
    assert cfg.timeout == 300 and cfg.graceful_timeout < 90  # TimeoutStopSec of the unit
    assert cfg.forwarded_allow_ips == ["10.0.0.5", "10.0.0.6"]
    assert cfg.wsgi_app == "hrfund:create_app()"
    assert cfg.accesslog == "-" and "x-request-id" in cfg.access_log_format
    assert cfg.max_requests > 0 and cfg.max_requests_jitter > 0


def test_json_logs_leave_access_lines_to_the_app(monkeypatch):
    cfg = _load(monkeypatch, HRFUND_LOG_FORMAT="json", GUNICORN_WORKERS="3")
    assert cfg.accesslog is None and cfg.workers == 3


def test_limits_agree_across_proxy_gunicorn_and_app():
    nginx = (DEPLOY / "nginx.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert size and int(size.group(1)) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH
    read = re.search(r"proxy_read_timeout (\d+)s;", nginx)
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    assert read and f'"GUNICORN_TIMEOUT", {read.group(1)})' in gunicorn
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in nginx and "return 301 https://" in nginx


@pytest.mark.parametrize("unit", UNITS)
def test_units_are_sandboxed(unit):
    text = (DEPLOY / unit).read_text()
    for line in (
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "StateDirectory=hrfund",
        "EnvironmentFile=/etc/hrfund/hrfund.env",
        "User=hrfund",
    ):
        assert line in text.splitlines(), f"{unit} lacks {line}"


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    # the units name /opt/hrfund/venv; verify checks that the commands exist, so point at ours
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        (tmp_path / unit).write_text(
            text.replace("/opt/hrfund/venv/bin", str(Path(sys.prefix) / "bin"))
        )
    done = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / u) for u in UNITS)],
        capture_output=True,
        text=True,
        check=False,
    )
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 0 and complaints == [], complaints


def test_containerfile_builds_a_wheel_and_runs_unprivileged():
    text = (DEPLOY / "Containerfile").read_text()
    stages = re.findall(r"^FROM \S+", text, re.M)
    assert len(stages) == 2 and " AS build" in text
    assert "pip wheel" in text and "--from=build /wheels" in text
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert "postgresql-client-15" in text  # backups: pg_dump of the server's version
