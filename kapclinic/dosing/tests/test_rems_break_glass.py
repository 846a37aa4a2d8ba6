"""The REMS form page and PDF under break-glass: allowed with a live grant (banner, audit
rows flagged with the grant's id), refused without one, and never in the due list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit import breakglass
from kapclinic.audit.models import AuditEvent, BreakGlassGrant
from kapclinic.dosing.models import DosingSession
from kapclinic.dosing.rems_models import RemsForm
from kapclinic.dosing.tests.rems_helpers import make_esketamine_session
from kapclinic.dosing.tests.test_rems import ANSWERS
from kapclinic.test import Cast, login

pytestmark = pytest.mark.django_db

REASON = "Patient unwell at home after dosing; covering nurse needs the form."
BANNER = "Break-glass access."


def _grant(cast: Cast, who: str = "outsider") -> BreakGlassGrant:
    return breakglass.open_break_glass(
        actor=getattr(cast, who), patient=cast.patient, reason=REASON
    )


def _after(marker: int, **filters: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=marker, **filters).order_by("pk"))


def _marker() -> int:
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def test_without_a_grant_the_form_and_pdf_are_refused_and_the_refusal_audited(
    cast: Cast, client: Client
) -> None:
    session = make_esketamine_session(cast)
    login(client, cast.outsider)
    marker = _marker()
    assert client.get(reverse("rems:form", args=[session.pk])).status_code == 404
    assert client.post(reverse("rems:form", args=[session.pk]), ANSWERS).status_code == 404
    assert client.get(reverse("rems:pdf", args=[session.pk])).status_code == 404
    assert not RemsForm.objects.exists()
    denied = _after(marker, actor=cast.outsider, outcome="denied")
    assert [e.object_id for e in denied] == [str(cast.patient.pk)] * 3


def test_with_a_grant_the_form_opens_with_the_notice_and_a_flagged_read(
    cast: Cast, client: Client
) -> None:
    session = make_esketamine_session(cast)
    grant = _grant(cast)
    login(client, cast.outsider)
    marker = _marker()
    response = client.get(reverse("rems:form", args=[session.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert BANNER in page and "Access ends at" in page
    [read] = _after(marker, actor=cast.outsider, action="view")
    assert read.flagged and read.detail["grant_id"] == grant.pk
    assert read.detail["what"] == "rems_form"


def test_with_a_grant_the_form_is_completed_and_the_write_flagged(
    cast: Cast, client: Client
) -> None:
    session = make_esketamine_session(cast)
    _grant(cast)
    login(client, cast.outsider)
    marker = _marker()
    response = client.post(reverse("rems:form", args=[session.pk]), ANSWERS)
    assert response.status_code == 302
    form = RemsForm.objects.get(session=session)
    assert form.completed_by == cast.outsider
    [write] = _after(marker, actor=cast.outsider, action="update")
    assert write.flagged and write.object_type == "dosing.remsform"


def test_with_a_grant_the_pdf_export_is_flagged_with_the_grant(cast: Cast, client: Client) -> None:
    session = make_esketamine_session(cast)
    grant = _grant(cast)
    login(client, cast.outsider)
    marker = _marker()
    response = client.get(reverse("rems:pdf", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    [export] = _after(marker, actor=cast.outsider, action="export")
    assert export.flagged and export.detail["grant_id"] == grant.pk


def test_the_care_team_is_not_flagged_and_sees_no_notice(cast: Cast, client: Client) -> None:
    session = make_esketamine_session(cast)
    login(client, cast.nurse)
    marker = _marker()
    page = client.get(reverse("rems:form", args=[session.pk])).content.decode()
    assert BANNER not in page
    [read] = _after(marker, actor=cast.nurse, action="view")
    assert not read.flagged and "grant_id" not in read.detail


def test_an_expired_grant_opens_nothing(cast: Cast, client: Client) -> None:
    session = make_esketamine_session(cast)
    grant = _grant(cast)
    BreakGlassGrant.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    login(client, cast.outsider)
    assert client.get(reverse("rems:form", args=[session.pk])).status_code == 404
    assert client.get(reverse("rems:pdf", args=[session.pk])).status_code == 404


@pytest.mark.parametrize("who", ["therapist", "admin"])
def test_a_grant_does_not_give_the_form_to_roles_that_do_not_fill_it(
    cast: Cast, client: Client, who: str
) -> None:
    session = make_esketamine_session(cast)
    _grant(cast, who)
    login(client, getattr(cast, who))
    assert client.get(reverse("rems:form", args=[session.pk])).status_code == 404
    assert client.get(reverse("rems:pdf", args=[session.pk])).status_code == 404


def test_a_grant_does_not_put_the_form_in_the_due_list(cast: Cast, client: Client) -> None:
    session = make_esketamine_session(cast)
    _grant(cast)
    login(client, cast.outsider)
    page = client.get(reverse("rems:due")).content.decode()
    assert reverse("rems:form", args=[session.pk]) not in page
    assert DosingSession.objects.filter(pk=session.pk).exists()
