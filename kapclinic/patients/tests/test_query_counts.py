"""Pinned query counts: the list and the chart cost the same however much data there is."""

import pytest
from django.urls import reverse

from kapclinic.patients.models import CareTeamMember
from kapclinic.patients.tests.helpers import add_clinical_record
from kapclinic.test import make_patient

# Every signed-in request: session, user and OTP device (3); the session clock is
# saved at most once a minute, so not on these requests (the warm-up GET saved it).
# Every audited page: one audit row (savepoint, try the chain head, insert, move
# the head, release: 5). Every full page: the clinic's name in the header (1). The
# rest is the page:
# list: the clinic's country (how it writes dates), count, sites for the filter, one
# page of patients (4);
# chart: patient with site, clinical-access check, contacts, care team with users,
# and for clinical readers measurements, conditions, medications, allergies (4 or 8),
# plus the outcomes panel: site settings, scores, open risk alerts (3), and the
# consent and preparation panel: plan, forms, course start and consents; course start
# and preparations (6), and the open safety-flag alerts with their next dose (1).
LIST_QUERIES = 3 + 5 + 1 + 4
CHART_QUERIES = 3 + 5 + 1 + 8 + 3 + 6 + 1
FRONT_DESK_CHART_QUERIES = 3 + 5 + 1 + 4


def grow(cast, total):
    """Give the prescriber `total` care-team patients, each with a full record."""
    for n in range(total - 1):
        patient = make_patient(cast.site, f"MRN-Q{n:03d}", "Quinn", f"Count{n:03d}")
        CareTeamMember.objects.create(patient=patient, user=cast.prescriber, role="prescriber")
        add_clinical_record(patient)
    for _ in range(total - 1):
        add_clinical_record(cast.patient)


@pytest.mark.parametrize("total", [1, 50])
def test_patient_list(cast, as_user, django_assert_num_queries, total):
    grow(cast, total)
    client = as_user(cast.prescriber)
    client.get(reverse("patients:list"))  # warm up: the audit chain head exists afterwards
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("patients:list"), {"q": "", "stage": "", "mine": "on"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(total, 25)


@pytest.mark.parametrize("total", [1, 50])
def test_chart(cast, as_user, django_assert_num_queries, total):
    add_clinical_record(cast.patient)
    grow(cast, total)
    client = as_user(cast.prescriber)
    client.get(reverse("patients:list"))  # warm up: the audit chain head exists afterwards
    with django_assert_num_queries(CHART_QUERIES):
        response = client.get(reverse("patients:chart", args=[cast.patient.pk]))
    assert response.status_code == 200
    assert len(response.context["measurements"]) == total


@pytest.mark.parametrize("total", [1, 50])
def test_front_desk_chart(cast, as_user, django_assert_num_queries, total):
    add_clinical_record(cast.patient)
    grow(cast, total)
    client = as_user(cast.front_desk)
    client.get(reverse("patients:list"))  # warm up: the audit chain head exists afterwards
    with django_assert_num_queries(FRONT_DESK_CHART_QUERIES):
        response = client.get(reverse("patients:chart", args=[cast.patient.pk]))
    assert response.status_code == 200
