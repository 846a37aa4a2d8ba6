from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from kapclinic.accounts.models import Role, StaffCredential, User
from kapclinic.audit.models import AuditEvent
from kapclinic.clinics.models import Chair, Organisation, Room, Site, SiteSettings
from kapclinic.consent.models import Consent
from kapclinic.content.demo_articles import DEMO_ARTICLES
from kapclinic.content.models import Article
from kapclinic.dosing.demo import delete_demo_dosing
from kapclinic.dosing.models import Administration, DosingSession, VitalReading
from kapclinic.outcomes.models import RiskAlert
from kapclinic.patients.demo import DEMO_PASSWORD, MRN_PREFIX, PORTAL_EMAIL, STAFF
from kapclinic.patients.models import (
    Allergy,
    AllergyStatus,
    BodyMeasurement,
    CareTeamMember,
    Condition,
    Contact,
    Medication,
    PathwayStage,
    Patient,
)
from kapclinic.preparation.models import Preparation
from kapclinic.scheduling.models import Appointment
from kapclinic.treatment.models import TreatmentPlan

MODELS = [
    Organisation,
    Site,
    SiteSettings,
    Room,
    Chair,
    User,
    StaffCredential,
    Article,
    Patient,
    Contact,
    BodyMeasurement,
    Condition,
    Medication,
    Allergy,
    CareTeamMember,
]


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts():
    return {model.__name__: model._default_manager.count() for model in MODELS}


def demo_patients():
    """The N patients asked for; the schedule demo adds one visitor who booked online
    as an existing patient (a possible duplicate for front desk), made as the public
    page makes a record: no care team or history yet."""
    return Patient.objects.filter(mrn__startswith=MRN_PREFIX)


@pytest.fixture
def seeded(db):
    return seed(patients=20, seed=1)


def test_every_pathway_stage_is_present(seeded):
    stages = set(Patient.objects.values_list("stage", flat=True))
    assert stages == set(PathwayStage.values)


def test_allergies_are_asked_once_past_the_consultation(seeded):
    # A screening cannot approve treatment while allergies are "not asked yet".
    not_asked = Patient.objects.filter(allergy_status=AllergyStatus.NOT_ASKED)
    assert set(not_asked.values_list("stage", flat=True)) <= {
        PathwayStage.ENQUIRY,
        PathwayStage.CONSULTATION,
    }
    with_allergies = Patient.objects.filter(allergies__isnull=False).distinct()
    assert with_allergies.exists()
    assert not with_allergies.exclude(allergy_status=AllergyStatus.RECORDED).exists()
    assert Patient.objects.filter(allergy_status=AllergyStatus.NONE_KNOWN).exists()


def test_creates_requested_number_of_patients(seeded):
    assert demo_patients().count() == 20
    assert Patient.objects.exclude(mrn__startswith=MRN_PREFIX).count() == 1  # the visitor


def test_every_role_can_log_in_with_the_demo_password(seeded):
    request = RequestFactory().post("/account/login/")
    roles = set()
    for email in ["admin", "prescriber", "nurse", "therapist", "frontdesk", "patient"]:
        user = authenticate(
            request, username=f"{email}@demo.kapclinic.test", password=DEMO_PASSWORD
        )
        assert user is not None, email
        roles.add(user.role)
    assert roles == set(Role.values)


def test_wrong_password_does_not_log_in(seeded):
    request = RequestFactory().post("/account/login/")
    user = authenticate(request, username="nurse@demo.kapclinic.test", password="wrong-password")
    assert user is None


def test_only_the_clinic_admin_has_django_admin_access(seeded):
    assert list(User.objects.filter(is_staff=True).values_list("email", flat=True)) == [
        "admin@demo.kapclinic.test"
    ]


def test_headline_logins_work_at_site_one(seeded):
    site = Site.objects.get(name="Harbour Street")
    for local in ["prescriber", "nurse", "therapist", "frontdesk"]:
        user = User.objects.get(email=f"{local}@demo.kapclinic.test")
        assert list(user.sites.all()) == [site]


def test_two_sites_in_different_time_zones_with_settings_rooms_and_chairs(seeded):
    sites = list(Site.objects.all())
    assert len(sites) == 2
    assert len({site.time_zone for site in sites}) == 2
    for site in sites:
        assert site.settings.min_observation_minutes == 120
        assert site.rooms.filter(kind=Room.Kind.DOSING).count() == 2
        assert Chair.objects.filter(room__site=site, monitored=True).count() >= 2
        assert site.phone


def test_clinicians_have_credentials_with_kap_training(seeded):
    for spec in STAFF:
        user = User.objects.get(email=spec.email)
        if user.is_clinician:
            assert user.credentials.filter(kap_training_completed_on__isnull=False).exists()


