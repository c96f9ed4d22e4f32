"""The person acting, as the rules see them.

Core and the services below ``auth`` cannot import ``auth.models.User`` (it sits higher in the
module order), yet every rule is about who acts. ``Actor`` is what they read of that person:
``auth.models.User`` fits it, and so does anything else a test or a command line passes in its
place. Rules that take ``Actor`` rather than ``User`` ask for nothing more than this.
"""

from __future__ import annotations

from collections.abc import Set
from enum import Enum
from typing import Protocol, runtime_checkable


@runtime_checkable
class Actor(Protocol):
    """The current user as a rule reads them: who, which roles, bound to which city or unit."""

    @property
    def id(self) -> int: ...

    @property
    def email(self) -> str: ...

    @property
    def city_id(self) -> int | None: ...

    @property
    def department_id(self) -> int | None: ...

    @property
    def locale(self) -> str: ...

    @property
    def timezone(self) -> str: ...

    @property
    def roles(self) -> Set[Enum]: ...

    def has_role(self, *roles: str) -> bool: ...

    def display_name(self, locale: str = "en") -> str: ...


class SystemActor(Protocol):
    """A program acting on its own (the directory's sync of an account): named in the audit
    log by its ``email`` label, holding no role, and no user (``id`` None)."""

    @property
    def id(self) -> None: ...

    @property
    def email(self) -> str: ...

    def has_role(self, *roles: str) -> bool: ...


#: Whoever an audited change is made by: a person, or a program acting on its own.
Agent = Actor | SystemActor
