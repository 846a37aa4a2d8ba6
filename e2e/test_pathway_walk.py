"""One new patient walked through the whole pathway in a real browser, by the people
who do each step, on the pages they use: the patient on a phone, the prescriber and
the therapist on a tablet.

The setup is only what the clinic and the front desk have before the patient's
first consultation (rooms, chairs and hours, the seeded IV protocol and consent
forms, a booked consultation, a weight taken at the front desk); every clinical step
is done through the pages. Each autosave is awaited before the next change
(`e2e/autosave.py` says why).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect

from e2e.autosave import autosaved, type_and_leave
from e2e.signin import enter_password, sign_in_staff
from e2e.test_page_widths import WIDEST
from kapclinic.accounts.models import User
from kapclinic.clinics.models import Chair, Room
from kapclinic.consent.defaults import ensure_documents
from kapclinic.intake.sections import MedicalHistory, MentalHealthHistory
from kapclinic.intake.tests.helpers import at_consultation
from kapclinic.patients.models import BodyMeasurement, CareTeamMember, PathwayStage
from kapclinic.preparation.checklist import PATIENT_ITEMS, STAFF_ITEMS
from kapclinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Resource,
    TypeCode,
    WorkingHours,
)
from kapclinic.test import Cast
from kapclinic.treatment.models import CourseAppointment, PlanStatus, TreatmentPlan
from kapclinic.treatment.protocols import seed_default_protocols
from kapclinic.treatment.readiness import dosing_readiness

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
TABLET: ViewportSize = {"width": 768, "height": 1024}


# --- What the clinic has before the patient's first consultation ---------------------


def _hours(user: User, cast: Cast, start: int, end: int) -> None:
    WorkingHours.objects.bulk_create(
        WorkingHours(
            staff=user,
            site=cast.site,
            weekday=day,
            start_time=dt.time(start),
            end_time=dt.time(end),
        )
        for day in range(5)
    )


def _clinic(cast: Cast) -> None:
    """Rooms, two monitored chairs, the visit types of an IV course, everyone's hours,
    the site's default protocols and the published consent forms."""
    room = Room.objects.create(site=cast.site, name="Garden Room", kind=Room.Kind.CONSULTATION)
    dosing_room = Room.objects.create(site=cast.site, name="Cedar Room", kind=Room.Kind.DOSING)
    for n in (1, 2):
        Chair.objects.create(room=dosing_room, name=f"Chair {n}")
    kinds = (
        (TypeCode.INITIAL_CONSULTATION, "Initial consultation", 60, "prescriber", Resource.ROOM),
        (TypeCode.DOSING_IV, "IV ketamine session", 40, "nurse", Resource.CHAIR),
        (TypeCode.INTEGRATION, "Integration session", 60, "therapist", Resource.ROOM),
    )
    for code, name, minutes, role, resource in kinds:
        AppointmentType.objects.create(
            site=cast.site,
            code=code,
            name=name,
            duration_minutes=minutes,
            buffer_after_minutes=15 if resource == Resource.CHAIR else 0,
            provider_roles=[role],
            resource=resource,
        )
    _hours(cast.prescriber, cast, 9, 17)
    _hours(cast.nurse, cast, 8, 18)
    _hours(cast.therapist, cast, 9, 17)
    # The therapist who prepares the patient joins the care team.
    CareTeamMember.objects.create(patient=cast.patient, user=cast.therapist, role="therapist")
    seed_default_protocols(cast.site, actor=cast.admin)
    ensure_documents()
    # The consultation the front desk booked: tomorrow at 10:00, where the site is.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(10), tzinfo=ZoneInfo(cast.site.time_zone))
    end = start + dt.timedelta(minutes=60)
    Appointment.objects.create(
        patient=cast.patient,
        appointment_type=AppointmentType.objects.get(code=TypeCode.INITIAL_CONSULTATION),
        site=cast.site,
        clinician=cast.prescriber,
        room=room,
        start=start,
        end=end,
        hold_start=start,
        hold_end=end,
        status="booked",
    )
    at_consultation(cast.patient, cast.prescriber)  # the audited pathway step
    BodyMeasurement.objects.create(
        patient=cast.patient, weight_kg=Decimal("72.5"), measured_at=timezone.now()
    )


# --- Helpers for the pages ---------------------------------------------------------


def _answer(page: Page, path: str, name: str, value: str) -> None:
    autosaved(page, path, lambda: page.locator(f'input[name="{name}"][value="{value}"]').check())


def _type(page: Page, path: str, field: str, text: str, *, label: bool = True) -> None:
    box = page.get_by_label(field, exact=True) if label else page.locator(f'[name="{field}"]')
    type_and_leave(page, path, box, text)


