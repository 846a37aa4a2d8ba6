"""The outcomes pages: answering, crisis resources, staff entry, alerts, portal, chart."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kapclinic.accounts.models import Role
from kapclinic.outcomes import actions
from kapclinic.outcomes.models import QuestionnaireAssignment, QuestionnaireResponse, RiskAlert
from kapclinic.outcomes.tests.helpers import PHQ9_ITEM9, PHQ9_SAFE, assign_phq9
from kapclinic.patients.tests.test_query_counts import CHART_QUERIES
from kapclinic.test import login, make_staff


def _post(answers: list[int]) -> dict[str, str]:
    return {f"item_{n}": str(v) for n, v in enumerate(answers, start=1)}


def test_patient_answers_and_sees_thanks_without_crisis_box(cast, client):
    assignment = assign_phq9(cast)
    login(client, cast.patient_user)
    page = client.get(reverse("outcomes:answer", args=[assignment.pk]))
    assert page.content.decode().count("<legend") >= 9
    response = client.post(reverse("outcomes:answer", args=[assignment.pk]), _post(PHQ9_SAFE))
    saved = QuestionnaireResponse.objects.get()
    assert response["Location"] == reverse("outcomes:result", args=[saved.pk])
    assert (saved.total, saved.severity) == (8, "mild")
    result = client.get(response["Location"]).content.decode()
    assert "Thank you" in result
    assert "Help is available now" not in result


def test_critical_answer_shows_crisis_resources_at_once(cast, client):
    cast.site.phone = "+13125550199"
    cast.site.save()
    assignment = assign_phq9(cast)
    login(client, cast.patient_user)
    response = client.post(
        reverse("outcomes:answer", args=[assignment.pk]), _post(PHQ9_ITEM9), follow=True
    )
    body = response.content.decode()
    assert "Help is available now" in body
    assert 'href="tel:988"' in body
    assert 'href="tel:+13125550199"' in body
    assert RiskAlert.objects.count() == 1


def test_missing_item_is_named_and_answers_are_kept(cast, client):
    assignment = assign_phq9(cast)
    login(client, cast.patient_user)
    data = _post(PHQ9_SAFE)
    del data["item_4"]
    response = client.post(reverse("outcomes:answer", args=[assignment.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_item_4_0">4. Tiredness or low energy: Please choose an answer.' in body
    assert not QuestionnaireResponse.objects.exists()
    assignment.refresh_from_db()
    assert assignment.draft["1"] == "1" and "4" not in assignment.draft
    # Coming back later, the answers given are still ticked.
    again = client.get(reverse("outcomes:answer", args=[assignment.pk])).content.decode()
    assert 'value="1" id="id_item_1_1" checked' in again


def test_another_patient_cannot_open_or_answer(cast, client):
    assignment = assign_phq9(cast)
    login(client, cast.other_patient_user)
    url = reverse("outcomes:answer", args=[assignment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _post(PHQ9_SAFE)).status_code == 404
    assert not QuestionnaireResponse.objects.exists()


def test_clinician_enters_a_clinician_rated_scale(cast, client):
    login(client, cast.prescriber)
    url = reverse("outcomes:enter", args=[cast.patient.pk, "madrs"])
    response = client.post(url, _post([2] * 10))
    assert response["Location"] == reverse("patients:chart", args=[cast.patient.pk])
    saved = QuestionnaireResponse.objects.get()
    assert (saved.total, saved.severity, saved.entered_by) == (20, "moderate", "staff")


def test_out_of_care_team_clinician_cannot_enter(cast, client):
    login(client, cast.therapist)
    url = reverse("outcomes:enter", args=[cast.patient.pk, "madrs"])
    assert client.post(url, _post([2] * 10)).status_code == 404
    assert not QuestionnaireResponse.objects.exists()


def _raise_alert(cast) -> RiskAlert:
    actions.submit(
        actor=cast.patient_user,
        patient=cast.patient,
        instrument="phq9",
        answers=PHQ9_ITEM9,
        assignment=assign_phq9(cast),
    )
    return RiskAlert.objects.get()


def test_alerts_list_open_first_and_acknowledge_by_name(cast, client):
    old = _raise_alert(cast)
    actions.acknowledge(actor=cast.prescriber, alert=old, note="Called, safety plan reviewed.")
    fresh = _raise_alert_again(cast)
    login(client, cast.nurse)
    body = client.get(reverse("outcomes:alerts")).content.decode()
    assert body.index(f"outcomes/alerts/{fresh.pk}/") < body.index("Acknowledged by")
    response = client.post(
        reverse("outcomes:acknowledge", args=[fresh.pk]), {"note": "Phoned; patient safe."}
    )
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.acknowledged_by == cast.nurse
    page = client.get(reverse("outcomes:alerts")).content.decode()
    assert "Acknowledged by <strong>Nora Nurse</strong>" in page


def _raise_alert_again(cast) -> RiskAlert:
    actions.submit(
        actor=cast.prescriber, patient=cast.patient, instrument="phq9", answers=PHQ9_ITEM9
    )
    return RiskAlert.objects.filter(acknowledged_at__isnull=True).get()


def test_acknowledge_without_note_is_a_form_error(cast, client):
    alert = _raise_alert(cast)
    login(client, cast.prescriber)
    response = client.post(reverse("outcomes:acknowledge", args=[alert.pk]), {"note": ""})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_therapist_outside_care_team_sees_no_alerts(cast, client):
    _raise_alert(cast)
    login(client, cast.therapist)
    body = client.get(reverse("outcomes:alerts")).content.decode()
    assert "No risk alerts" in body
    assert cast.patient.family_name not in body


def test_portal_lists_waiting_questionnaires_only_when_there_are_some(cast, client):
    login(client, cast.patient_user)
    assert "Questionnaires waiting" not in client.get(reverse("patients:portal")).content.decode()
    assignment = assign_phq9(cast)
    body = client.get(reverse("patients:portal")).content.decode()
    assert "Questionnaires waiting" in body
    assert reverse("outcomes:answer", args=[assignment.pk]) in body


def test_chart_shows_scores_chart_and_open_alert(cast, client):
    for answers in ([3] * 10, [2] * 10, [1] * 10):
        actions.submit(
            actor=cast.prescriber, patient=cast.patient, instrument="madrs", answers=answers
        )
    _raise_alert_again(cast)
    login(client, cast.prescriber)
    body = client.get(reverse("patients:chart", args=[cast.patient.pk])).content.decode()
    assert "MADRS" in body and "<polyline" in body
    # No dose yet, so no baseline; remission is read from the latest score alone.
    assert 'Status: <span class="badge">Remission</span>' in body
    assert "Open risk alert" in body and ">Acknowledge</button>" in body


@pytest.mark.parametrize("alerts", [1, 6])
def test_alerts_page_query_count_is_constant(cast, client, django_assert_num_queries, alerts):
    for _ in range(alerts):
        actions.submit(
            actor=cast.prescriber, patient=cast.patient, instrument="phq9", answers=PHQ9_ITEM9
        )
    login(client, cast.prescriber)
    with django_assert_num_queries(13):
        client.get(reverse("outcomes:alerts"))


@pytest.mark.parametrize("scores", [1, 12])
def test_chart_query_count_does_not_grow_with_scores(
    cast, client, django_assert_num_queries, scores
):
    for _ in range(scores):
        actions.submit(
            actor=cast.prescriber, patient=cast.patient, instrument="gad7", answers=[1] * 7
        )
    login(client, cast.prescriber)
    client.get(reverse("patients:chart", args=[cast.patient.pk]))
    # The pin of patients/tests/test_query_counts.py, so the two never drift apart.
    with django_assert_num_queries(CHART_QUERIES):
        client.get(reverse("patients:chart", args=[cast.patient.pk]))


def test_a_nurse_at_the_site_sees_and_acknowledges_outside_the_care_team(cast, client):
    alert = _raise_alert(cast)
    site_nurse = make_staff("nurse2@test.example", "Nia Nurse", Role.NURSE, cast.site)
    login(client, site_nurse)
    assert (
        "PHQ-9: critical answer to item 9"
        in client.get(reverse("outcomes:alerts")).content.decode()
    )
    client.post(reverse("outcomes:acknowledge", args=[alert.pk]), {"note": "Phoned; safe."})
    alert.refresh_from_db()
    assert alert.acknowledged_by == site_nurse


def test_a_nurse_at_another_site_cannot_acknowledge(cast, client):
    alert = _raise_alert(cast)
    login(client, cast.outsider)
    url = reverse("outcomes:acknowledge", args=[alert.pk])
    assert client.post(url, {"note": "Phoned; safe."}).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_clinician_sends_a_questionnaire_that_waits_in_the_portal(cast, client):
    login(client, cast.nurse)
    url = reverse("outcomes:assign", args=[cast.patient.pk])
    response = client.post(url, {"instrument": "gad7", "days_to_answer": "3"})
    assert response.status_code == 302
    assignment = QuestionnaireAssignment.objects.get()
    assert (assignment.instrument, assignment.assigned_by) == ("gad7", cast.nurse)
    assert (assignment.expires_at - assignment.due_at).days == 3


@pytest.mark.parametrize(
    "data",
    [{"instrument": "madrs", "days_to_answer": "3"}, {"instrument": "gad7", "days_to_answer": "0"}],
)
def test_clinician_scales_and_bad_windows_are_form_errors(cast, client, data):
    login(client, cast.nurse)
    response = client.post(reverse("outcomes:assign", args=[cast.patient.pk]), data)
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not QuestionnaireAssignment.objects.exists()
