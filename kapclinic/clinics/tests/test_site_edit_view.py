import pytest
from django.urls import reverse

from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db


def _url(pk):
    return reverse("clinics:site_edit", kwargs={"pk": pk})


def _data(site, **over):
    data = {
        "name": site.name,
        "address_line1": site.address_line1,
        "city": site.city,
        "region": site.region,
        "postal_code": site.postal_code,
        "country": site.country,
        "time_zone": site.time_zone,
        "is_active": "on",
    }
    data.update(over)
    return data


def _site_values():
    return list(Site.objects.values().order_by("pk"))


def test_form_shows_current_values(cast, admin_in):
    response = admin_in.get(_url(cast.site.pk))
    assert response.status_code == 200
    assert b'value="America/New_York"' in response.content


def test_admin_changes_time_zone_and_on_call_prescriber(cast, admin_in):
    data = _data(cast.site, time_zone="Europe/London", on_call_prescriber=cast.prescriber.pk)
    response = admin_in.post(_url(cast.site.pk), data)
    assert response.status_code == 302
    cast.site.refresh_from_db()
    assert cast.site.time_zone == "Europe/London"
    assert cast.site.on_call_prescriber == cast.prescriber
    (row,) = audit_rows(action=AuditAction.UPDATE, object_type="clinics.site")
    assert row.detail == {"fields": ["on_call_prescriber", "time_zone"]}


def test_unchanged_form_saves_nothing_and_audits_nothing(cast, admin_in):
    response = admin_in.post(_url(cast.site.pk), _data(cast.site))
    assert response.status_code == 302
    assert audit_rows() == []


def test_bad_time_zone_is_refused(cast, admin_in):
    before = _site_values()
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, time_zone="Not/AZone"))
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert b'value="Not/AZone"' in response.content
    assert _site_values() == before
    assert audit_rows() == []


def test_only_prescribers_can_be_on_call(cast, admin_in):
    before = _site_values()
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, on_call_prescriber=cast.nurse.pk))
    assert "on_call_prescriber" in response.context["form"].errors
    assert _site_values() == before


def test_other_roles_get_404(client, cast):
    url = _url(cast.site.pk)
    assert_hidden_from_others(client, cast, "get", url)
    data = _data(cast.site, name="Hacked")
    assert_hidden_from_others(client, cast, "post", url, data, snapshot=_site_values)


def test_unknown_site_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_delete_is_not_allowed(cast, admin_in):
    assert admin_in.delete(_url(cast.site.pk)).status_code == 405