def _accept(dialog: Dialog) -> None:
    dialog.accept()


def _fits(page: Page, too_wide: list[str]) -> None:
    """Note the page if anything on it is wider than the person's screen."""
    found = page.evaluate(WIDEST)
    if found:
        too_wide.append(f"{page.url} at {page.viewport_size}: {found}")


def _menu(page: Page, link: str) -> None:
    """Follow a link of the main navigation (behind the Menu button on a phone)."""
    toggle = page.get_by_role("button", name="Menu")
    if toggle.is_visible():
        toggle.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link).click()


def _chart(page: Page, base: str, section: str) -> None:
    """From the clinician's pathway board to the patient's chart, then one of its links."""
    page.goto(f"{base}/pathway/")
    page.get_by_role("link", name="Ient, Pat").click()
    expect(page.get_by_role("heading", name="Pat Ient")).to_be_visible()
    page.get_by_role("link", name=section, exact=True).click()


def _park(*pages: Page) -> None:
    """Leave a person's page where it sends nothing while another person works (its
    idle sign-out script would tell the server of the next click after a minute's
    pause, at the moment the click itself makes a request). Each step starts by
    opening the person's first page again."""
    for page in pages:
        page.goto("about:blank")


@pytest.fixture
def people(browser: Browser) -> Iterator[dict[str, Page]]:
    contexts = {
        "patient": browser.new_context(viewport=PHONE),
        "prescriber": browser.new_context(viewport=TABLET),
        "therapist": browser.new_context(viewport=TABLET),
    }
    pages = {who: context.new_page() for who, context in contexts.items()}
    for page in pages.values():
        page.on("dialog", _accept)
        page.set_default_timeout(10_000)
    yield pages
    for context in contexts.values():
        context.close()


# --- The steps, each by the person who takes it ------------------------------------


def _patient_sends_the_intake(page: Page) -> None:
    intake = "/patients/me/intake/"
    page.get_by_role("link", name="Complete your intake before your consultation").click()
    expect(page.get_by_text("0 of 10 steps done").first).to_be_visible()

    page.get_by_role("link", name="Medical history").click()
    section = f"{intake}medical/"
    for name in MedicalHistory.required:
        _answer(page, section, name, "no")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Mental health history")).to_be_visible()
    section = f"{intake}mental/"
    for name in MentalHealthHistory.required:
        _answer(page, section, name, "no")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Current medicines")).to_be_visible()
    autosaved(page, f"{intake}medicines/", lambda: page.get_by_label("I take no medicines").check())
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Antidepressants you have tried")).to_be_visible()
    section = f"{intake}antidepressants/"
    for n, (drug, dose) in enumerate((("Sertraline", "150 mg"), ("Venlafaxine", "225 mg")), 1):
        _type(page, section, f"trial_{n}_drug", drug, label=False)
        _type(page, section, f"trial_{n}_dose", dose, label=False)
        _type(page, section, f"trial_{n}_weeks", "10", label=False)
        _answer(page, section, f"trial_{n}_response", "none")
    page.get_by_role("button", name="Save and continue").click()

    section = f"{intake}substances/"
    for name in ("alcohol", "cannabis", "stimulants", "opioids", "dissociatives"):
        _answer(page, section, name, "never")
    _answer(page, section, "substance_treatment", "no")
    page.get_by_role("button", name="Save and continue").click()

    autosaved(page, f"{intake}pregnancy/", lambda: page.get_by_label("No, neither applies").check())
    page.get_by_role("button", name="Save and continue").click()

    section = f"{intake}goals/"
    autosaved(page, section, lambda: page.get_by_label("Depression").check())
    _type(page, section, "What do you hope treatment will change for you?", "Enjoy my days.")
    page.get_by_role("button", name="Save and finish").click()

    expect(page.get_by_text("7 of 10 steps done").first).to_be_visible()
    # The baseline questionnaires are asked for but do not hold the intake back.
    page.get_by_role("button", name="Send to my care team").click()  # confirmed
    expect(page.get_by_text("Sent to your care team on")).to_be_visible()


