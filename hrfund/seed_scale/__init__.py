"""``flask seed-scale --size tiny|small|full``: realistic generated data at the TMG's scale.

Fills an empty database: the demo data and logins first (so that every role can sign in), then,
written in bulk (COPY on PostgreSQL, executemany on SQLite), ``full``'s 200,000 employees in
about 1,000 departments, 40 cities, 8 fiscal years, 400 calls, 50,000 applications in every
state, 20,000 placements both ways, 2,000,000 training records, 300,000 language scores,
1,000,000 ledger entries that balance, reminders, notifications and the audit events of all of
it. The same size gives the same data (a seeded random source).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from hrfund.core.fiscal import current_fiscal_year
from hrfund.extensions import db
from hrfund.seed_scale.context import SIZES, Context, Sizes
from hrfund.seed_scale.writer import Writer

SEED = 2026


def seed_scale(sizes: Sizes, echo: Callable[[str], None] = print, seed: int = SEED) -> dict:
    """Generate into the current (empty) database and commit; returns rows written per table."""
    from hrfund.auth.models import User
    from hrfund.fund.figures import recompute_totals
    from hrfund.seed import seed_demo
    from hrfund.seed_scale import activity, calls, money, people, placements, talent
    from hrfund.training import summaries as training_summaries

    if db.session.scalar(sa.select(sa.func.count(User.id))):
        raise click.ClickException("The database is not empty; seed-scale fills an empty one.")
    started = time.monotonic()
    seed_demo()
    db.session.commit()
    echo(f"[{time.monotonic() - started:6.0f} s] demo data and logins")
    trust = sizes.employees >= SIZES["full"].employees // 2
    ctx = Context(sizes=sizes, writer=Writer(echo, trust_references=trust), rng=random.Random(seed))
    ctx.current_year = current_fiscal_year()
    ctx.years = list(range(ctx.current_year - sizes.fiscal_years + 1, ctx.current_year + 1))
    people.existing(ctx)
    people.departments(ctx)
    people.cities(ctx)
    people.staff(ctx)
    talent.programs(ctx)
    money.years(ctx)
    infos = calls.calls(ctx)
    approved = calls.applications(ctx, infos, outgoing=round(sizes.placements * 0.6))
    placements.write(ctx, approved)
    calls.write_applications(ctx)
    money.ledger(ctx)
    talent.records(ctx)
    talent.scores(ctx)
    activity.reminders(ctx)
    ctx.writer.finish()
    recompute_totals()  # the ledger was written in bulk, not posted
    training_summaries.recompute()  # so were the training records and scores
    db.session.commit()
    if ctx.writer.postgresql:
        # the planner's statistics of the new rows, and the visibility map that lets the
        # covering indexes answer from the index alone (the dashboard's year of training
        # records): rows written in bulk are not all-visible until a VACUUM, and autovacuum may
        # be off or not yet round; VACUUM runs outside a transaction
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM (ANALYZE)"))
    echo(f"[{time.monotonic() - started:6.0f} s] done")
    return dict(ctx.writer.counts)


@click.command("seed-scale")
@click.option("--size", type=click.Choice(sorted(SIZES)), default="small", show_default=True)
@with_appcontext
def seed_scale_command(size: str) -> None:
    """Fill an empty database with generated data at scale (full: the whole TMG)."""
    counts = seed_scale(SIZES[size], echo=click.echo)
    for table, n in sorted(counts.items()):
        click.echo(f"  {table:28} {n:>10,}")
