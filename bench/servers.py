"""The bench database (generated once, reused), and hrfund and the baseline under gunicorn."""

from __future__ import annotations

import html
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def admin_url(server: str) -> str:
    return (
        sa.make_url(server)
        .set(drivername="postgresql+psycopg", database="postgres")
        .render_as_string(hide_password=False)
    )  # noqa: E501


def ensure_database(server: str, name: str, size: str, echo=print) -> tuple[str, float | None]:
    """The URL of the bench database; generated (migrate + seed-scale) when it does not exist.
    Returns (url, seconds the generation took or None when it was reused)."""
    url = sa.make_url(server).set(drivername="postgresql+psycopg", database=name)
    url = url.render_as_string(hide_password=False)
    engine = sa.create_engine(admin_url(server), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.scalar():
            engine.dispose()
            _upgrade(url)  # a database generated before the latest migrations gets them
            return url, None
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi"}
    started = time.monotonic()
    try:
        subprocess.run(
            [BIN / "flask", "db", "upgrade"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        echo(f"generating the {size} data into {name} (seed-scale)…")
        seed = subprocess.Popen(
            [BIN / "flask", "seed-scale", "--size", size],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for line in seed.stdout:
            echo("  " + line.rstrip())
        if seed.wait():
            raise RuntimeError("seed-scale failed")
    except BaseException:
        drop = sa.create_engine(admin_url(server), isolation_level="AUTOCOMMIT")
        with drop.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        drop.dispose()
        raise
    return url, time.monotonic() - started


def _upgrade(url: str) -> None:
    subprocess.run(
        [BIN / "flask", "db", "upgrade"],
        env={**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi"},
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # a migration may have filled tables or built indexes; with autovacuum off (as on the bench
    # server) their rows are not all-visible, and index-only scans read the heap after all
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")
    engine.dispose()


class Gunicorn:
    """``gunicorn -w N -k sync`` serving ``target`` on 127.0.0.1:``port``."""

    def __init__(
        self, target: str, port: int, env: dict, workers: int, log: Path, timeout: int = 120
    ):
        self.port, self.log = port, log
        self.process = subprocess.Popen(
            [
                BIN / "gunicorn",
                "-w",
                str(workers),
                "-k",
                "sync",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                str(timeout),
                target,
            ],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{port}"

    def drain(self, path: str, timeout: float = 300) -> None:
        """Wait until the workers finished the requests a load run left queued (a sync worker
        serves them in turn, so one more request answers only after them)."""
        self.wait_ready(path, timeout)

    def wait_ready(self, path: str = "/", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
                conn.request("GET", path)
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn on {self.port} did not start; see {self.log}")

    def worker_pids(self) -> list[int]:
        """The workers: the master's children."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def worker_rss_mb(self) -> list[float]:
        """The resident memory of each worker, in MB."""
        sizes = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def hrfund_env(url: str) -> dict:
    return {
        "DATABASE_URL": url,
        "HRFUND_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
    }


def sign_in(base_port: int, email: str, password: str) -> str:
    """Sign in through the real login form; returns the Cookie header of the session."""
    conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=60)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = _cookies(response)
    token = html.unescape(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1))
    body = f"email={_q(email)}&password={_q(password)}&csrf_token={_q(token)}"
    conn.request(
        "POST",
        "/login",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": _header(cookies)},
    )
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"sign-in of {email} answered {response.status}")
    cookies.update(_cookies(response))
    return _header(cookies)


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _cookies(response) -> dict:
    found = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            found[key.strip()] = val.strip()
    return found


def _header(cookies: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())