def _prescriber_signs_an_eligible_screening(page: Page, base: str) -> None:
    # Allergies first: treatment is approved only once they have been asked about.
    page.goto(f"{base}/pathway/")
    page.get_by_role("link", name="Ient, Pat").click()
    expect(page.get_by_text("Allergies not asked yet.")).to_be_visible()
    allergies = page.locator("article").filter(
        has=page.locator("header", has_text=re.compile(r"^Allergies"))
    )
    allergies.get_by_role("link", name="Add").click()
    page.get_by_label(re.compile(r"^No known drug allergies")).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Allergies updated.")).to_be_visible()
    _chart(page, base, "Screening")
    expect(page.get_by_role("heading", name="From the patient's intake")).to_be_visible()
    expect(page.get_by_text("Sertraline · 150 mg · 10 weeks · It did not help")).to_be_visible()
    # Prefilled from the intake, marked so the prescriber confirms it with the patient.
    aneurysm = page.get_by_label(re.compile(r"^Aneurysmal vascular disease"))
    expect(aneurysm).to_have_value("no")
    expect(page.get_by_text("From the patient's intake: confirm it").first).to_be_visible()
    expect(page.get_by_label("Trial 1: weeks")).to_have_value("10")

    page.get_by_label("Indication").select_option(label="Treatment-resistant depression")
    for n in (1, 2):
        page.get_by_label(f"Trial {n}: adequate dose").select_option("yes")
        page.get_by_label(f"Trial {n}: improvement (%)").fill("10")
    page.get_by_label("C-SSRS suicide risk").select_option("none")
    page.get_by_label("Resting blood pressure, systolic (mmHg)").fill("124")
    page.get_by_label("Resting blood pressure, diastolic (mmHg)").fill("78")
    page.get_by_label(re.compile(r"^Active substance use disorder")).select_option("no")
    page.get_by_label(re.compile(r"^History of hypertensive encephalopathy")).select_option("no")
    page.get_by_role("button", name="Save and check").click()
    expect(page.get_by_text("Screening saved and checked against the rules.")).to_be_visible()
    expect(page.get_by_text("No contraindication or caution found")).to_be_visible()

    page.get_by_label("Eligible", exact=True).check()
    page.get_by_role("button", name="Sign decision").click()
    expect(page.get_by_text("Screening decision signed.")).to_be_visible()


def _prescriber_signs_the_iv_plan(page: Page, base: str) -> None:
    _chart(page, base, "Treatment plan")
    page.get_by_role("button", name="Write the plan").click()
    page.get_by_role("combobox", name="Protocol").select_option(label="IV ketamine infusion")
    reevaluate = timezone.localdate() + dt.timedelta(days=90)
    page.get_by_label("Re-evaluate on").fill(reevaluate.isoformat())
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft awaiting signature")).to_be_visible()
    # 0.5 mg/kg of the 72.5 kg weighed today, rounded down to 0.1 mg.
    expect(page.get_by_text("36.2 mg").first).to_be_visible()
    page.get_by_role("button", name="Sign plan").click()
    expect(page.get_by_text("Plan version 1 signed.")).to_be_visible()


def _patient_signs_the_iv_consent(page: Page, base: str) -> None:
    page.goto(f"{base}/patients/me/")
    page.get_by_role("link", name="Read and sign your consent form").click()
    page.get_by_role("button", name="Read and sign").first.click()
    expect(page.get_by_role("heading", name=re.compile("intravenous infusion"))).to_be_visible()
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_label("Your full name").fill("Pat Ient")
    page.get_by_role("button", name="Sign the consent form").click()
    expect(page.get_by_text("your consent is signed")).to_be_visible()


def _prescriber_countersigns(page: Page, base: str) -> None:
    _chart(page, base, "Consent")
    page.get_by_role("link", name="Read and countersign").click()
    page.get_by_role("button", name="Countersign").click()
    expect(page.get_by_text("Consent countersigned.")).to_be_visible()


def _patient_prepares(page: Page, base: str) -> None:
    page.goto(f"{base}/patients/me/")
    # The clinic needs an emergency contact before any dosing session (the chart flags
    # its absence); the portal asks for one among the next steps.
    page.get_by_role("link", name="Add an emergency contact").click()
    page.locator('[name="name"]').fill("Sam Support")
    page.locator('[name="relationship"]').select_option(label="Sibling")
    page.locator('[name="phone"]').fill("+13125550123")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your emergency contact is saved.")).to_be_visible()
    page.get_by_role("link", name="Prepare for your sessions").click()
    save = "/preparation/me/autosave/"
    _type(page, save, "What do you hope for from this treatment?", "To enjoy mornings again.")
    for _, label in PATIENT_ITEMS:
        autosaved(page, save, page.get_by_label(label).check)
    _type(page, save, "warning_signs", "Staying in bed all day.", label=False)
    _type(page, save, "coping_steps", "A walk; calling my sister.", label=False)
    _type(page, save, "contact1_name", "Sam Support", label=False)
    _type(page, save, "contact1_phone", "+13125550123", label=False)
    _type(page, save, "escort_name", "Sam Support", label=False)
    _type(page, save, "escort_phone", "+13125550123", label=False)
    _type(page, save, "transport_notes", "Sam drives me home.", label=False)
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.\s*$"))


