"""Every URL of the project, for every role: an explicit expectation for each.

A new URL pattern without an entry in EXPECTED fails `test_every_url_has_an_expectation`,
so nobody can add a page without saying who may reach it. Each cell is what a GET
returns for that role:

- "ok": 200
- "login": redirect to the sign-in page (anonymous on a protected page)
- "404": not found, and the body holds no PHI of the cast's patients
- "405": the URL accepts POST only
- "401": the JSON API's answer to a caller who is not signed in (no redirect)
- "portal": redirect to the patient's own record
- "away": redirect somewhere other than sign-in (e.g. a signed-in user on a sign-in page)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.accounts.models import StaffCredential
from kapclinic.audit.models import BreakGlassGrant
from kapclinic.clinics.models import Chair, Room
from kapclinic.consent.actions import sign as sign_consent
from kapclinic.consent.defaults import ensure_documents
from kapclinic.consent.models import Consent, ConsentDocument
from kapclinic.consent.status import current_documents
from kapclinic.consent.text import render_document
from kapclinic.content.models import Article
from kapclinic.dosing.tests.rems_helpers import make_esketamine_session
from kapclinic.journal.models import JournalEntry
from kapclinic.outcomes.models import QuestionnaireAssignment, QuestionnaireResponse, RiskAlert
from kapclinic.patients.models import CareTeamMember, Contact, Medication
from kapclinic.scheduling.manage_links import make_token
from kapclinic.scheduling.models import Appointment, AppointmentType
from kapclinic.scheduling.tests.helpers import make_appointment
from kapclinic.screening.models import SafetyFlagAlert
from kapclinic.test import Cast, login
from kapclinic.tests.urlwalk import iter_patterns
from kapclinic.treatment.models import Protocol, TreatmentPlan
from kapclinic.treatment.protocols import seed_default_protocols

ROLES = ("anon", "patient", "front_desk", "therapist", "nurse", "prescriber", "admin", "outsider")

# Shorthands for rows.
PUBLIC = dict.fromkeys(ROLES, "ok")


def row(default: str, anon: str = "login", **overrides: str) -> dict[str, str]:
    cells = dict.fromkeys(ROLES, default)
    cells["anon"] = anon
    cells.update(overrides)
    return cells


ADMIN_ONLY = row("404", admin="ok")
STAFF_ONLY = row("ok", patient="404")
ROSTER = row("ok", patient="404", admin="404")  # front desk and clinicians
CARE_TEAM_CHART = row("404", front_desk="ok", nurse="ok", prescriber="ok")
CARE_TEAM_CLINICAL = row("404", nurse="ok", prescriber="ok")
PATIENT_ONLY = row("404", patient="ok")

EXPECTED: dict[str, dict[str, str]] = {
    # Public site.
    "home": PUBLIC,
    # Health checks for load balancers: public, no PHI.
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "favicon": dict.fromkeys(ROLES, "away"),  # to the icon in static files
    "content:articles": PUBLIC,
    "content:article": PUBLIC,
    "content:manage": STAFF_ONLY,
    "content:manage_new": STAFF_ONLY,
    "content:manage_edit": STAFF_ONLY,
    # Public booking and the e-mailed manage link (a signed token; no sign-in).
    "book:book": PUBLIC,
    "book:sent": PUBLIC,
    "book:possible_matches": ROSTER,
    "book:resolve_match": row("405"),
    "book:manage": PUBLIC,
    "book:manage_ics": PUBLIC,
    "book:reschedule": PUBLIC,
    "book:cancel": PUBLIC,
    # Accounts.
    "accounts:login": row("away", anon="ok", patient="portal"),
    "accounts:logout": row("405"),
    "accounts:keepalive": row("405"),
    "accounts:security": row("ok"),
    "accounts:backup_codes": row("405"),
    "accounts:password_change": row("ok"),
    "accounts:two_factor_disable": row("405"),
    # Setup and verify: staff already through two-factor are sent on. Patients may opt
    # in to two-factor, so the cast's patient (no authenticator yet) gets the setup
    # page, and verify sends them on to their portal (they have no code to enter).
    "accounts:setup": row("away", patient="ok"),
    "accounts:verify": row("away", patient="portal"),
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    # Patients.
    # Reminder links: the signed token is the authority, no sign-in needed.
    "reminders:respond": PUBLIC,
    "reminders:claim": PUBLIC,
    "reminders:my_waitlist": PATIENT_ONLY,
    "reminders:patient_waitlist": row("404", front_desk="ok", nurse="ok", prescriber="ok"),
    # Calendar feeds: staff manage their own (an admin everyone's); the feed itself
    # answers only to its secret token, so a made-up one is not found for anyone.
    "reminders:calendar_feeds": row("ok", patient="404"),
    "reminders:calendar_feed_revoke": row("405"),
    "reminders:calendar_feed": dict.fromkeys(ROLES, "404"),
    "patients:list": ROSTER,
    "patients:register": ROSTER,
    "patients:break_glass": row("ok", patient="404", front_desk="404"),
    "patients:portal": PATIENT_ONLY,
    "patients:portal_details": PATIENT_ONLY,
    "patients:portal_emergency_contact": PATIENT_ONLY,
    "patients:chart": row("404", patient="portal", front_desk="ok", nurse="ok", prescriber="ok"),
    "patients:edit_demographics": CARE_TEAM_CHART,
    "patients:add_contact": CARE_TEAM_CHART,
    "patients:edit_contact": CARE_TEAM_CHART,
    "patients:add_measurement": CARE_TEAM_CLINICAL,
    "patients:add_condition": CARE_TEAM_CLINICAL,
    "patients:add_medication": CARE_TEAM_CLINICAL,
    "patients:stop_medication": CARE_TEAM_CLINICAL,
    "patients:add_allergy": CARE_TEAM_CLINICAL,
    "patients:add_care_team_member": CARE_TEAM_CHART,
    "patients:remove_care_team_member": row("405"),
    # Pathway: clinicians only, each sees their own care-team patients.
    "treatment:board": row("ok", patient="404", front_desk="404", admin="404"),
    # Protocols: the site's prescribers and clinic admins. Plans: care-team clinicians
    # read, prescribers write (the cast's patient is not eligible yet: the form page
    # says so).
    "treatment:protocols": row("404", prescriber="ok", admin="ok"),
    "treatment:protocol_edit": row("404", prescriber="ok", admin="ok"),
    "treatment:protocols_seed": row("405"),
    "treatment:plan": CARE_TEAM_CLINICAL,
    "treatment:plan_edit": row("404", prescriber="ok"),
    "treatment:plan_sign": row("405"),
    "treatment:plan_discard": row("405"),
    "treatment:plan_version": CARE_TEAM_CLINICAL,
    "treatment:course": row("404", prescriber="ok"),
    "treatment:timeline": CARE_TEAM_CLINICAL,
    # Dosing floor: the board for nurses, prescribers and therapists at their sites;
    # a session's page for clinicians with the patient's clinical record (the cast's
    # session is the patient's, at site A, today). Writes are POST only.
    "dosing:board": row("ok", patient="404", front_desk="404", admin="404"),
    "dosing:board_live": row("ok", patient="404", front_desk="404", admin="404"),
    # Any nurse or prescriber polls it on every page (a nurse at another site sees that
    # site's alerts); everyone else: 404.
    "dosing:urgent_strip": row("404", nurse="ok", prescriber="ok", outsider="ok"),
    "dosing:session": CARE_TEAM_CLINICAL,
    **{
        f"dosing:{name}": row("405")
        for name in (
            "open",
            "step",
            "checklist",
            "vitals",
            "dose",
            "dissociation",
            "event",
            "note",
            "assessment",
            "override",
            "exception",
            "abort",
            "schedule",
            "acknowledge",
        )
    },
    # Screening: care-team clinicians read, prescribers write (POST only).
    "screening:screening": CARE_TEAM_CLINICAL,
    "screening:save": row("405"),
    "screening:sign": row("405"),
    "screening:amend": row("405"),
    "screening:acknowledge_flag_alert": row("405"),
    # Intake: the patient's own (open to them: the walk's public-booking links book the
    # cast's patient an initial consultation); the care team reads it.
    "intake:overview": PATIENT_ONLY,
    "intake:section": PATIENT_ONLY,
    "intake:submit": row("405"),
    "intake:questionnaire": row("405"),
    "intake:staff": CARE_TEAM_CLINICAL,
    # Measurement-based care: alerts for clinicians (their care team; nurses also at
    # their site), questionnaires for their own patient, staff entry for the care team.
    "outcomes:alerts": row("ok", patient="404", front_desk="404", admin="404"),
    "outcomes:acknowledge": CARE_TEAM_CLINICAL,
    "outcomes:answer": PATIENT_ONLY,
    "outcomes:result": PATIENT_ONLY,
    "outcomes:enter": CARE_TEAM_CLINICAL,
    "outcomes:assign": CARE_TEAM_CLINICAL,
    # Consent: forms written by clinic admins and prescribers; the patient signs in the
    # portal; the care team reads signed consents, a prescriber countersigns (POST).
    "consent:documents": row("404", admin="ok", prescriber="ok"),
    "consent:document_new": row("405"),
    "consent:document": row("404", admin="ok", prescriber="ok"),
    "consent:document_publish": row("405"),
    "consent:portal": PATIENT_ONLY,
    "consent:portal_sign": PATIENT_ONLY,
    "consent:portal_withdraw": row("405"),
    "consent:patient": CARE_TEAM_CLINICAL,
    "consent:signature": CARE_TEAM_CLINICAL,
    "consent:countersign": row("405"),
    "consent:staff_withdraw": row("405"),
    # Preparation: the patient's own in the portal (autosave is POST only); the care
    # team's view, checklist and the therapist's "complete" (POST only).
    "preparation:portal": PATIENT_ONLY,
    "preparation:portal_autosave": row("405"),
    "preparation:patient": CARE_TEAM_CLINICAL,
    "preparation:staff_checklist": row("405"),
    "preparation:complete": row("405"),
    # Questionnaire schedules: a site's for the clinic admin, a patient's for the care
    # team's clinicians; the e-mailed link answers to its signed token alone.
    "outcomes:site_schedule": ADMIN_ONLY,
    "outcomes:patient_schedule": CARE_TEAM_CLINICAL,
    "questionnaire_link:answer": PUBLIC,
    "outcomes:trajectory": CARE_TEAM_CLINICAL,
    "outcomes:my_progress": PATIENT_ONLY,
    # The long-term safety panel is the prescriber's (CLINICAL.md 7).
    "outcomes:safety": row("404", prescriber="ok"),
    "outcomes:bladder_check": row("404", prescriber="ok"),
    "outcomes:misuse_signal": row("404", prescriber="ok"),
    # Clinic analytics: aggregates only, cohorts under 5 suppressed.
    "outcomes:analytics": row("404", prescriber="ok", admin="ok"),
    "outcomes:analytics_export": row("404", prescriber="ok", admin="ok"),
    # Integration journal: the patient's own; shared entries and integration notes for
    # the care team's clinicians; psychotherapy notes only for therapists and
    # prescribers on the care team (the cast's prescriber), each seeing their own.
    "journal:mine": PATIENT_ONLY,
    "journal:start": row("405"),
    "journal:entry": PATIENT_ONLY,
    "journal:patient": CARE_TEAM_CLINICAL,
    "journal:psychotherapy": row("404", prescriber="ok"),
    # Clinic configuration.
    "clinics:sites": ADMIN_ONLY,
    "clinics:site_add": ADMIN_ONLY,
    "clinics:site": ADMIN_ONLY,
    "clinics:site_edit": ADMIN_ONLY,
    "clinics:site_settings": ADMIN_ONLY,
    "clinics:room_add": ADMIN_ONLY,
    "clinics:room_edit": ADMIN_ONLY,
    "clinics:chair_add": ADMIN_ONLY,
    "clinics:chair_edit": ADMIN_ONLY,
    "clinics:staff": ADMIN_ONLY,
    "clinics:staff_add": ADMIN_ONLY,
    "clinics:staff_member": ADMIN_ONLY,
    "clinics:staff_edit": ADMIN_ONLY,
    # POST-only: the method is refused before anything about the object is looked up.
    "clinics:staff_deactivate": row("405"),
    "clinics:staff_reactivate": row("405"),
    "clinics:staff_reset_two_factor": row("405"),
    "clinics:credential_add": ADMIN_ONLY,
    "clinics:credential_edit": ADMIN_ONLY,
    # Audit.
    "audit:log": ADMIN_ONLY,
    "audit:export": ADMIN_ONLY,
    "audit:grant": ADMIN_ONLY,
    "audit:grant_review": row("405"),
    # JSON API: 401 JSON rather than a redirect; the roster is empty for non-roster
    # roles; a patient reads their own record at /me only.
    "api:api-root": row("404", anon="401"),
    "api:openapi-json": row("ok", anon="401"),
    "api:patient_list": row("ok", anon="401"),
    "api:patient_detail": row("404", anon="401", front_desk="ok", nurse="ok", prescriber="ok"),
    "api:me": row("404", anon="401", patient="ok"),
    # Scheduling API: availability needs its parameters (400 without them); the list
    # is everyone's own scope (empty for the admin); one appointment is PATCH only.
    "api:availability": row("400", anon="401"),
    "api:appointments": row("ok", anon="401"),
    "api:appointment": row("405", anon="401"),
    # Device feed: POST only, open to monitors' tokens (the operation checks them).
    "api:session_vitals": dict.fromkeys(ROLES, "405"),
    # Staff calendar (front desk and clinicians) and the patient's own appointments.
    "scheduling:today": ROSTER,
    "scheduling:day": ROSTER,
    "scheduling:week": ROSTER,
    "scheduling:book": ROSTER,
    "scheduling:waitlist": ROSTER,
    "scheduling:waitlist_remove": row("405"),
    # The cast's appointment is the patient's, at site A with the prescriber.
    "scheduling:appointment": row(
        "404", front_desk="ok", nurse="ok", prescriber="ok", patient="404"
    ),
    "scheduling:move": row("404", front_desk="ok", nurse="ok", prescriber="ok"),
    "scheduling:status": row("405"),
    "scheduling:portal": PATIENT_ONLY,
    "scheduling:portal_book": PATIENT_ONLY,
    "scheduling:portal_appointment": PATIENT_ONLY,
    "scheduling:portal_cancel": row("405"),
    # Django admin: the index stands for every admin page (Django's own staff check);
    # Django admin: the index stands for every admin page (the admin site's own check:
    # clinic admins only); test_django_admin_walk.py walks them all.
    "admin:index": row("away", anon="away", admin="ok"),
    # REMS monitoring forms: the patient's nurse and prescriber (care team).
    "rems:due": row("404", nurse="ok", prescriber="ok", outsider="ok"),
    "rems:form": CARE_TEAM_CLINICAL,
    "rems:submit": row("405"),
    "rems:pdf": CARE_TEAM_CLINICAL,
    # Controlled-substance log: a site's nurses and prescribers record, clinic admins
    # review; the index sends someone with one site straight to its log.
    "controlled:index": row("404", nurse="away", prescriber="away", outsider="away", admin="ok"),
    "controlled:site": row("404", nurse="ok", prescriber="ok", admin="ok"),
    "controlled:receive": row("404", nurse="ok", prescriber="ok"),
    "controlled:waste": row("404", nurse="ok", prescriber="ok"),
    "controlled:count": row("404", nurse="ok", prescriber="ok"),
    "controlled:correct": row("404", nurse="ok", prescriber="ok"),
    "controlled:export": row("404", nurse="ok", prescriber="ok", admin="ok"),
    "controlled:review": ADMIN_ONLY,
}


def _url_kwargs(cast: Cast) -> dict[str, Callable[[], dict[str, Any]]]:
    patient = cast.patient

    def contact() -> dict[str, Any]:
        c = Contact.objects.create(
            patient=patient, name="Sam Contact", relationship="friend", phone="+1 555 0111"
        )
        return {"pk": patient.pk, "contact_pk": c.pk}

    def medication() -> dict[str, Any]:
        m = Medication.objects.create(patient=patient, name="Sertraline")
        return {"pk": patient.pk, "medication_pk": m.pk}

    def member() -> dict[str, Any]:
        m = CareTeamMember.objects.get(patient=patient, user=cast.prescriber)
        return {"pk": patient.pk, "member_pk": m.pk}

    def article() -> Article:
        found, _ = Article.objects.get_or_create(
            slug="about-kap",
            defaults={
                "title": "About KAP",
                "summary": "General information.",
                "body": "Some *text*.",
                "status": Article.Status.PUBLISHED,
                "published_at": timezone.now(),
            },
        )
        return found

    def room() -> Room:
        return Room.objects.get_or_create(site=cast.site, name="Room 1")[0]

    def chair() -> Chair:
        return Chair.objects.get_or_create(room=room(), name="Chair 1")[0]

    def credential() -> StaffCredential:
        return StaffCredential.objects.create(
            user=cast.nurse, kind="nursing", number="RN-1", issuer="State board"
        )

    def grant() -> BreakGlassGrant:
        return BreakGlassGrant.objects.create(
            user=cast.therapist,
            patient=cast.other_patient,
            reason="Covering for the care team during an emergency call.",
            expires_at=timezone.now() + dt.timedelta(minutes=60),
        )

    def appointment() -> dict[str, Any]:
        return {"pk": make_appointment(cast).pk}

    def questionnaire() -> dict[str, Any]:
        now = timezone.now()
        assignment = QuestionnaireAssignment.objects.create(
            patient=patient,
            instrument="phq9",
            due_at=now,
            expires_at=now + dt.timedelta(days=7),
            assigned_by=cast.prescriber,
        )
        return {"pk": assignment.pk}

    def response() -> QuestionnaireResponse:
        return QuestionnaireResponse.objects.create(
            patient=patient,
            instrument="phq9",
            answers=[1] * 9,
            total=9,
            severity="mild",
            flags=["suicide_risk"],
            entered_by="patient",
            entered_by_user=cast.patient_user,
        )

    def alert() -> dict[str, Any]:
        found = RiskAlert.objects.create(
            patient=patient, response=response(), reason="PHQ-9: item 9", level="urgent"
        )
        return {"pk": found.pk}

    def manage_link() -> dict[str, Any]:
        kind = AppointmentType.objects.get_or_create(
            site=cast.site,
            code="initial_consultation",
            defaults={"name": "Initial consultation", "duration_minutes": 60},
        )[0]
        # A new hour each call: PostgreSQL refuses two at once for one clinician.
        start = timezone.now() + dt.timedelta(days=30, hours=Appointment.objects.count())
        appointment = Appointment.objects.create(
            patient=patient,
            appointment_type=kind,
            site=cast.site,
            clinician=cast.prescriber,
            start=start,
            end=start + dt.timedelta(hours=1),
            hold_start=start,
            hold_end=start + dt.timedelta(hours=1),
        )
        return {"token": make_token(appointment)}

    def protocol() -> Protocol:
        seed_default_protocols(cast.site, actor=None)  # adds only what is missing
        return Protocol.objects.filter(site=cast.site).earliest("pk")

    def plan_version() -> dict[str, Any]:
        found = protocol()
        version = TreatmentPlan.objects.create(
            patient=patient,
            protocol=found,
            version=TreatmentPlan.objects.filter(patient=patient).count() + 1,
            route=found.route,
            drug=found.drug,
            dose_mg=Decimal(35),
            max_dose_mg=found.max_dose_mg,
            sessions_planned=6,
            min_days_between_doses=2,
            max_doses_per_week=3,
            created_by=cast.prescriber,
        )
        return {"pk": patient.pk, "version_pk": version.pk}

    def consent_form() -> dict[str, Any]:
        ensure_documents()
        return {"pk": ConsentDocument.objects.order_by("pk").values_list("pk", flat=True)[0]}

    def consent_route() -> dict[str, Any]:
        ensure_documents()
        return {"route": "iv"}

    def signed_consent() -> dict[str, Any]:
        ensure_documents()
        document = current_documents()["iv"]
        found = Consent.objects.filter(patient=patient, document=document).first()
        if found is None:
            rendered = render_document(document, patient)
            found = sign_consent(
                document,
                actor=cast.patient_user,
                patient=patient,
                typed_name="Pat Ient",
                acknowledged=[code for code, _ in rendered.acknowledgements],
                shown_sha256=rendered.sha256,
            )
        return {"pk": found.pk}

    by_patient = {"pk": patient.pk}

    def rems_session() -> dict[str, Any]:
        return {"pk": make_esketamine_session(cast).pk}

    def dosing_session() -> dict[str, Any]:
        from kapclinic.dosing.tests.factories import make_session

        return {"pk": make_session(cast).pk}

    def flag_alert() -> dict[str, Any]:
        found = SafetyFlagAlert.objects.filter(patient=patient, acknowledged_at=None).first()
        if found is None:
            found = SafetyFlagAlert.objects.create(
                patient=patient,
                code="interaction:maoi",
                level="relative",
                reason="Takes an MAO inhibitor.",
                medication=Medication.objects.create(
                    patient=patient, name="Phenelzine", drug_class="maoi"
                ),
            )
        return {"pk": patient.pk, "alert_pk": found.pk}

    post_only = {"pk": 1}
    return {
        "treatment:protocol_edit": lambda: {"pk": protocol().pk},
        "treatment:protocols_seed": lambda: {"pk": cast.site.pk},
        "treatment:plan": lambda: by_patient,
        "treatment:plan_edit": lambda: by_patient,
        "treatment:plan_sign": lambda: by_patient,
        "treatment:plan_discard": lambda: by_patient,
        "treatment:course": lambda: by_patient,
        "treatment:timeline": lambda: by_patient,
        "treatment:plan_version": plan_version,
        "consent:document": consent_form,
        "consent:document_publish": consent_form,
        "consent:portal_sign": consent_route,
        "consent:portal_withdraw": signed_consent,
        "consent:patient": lambda: by_patient,
        "preparation:patient": lambda: by_patient,
        "preparation:staff_checklist": lambda: by_patient,
        "preparation:complete": lambda: by_patient,
        "consent:signature": signed_consent,
        "consent:countersign": signed_consent,
        "consent:staff_withdraw": signed_consent,
        "dosing:session": dosing_session,
        **{
            f"dosing:{name}": lambda: post_only
            for name in (
                "open",
                "step",
                "checklist",
                "vitals",
                "dose",
                "dissociation",
                "event",
                "note",
                "assessment",
                "override",
                "exception",
                "abort",
                "schedule",
            )
        },
        "dosing:acknowledge": lambda: {"pk": 1, "alert_pk": 1},
        "outcomes:acknowledge": alert,
        "outcomes:answer": questionnaire,
        "outcomes:result": lambda: {"pk": response().pk},
        "outcomes:enter": lambda: {"pk": patient.pk, "code": "phq9"},
        "outcomes:assign": lambda: by_patient,
        "outcomes:site_schedule": lambda: {"pk": cast.site.pk},
        "outcomes:patient_schedule": lambda: by_patient,
        "questionnaire_link:answer": lambda: {"token": "not-a-real-link"},
        "outcomes:trajectory": lambda: {"pk": patient.pk, "code": "phq9"},
        "outcomes:safety": lambda: by_patient,
        "outcomes:bladder_check": lambda: by_patient,
        "outcomes:misuse_signal": lambda: by_patient,
        "journal:entry": lambda: {"pk": JournalEntry.objects.create(patient=patient).pk},
        "journal:patient": lambda: by_patient,
        "journal:psychotherapy": lambda: by_patient,
        "book:manage": manage_link,
        "book:manage_ics": manage_link,
        "book:reschedule": manage_link,
        "book:cancel": manage_link,
        "book:resolve_match": lambda: {"pk": 1},
        "content:article": lambda: {"slug": article().slug},
        "content:manage_edit": lambda: {"pk": article().pk},
        "accounts:password_reset_confirm": lambda: {"uidb64": "MQ", "token": "set-password"},
        "patients:chart": lambda: by_patient,
        "patients:edit_demographics": lambda: by_patient,
        "patients:add_contact": lambda: by_patient,
        "patients:edit_contact": contact,
        "patients:add_measurement": lambda: by_patient,
        "patients:add_condition": lambda: by_patient,
        "patients:add_medication": lambda: by_patient,
        "patients:stop_medication": medication,
        "patients:add_allergy": lambda: by_patient,
        "patients:add_care_team_member": lambda: by_patient,
        "patients:remove_care_team_member": member,
        "intake:section": lambda: {"code": "medical"},
        "intake:questionnaire": lambda: {"code": "phq9"},
        "intake:staff": lambda: by_patient,
        "screening:screening": lambda: by_patient,
        "screening:save": lambda: by_patient,
        "screening:sign": lambda: by_patient,
        "screening:amend": lambda: by_patient,
        "screening:acknowledge_flag_alert": flag_alert,
        "clinics:site": lambda: {"pk": cast.site.pk},
        "clinics:site_edit": lambda: {"pk": cast.site.pk},
        "clinics:site_settings": lambda: {"pk": cast.site.pk},
        "clinics:room_add": lambda: {"pk": cast.site.pk},
        "clinics:room_edit": lambda: {"pk": room().pk},
        "clinics:chair_add": lambda: {"pk": room().pk},
        "clinics:chair_edit": lambda: {"pk": chair().pk},
        "clinics:staff_member": lambda: {"pk": cast.nurse.pk},
        "clinics:staff_edit": lambda: {"pk": cast.nurse.pk},
        "clinics:staff_deactivate": lambda: {"pk": cast.nurse.pk},
        "clinics:staff_reactivate": lambda: {"pk": cast.nurse.pk},
        "clinics:staff_reset_two_factor": lambda: {"pk": cast.nurse.pk},
        "clinics:credential_add": lambda: {"pk": cast.nurse.pk},
        "clinics:credential_edit": lambda: {"pk": credential().pk},
        "audit:grant": lambda: {"pk": grant().pk},
        "api:patient_detail": lambda: {"patient_id": patient.pk},
        "api:appointment": lambda: {"appointment_id": 1},
        "api:session_vitals": lambda: {"session_id": 1},
        "audit:grant_review": lambda: {"pk": grant().pk},
        "scheduling:appointment": appointment,
        "scheduling:move": appointment,
        "scheduling:status": appointment,
        "scheduling:portal_appointment": appointment,
        "scheduling:portal_cancel": appointment,
        "scheduling:waitlist_remove": lambda: {"pk": 1},
        # A forged token: every role gets the kind "link no longer works" page.
        "reminders:respond": lambda: {"token": "not-a-real-link"},
        "reminders:claim": lambda: {"token": "not-a-real-offer"},
        "reminders:patient_waitlist": lambda: by_patient,
        "reminders:calendar_feed": lambda: {"token": "not-a-real-feed"},
        "reminders:calendar_feed_revoke": lambda: {"pk": 1},
        "rems:form": rems_session,
        "rems:submit": rems_session,
        "rems:pdf": rems_session,
        **dict.fromkeys(
            [
                f"controlled:{n}"
                for n in ("site", "receive", "waste", "count", "correct", "export", "review")
            ],
            lambda: {"pk": cast.site.pk},
        ),
    }


def _project_patterns() -> list[str]:
    names = [p.name for p in iter_patterns()]
    # Django admin's pages all sit behind its own staff check; `admin:index` stands for them.
    return [n for n in names if not n.startswith("admin:") or n == "admin:index"]


def test_every_url_has_an_expectation() -> None:
    missing = [name for name in _project_patterns() if name not in EXPECTED]
    assert missing == [], f"URL patterns with no access expectation: {missing}"
    stale = [name for name in EXPECTED if name not in _project_patterns()]
    assert stale == [], f"Expectations for URLs that no longer exist: {stale}"


def test_every_row_names_every_role() -> None:
    for name, cells in EXPECTED.items():
        assert set(cells) == set(ROLES), name


def _outcome(client: Client, url: str, cast: Cast) -> str:
    response = client.get(url)
    status = response.status_code
    if status == 200:
        return "ok"
    if status in (301, 302):
        target = response["Location"]
        if target.startswith(reverse("accounts:login")):
            return "login"
        if target.startswith(reverse("patients:portal")):
            return "portal"
        return "away"
    if status == 404:
        # Random per-response tokens (CSP nonces, CSRF) can spell a name by chance.
        body = re.sub(
            r'(nonce|value|content)="[A-Za-z0-9+/=_-]{20,}"', "", response.content.decode()
        )
        for patient in (cast.patient, cast.other_patient):
            for phi in (patient.family_name, patient.mrn, patient.phone):
                assert phi not in body, f"{url} leaked PHI in its 404"
        return "404"
    return str(status)


@pytest.mark.parametrize("role", ROLES)
def test_url_access_for_role(role: str, cast: Cast, client: Client) -> None:
    users = {
        "patient": cast.patient_user,
        "front_desk": cast.front_desk,
        "therapist": cast.therapist,
        "nurse": cast.nurse,
        "prescriber": cast.prescriber,
        "admin": cast.admin,
        "outsider": cast.outsider,
    }
    kwarg_makers = _url_kwargs(cast)
    mismatches = []
    for name in _project_patterns():
        kwargs = kwarg_makers.get(name, dict)()
        url = reverse(name, kwargs=kwargs)
        client.logout()
        if role != "anon":
            login(client, users[role])
        got = _outcome(client, url, cast)
        expected = EXPECTED[name][role]
        if got != expected:
            mismatches.append(f"{name} ({url}): expected {expected}, got {got}")
    assert mismatches == [], "\n".join(mismatches)
