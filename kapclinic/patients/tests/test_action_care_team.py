"""add_care_team_member and remove_care_team_member."""

import pytest
from django.core.exceptions import PermissionDenied

from kapclinic.patients import actions
from kapclinic.patients.models import CareTeamMember
from kapclinic.patients.tests.helpers import last_event_id, new_events, state


def test_member_joins_in_their_own_role(cast):
    member = actions.add_care_team_member(
        actor=cast.front_desk, patient=cast.patient, member=cast.therapist
    )
    assert member.role == "therapist"


def test_only_clinicians_of_the_patients_site(cast):
    before = state()
    for who in (cast.outsider, cast.front_desk, cast.admin, cast.nurse):  # nurse is already on it
        with pytest.raises(ValueError):
            actions.add_care_team_member(actor=cast.prescriber, patient=cast.patient, member=who)
    assert state() == before


@pytest.mark.parametrize("who", ["therapist", "outsider", "admin", "patient_user"])
def test_refused_for_those_without_the_right(cast, who):
    with pytest.raises(PermissionDenied):
        actions.add_care_team_member(
            actor=getattr(cast, who), patient=cast.patient, member=cast.therapist
        )


def test_remove_is_one_delete_row(cast):
    member = CareTeamMember.objects.get(patient=cast.patient, user=cast.nurse)
    start = last_event_id()
    actions.remove_care_team_member(actor=cast.prescriber, member=member)
    (row,) = new_events(start)
    assert row.action == "delete" and row.object_type == "patients.careteammember"
    assert not CareTeamMember.objects.filter(pk=member.pk).exists()
