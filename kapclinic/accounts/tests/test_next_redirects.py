"""No page that honours `next` can be made to send someone to another site.

Each value below leaves the site in a browser (or in Django's own URL parsing) even
though several start with "/": a protocol-relative `//host`, a backslash that
browsers read as a slash, a tab or newline that browsers delete, or an encoded
form. Every page that reads `next` (sign-in, two-factor verify and setup, Django
admin's sign-in) and break-glass, which must ignore it, is tried with each.
"""

from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts.access import safe_next_url
from kapclinic.accounts.tests.helpers import code_for, post_login, totp_device
from kapclinic.test import PASSWORD

# Named, so each case has a plain test id (ids with tabs or backslashes cannot be
# selected on the pytest command line).
HOSTILE = {
    "protocol-relative": "//evil.example/",
    "triple-slash": "///evil.example/",
    "slash-backslash": "/\\evil.example/",
    "slash-backslash-slash": "/\\/evil.example/",
    "double-backslash": "\\\\evil.example/",
    "encoded-slashes": "%2F%2Fevil.example/",
    "encoded-slashes-lower": "%2f%2fevil.example/",
    "scheme-no-slashes": "https:evil.example",
    "scheme-one-slash": "https:/evil.example",
    "absolute-url": "https://evil.example/",
    "userinfo": "http://testserver@evil.example/",
    "protocol-relative-userinfo": "//testserver@evil.example/",
    "tab-between-slashes": "/\t/evil.example/",
    "newline-between-slashes": "/\n/evil.example/",
    "crlf-between-slashes": "/\r\n/evil.example/",
    "leading-tab": "\t//evil.example/",
    "leading-space": " //evil.example/",
    "javascript": "javascript:alert(1)",
    "data": "data:text/html,hello",
}
HOSTILE_NEXT = [pytest.param(value, id=name) for name, value in HOSTILE.items()]
PAGE = "http://testserver/account/login/"


def _leaves_site(location: str) -> bool:
    """Whether a browser following `location` would end up off this site.

    Browsers drop leading and trailing spaces and control characters, delete tabs and
    newlines anywhere, and read a backslash as a slash.
    """
    cleaned = location.strip(" \x00\t\n\r\x0b\x0c")
    cleaned = "".join(ch for ch in cleaned if ch not in "\t\n\r").replace("\\", "/")
    target = urlsplit(urljoin(PAGE, cleaned))
    return target.scheme not in ("http", "https") or target.netloc != "testserver"


def test_the_site_check_in_these_tests_recognises_an_escape():
    for value in ("//evil.example/", "/\\evil.example", "/\t/evil.example", "https:evil.example"):
        assert _leaves_site(value), value
    assert not _leaves_site("/patients/")


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_safe_next_url_refuses(value):
    for request in (
        RequestFactory().get("/account/login/", {"next": value}),
        RequestFactory().post("/account/login/", {"next": value}),
    ):
        assert safe_next_url(request) == ""


@pytest.mark.parametrize("value", ["/learn/", "/patients/?q=ient&page=2", "/account/security/"])
def test_safe_next_url_keeps_a_path_on_this_site(value):
    assert safe_next_url(RequestFactory().get("/account/login/", {"next": value})) == value


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_sign_in_ignores_hostile_next(client, cast, value):
    page = client.get(reverse("accounts:login"), {"next": value})
    assert b'name="next"' not in page.content
    response = post_login(client, cast.patient_user.email, next=value)
    assert response.status_code == 302
    assert response.url == reverse("patients:portal")


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_signed_in_visit_to_sign_in_ignores_hostile_next(client, cast, as_user, value):
    as_user(cast.nurse)
    response = client.get(reverse("accounts:login"), {"next": value})
    assert response.url == reverse("scheduling:today")


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_two_factor_verify_ignores_hostile_next(client, cast, value):
    client.force_login(cast.nurse)
    url = reverse("accounts:verify")
    page = client.get(url, {"next": value})
    assert page.status_code == 200
    assert b'name="next"' not in page.content
    response = client.post(
        f"{url}?{page.wsgi_request.GET.urlencode()}",
        {"code": code_for(totp_device(cast.nurse)), "next": value},
    )
    assert response.url == reverse("scheduling:today")
    # Already verified: the page sends the user on, again not to `next`.
    assert client.get(url, {"next": value}).url == reverse("scheduling:today")


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_two_factor_verify_without_an_authenticator_ignores_hostile_next(client, cast, value):
    client.force_login(cast.patient_user)
    response = client.get(reverse("accounts:verify"), {"next": value})
    assert response.url == reverse("patients:portal")


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_two_factor_setup_ignores_hostile_next(client, cast, value):
    TOTPDevice.objects.filter(user=cast.nurse).delete()
    client.force_login(cast.nurse)
    url = reverse("accounts:setup")
    page = client.get(url, {"next": value})
    assert page.status_code == 200
    assert b'name="next"' not in page.content
    device = TOTPDevice.objects.get(user=cast.nurse)
    response = client.post(url, {"code": code_for(device), "next": value})
    assert response.context["continue_url"] == reverse("scheduling:today")


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_break_glass_ignores_next(client, cast, as_user, value):
    as_user(cast.therapist)
    response = client.post(
        f"{reverse('patients:break_glass')}?{urlencode({'next': value})}",
        {
            "mrn": cast.patient.mrn,
            "reason": "Covering the on-call therapist during a crisis call",
            "next": value,
        },
    )
    assert response.url == reverse("patients:chart", args=[cast.patient.pk])


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_django_admin_sign_in_stays_on_site(client, cast, value):
    # Django's own sign-in view: whatever it does after signing in, not off-site.
    url = reverse("admin:login")
    response = client.post(
        f"{url}?{urlencode({'next': value})}",
        {"username": cast.admin.email, "password": PASSWORD, "next": value},
    )
    assert response.status_code == 302
    assert not _leaves_site(response["Location"])
