"""Staff accounts made the way an admin makes them (`staff.services.create_staff`)."""
from __future__ import annotations

import itertools

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def staff_user(role: str = "agent", *, name: str | None = None, email: str | None = None, password: str = PASSWORD):
    from staff.services import create_staff

    n = next(_numbers)
    return create_staff(email=email or f"{role}{n}@example.com", name=name or f"{role.title()} {n}", role=role,
                        password=password)


class StaffAccounts:
    """One account per role (two agents); the `staff` fixture."""
    PASSWORD = PASSWORD

    def __init__(self):
        self.agent = staff_user("agent", email="agnes@example.com", name="Agnes Agent")
        self.other_agent = staff_user("agent", email="otto@example.com", name="Otto Other")
        self.manager = staff_user("manager", email="maria@example.com", name="Maria Manager")
        self.admin = staff_user("admin", email="adam@example.com", name="Adam Admin")
