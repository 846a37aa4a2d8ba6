"""Safety flags on the chart: an interacting medicine or contraindicating condition shows
as soon as it is recorded, with its reason, by the screening rules."""

from __future__ import annotations

from django.test import Client

from kapclinic.patients.models import Allergy, Condition, Medication
from kapclinic.screening.record_facts import facts_from_record, safety_flags
from kapclinic.test import Cast, login


def chart(client: Client, cast: Cast) -> str:
    return login(client, cast.prescriber).get(f"/patients/{cast.patient.pk}/").content.decode()


def test_interacting_medicine_is_flagged_on_the_chart(client: Client, cast: Cast) -> None:
    assert "No safety flags" in chart(client, cast)
    Medication.objects.create(patient=cast.patient, name="Phenelzine", drug_class="maoi")
    body = chart(client, cast)
    assert "Caution" in body
    assert "Takes an MAO inhibitor: blood pressure may rise further; review." in body


def test_stopped_medicine_is_not_flagged(cast: Cast) -> None:
    import datetime as dt

    Medication.objects.create(
        patient=cast.patient, name="Oxycodone", drug_class="opioid", stopped_on=dt.date(2026, 1, 1)
    )
    assert safety_flags(cast.patient) == []


def test_coded_condition_and_allergy_are_contraindications(client: Client, cast: Cast) -> None:
    Condition.objects.create(
        patient=cast.patient, category="psychiatric", name="Schizophrenia", code="F20.0"
    )
    Allergy.objects.create(patient=cast.patient, substance="Ketamine", severity="severe")
    Condition.objects.create(
        patient=cast.patient, category="medical", name="Old AF", code="I48", status="resolved"
    )
    rules = [flag.rule for flag in safety_flags(cast.patient)]
    assert rules == ["ketamine_hypersensitivity", "primary_psychotic_disorder"]
    body = chart(client, cast)
    assert "Contraindication" in body and "Primary psychotic disorder" in body


def test_absence_is_never_a_no(cast: Cast) -> None:
    # Nothing recorded: the record answers only the medicine list, never "no" to a condition.
    assert facts_from_record(cast.patient) == {"medication_classes": []}


def test_front_desk_chart_has_no_flags(client: Client, cast: Cast) -> None:
    Medication.objects.create(patient=cast.patient, name="Phenelzine", drug_class="maoi")
    body = login(client, cast.front_desk).get(f"/patients/{cast.patient.pk}/").content.decode()
    assert "MAO inhibitor" not in body and "Pathway and safety" not in body
