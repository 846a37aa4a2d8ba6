import pytest
from django.urls import reverse

from kapclinic.audit.models import AuditAction, AuditEvent, BreakGlassGrant
from kapclinic.clinics.tests.battery import assert_hidden_from_others

pytestmark = pytest.mark.django_db

NOTE = "Checked with the on-call prescriber: emergency cover, appropriate."


def _url(pk):
    return reverse("audit:grant_review", kwargs={"pk": pk})


def test_admin_marks_a_grant_reviewed_with_a_note(cast, admin_in, grant):
    response = admin_in.post(_url(grant.pk), {"note": NOTE})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == cast.admin
    assert grant.reviewed_at is not None
    assert grant.review_note == NOTE
    page = admin_in.get(reverse("audit:grant", kwargs={"pk": grant.pk})).content.decode()
    assert "Reviewed by Ada Admin" in page
    assert NOTE in page


def test_review_is_audited_once(cast, admin_in, grant):
    before = AuditEvent.objects.count()
    admin_in.post(_url(grant.pk), {"note": NOTE})
    assert AuditEvent.objects.count() == before + 1
    row = AuditEvent.objects.get(action=AuditAction.UPDATE, actor=cast.admin)
    assert (row.object_type, row.object_id) == ("audit.breakglassgrant", str(grant.pk))
    assert NOTE not in str(row.detail)


def test_short_note_is_refused_and_kept(admin_in, grant):
    response = admin_in.post(_url(grant.pk), {"note": "ok fine"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "ok fine" in text
    assert "at least 10 characters" in text
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_a_review_cannot_be_overwritten(cast, admin_in, grant):
    admin_in.post(_url(grant.pk), {"note": NOTE})
    admin_in.post(_url(grant.pk), {"note": "A different conclusion entirely."})
    grant.refresh_from_db()
    assert grant.review_note == NOTE


def test_other_roles_get_404_and_nothing_changes(client, cast, grant):
    assert_hidden_from_others(client, cast, "post", _url(grant.pk), {"note": NOTE})
    assert BreakGlassGrant.objects.get(pk=grant.pk).reviewed_at is None


def test_unknown_grant_is_404(admin_in):
    assert admin_in.post(_url(999999), {"note": NOTE}).status_code == 404


def test_get_is_not_allowed(admin_in, grant):
    assert admin_in.get(_url(grant.pk)).status_code == 405
