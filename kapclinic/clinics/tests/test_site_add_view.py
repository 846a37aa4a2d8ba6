import pytest
from django.urls import reverse

from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site, SiteSettings
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db
URL = reverse("clinics:site_add")


def _data(cast, **over):
    data = {
        "organisation": cast.org.pk,
        "name": "Site C",
        "address_line1": "3 Main Street",
        "city": "Portland",
        "region": "OR",
        "postal_code": "97201",
        "country": "US",
        "time_zone": "America/Los_Angeles",
        "is_active": "on",
    }
    data.update(over)
    return data


def _sites():
    return list(Site.objects.values_list("name", flat=True))


def test_form_shows(admin_in):
    response = admin_in.get(URL)
    assert response.status_code == 200
    assert b"Time zone" in response.content


def test_admin_adds_a_site_with_default_settings(cast, admin_in):
    response = admin_in.post(URL, _data(cast))
    site = Site.objects.get(name="Site C")
    assert response.status_code == 302
    assert response["Location"] == reverse("clinics:site", kwargs={"pk": site.pk})
    assert SiteSettings.objects.get(site=site).spo2_warn_below == 94
    (row,) = audit_rows(action=AuditAction.CREATE, object_type="clinics.site")
    assert row.object_id == str(site.pk)
    assert row.actor == cast.admin
    assert "time_zone" in row.detail["fields"]


def test_bad_time_zone_is_refused_and_typed_values_kept(cast, admin_in):
    response = admin_in.post(URL, _data(cast, time_zone="Mars/Olympus_Mons"))
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert b"is not a time zone name" in response.content
    assert b'value="3 Main Street"' in response.content
    assert _sites() == ["Site A", "Site B"]
    assert audit_rows() == []


def test_duplicate_name_is_refused(cast, admin_in):
    response = admin_in.post(URL, _data(cast, name="Site A"))
    assert "name" in response.context["form"].errors
    assert _sites() == ["Site A", "Site B"]


def test_missing_required_fields_are_refused(cast, admin_in):
    response = admin_in.post(URL, _data(cast, city="", postal_code=""))
    assert set(response.context["form"].errors) == {"city", "postal_code"}
    assert _sites() == ["Site A", "Site B"]


def test_other_roles_get_404(client, cast):
    assert_hidden_from_others(client, cast, "get", URL)
    assert_hidden_from_others(client, cast, "post", URL, _data(cast), snapshot=_sites)


def test_put_is_not_allowed(admin_in):
    assert admin_in.put(URL).status_code == 405
