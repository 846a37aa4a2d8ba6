"""The care team reads a submitted intake on the patient's record; the read is audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.intake import actions
from kapclinic.intake.sections import Pregnancy
from kapclinic.intake.summary import summarise_section
from kapclinic.intake.tests.helpers import at_consultation, filled_intake
from kapclinic.test import Cast, login
from kapclinic.treatment import actions as pathway


def url(cast: Cast) -> str:
    return reverse("intake:staff", kwargs={"pk": cast.patient.pk})


def test_care_team_reads_the_submitted_intake_and_the_read_is_audited(
    client: Client, cast: Cast
) -> None:
    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient, submit=True)
    marker = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    body = login(client, cast.nurse).get(url(cast)).content.decode()
    assert "Feel like myself again." in body
    assert "Sertraline" in body and "Citalopram" in body and "It helped a little" in body
    assert "Glaucoma, raised eye pressure or a serious eye injury" in body
    reads = AuditEvent.objects.filter(
        id__gt=marker, action="view", patient=cast.patient, actor=cast.nurse
    )
    assert [row.detail.get("page") for row in reads] == ["intake_staff"]


def test_an_unsent_intake_shows_progress_only(client: Client, cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    intake = actions.start_intake(cast.patient, actor=cast.patient_user)
    actions.save_section(intake, "goals", {"goals": "Not sent yet"}, actor=cast.patient_user)
    body = login(client, cast.prescriber).get(url(cast)).content.decode()
    assert "0 of 10 steps done" in body and "Not sent yet" not in body


def test_an_intake_from_an_earlier_course_is_labelled(client: Client, cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient, submit=True)
    pathway.withdraw(cast.patient, actor=cast.prescriber, reason="Paused treatment.")
    pathway.return_after_withdrawal(cast.patient, actor=cast.prescriber, reason="Back.")
    body = login(client, cast.prescriber).get(url(cast)).content.decode()
    assert "for an earlier course of treatment" in body


@pytest.mark.parametrize("who", ["therapist", "front_desk", "outsider", "admin"])
def test_outside_the_clinical_care_team_is_not_found(client: Client, cast: Cast, who: str) -> None:
    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient, submit=True)
    response = login(client, getattr(cast, who)).get(url(cast))
    assert response.status_code == 404
    assert "Feel like myself again." not in response.content.decode()


@pytest.mark.parametrize("submitted", [False, True])
def test_query_count(
    client: Client, cast: Cast, django_assert_num_queries, submitted: bool
) -> None:
    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient, submit=submitted)
    login(client, cast.prescriber).get(url(cast))  # warm up
    # Session, user, OTP device (3); patient with site (1); submitted intakes, course,
    # current intake (3); baseline rules, questionnaires, answers (3); the audited
    # read (5); the clinic's name (1).
    with django_assert_num_queries(3 + 1 + 3 + 3 + 5 + 1):
        assert client.get(url(cast)).status_code == 200


def test_pregnancy_answers_given_before_saying_it_does_not_apply_are_not_shown() -> None:
    values = {"applies": "no", "pregnant": "yes", "breastfeeding": "yes"}
    shown = [a.question for a in summarise_section(Pregnancy, values).answers]
    assert shown == [str(Pregnancy.base_fields["applies"].label)]
    values["applies"] = "yes"
    assert len(summarise_section(Pregnancy, values).answers) == 3
