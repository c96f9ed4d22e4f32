"""Who a rule reminds: its audience resolved for many subjects, in Python for the items a
watcher yields and in SQL (:meth:`Audiences.sql`) for the watcher's filter of what is not sent
yet (:meth:`~hrfund.reminders.models.ReminderRule.undelivered`). The two say the same: the SQL
is the Python's recipients, as a correlated SELECT of user ids."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from hrfund.auth.models import Role, User, UserRole, department_managers
from hrfund.extensions import db
from hrfund.placements.models import Placement
from hrfund.reminders.models import Audience


def role_user_ids(role: Role) -> tuple[int, ...]:
    """Active users holding ``role``."""
    stmt = (
        sa.select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True))
        .order_by(User.id)
    )
    return tuple(db.session.scalars(stmt))


def role_members(role: Role, *conditions: Any) -> sa.Select:
    """SQL: the active users holding ``role`` (and meeting ``conditions``)."""
    return (
        sa.select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True), *conditions)
    )


def the_person(user_id: Any) -> sa.Select:
    """SQL: the user ``user_id`` (a column of the watcher's row), when active."""
    return sa.select(User.id).where(User.id == user_id, User.active.is_(True))


def managers_of(department_id: Any) -> sa.Select:
    """SQL: the active managers of the department ``department_id`` (a column or expression)."""
    return (
        sa.select(User.id)
        .join(department_managers, department_managers.c.user_id == User.id)
        .where(department_managers.c.department_id == department_id, User.active.is_(True))
    )


def department_of(user_id: Any) -> sa.ScalarSelect:
    """SQL: the department of the user ``user_id`` (a column), within a SELECT of users."""
    person = so.aliased(User)
    return (
        sa.select(person.department_id)
        .where(person.id == user_id)
        .correlate_except(person)
        .scalar_subquery()
    )


class Audiences:
    """Resolves a rule's audience for many subjects with one query per kind of lookup."""

    def __init__(self, audience: Audience):
        self.audience = Audience(audience)
        self._hr: tuple[int, ...] | None = None
        self._managers: dict[int, tuple[int, ...]] = {}
        self._coordinators: dict[int, tuple[int, ...]] = {}

    def hr(self) -> tuple[int, ...]:
        if self._hr is None:
            self._hr = role_user_ids(Role.HR)
        return self._hr

    def managers(self, department_id: int | None) -> tuple[int, ...]:
        if department_id is None:
            return ()
        if department_id not in self._managers:
            self._managers[department_id] = tuple(db.session.scalars(managers_of(department_id)))
        return self._managers[department_id]

    def coordinators(self, city_id: int) -> tuple[int, ...]:
        if city_id not in self._coordinators:
            stmt = role_members(Role.COORDINATOR, User.city_id == city_id)
            self._coordinators[city_id] = tuple(db.session.scalars(stmt))
        return self._coordinators[city_id]

    def of(
        self,
        *,
        person: User | None = None,
        city_id: int | None = None,
        department_id: int | None = None,
    ) -> tuple[int, ...]:
        if self.audience == Audience.PERSON:
            return (person.id,) if person is not None and person.active else ()
        if self.audience == Audience.MANAGER:
            return self.managers(person.department_id if person is not None else department_id)
        if self.audience == Audience.HR:
            return self.hr()
        return self.coordinators(city_id) if city_id is not None else ()

    def of_placement(self, placement: Placement) -> tuple[int, ...]:
        department = placement.host_department_id if placement.person is None else None
        return self.of(person=placement.person, city_id=placement.city_id, department_id=department)

    def sql(
        self, *, person_id: Any = None, city_id: Any = None, department_id: Any = None
    ) -> sa.Select | tuple[int, ...] | None:
        """:meth:`of` in SQL, over columns of the watcher's row (None: no such column); HR's
        ids themselves, the same for every row."""
        if self.audience == Audience.PERSON:
            return the_person(person_id) if person_id is not None else None
        if self.audience == Audience.MANAGER:
            if person_id is not None and department_id is not None:
                department_id = sa.case(
                    (person_id.is_not(None), department_of(person_id)), else_=department_id
                )
            elif person_id is not None:
                department_id = department_of(person_id)
            return managers_of(department_id) if department_id is not None else None
        if self.audience == Audience.HR:
            return self.hr()
        if city_id is None:
            return None
        return role_members(Role.COORDINATOR, User.city_id == city_id)

    def sql_of_placement(self) -> sa.Select | tuple[int, ...] | None:
        """:meth:`of_placement` in SQL, over the columns of ``Placement``."""
        return self.sql(
            person_id=Placement.person_id,
            city_id=Placement.city_id,
            department_id=Placement.host_department_id,
        )
