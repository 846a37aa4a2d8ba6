"""Acknowledging a safety-flag alert from the chart's banner (POST only)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from kapclinic.accounts.access import current_user
from kapclinic.lib.field_error import FieldValueError
from kapclinic.patients.access import deny, get_patient_for_staff
from kapclinic.screening import flag_alerts
from kapclinic.screening.models import SafetyFlagAlert


class AcknowledgeFlagForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=flag_alerts.MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note (optional)",
        help_text="What you did or will do, e.g. 'Discussed with the prescriber'.",
    )


@require_POST
def acknowledge(request: HttpRequest, pk: int, alert_pk: int) -> HttpResponse:
    """A care-team clinician acknowledges one of the patient's alerts; anyone else
    gets the same 404 as for a patient out of scope."""
    patient = get_patient_for_staff(request, pk, clinical=True)
    user = current_user(request)
    if not flag_alerts.may_acknowledge(user, patient.pk):
        deny(user, pk)
    alert = SafetyFlagAlert.objects.filter(pk=alert_pk, patient=patient).first()
    if alert is None:
        deny(user, pk)
    form = AcknowledgeFlagForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"The alert was not acknowledged: {problems}")
        return redirect("patients:chart", pk=patient.pk)
    try:
        flag_alerts.acknowledge_flag_alert(actor=user, alert=alert, note=form.cleaned_data["note"])
    except FieldValueError as error:
        messages.error(request, f"The alert was not acknowledged: {error.problem}.")
    else:
        messages.success(request, "Safety flag acknowledged in your name.")
    return redirect("patients:chart", pk=patient.pk)
