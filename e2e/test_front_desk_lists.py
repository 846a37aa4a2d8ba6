"""Front desk's lists with something on them: the online bookings to check (merged
from the page) and the waitlist. Accessible (axe-core, no serious findings) and no
wider than a phone or a tablet, with rows, forms and buttons in them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.signin import sign_in_staff
from e2e.test_accessibility import axe_page, serious_violations  # noqa: F401  # fixture
from kapclinic.patients.tests.test_merge import make_duplicate
from kapclinic.scheduling.models import Appointment, PublicBooking, WaitlistEntry
from kapclinic.scheduling.tests.helpers import make_appointment
from kapclinic.test import Cast

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fill(cast: Cast) -> None:
    duplicate = make_duplicate(cast, cast.other_patient)
    PublicBooking.objects.create(
        appointment=Appointment.objects.get(patient=duplicate), possible_match=cast.other_patient
    )
    freed = make_appointment(cast, status="cancelled")
    WaitlistEntry.objects.create(
        patient=cast.other_patient,
        appointment_type=freed.appointment_type,
        offered_appointment=freed,
    )


def test_lists_are_accessible_fit_small_screens_and_merge(axe_page: Page, live_server, cast):  # noqa: F811
    _fill(cast)
    page = axe_page
    sign_in_staff(page, live_server.url, cast.front_desk)
    for path in ("/book/possible-matches/", "/schedule/waitlist/"):
        page.goto(f"{live_server.url}{path}")
        assert serious_violations(page) == [], path
        for width, height in ((390, 844), (768, 1024)):
            page.set_viewport_size({"width": width, "height": height})
            wide = page.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert not wide, f"{path} scrolls sideways at {width} px"
    page.goto(f"{live_server.url}/book/possible-matches/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Same person: merge").click()
    expect(page.get_by_text("The records are merged into one.")).to_be_visible()
    assert Appointment.objects.filter(patient=cast.other_patient).count() == 1
