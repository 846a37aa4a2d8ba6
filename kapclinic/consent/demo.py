"""Demo consents for `seed_demo` (synthetic data only; no audit rows, like all demo data).

Publishes version 1 of each route's form and a version 2 of the IV form (a demo
revision), then gives every demo patient past the consent step a consent signed and
countersigned on the current version of their route's form, at the time their
pathway history says consent was signed. One patient in the dosing phase keeps a
consent on IV version 1, so the board and readiness show "consent out of date"; one
patient at the treatment-plan step has signed and awaits the countersignature.
Idempotent: patients who already have a consent are left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kapclinic.consent.defaults import default_body, ensure_documents
from kapclinic.consent.models import Consent, ConsentDocument
from kapclinic.consent.status import current_documents, plan_routes
from kapclinic.consent.text import render_for
from kapclinic.patients.models import CareTeamMember, PathwayStage, Patient
from kapclinic.screening.models import ScreeningRecord
from kapclinic.treatment.models import PathwayTransition, Route

# Stages at which consent has been signed and countersigned.
CONSENTED = frozenset(
    {
        PathwayStage.CONSENT,
        PathwayStage.PREPARATION,
        PathwayStage.DOSING,
        PathwayStage.REVIEW,
        PathwayStage.MAINTENANCE,
        PathwayStage.FOLLOW_UP,
    }
)
REVISION_NOTE = """
## Between sessions

If you feel unwell, very low or unsafe between sessions, call the clinic during opening
hours. Outside them, call your local emergency number, or in the US call or text 988.
"""


def _ensure_revision(now: dt.datetime) -> ConsentDocument:
    """Version 2 of the IV form, published a few days ago (once)."""
    ensure_documents()
    existing = ConsentDocument.objects.filter(route=Route.IV, version=2).first()
    if existing is not None:
        return existing
    title, body = default_body(Route.IV)
    return ConsentDocument.objects.create(
        route=Route.IV,
        version=2,
        title=title,
        body=body + REVISION_NOTE,
        status=ConsentDocument.Status.PUBLISHED,
        published_at=now - dt.timedelta(days=3),
    )


def _consent(
    patient: Patient,
    document: ConsentDocument,
    indication: str | None,
    signed_at: dt.datetime,
    countersigner_id: int | None,
) -> Consent:
    rendered = render_for(document, indication)
    return Consent(
        patient=patient,
        document=document,
        route=document.route,
        signed_text=str(rendered.html),
        text_sha256=rendered.sha256,
        off_label_notice=rendered.off_label,
        rems_notice=rendered.rems,
        acknowledgements=[code for code, _ in rendered.acknowledgements],
        typed_name=f"{patient.given_name} {patient.family_name}",
        signed_by_id=patient.user_id,
        signed_at=signed_at,
        countersigned_by_id=countersigner_id,
        countersigned_at=signed_at + dt.timedelta(hours=2) if countersigner_id else None,
    )


@transaction.atomic
def build_demo_consents() -> int:
    """Create the demo consents; return how many were created."""
    now = timezone.now()
    revision = _ensure_revision(now)
    version_1 = ConsentDocument.objects.get(route=Route.IV, version=1)
    prescribers = dict(
        CareTeamMember.objects.filter(role=CareTeamMember.Role.PRESCRIBER)
        .order_by("added_at")
        .values_list("patient_id", "user_id")
    )
    wanted = {*CONSENTED, PathwayStage.TREATMENT_PLAN}
    patients = list(
        Patient.objects.filter(stage__in=wanted, consents__isnull=True, pk__in=list(prescribers))
    )
    if not patients:
        return 0
    ids = [p.pk for p in patients]
    routes = plan_routes(ids)
    documents = current_documents()
    signed_on = dict(
        PathwayTransition.objects.filter(patient_id__in=ids, name="sign_consent").values_list(
            "patient_id", "occurred_at"
        )
    )
    indications = {
        pk: facts.get("indication")
        for pk, facts in ScreeningRecord.objects.filter(
            patient_id__in=ids, status=ScreeningRecord.Status.SIGNED
        ).values_list("patient_id", "facts")
    }
    dosing = [p for p in patients if p.stage == PathwayStage.DOSING]
    # The last dosing patient in list order, so the first stays a ready example.
    out_of_date = (
        dosing[-1]
        if len(dosing) > 1 and not Consent.objects.filter(document=version_1).exists()
        else None
    )
    awaiting = (
        next((p for p in patients if p.stage == PathwayStage.TREATMENT_PLAN), None)
        if not Consent.objects.filter(countersigned_at__isnull=True).exists()
        else None
    )
    rows = []
    for patient in patients:
        if patient.stage == PathwayStage.TREATMENT_PLAN and patient is not awaiting:
            continue
        route = routes.get(patient.pk, Route.IV)
        document = documents[route]
        signed_at = signed_on.get(patient.pk, now - dt.timedelta(days=1)) - dt.timedelta(hours=3)
        countersigner: int | None = prescribers[patient.pk]
        if patient is out_of_date:
            document = version_1
            published = revision.published_at or now
            signed_at = min(signed_at, published - dt.timedelta(days=2))
        if patient is awaiting:
            countersigner = None
            signed_at = now - dt.timedelta(hours=5)
        indication = indications.get(patient.pk)
        rows.append(
            _consent(
                patient,
                document,
                indication if isinstance(indication, str) else None,
                signed_at,
                countersigner,
            )
        )
    Consent.objects.bulk_create(rows, batch_size=500)
    return len(rows)
