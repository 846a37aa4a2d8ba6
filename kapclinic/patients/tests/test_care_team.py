"""The add-to-care-team page and the remove button."""

import pytest
from django.urls import reverse

from kapclinic.accounts.models import Role
from kapclinic.patients.models import CareTeamMember
from kapclinic.patients.tests.helpers import assert_no_phi, last_event_id, new_events, state
from kapclinic.test import make_staff


def add_url(patient):
    return reverse("patients:add_care_team_member", args=[patient.pk])


def remove_url(member):
    return reverse("patients:remove_care_team_member", args=[member.patient_id, member.pk])


def test_front_desk_adds_a_therapist_from_the_site(cast, as_user):
    start = last_event_id()
    response = as_user(cast.front_desk).post(add_url(cast.patient), {"member": cast.therapist.pk})
    assert response.status_code == 302
    member = CareTeamMember.objects.get(patient=cast.patient, user=cast.therapist)
    assert member.role == "therapist"
    (row,) = new_events(start)
    assert row.action == "create" and row.detail == {"fields": ["role", "user"]}
    # The therapist can now open the chart.
    assert (
        as_user(cast.therapist).get(reverse("patients:chart", args=[cast.patient.pk])).status_code
        == 200
    )


def test_choices_are_clinicians_of_the_site_not_yet_on_the_team(cast, as_user):
    response = as_user(cast.prescriber).get(add_url(cast.patient))
    choices = list(response.context["form"].fields["member"].queryset)
    assert choices == [cast.therapist]


def test_clinician_from_another_site_is_refused(cast, as_user):
    before = state()
    response = as_user(cast.prescriber).post(add_url(cast.patient), {"member": cast.outsider.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert state(count_reads=False) == before


def test_front_desk_user_is_not_a_clinician(cast, as_user):
    other_desk = make_staff("desk2@test.example", "Dee Desk", Role.FRONT_DESK, cast.site)
    before = state()
    response = as_user(cast.prescriber).post(add_url(cast.patient), {"member": other_desk.pk})
    assert response.status_code == 200
    assert state(count_reads=False) == before


def test_remove_takes_the_member_off(cast, as_user):
    member = CareTeamMember.objects.get(patient=cast.patient, user=cast.nurse)
    start = last_event_id()
    response = as_user(cast.prescriber).post(remove_url(member))
    assert response.status_code == 302
    assert not CareTeamMember.objects.filter(pk=member.pk).exists()
    (row,) = new_events(start)
    assert row.action == "delete" and row.object_id == str(member.pk)


def test_remove_needs_post(cast, as_user):
    member = CareTeamMember.objects.get(patient=cast.patient, user=cast.nurse)
    before = state()
    assert as_user(cast.prescriber).get(remove_url(member)).status_code == 405
    assert state() == before


def test_unknown_member_is_404(cast, as_user):
    url = reverse("patients:remove_care_team_member", args=[cast.patient.pk, 999_999])
    assert as_user(cast.prescriber).post(url).status_code == 404


@pytest.mark.parametrize("who", ["therapist", "outsider", "admin", "patient_user"])
def test_others_get_404_and_nothing_changes(cast, as_user, who):
    member = CareTeamMember.objects.get(patient=cast.patient, user=cast.nurse)
    before = state()
    client = as_user(getattr(cast, who))
    for response in (
        client.post(add_url(cast.patient), {"member": cast.therapist.pk}),
        client.post(remove_url(member)),
    ):
        assert response.status_code == 404
        assert_no_phi(response, cast.patient)
    assert state() == before


def test_nurse_at_the_site_off_the_team_cannot_change_it(cast, as_user):
    before = state()
    response = as_user(cast.nurse).post(add_url(cast.other_patient), {"member": cast.nurse.pk})
    assert response.status_code == 404
    assert state() == before


def test_put_is_not_allowed(cast, as_user):
    assert as_user(cast.front_desk).put(add_url(cast.patient)).status_code == 405
