"""Who may see and write consent documents and signed consents: the one chokepoint.

- Consent documents (the forms) are written by clinic admins and prescribers; the
  management pages are theirs alone.
- A patient sees their own consents and signs the current version of a form.
- A signed consent is clinical: the patient's care team (or a break-glass grant,
  through `patients.access`) sees it; a prescriber among them countersigns.
Anything else is a 404, as for a record that does not exist.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from kapclinic.accounts.access import current_user
from kapclinic.accounts.models import Role, User
from kapclinic.consent.models import Consent, ConsentDocument
from kapclinic.consent.status import current_documents, plan_routes
from kapclinic.patients.access import get_own_patient, get_patient_for_staff
from kapclinic.patients.models import Patient

DOCUMENT_WRITERS = frozenset({Role.CLINIC_ADMIN, Role.PRESCRIBER})


def can_manage_documents(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in DOCUMENT_WRITERS


def require_document_manager(request: HttpRequest) -> User:
    user = current_user(request)
    if not can_manage_documents(user):
        raise Http404("No consent documents")
    return user


def get_document_to_manage(request: HttpRequest, pk: int) -> ConsentDocument:
    require_document_manager(request)
    document = ConsentDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404("No such consent document")
    return document


def documents_for_patient(patient: Patient) -> list[ConsentDocument]:
    """The forms a patient may sign now: the current version for their plan's route,
    or for every route while they have no plan."""
    documents = current_documents()
    route = plan_routes([patient.pk]).get(patient.pk)
    if route is not None:
        return [documents[route]] if route in documents else []
    return list(documents.values())


def get_document_to_sign(request: HttpRequest, route: str) -> tuple[Patient, ConsentDocument]:
    """The signed-in patient and the current form for `route`, if they may sign it.

    By route, not by version: a version published while the patient reads keeps the
    same page, whose text check then shows them the new text."""
    patient = get_own_patient(request)
    for document in documents_for_patient(patient):
        if document.route == route:
            return patient, document
    raise Http404("No such consent form")


def consents_of(patient: Patient) -> list[Consent]:
    return list(
        Consent.objects.filter(patient=patient).select_related(
            "document", "countersigned_by", "withdrawn_by"
        )
    )


def get_own_consent(request: HttpRequest, pk: int) -> Consent:
    patient = get_own_patient(request)
    consent = Consent.objects.filter(pk=pk, patient=patient).select_related("document").first()
    if consent is None:
        raise Http404("No such consent")
    consent.patient = patient
    return consent


def get_consent_for_staff(request: HttpRequest, pk: int) -> Consent:
    """A signed consent of a patient whose clinical record the user may see."""
    patient_id = Consent.objects.filter(pk=pk).values_list("patient_id", flat=True).first()
    if patient_id is None:
        raise Http404("No such consent")
    # The patients access layer decides (and audits a refusal) as for the chart.
    patient = get_patient_for_staff(request, patient_id, clinical=True)
    consent = (
        Consent.objects.filter(pk=pk)
        .select_related("document", "signed_by", "countersigned_by", "withdrawn_by")
        .get()
    )
    consent.patient = patient
    return consent
