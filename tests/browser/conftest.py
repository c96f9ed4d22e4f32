"""A live hrfund on loopback with the demo data, and a real Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from hrfund.extensions import db as _db
from hrfund.seed import DEMO_PASSWORD, seed_demo
from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("browser"))
            if not os.path.exists(CHROMIUM):
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
                    )
                )


live_apps: list = []


@pytest.fixture
def live_app(live_server):
    """The live server's app, to prepare data in its database."""
    return live_apps[0]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    app, cleanup = make_app(
        "sqlite", tmp_path_factory.mktemp("live"), WTF_CSRF_ENABLED=True, TESTING=False
    )
    with app.app_context():
        seed_demo()
        _db.session.commit()
    live_apps.append(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    if cleanup:
        cleanup()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(page):
    def do(email: str, password: str = DEMO_PASSWORD):
        page.goto("/login")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return page

    return do


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def journey_employee(app, email: str, like: str = "yamada.taro@metro.tokyo.example") -> str:
    """A new member of staff in the department of a demo employee, with the same years of
    service: a journey that places someone never collides with the demo's own placements, since
    one person never holds two placements over the same days."""
    import sqlalchemy as sa

    from hrfund.auth.models import User
    from tests import factories

    with app.app_context():
        if db_user := _db.session.scalar(sa.select(User).where(User.email == email)):
            return db_user.email
        model = _db.session.scalar(sa.select(User).where(User.email == like))
        factories.user(
            ("employee",),
            email=email,
            password=DEMO_PASSWORD,
            department=model.department,
            joined_on=model.joined_on,
        )
        _db.session.commit()
    return email


def open_seoul_call(app, title: str) -> int:
    """A call open today for two six-month places in Seoul (three years of service at least),
    with the money for it allocated by HR: what an application journey applies to."""
    from datetime import timedelta

    import sqlalchemy as sa

    from hrfund.applications import calls
    from hrfund.auth.models import User
    from hrfund.core.fiscal import fiscal_year_of, tokyo_today
    from hrfund.fund import services as fund

    with app.app_context():
        hr = _db.session.scalar(
            sa.select(User).where(User.email == "suzuki.ichiro@metro.tokyo.example")
        )
        today = tokyo_today()
        fy = fiscal_year_of(today)
        fund.contribute(hr, 10_000_000, today)
        fund.allocate(hr, fy, "outgoing", 4_000_000)
        call = calls.create_call(
            hr,
            title=title,
            fiscal_year=fy,
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=14),
            slots=[{"city": "SEL", "positions": 2, "months": 6, "estimated_cost_jpy": 1_500_000}],
            rules={"min_years_of_service": 3},
        )
        calls.open_call(hr, call)
        _db.session.commit()
        return call.id
