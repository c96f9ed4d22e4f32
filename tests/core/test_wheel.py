"""README's production recipe, command by command, as a new user runs it: the wheel and the
locked dependencies gathered by `make wheelhouse`, installed offline into a new virtualenv, then
migrations, demo data, gunicorn and the scheduler from an empty directory, against a fresh
PostgreSQL database; pages in both languages, static files and /readyz."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PG_URL, create_pg_database, drop_pg_database

ROOT = Path(__file__).resolve().parents[2]


def readme_production_commands() -> list[str]:
    """The commands of the shell block in README's "Production" section, comments left out."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = []
    for line in block.splitlines():
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        if line and not line.startswith("#"):
            commands.append(line)
    return commands


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _get(url: str, language: str = "en") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Language": language})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_readme_lists_the_recipe():
    commands = readme_production_commands()
    assert "make wheelhouse" in commands
    assert any(c.startswith("gunicorn ") and "'hrfund:create_app()'" in c for c in commands)
    assert not any("wsgi" in c for c in commands), "an installed hrfund has no wsgi.py"


@pytest.mark.postgres_only
@pytest.mark.xdist_group("wheel")
def test_the_wheel_installs_and_serves_from_an_empty_directory(tmp_path, request):
    if not PG_URL:
        pytest.skip("the production recipe runs on PostgreSQL (HRFUND_TEST_DATABASE_URL)")
    # The locked wheels are kept between runs in pytest's cache, where there is one: the first
    # run downloads them.
    cache = getattr(request.config, "cache", None)
    wheelhouse = Path(cache.mkdir("wheelhouse")) if cache else tmp_path / "wheelhouse"
    for old in wheelhouse.glob("hrfund-*.whl"):
        old.unlink()  # always this checkout's build
    venv, workdir, state = tmp_path / "venv", tmp_path / "empty", tmp_path / "state"
    workdir.mkdir()
    port = _free_port()
    database = f"hrfund_wheel_{uuid.uuid4().hex[:8]}"
    url = create_pg_database(database)
    redis = "redis://127.0.0.1:6379/0" if _listening(6379) else "memory://"
    overrides = {
        "SECRET_KEY": "wheel-test-" + uuid.uuid4().hex,
        "DATABASE_URL": url,
        "RATELIMIT_STORAGE_URI": redis,
        "HRFUND_INSTANCE_PATH": str(state),
    }
    # Nothing of this checkout or its venv may leak into the new user's shell.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLASK_", "HRFUND_", "PYTHON", "VIRTUAL_ENV", "PYTEST"))
        and k not in ("DATABASE_URL", "SECRET_KEY", "RATELIMIT_STORAGE_URI", "UPLOAD_FOLDER")
    }
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(Path(sys.prefix)))
    )

    def localise(command: str) -> str:
        command = command.replace("/opt/hrfund", str(venv))
        command = re.sub(r"(?<![\w/.-])wheelhouse(?=/|\s|$)", str(wheelhouse), command)
        return command.replace(":8000", f":{port}").replace("--workers 4", "--workers 2")

    background: list[subprocess.Popen] = []
    logs = tmp_path / "logs"
    logs.mkdir()
    ran = []
    try:
        for command in readme_production_commands():
            ran.append(command)
            if command.startswith("export "):
                name, value = command[len("export ") :].split("=", 1)
                value = overrides.get(name, localise(value.strip('"')))
                env[name] = value.replace("$PATH", env["PATH"]) if name == "PATH" else value
                continue
            argv = shlex.split(command if command.startswith("make ") else localise(command))
            if argv[0] == "make":  # in the checkout, with this venv's pip
                argv += [f"WHEELHOUSE={wheelhouse}", f"BIN={Path(sys.executable).parent}"]
                result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
            elif argv[0] == "gunicorn" or argv[-2:] == ["scheduler", "run"]:
                log = (logs / f"{argv[0]}-{len(background)}.log").open("wb")
                background.append(
                    subprocess.Popen(argv, cwd=workdir, env=env, stdout=log, stderr=log)
                )
                continue
            else:
                if argv[0] == "curl":
                    _wait_for_port(port, background, logs)
                result = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True)
            assert result.returncode == 0, (
                f"{command}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )
            if argv[0] == "curl":
                assert '"ok":true' in result.stdout.replace(" ", ""), result.stdout

        assert ran == readme_production_commands()
        _check_the_wheel(wheelhouse)
        assert list(workdir.iterdir()) == [], "the commands wrote into the working directory"
        assert state.is_dir() and not (venv / "var").exists()  # the instance folder
        _check_pages(port)
        for process in background:
            assert process.poll() is None, f"{process.args} stopped: see {logs}"
    finally:
        for process in background:
            process.terminate()
        for process in background:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_pg_database(database)


def _wait_for_port(port: int, background: list[subprocess.Popen], logs: Path) -> None:
    deadline = time.monotonic() + 120
    while not _listening(port):
        for process in background:
            if process.poll() is not None:
                raise AssertionError(
                    f"{process.args} exited:\n"
                    + "\n".join(p.read_text()[-3000:] for p in logs.iterdir())
                )
        if time.monotonic() > deadline:
            raise AssertionError("gunicorn did not start listening")
        time.sleep(0.2)


def _check_the_wheel(wheelhouse: Path) -> None:
    (wheel,) = wheelhouse.glob("hrfund-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "hrfund/templates/base.html" in names
    assert "hrfund/migrations/env.py" in names and "hrfund/migrations/alembic.ini" in names
    assert "hrfund/config/__init__.py" in names
    assert "hrfund/translations/ja/LC_MESSAGES/messages.mo" in names
    assert "hrfund/static/css/app.css" in names
    assert not any(n.startswith(("config/", "templates/", "migrations/", "wsgi")) for n in names)


def _check_pages(port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    status, body = _get(f"{base}/login", "ja")
    assert status == 200 and "ログイン".encode() in body and "メールアドレス".encode() in body
    status, body = _get(f"{base}/login", "en")
    assert status == 200 and b"Log in" in body
    status, body = _get(f"{base}/static/css/app.css")
    assert status == 200 and body
    status, body = _get(f"{base}/bootstrap/static/css/bootstrap.min.css")
    assert status == 200 and len(body) > 10_000
    status, body = _get(f"{base}/readyz")
    assert status == 200, body
