"""Consent as `treatment.walk.walk_to` takes it: the patient signs the current form
for their route and a prescriber countersigns, which moves the pathway on.

For tests and demo walks that need a patient past the consent step with the records
that belong to it (readiness reads them), not just the pathway stage.
"""

from __future__ import annotations

from kapclinic.accounts.models import User
from kapclinic.consent import actions
from kapclinic.consent.defaults import ensure_documents
from kapclinic.consent.models import Consent
from kapclinic.consent.status import current_documents, plan_routes
from kapclinic.consent.text import render_document
from kapclinic.patients.models import Patient
from kapclinic.treatment.models import Route


def sign_and_countersign(patient: Patient, *, actor: User, route: str | None = None) -> Consent:
    """Sign (as the patient's portal account) and countersign (as `actor`, a
    prescriber on the care team) the current form for `route` (default: the plan's
    route, else IV)."""
    ensure_documents()
    route = route or plan_routes([patient.pk]).get(patient.pk) or Route.IV
    document = current_documents()[route]
    rendered = render_document(document, patient)
    if patient.user is not None:
        consent = actions.sign(
            document,
            actor=patient.user,
            patient=patient,
            typed_name=f"{patient.given_name} {patient.family_name}",
            acknowledged=[code for code, _ in rendered.acknowledgements],
            shown_sha256=rendered.sha256,
        )
    else:
        consent = Consent.objects.create(
            patient=patient,
            document=document,
            route=route,
            signed_text=str(rendered.html),
            text_sha256=rendered.sha256,
            off_label_notice=rendered.off_label,
            rems_notice=rendered.rems,
            acknowledgements=[code for code, _ in rendered.acknowledgements],
            typed_name=f"{patient.given_name} {patient.family_name}",
        )
    return actions.countersign(consent, actor=actor)
