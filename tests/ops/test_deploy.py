"""deploy/: gunicorn's own loader reads the config, systemd accepts the units, and the limits
of the proxy, gunicorn and the app agree."""

from __future__ import annotations

import importlib
import json
import logging
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
    for name in ("GUNICORN_WORKERS", "GUNICORN_TIMEOUT", "HRFUND_LOG_FORMAT", "RUNTIME_DIRECTORY"):
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
    cfg = _load(
        monkeypatch, HRFUND_LOG_FORMAT="json", GUNICORN_WORKERS="3", RUNTIME_DIRECTORY="/run/hrfund"
    )
    assert cfg.accesslog is None and cfg.workers == 3
    assert cfg.control_socket == "/run/hrfund/gunicorn.ctl"  # systemd's RuntimeDirectory
    formatter = cfg.logconfig_dict["formatters"]["json"]["()"]
    module, name = formatter.rsplit(".", 1)
    record = logging.LogRecord("gunicorn.error", logging.INFO, "", 0, "Booting worker", (), None)
    line = json.loads(getattr(importlib.import_module(module), name)().format(record))
    assert line["logger"] == "gunicorn.error" and line["message"] == "Booting worker"


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


def test_gunicorn_serves_with_the_config_and_logs_json(tmp_path):
    """The config as gunicorn really runs it: one worker, JSON logs from gunicorn and the app."""
    import os
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ) | {
        "HRFUND_LOG_FORMAT": "json",
        "HRFUND_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.sqlite'}",
        "HOME": str(tmp_path),  # gunicorn's control socket
        "PYTHONPATH": str(DEPLOY.parent),
    }
    env.pop("RUNTIME_DIRECTORY", None)
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 - read after the server stops
    server = subprocess.Popen(
        [str(Path(sys.prefix) / "bin" / "gunicorn"), "--config", str(DEPLOY / "gunicorn.conf.py")],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "gunicorn-1"}
                )
                with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                    status = answer.status
                break
            except OSError:
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    log.seek(0)
    lines = [json.loads(line) for line in log.read().splitlines() if line.startswith("{")]
    log.close()
    assert status == 200, lines[-5:]
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    # a first try may time out while the worker starts, and is logged too
    access = [line for line in lines if line["logger"] == "hrfund.access"]
    assert access and all(line["request_id"] == "gunicorn-1" for line in access)
    assert access[-1]["status"] == 200 and access[-1]["path"] == "/healthz"


def test_a_worker_freezes_what_the_app_loaded(monkeypatch):
    """post_worker_init moves what exists once the app is loaded out of the collector's
    generations (gc.freeze), so that full collections do not walk it on every request."""
    import gc

    cfg = _load(monkeypatch)
    gc.unfreeze()
    try:
        cfg.post_worker_init(None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