def _therapist_completes_the_preparation(page: Page, base: str) -> None:
    _chart(page, base, "Preparation")
    expect(page.get_by_text("To enjoy mornings again.")).to_be_visible()
    for _, label in STAFF_ITEMS:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Save the checklist").click()
    page.get_by_role("button", name="Mark preparation complete").click()  # confirmed
    expect(page.get_by_text(re.compile("Marked complete by Theo Therapist"))).to_be_visible()


def _prescriber_books_the_course(page: Page, base: str, first_on: dt.date) -> None:
    _chart(page, base, "Treatment plan")
    page.get_by_role("button", name="Book the course").click()
    page.get_by_label("First dosing session on or after").fill(first_on.isoformat())
    page.get_by_role("button", name="Propose the course").click()
    expect(page.get_by_text("Dosing session 1 on")).to_be_visible()
    page.get_by_role("button", name="Book these 12 visits").click()
    expect(page.get_by_text("Course booked: 12 visits.")).to_be_visible()


def _next_monday() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=7)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def test_one_patient_from_intake_to_a_booked_course(people: dict[str, Page], live_server, cast):
    _clinic(cast)
    base = live_server.url
    patient, prescriber, therapist = people["patient"], people["prescriber"], people["therapist"]
    too_wide: list[str] = []

    enter_password(patient, base, cast.patient_user)
    expect(patient).to_have_url(re.compile(r"/patients/me/$"))
    _patient_sends_the_intake(patient)
    _fits(patient, too_wide)
    _park(patient)

    sign_in_staff(prescriber, base, cast.prescriber)
    _prescriber_signs_an_eligible_screening(prescriber, base)
    _fits(prescriber, too_wide)
    _prescriber_signs_the_iv_plan(prescriber, base)
    _fits(prescriber, too_wide)
    _park(prescriber)

    _patient_signs_the_iv_consent(patient, base)
    _fits(patient, too_wide)
    _park(patient)

    _prescriber_countersigns(prescriber, base)
    _fits(prescriber, too_wide)
    _park(prescriber)

    _patient_prepares(patient, base)
    _fits(patient, too_wide)
    _park(patient)

    sign_in_staff(therapist, base, cast.therapist)
    _therapist_completes_the_preparation(therapist, base)
    _fits(therapist, too_wide)
    _park(therapist)

    first_on = _next_monday()
    _prescriber_books_the_course(prescriber, base, first_on)
    _fits(prescriber, too_wide)

    # The pathway board shows the patient in the dosing phase, with what that means.
    _menu(prescriber, "Pathway")
    dosing = prescriber.get_by_role("region", name="Dosing phase", exact=True)
    expect(dosing.get_by_role("row").filter(has_text="Ient, Pat")).to_contain_text(
        "Dosing course under way"
    )
    # The timeline: the stage, every step in order, and readiness on the first dosing day.
    prescriber.get_by_role("link", name="Ient, Pat").click()
    prescriber.get_by_role("link", name="Timeline", exact=True).click()
    expect(prescriber.locator("hgroup")).to_contain_text("now at Dosing phase")
    first_day = f"{first_on:%A} {first_on.day} {first_on:%B %Y}"
    expect(prescriber.locator("#next-dose")).to_contain_text(f"Next dosing session: {first_day}")
    expect(prescriber.locator("#next-dose")).to_contain_text("Ready to be dosed that day")
    steps = [
        "Preparation marked complete",
        "Intentions written by the patient",
        "Consent countersigned",
        "Consent signed by the patient",
        "Plan version 1 signed",
        "Screening signed: eligible",
    ]
    titles = prescriber.locator("ol.timeline > li").all_inner_texts()
    found = [next(i for i, text in enumerate(titles) if step in text) for step in steps]
    assert found == sorted(found), titles  # newest first
    expect(prescriber.locator("ol.timeline")).to_contain_text("by Theo Therapist")
    _fits(prescriber, too_wide)
    _park(prescriber)

    # The patient sees every visit of the course among their appointments.
    patient.goto(f"{base}/patients/me/")
    _menu(patient, "My appointments")
    upcoming = patient.locator("#upcoming-title + ul > li")
    expect(upcoming.filter(has_text="IV ketamine session")).to_have_count(6)
    expect(upcoming.filter(has_text="Integration session")).to_have_count(6)
    _fits(patient, too_wide)
    _park(patient)

    assert too_wide == [], "\n".join(too_wide)
    plan = TreatmentPlan.objects.get(patient=cast.patient)
    assert plan.status == PlanStatus.SIGNED and plan.dose_mg == Decimal("36.2")
    assert CourseAppointment.objects.filter(plan=plan).count() == 12
    cast.patient.refresh_from_db()
    assert cast.patient.stage == PathwayStage.DOSING
    assert dosing_readiness(cast.patient, first_on).ready
