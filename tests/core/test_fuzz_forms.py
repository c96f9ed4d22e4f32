"""Hypothesis over every web form: each page that renders a form is found by walking the routes
as each role of the demo data, and random text (NUL and other controls, huge, any unicode, huge
whole numbers) is posted to it. 0 server errors, and a refused post stores nothing.
"""

from __future__ import annotations

import inspect
import time
from html.parser import HTMLParser
from importlib import import_module

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hrfund import MODULES
from hrfund.core.fiscal import current_fiscal_year
from hrfund.core.forms import FlaskForm
from hrfund.extensions import db as _db
from hrfund.seed import DEMO_PASSWORD, seed_demo

PERSONAS = {
    "employee": "yamada.taro@metro.tokyo.example",
    "manager": "sato.hanako@metro.tokyo.example",
    "hr": "suzuki.ichiro@metro.tokyo.example",
    "coordinator": "kim.minji@seoul.example",
    "admin": "admin@metro.tokyo.example",
}
#: Logging in and out (and the lockout they drive) have their own tests.
SKIP_ACTIONS = ("/login", "/logout", "/password")
EXAMPLES = 3
#: Each page is read as the first roles of this order that may see it: each of them sees other
#: forms on a detail page (HR decides, the coordinator confirms, the manager endorses). Auditors
#: change nothing, so they have no form of their own.
CRAWL_ORDER = ("hr", "coordinator", "manager", "employee", "admin")
CRAWL_ROLES_PER_PAGE = 3

NASTY = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=5),
    st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=8), st.text(max_size=8)),
    st.just("x" * 20_000),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["2147483648", "9223372036854775808", "NaN", "Infinity", "-1", "0"]),
    st.sampled_from(["2026-02-30", "99999-01-01", "0000-00-00", "\u202ecod.exe", "１２３"]),
)


class _Forms(HTMLParser):
    """The POST forms of a page: (action, {field name: [option values]})."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._fields = {}
            self.forms.append((a.get("action") or "", self._fields))
        elif self._fields is None:
            return
        elif tag in ("input", "textarea", "select") and a.get("name"):
            if a.get("type") in ("submit", "file") or a["name"] == "csrf_token":
                return
            self._fields.setdefault(a["name"], [])
            if a.get("type") in ("checkbox", "radio") and a.get("value"):
                self._fields[a["name"]].append(a["value"])
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select:
            self._fields[self._select].append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None


def _id_of(param: str) -> int | None:
    """The smallest id of the table a route parameter names (placement_id → placements)."""
    stem = param.removesuffix("_id")
    names = {stem + "s", stem + "es", stem[:-1] + "ies"}
    for table in _db.metadata.sorted_tables:
        if table.name in names or any(table.name.endswith("_" + n) for n in names):
            value = _db.session.scalar(sa.select(sa.func.min(table.c.id)))
            if value is not None:
                return value
    return None


def _page_urls(app) -> list[str]:
    urls = []
    fy = current_fiscal_year()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")):
            continue
        if rule.rule.endswith((".xlsx", ".csv", ".ics", "/export", "/download", "/file")):
            continue
        values = {}
        for arg in rule.arguments:
            value = fy if arg in ("fy", "fiscal_year") else _id_of(arg)
            if value is None:
                break
            values[arg] = value
        else:
            try:
                urls.append(rule.build(values, append_unknown=False)[1])
            except Exception:  # noqa: S112 - converters that need other values (any(...))
                continue
    return sorted(set(urls))


def _row_counts() -> tuple:
    tables = _db.metadata.sorted_tables
    query = sa.select(
        *[sa.select(sa.func.count()).select_from(t).scalar_subquery() for t in tables]
    )
    return tuple(_db.session.execute(query).one())


def _refused(response) -> bool:
    return response.status_code >= 400 or (
        response.status_code == 200 and b"is-invalid" in response.data
    )


def _fuzz_form(client, role, action, names, failures, stored, posts) -> None:
    counts = [_row_counts()]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(values=st.fixed_dictionaries({n: NASTY for n in names}))
    def post(values):
        posts[0] += 1
        before = counts[0]
        try:
            response = client.post(action, data=values)
        except Exception as error:  # escaped the error handlers: a server error
            failures.append(f"{role} POST {action}: {error!r:.200} with {values!r:.300}")
            counts[0] = _row_counts()
            return
        if response.status_code >= 500:
            failures.append(f"{role} POST {action}: {response.status_code}")
            return
        counts[0] = _row_counts()
        if _refused(response) and counts[0] != before:
            stored.append(f"{role} POST {action}: {response.status_code} {values!r:.300}")

    post()


def test_every_form_is_a_project_form():
    """The control-character and number bounds live in hrfund.core.forms.FlaskForm."""
    import flask_wtf

    found = []
    for name in MODULES:
        try:
            module = import_module(f"hrfund.{name}.forms")
        except ModuleNotFoundError:
            continue
        for _n, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, flask_wtf.FlaskForm) and cls.__module__ == module.__name__:
                found.append(cls)
                assert issubclass(cls, FlaskForm), cls
    assert len(found) >= 30


def test_random_posts_to_every_form_give_no_server_error_and_store_nothing_refused(app, db):
    seed_demo()
    db.session.commit()
    clients = {}
    for role, email in PERSONAS.items():
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, role
        clients[role] = client

    urls = _page_urls(app)
    crawl_started = time.monotonic()
    targets: dict[tuple[str, str], dict] = {}
    seen: dict[str, str] = {}
    for url in urls:
        rendered = 0
        for role in CRAWL_ORDER:
            if rendered == CRAWL_ROLES_PER_PAGE:
                break
            response = clients[role].get(url)
            if response.status_code != 200:
                continue
            rendered += 1
            parser = _Forms()
            parser.feed(response.get_data(as_text=True))
            for action, fields in parser.forms:
                action = action or url
                if not fields or action.startswith(SKIP_ACTIONS) or "://" in action:
                    continue
                if action not in seen or seen[action] == role:  # one role that may use it
                    seen[action] = role
                    targets.setdefault((role, action), {}).update(fields)
    assert len(targets) >= 25, sorted(targets)
    print(f"\ncrawl: {len(urls)} pages, {time.monotonic() - crawl_started:.1f}s")

    failures: list[str] = []
    stored: list[str] = []
    posts = [0]
    started = time.monotonic()
    for (role, action), fields in sorted(targets.items()):
        _fuzz_form(clients[role], role, action, sorted(fields), failures, stored, posts)
    elapsed = time.monotonic() - started
    print(
        f"\nforms fuzz: {len(targets)} (role, form) pairs, {posts[0]} posts, "
        f"{len(failures)} server errors, {len(stored)} refused posts that stored rows, "
        f"{elapsed:.1f}s"
    )
    assert failures == []
    assert stored == []
