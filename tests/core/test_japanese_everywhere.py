"""Every page of every role's journey, read in Japanese, shows no raw code and no English word.

The demo data puts every page in motion; each demo user (one per role, and HR officers who are
also employees) signs in with Japanese as their language and the crawl follows every link of
their pages, one page per route shape (``/placements/<n>``). What the reader sees — the text of
the page, not its attributes, and not what the page marks ``translate="no"`` (codes, e-mail
addresses, JSON of changes) — must hold no value of any of our enums, no state value and no
history action code, and no message of the catalog whose Japanese differs from its English.
"""

from __future__ import annotations

import enum
import re
import sys
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

from hrfund.auth.models import User
from hrfund.core.catalogs import catalog_dir, module_catalogs
from hrfund.core.labels import ACTION_LABELS
from hrfund.seed import DEMO_PASSWORD, seed_demo

#: Links the crawl does not follow: downloads, feeds, the API, actions that change things.
SKIP = re.compile(r"/(api|static)/|/export\.|\.ics|\.xlsx|\.csv|/logout|/attachments?/|/files?/")
PAGES_PER_ROLE = 45
VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base"}


class VisibleText(HTMLParser):
    """The text a reader sees, skipping scripts, styles and what is marked translate="no"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._stack: list[bool] = []  # per open element: is its content hidden from the check

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in VOID:
            return
        hidden = (
            tag in ("script", "style", "template")
            or attrs.get("translate") == "no"
            or (bool(self._stack) and self._stack[-1])
        )
        self._stack.append(hidden)

    def handle_endtag(self, tag):
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not (self._stack and self._stack[-1]):
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def raw_values() -> set[str]:
    """Every value of our enums, every state value and every history action code."""
    found: set[str] = set(ACTION_LABELS)  # state values are the enums' below
    stack = list(enum.Enum.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("hrfund."):
            found.update(str(m.value) for m in cls if isinstance(m.value, str))
    notice_kinds = sys.modules.get("hrfund.reminders.notice_kinds")
    for name in ("KINDS", "NOTICE_KINDS"):
        found.update(getattr(notice_kinds, name, {}) or {})
    return {v for v in found if re.fullmatch(r"[a-z][a-z0-9_.]*[a-z0-9]", v)}


def english_messages() -> set[str]:
    """Messages of the catalogs whose Japanese differs; of one with placeholders, its pieces of
    two words or more between them ("Placement to confirm: ")."""
    found = set()
    for name in [""] + module_catalogs():
        path = catalog_dir(name) / "ja" / "LC_MESSAGES" / "messages.po"
        for entry in read_po(path.open("rb"), locale="ja"):
            msgid = entry.id
            if not isinstance(msgid, str) or not entry.string or entry.string == msgid:
                continue
            if msgid in str(entry.string):  # a name kept in the translation ("hrfund 都市…")
                continue
            if "%" in msgid:
                pieces = re.split(r"%\(\w+\)[sdf]|%[sd]", msgid)
                found.update(p.strip(" :.,") for p in pieces if len(p.strip(" :.,").split()) >= 2)
            elif len(msgid) >= 4 and re.search(r"[A-Za-z]{3}", msgid):
                found.add(msgid.strip())
    return found


def shape(path: str) -> str:
    return re.sub(r"/\d+", "/<n>", path)


def crawl(client, start="/"):
    """{path: visible text} of the pages reachable from ``start``, one per route shape."""
    seen_shapes, pages, queue = set(), {}, [start]
    while queue and len(pages) < PAGES_PER_ROLE:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
            continue
        key = shape(parts.path)  # one page per route: filters show the same words
        if key in seen_shapes:
            continue
        seen_shapes.add(key)
        response = client.get(url)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = VisibleText()
        parser.feed(response.get_data(as_text=True))
        pages[url] = parser.text
        queue.extend(parser.links)
    return pages


def english_patterns(english: set[str]) -> list[tuple[str, re.Pattern]]:
    """One compiled pattern per message, made once (thousands of them overflow re's cache)."""
    patterns = []
    for message in sorted(english):
        # a single word counts where it stands alone, not inside English data ("City Division")
        alone = r"(?<![A-Za-z_][ ,])(?<![A-Za-z_/-])" if " " not in message else r"(?<![A-Za-z_])"
        after = r"(?![ ,]?[A-Za-z_/-])" if " " not in message else r"(?![A-Za-z_])"
        patterns.append((message, re.compile(rf"{alone}{re.escape(message)}{after}")))
    return patterns


def problems_in(text: str, raw: set[str], english: list[tuple[str, re.Pattern]]) -> list[str]:
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses are names, not words
    found = []
    for match in re.finditer(r"[A-Za-z][A-Za-z0-9_.]*[A-Za-z0-9]", text):
        if match.group() in raw:
            found.append(f"raw {match.group()!r} in …{around(text, match)}…")
    letters = set(re.findall(r"[A-Za-z]{3,}", text))  # a message can only match these words
    for message, pattern in english:
        if not _may_occur(message, letters):
            continue
        match = pattern.search(text)
        if match:
            found.append(f"English {message!r} in …{around(text, match)}…")
    return found


def _may_occur(message: str, letters: set[str]) -> bool:
    """Whether every word of three letters or more of ``message`` is among the page's words."""
    return all(word in letters for word in re.findall(r"[A-Za-z]{3,}", message))


def around(text: str, match: re.Match) -> str:
    return text[max(0, match.start() - 30) : match.end() + 30]


@pytest.fixture
def demo(db):
    seed_demo()
    for user in db.session.scalars(sa.select(User)):
        user.locale = "ja"
    db.session.commit()
    return db.session.scalars(sa.select(User).order_by(User.id)).all()


def test_every_page_of_every_role_reads_in_japanese(app, demo):
    raw, messages = raw_values(), english_messages()
    assert {"proposed", "placements.create", "milestone.done", "outgoing"} <= raw
    assert "Open the call" in messages
    english = english_patterns(messages)
    report, crawled, role_sets = [], 0, set()
    for user in demo:
        roles = frozenset(str(r) for r in user.roles) | {f"city:{user.city_id}"}
        if roles in role_sets:  # one user of each kind: the same pages say the same words
            continue
        role_sets.add(roles)
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja"
        response = client.post("/login", data={"email": user.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, user.email
        pages = crawl(client)
        crawled += len(pages)
        for url, text in pages.items():
            for problem in sorted(set(problems_in(text, raw, english))):
                report.append(f"{user.email} {url}: {problem}")
    assert crawled > 40
    assert not report, f"{len(report)} problems:\n" + "\n".join(report)
