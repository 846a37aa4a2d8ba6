"""A prescriber takes a patient from a signed screening to a signed plan and a booked
course, in the browser, under the strict Content Security Policy."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from e2e.signin import sign_in_staff
from e2e.test_accessibility import axe_page, problems_on  # noqa: F401 - a fixture
from kapclinic.patients.models import PathwayStage
from kapclinic.treatment.models import CourseAppointment, PlanStatus, Route, TreatmentPlan
from kapclinic.treatment.plan_actions import save_draft, sign_plan
from kapclinic.treatment.protocols import seed_default_protocols
from kapclinic.treatment.tests.helpers import make_eligible, plan_data, protocol, weigh
from kapclinic.treatment.tests.test_course import build_clinic, next_monday

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_prescriber_signs_a_plan_and_books_the_course(page: Page, live_server, cast):
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "150")  # 0.5 mg/kg would be 75 mg: capped at the IM maximum of 60
    build_clinic(cast)
    seed_default_protocols(cast.site, actor=cast.admin)
    blocked: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("console", keep)
    sign_in_staff(page, live_server.url, cast.prescriber)
    page.goto(f"{live_server.url}/patients/{cast.patient.pk}/")
    page.get_by_role("link", name="Treatment plan").click()
    expect(page.get_by_role("heading", name="Treatment plan", exact=True)).to_be_visible()
    page.get_by_role("button", name="Write the plan").click()

    page.get_by_role("combobox", name="Protocol").select_option(label="IM ketamine injection")
    reevaluate = timezone.localdate() + dt.timedelta(days=90)
    page.get_by_label("Re-evaluate on").fill(reevaluate.isoformat())
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft awaiting signature")).to_be_visible()
    expect(page.get_by_text("60 mg").first).to_be_visible()
    expect(page.get_by_text("Capped:")).to_be_visible()

    page.get_by_role("button", name="Sign plan").click()
    expect(page.get_by_text("Plan version 1 signed.")).to_be_visible()
    plan = TreatmentPlan.objects.get()
    assert plan.status == PlanStatus.SIGNED and plan.signed_by == cast.prescriber
    cast.patient.refresh_from_db()
    assert cast.patient.stage == PathwayStage.TREATMENT_PLAN

    page.get_by_role("button", name="Book the course").click()
    page.get_by_label("First dosing session on or after").fill(next_monday().isoformat())
    page.get_by_role("button", name="Propose the course").click()
    expect(page.get_by_text("Dosing session 1 on")).to_be_visible()
    page.get_by_role("button", name="Book these 12 visits").click()
    expect(page.get_by_text("Course booked: 12 visits.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/pathway/patients/{cast.patient.pk}/plan/$"))
    assert CourseAppointment.objects.filter(plan=plan).count() == 12

    page.get_by_role("link", name="Pathway timeline").click()
    expect(page.get_by_role("link", name="Plan version 1 signed")).to_be_visible()
    assert blocked == []


def test_plan_pages_with_content_have_no_serious_accessibility_problems(
    axe_page: Page,  # noqa: F811 - the fixture imported above
    live_server,
    cast,
):
    """The states the cast's new patient never reaches: a draft to sign with a stale
    weight, a signed plan with its course proposed, the versions and the timeline."""
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70", days_ago=45)
    build_clinic(cast)
    first = save_draft(
        cast.patient,
        actor=cast.prescriber,
        protocol=protocol(cast.patient, Route.IM),
        data=plan_data(),
    )
    sign_plan(first, actor=cast.prescriber, acknowledge_stale_weight=True)
    save_draft(
        cast.patient,
        actor=cast.prescriber,
        protocol=protocol(cast.patient, Route.IM),
        data=plan_data(amount=Decimal("0.4")),
    )
    sign_in_staff(axe_page, live_server.url, cast.prescriber)
    pk = cast.patient.pk
    paths = [
        f"/pathway/patients/{pk}/plan/",
        f"/pathway/patients/{pk}/plan/edit/",
        f"/pathway/patients/{pk}/plan/versions/{first.pk}/",
        f"/pathway/patients/{pk}/plan/course/?start_on={next_monday().isoformat()}",
        f"/pathway/patients/{pk}/timeline/",
    ]
    assert problems_on(axe_page, live_server.url, paths) == {}
