"""Profile key pages in-process on a bench database (cProfile text, sorted by cumulative and
by own time), e.g. ``python -m bench.profile_page hrfund_bench_lists applications out.txt``.

Pages are chosen by substrings of their names (comma-separated), as BENCH_PAGES does."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bench import inprocess
from bench.__main__ import PASSWORD, SERVER
from bench.pages import key_pages
from bench.servers import hrfund_env


def main(database: str, only: str, out: str, repeat: int = 20) -> None:
    import sqlalchemy as sa

    url = sa.make_url(SERVER).set(drivername="postgresql+psycopg", database=database)
    os.environ.update(hrfund_env(url.render_as_string(hide_password=False)))
    from hrfund import create_app
    from hrfund.core.fiscal import current_fiscal_year
    from hrfund.extensions import db

    app = create_app(
        "production",
        {"WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False},
    )
    with app.app_context():
        pages = key_pages(db.session.connection(), current_fiscal_year())
        db.session.remove()
    parts = [p.strip() for p in only.split(",") if p.strip()]
    pages = [p for p in pages if any(part in p.name for part in parts)]
    counts, clients, api_headers = inprocess.statement_counts(app, pages, PASSWORD)
    texts = []
    for page in pages:
        client = app.test_client() if page.api else clients[page.login]
        path = Path(out + ".part")
        inprocess.profile(app, page, client, api_headers, path, repeat=repeat)
        texts.append(f"statements: {counts[page.name]}\n" + path.read_text())
        path.unlink()
    Path(out).write_text("\n\n".join(texts))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], *(int(a) for a in sys.argv[4:5]))
