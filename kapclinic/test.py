"""The shared test cast: one small clinic that every test can use.

Site A holds the patient, whose care team is `prescriber` and `nurse`; `therapist`
works at site A but is outside that care team; `front_desk` works at site A;
`outsider` is a nurse at site B; `admin` is the clinic admin; `other_patient` is a
second patient at site A with a portal account and no shared care team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts.models import Role, User
from kapclinic.clinics.models import Organisation, Site, SiteSettings
from kapclinic.patients.models import CareTeamMember, Patient

PASSWORD = "correct horse battery staple 42"


@dataclass
class Cast:
    org: Organisation
    site: Site
    other_site: Site
    admin: User
    prescriber: User
    nurse: User
    therapist: User
    front_desk: User
    outsider: User
    patient_user: User
    patient: Patient
    other_patient_user: User
    other_patient: Patient

    def staff(self) -> dict[str, User]:
        return {
            "admin": self.admin,
            "prescriber": self.prescriber,
            "nurse": self.nurse,
            "therapist": self.therapist,
            "front_desk": self.front_desk,
            "outsider": self.outsider,
        }


def make_site(org: Organisation, name: str, tz: str = "America/New_York") -> Site:
    site = Site.objects.create(
        organisation=org,
        name=name,
        address_line1="1 Example Street",
        city="Springfield",
        region="IL",
        postal_code="62701",
        time_zone=tz,
    )
    SiteSettings.objects.create(site=site)
    return site


def make_staff(email: str, name: str, role: Role, *sites: Site, totp: bool = True) -> User:
    user = User.objects.create_user(
        email, PASSWORD, full_name=name, role=role, is_staff=role == Role.CLINIC_ADMIN
    )
    if sites:
        user.sites.set(sites)
    if totp:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def make_patient(site: Site, mrn: str, given: str, family: str, *, email: str = "") -> Patient:
    user = None
    if email:
        user = User.objects.create_user(
            email, PASSWORD, full_name=f"{given} {family}", role=Role.PATIENT
        )
    return Patient.objects.create(
        site=site,
        mrn=mrn,
        user=user,
        given_name=given,
        family_name=family,
        birth_date=dt.date(1985, 6, 15),
        email=email,
        phone="+13125550100",
    )


def build_cast() -> Cast:
    org = Organisation.objects.create(name="Test Clinic")
    site = make_site(org, "Site A")
    other_site = make_site(org, "Site B", "America/Los_Angeles")
    admin = make_staff("admin@test.example", "Ada Admin", Role.CLINIC_ADMIN, site, other_site)
    prescriber = make_staff("pres@test.example", "Priya Prescriber", Role.PRESCRIBER, site)
    nurse = make_staff("nurse@test.example", "Nora Nurse", Role.NURSE, site)
    therapist = make_staff("ther@test.example", "Theo Therapist", Role.THERAPIST, site)
    front_desk = make_staff("desk@test.example", "Fran Desk", Role.FRONT_DESK, site)
    outsider = make_staff("out@test.example", "Olly Outsider", Role.NURSE, other_site)
    patient = make_patient(site, "MRN-0001", "Pat", "Ient", email="pat@test.example")
    other = make_patient(site, "MRN-0002", "Oscar", "Other", email="oscar@test.example")
    CareTeamMember.objects.create(patient=patient, user=prescriber, role="prescriber")
    CareTeamMember.objects.create(patient=patient, user=nurse, role="nurse")
    assert patient.user is not None and other.user is not None
    return Cast(
        org=org,
        site=site,
        other_site=other_site,
        admin=admin,
        prescriber=prescriber,
        nurse=nurse,
        therapist=therapist,
        front_desk=front_desk,
        outsider=outsider,
        patient_user=patient.user,
        patient=patient,
        other_patient_user=other.user,
        other_patient=other,
    )


def login(client: Client, user: User) -> Client:
    """Sign `user` in as if they had passed password and (for staff) two-factor."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client
