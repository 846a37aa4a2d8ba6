"""Shared steps for the consent tests: forms published, a patient's signature."""

from __future__ import annotations

from kapclinic.consent import actions
from kapclinic.consent.defaults import ensure_documents
from kapclinic.consent.models import Consent, ConsentDocument
from kapclinic.consent.status import current_documents, plan_routes
from kapclinic.consent.text import render_document
from kapclinic.test import Cast


def current(route: str = "iv") -> ConsentDocument:
    ensure_documents()
    return current_documents()[route]


def patient_signs(cast: Cast, route: str | None = None) -> Consent:
    """The patient signs the current form for `route` (default: their plan's route,
    which is the form offered to them, else IV)."""
    route = route or plan_routes([cast.patient.pk]).get(cast.patient.pk) or "iv"
    document = current(route)
    rendered = render_document(document, cast.patient)
    return actions.sign(
        document,
        actor=cast.patient_user,
        patient=cast.patient,
        typed_name="Pat Ient",
        acknowledged=[code for code, _ in rendered.acknowledgements],
        shown_sha256=rendered.sha256,
    )


def new_version(
    cast: Cast, route: str = "iv", extra: str = "\n\nA new paragraph."
) -> ConsentDocument:
    draft = actions.start_version(route, actor=cast.prescriber)
    actions.save_draft(draft, actor=cast.prescriber, title=draft.title, body=draft.body + extra)
    return actions.publish(draft, actor=cast.prescriber)
