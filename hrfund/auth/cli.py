"""``flask users create`` and ``flask users token``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from hrfund.auth import services
from hrfund.auth.models import Role
from hrfund.core.errors import DomainError
from hrfund.extensions import db
from hrfund.org.models import Department, PartnerCity

users_cli = AppGroup("users", help="Manage user accounts and API tokens.")


def _fail(error: DomainError) -> None:
    db.session.rollback()
    details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.fields.items())
    raise click.ClickException(f"{error.message} {details}".strip())


def _department(code: str) -> Department:
    department = db.session.scalar(sa.select(Department).where(Department.code == code))
    if department is None:
        raise click.ClickException(f"No department with code {code}.")
    return department


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name: 'Given Family' in romaji, or '山田 太郎'.")
@click.option("--password", required=True, help="At least 10 characters, not a common one.")
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role])
)
@click.option("--city", help="Partner city code (coordinators).")
@click.option("--department", help="The user's own department code.")
@click.option("--manages", multiple=True, help="Department code a manager heads (repeatable).")
def create_user_command(email, name, password, roles, city, department, manages):
    """Create a user account."""
    parts = name.split()
    given, family = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else (name, name)
    profile = {"given_name_romaji": given, "family_name_romaji": family}
    if any(ord(ch) > 0x2E80 for ch in name):
        # Japanese order: family name first.
        family_ja, given_ja = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else (name, "")
        profile |= {
            "family_name": family_ja,
            "given_name": given_ja,
            "family_name_romaji": family_ja,
            "given_name_romaji": given_ja or family_ja,
        }
    city_obj = None
    if city:
        city_obj = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.code == city.upper()))
        if city_obj is None:
            raise click.ClickException(f"No partner city with code {city}.")
    try:
        user = services.create_user(
            None,
            email=email,
            password=password,
            roles=list(roles),
            city=city_obj,
            department=_department(department) if department else None,
            manages=[_department(code) for code in manages],
            **profile,
        )
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Created {user.email} (id {user.id}) with roles {', '.join(sorted(roles))}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="CLI token", help="A name to recognise the token by.")
def token_command(email, name):
    """Print a new API token for EMAIL (alone on the last line)."""
    user = services.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    if not user.active:
        raise click.ClickException(f"{email} is deactivated.")
    try:
        _token, plain = services.create_api_token(user, user, name)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"API token for {user.email} ({name}); it is shown only once:")
    click.echo(plain)
