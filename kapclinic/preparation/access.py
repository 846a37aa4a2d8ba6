"""Who may see a preparation: the patient their own; the care team (or a
break-glass grant) through `patients.access`. The intentions are the patient's words
shared with their therapist: on the staff page only a therapist reads them."""

from __future__ import annotations

from kapclinic.accounts.models import Role, User


def may_read_intentions(user: User) -> bool:
    return user.role == Role.THERAPIST
