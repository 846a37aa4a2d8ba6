"""URL path converters of the project.

`<id:pk>` is the project's way to take a record id in a URL. Django's `<int:pk>`
takes any number of digits, and a value beyond the database's 64-bit range then
fails inside the driver (SQLite) or overflows the denied-access audit row; no row
can have such an id, so the URL simply does not match (404), like any unknown id.
"""

from __future__ import annotations

from django.urls import register_converter

from kapclinic.lib.limits import MAX_ID_DIGITS, is_database_id


class DatabaseIdConverter:
    # Leading zeros are allowed by the pattern but the value must still be in range.
    regex = f"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not is_database_id(number):
            raise ValueError(f"{value} is not a database id")
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))


register_converter(DatabaseIdConverter, "id")
