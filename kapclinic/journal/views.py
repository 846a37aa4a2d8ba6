"""Pages of the integration journal: the patient's own (phone-first, saved as they
type), the care team's view of shared entries and integration notes, and each
author's psychotherapy notes.

Every view starts with an access helper (journal/access.py or patients/access.py)
that answers 404 for anything the user may not see; pages that show a patient's
journal or notes render through `render_patient_page`, which audits the read.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from kapclinic.accounts.access import current_user
from kapclinic.journal import access, actions
from kapclinic.journal.forms import EntryForm, NoteForm
from kapclinic.journal.models import JournalPrompt
from kapclinic.lib.field_error import FieldValueError
from kapclinic.patients.access import can_see_clinical, get_own_patient, get_patient_for_staff
from kapclinic.patients.page_audit import render_patient_page


def open_prompts(patient_id: int) -> list[JournalPrompt]:
    now = timezone.now()
    return list(
        JournalPrompt.objects.filter(
            patient_id=patient_id, entry__isnull=True, due_at__lte=now, expires_at__gt=now
        ).select_related("session")
    )


@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    context = {
        "patient": patient,
        "entries": list(access.own_entries(patient)[:100]),
        "prompts": open_prompts(patient.pk),
        "sessions": list(access.past_sessions(patient)[:30]),
    }
    return render_patient_page(request, patient, "journal/mine.html", context, page="journal")


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Open a new private entry (about a session if one is named) and go to it."""
    patient = get_own_patient(request)
    wanted = request.POST.get("session", "")
    session = (
        access.past_sessions(patient).filter(pk=int(wanted)).first()
        if wanted.isdigit() and len(wanted) < 19
        else None
    )
    entry = actions.start_entry(actor=current_user(request), patient=patient, session=session)
    return redirect("journal:entry", pk=entry.pk)


@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Write an entry. The page saves as the patient types (htmx), and the Save
    button works without scripts; a refused save keeps the text on the page."""
    found = access.get_own_entry(request, pk)
    patient = found.patient
    sessions = access.past_sessions(patient)
    initial = {
        "body": found.body,
        "shared": found.shared_with_care_team,
        "session": found.session_id,
    }
    form = EntryForm(request.POST or None, initial=initial, sessions=sessions)
    if request.method == "POST":
        saved = False
        if form.is_valid():
            try:
                actions.save_entry(
                    actor=current_user(request),
                    entry=found,
                    body=form.cleaned_data["body"],
                    shared=form.cleaned_data["shared"],
                    session=form.cleaned_data["session"],
                )
                saved = True
            except FieldValueError as error:
                form.add_error(None, f"{error.field}: {error.problem}.")
        if request.htmx:  # type: ignore[attr-defined]
            # Autosave: only the status line changes; the text stays as typed.
            # On the clinic's clock, as the page's "Last saved" line (the server keeps UTC).
            clock = timezone.localtime(timezone.now(), ZoneInfo(patient.site.time_zone))
            now = clock.strftime("%H:%M")
            text = (
                f"Saved at {now}."
                if saved
                else "Not saved yet: "
                + " ".join(str(e) for errors in form.errors.values() for e in errors)
            )
            return HttpResponse(format_html("{}", text))
        if saved:
            messages.success(request, "Your entry is saved.")
            return redirect("journal:mine")
    context = {"form": form, "entry": found, "patient": patient}
    return render_patient_page(
        request, patient, "journal/entry.html", context, page="journal_entry"
    )


@require_http_methods(["GET", "POST"])
def patient_journal(request: HttpRequest, pk: int) -> HttpResponse:
    """The care team's page: entries the patient shares, and integration notes."""
    patient = get_patient_for_staff(request, pk, clinical=True)
    user = current_user(request)
    if not user.is_clinician or not can_see_clinical(user, patient):
        raise Http404("No such page")
    may_write = access.may_write_notes(user, patient)
    form = NoteForm(request.POST or None, sessions=access.past_sessions(patient))
    if request.method == "POST" and may_write and form.is_valid():
        try:
            actions.write_integration_note(
                actor=user,
                patient=patient,
                body=form.cleaned_data["body"],
                session=form.cleaned_data["session"],
            )
        except FieldValueError as error:
            form.add_error(None, f"{error.field}: {error.problem}.")
        else:
            messages.success(request, "Integration note saved.")
            return redirect("journal:patient", pk=patient.pk)
    context = {
        "patient": patient,
        "entries": list(access.shared_entries(patient)[:100]),
        "notes": list(access.integration_notes(patient)[:100]),
        "form": form,
        "may_write": may_write,
    }
    return render_patient_page(
        request, patient, "journal/patient.html", context, page="integration_journal"
    )


@require_http_methods(["GET", "POST"])
def psychotherapy(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed-in clinician's own psychotherapy notes about this patient."""
    patient = access.get_patient_for_psychotherapy(request, pk)
    user = current_user(request)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.write_psychotherapy_note(
                actor=user, patient=patient, body=form.cleaned_data["body"]
            )
        except FieldValueError as error:
            form.add_error(None, f"{error.field}: {error.problem}.")
        else:
            messages.success(request, "Psychotherapy note saved; only you can read it.")
            return redirect("journal:psychotherapy", pk=patient.pk)
    context = {
        "patient": patient,
        "notes": list(access.authored_notes(user, patient)[:200]),
        "form": form,
    }
    return render_patient_page(
        request, patient, "journal/psychotherapy.html", context, page="psychotherapy_notes"
    )