def test_demo_patient_portal_account_is_linked(seeded):
    patient = Patient.objects.get(user__email=PORTAL_EMAIL)
    assert patient.user is not None
    assert patient.user.role == Role.PATIENT
    team = {(m.user.email, m.role) for m in patient.care_team.select_related("user")}
    assert team == {
        ("prescriber@demo.kapclinic.test", "prescriber"),
        ("nurse@demo.kapclinic.test", "nurse"),
        ("therapist@demo.kapclinic.test", "therapist"),
    }


def test_every_patient_has_a_care_team_at_their_site(seeded):
    for patient in demo_patients().prefetch_related("care_team__user__sites"):
        members = list(patient.care_team.all())
        assert sorted(m.role for m in members) == ["nurse", "prescriber", "therapist"]
        for member in members:
            assert patient.site in member.user.sites.all()
            assert member.user.role == member.role


def test_every_patient_has_an_emergency_contact_and_a_weight(seeded):
    for patient in demo_patients():
        assert patient.contacts.filter(is_emergency=True).exists()
        assert patient.measurements.filter(weight_kg__isnull=False).exists()
        assert patient.conditions.filter(category="psychiatric").exists()


def test_demo_clinicians_have_many_patients(seeded):
    prescriber = User.objects.get(email="prescriber@demo.kapclinic.test")
    assert CareTeamMember.objects.filter(user=prescriber).count() >= 5


def test_clinical_history_is_varied(db):
    seed(patients=150, seed=3)
    assert Medication.objects.values("drug_class").distinct().count() >= 8
    categories = set(Condition.objects.values_list("category", flat=True))
    assert {"psychiatric", "medical"} <= categories
    assert Allergy.objects.exists()


def test_articles_are_published(seeded):
    slugs = set(Article.objects.filter(status="published").values_list("slug", flat=True))
    assert slugs == {a["slug"] for a in DEMO_ARTICLES}
    assert not Article.objects.filter(published_at__isnull=True).exists()


def test_running_twice_does_not_duplicate(seeded):
    before = counts()
    output = seed(patients=20, seed=1)
    assert counts() == before
    assert "already there" in output


def test_second_run_tops_up_patients_only(seeded):
    before = counts()
    seed(patients=25, seed=1)
    after = counts()
    assert demo_patients().count() == 25
    assert after["Patient"] == 26  # and the one online visitor, not made again
    assert after["User"] == before["User"]
    assert after["Site"] == before["Site"]
    assert after["Article"] == before["Article"]


def test_seeding_writes_no_audit_rows(seeded):
    assert not AuditEvent.objects.exists()


def test_same_seed_gives_same_patients(db):
    seed(patients=15, seed=7)
    first = list(Patient.objects.order_by("mrn").values_list("given_name", "family_name", "stage"))
    delete_demo_dosing()  # dosing sessions and plans protect appointments and patients
    for model in (VitalReading, Administration, DosingSession, TreatmentPlan):
        model.objects.all().delete()
    Appointment.objects.all().delete()  # appointments protect their patients
    RiskAlert.objects.all().delete()  # as do risk alerts their scores
    Consent.objects.all().delete()  # so do signed consents and preparations
    Preparation.objects.all().delete()
    # Treatment plans protect their patients too, and a new version its predecessor.
    TreatmentPlan.objects.filter(supersedes__isnull=False).delete()
    TreatmentPlan.objects.all().delete()
    Patient.objects.all().delete()
    CareTeamMember.objects.all().delete()
    seed(patients=15, seed=7)
    again = list(Patient.objects.order_by("mrn").values_list("given_name", "family_name", "stage"))
    assert first == again


def test_prints_the_logins(seeded):
    assert "prescriber@demo.kapclinic.test" in seeded
    assert DEMO_PASSWORD in seeded


def test_negative_patient_count_is_refused(db):
    with pytest.raises(CommandError):
        seed(patients=-1)


def test_sign_in_list_alone_is_the_same_list_and_writes_nothing(seeded, db):
    out = StringIO()
    before = User.objects.count()
    call_command("seed_demo", "--sign-ins", stdout=out)
    assert out.getvalue().strip() in seeded  # the very lines seed_demo printed
    assert f"{'Patient'.ljust(len('Clinic admin'))}  patient@demo.kapclinic.test" in out.getvalue()
    assert User.objects.count() == before


def test_quiet_prints_one_summary_line(seeded, db):
    out = StringIO()
    call_command("seed_demo", "--patients", "20", "--quiet", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 2 and "demo-password-kap" not in out.getvalue()
