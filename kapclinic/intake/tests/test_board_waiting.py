"""The pathway board says "intake not finished" from the real intake of the course."""

from __future__ import annotations

from django.test import Client

from kapclinic.intake.tests.helpers import at_consultation, filled_intake
from kapclinic.patients.models import CareTeamMember
from kapclinic.test import Cast, login, make_patient
from kapclinic.treatment import actions as pathway

URL = "/pathway/"


def test_waiting_for_follows_the_intake(client: Client, cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    login(client, cast.prescriber)
    assert "Intake not finished" in client.get(URL).content.decode()
    filled_intake(cast.patient)
    assert "Intake not finished" in client.get(URL).content.decode()  # started, not sent
    filled_intake(cast.patient, submit=True)
    body = client.get(URL).content.decode()
    assert "Consultation not finished" in body and "Intake not finished" not in body
    # A new course after re-entry needs a new intake.
    pathway.withdraw(cast.patient, actor=cast.prescriber, reason="Paused.")
    pathway.return_after_withdrawal(cast.patient, actor=cast.prescriber, reason="Back.")
    assert "Intake not finished" in client.get(URL).content.decode()


def test_query_count_stays_pinned_with_intakes(
    client: Client, cast: Cast, django_assert_num_queries
) -> None:
    login(client, cast.prescriber)
    for n in range(5):
        patient = make_patient(
            cast.site, f"MRN-I{n}", "Ina", f"Take{n}", email=f"i{n}@test.example"
        )
        CareTeamMember.objects.create(patient=patient, user=cast.prescriber, role="prescriber")
        at_consultation(patient, cast.prescriber)
        filled_intake(patient, submit=n % 2 == 0)
    client.get(URL)
    # Fewer than the full board's pin: with every patient at consultation, the consent
    # and preparation reasons are not looked up at all; the open safety-flag alerts (1).
    with django_assert_num_queries(11):
        body = client.get(URL).content.decode()
    assert body.count("Consultation not finished") == 3
    assert body.count("Intake not finished") == 2
