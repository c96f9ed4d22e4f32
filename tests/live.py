"""Real processes for tests: gunicorn, ``flask scheduler run``, dispatchers driven over stdin,
and the environment they share (one PostgreSQL database, an aiosmtpd server, Redis).

Every process is started with ``start`` and stopped by ``stop_all`` (SIGTERM, then SIGKILL), so
that a failing test leaves nothing running.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(url: str, **extra) -> dict:
    """The environment of a child process: the app on ``url`` in testing mode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "REMINDER_"))}
    env.update({"DATABASE_URL": url, "HRFUND_ENV": "testing", "PYTHONUNBUFFERED": "1"})
    env.pop("HRFUND_TEST_PAUSE_AFTER_CLAIM_SECONDS", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def wait_for(condition, timeout: float, what: str, step: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(step)


class Processes:
    """The processes a test started; ``stop_all`` ends each of them (and only them)."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []
        self.dispatchers: list[Dispatcher] = []

    def start(self, name: str, argv: list[str], env: dict, **kwargs) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("ab")
        kwargs.setdefault("stdout", log)
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stderr=log, start_new_session=True, **kwargs
        )
        process.log_path = self.log_dir / f"{name}.log"  # type: ignore[attr-defined]
        self.started.append(process)
        return process

    def gunicorn(self, name: str, env: dict, *, workers: int = 1) -> str:
        """gunicorn serving hrfund on a free port; returns its base URL once it answers."""
        port = free_port()
        argv = [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
        self.start(name, [*argv, "hrfund:create_app()"], env)
        return f"http://127.0.0.1:{port}"

    def scheduler(self, name: str, env: dict) -> subprocess.Popen:
        return self.start(name, [str(BIN / "flask"), "--app", "wsgi", "scheduler", "run"], env)

    def dispatcher(self, env: dict) -> Dispatcher:
        dispatcher = Dispatcher(env)
        self.dispatchers.append(dispatcher)
        return dispatcher

    def stop_all(self, grace: float = 3) -> None:
        """SIGTERM to each process (SIGINT to gunicorn: its quick shutdown), then SIGKILL to
        the process group of any still running after ``grace`` seconds."""
        for dispatcher in self.dispatchers:
            dispatcher.stop()
        for process in self.started:
            if process.poll() is None:
                quick = signal.SIGINT if "gunicorn" in process.args[0] else signal.SIGTERM
                process.send_signal(quick)
        deadline = time.monotonic() + grace
        for process in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it forked
                process.wait(timeout=5)

    def logs(self) -> str:
        """The tail of every log, for an assertion message."""
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-1500:]}")
        return "\n".join(parts)


class Dispatcher:
    """A dispatcher process (tests/reminders/dispatcher.py): send it commands, read answers."""

    def __init__(self, env: dict):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tests.reminders.dispatcher"])
        from tests.reminders.dispatcher import serve

        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, env), daemon=True)
        self.process.start()
        self.pid = self.process.pid

    def answer(self, expected: str, timeout: float = 60):
        if not self.conn.poll(timeout):
            raise AssertionError(f"dispatcher {self.pid} did not answer in {timeout} s")
        kind, value = self.conn.recv()
        assert kind == expected, (kind, value)
        return value

    def ready(self, timeout: float = 60) -> None:
        self.answer("ready", timeout)

    def pause_after_claim(self, seconds: float) -> None:
        self.conn.send(("pause", seconds))
        self.answer("paused", 10)

    def configure(self, key: str, value) -> None:
        self.conn.send(("config", (key, value)))
        self.answer("configured", 10)

    def dispatch(self, instant) -> None:
        """Start a dispatch as at ``instant``; ``result`` waits for it."""
        self.conn.send(("dispatch", instant.isoformat()))

    def result(self, timeout: float = 60) -> dict:
        return self.answer("done", timeout)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.process.join(10)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)


def get(url: str, timeout: float = 2) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status
    except OSError:
        return 0


def wait_until_serving(base: str, timeout: float = 60) -> None:
    wait_for(lambda: get(base + "/healthz") == 200, timeout, f"{base} to answer", step=0.1)
