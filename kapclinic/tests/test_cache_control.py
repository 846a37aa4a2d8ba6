"""No response to a signed-in user, and no download, may be kept by a cache.

The walk covers every URL of `test_url_access` for every signed-in role, whatever
the answer (page, redirect, 404, 405, JSON), so a new page is covered the day it is
added.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.test import PASSWORD, Cast, login
from kapclinic.tests.test_url_access import ROLES, _project_patterns, _url_kwargs

SIGNED_IN_ROLES = [role for role in ROLES if role != "anon"]


def _directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_every_url_is_private_and_not_stored_for_a_signed_in_user(role: str, cast: Cast) -> None:
    user = {
        "patient": cast.patient_user,
        "front_desk": cast.front_desk,
        "therapist": cast.therapist,
        "nurse": cast.nurse,
        "prescriber": cast.prescriber,
        "admin": cast.admin,
        "outsider": cast.outsider,
    }[role]
    client = login(Client(), user)
    kwarg_makers = _url_kwargs(cast)
    cacheable = []
    for name in _project_patterns():
        url = reverse(name, kwargs=kwarg_makers.get(name, dict)())
        response = client.get(url)
        if not {"private", "no-store"} <= _directives(response):
            cacheable.append(f"{name} ({url}): {response.status_code} {_directives(response)}")
    assert cacheable == [], "\n".join(cacheable)


def test_signing_in_answers_with_no_store(cast: Cast, client: Client) -> None:
    # The sign-in POST itself already belongs to the signed-in user.
    response = client.post(
        reverse("accounts:login"),
        {"username": cast.patient_user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert {"private", "no-store"} <= _directives(response)


def test_public_pages_stay_cacheable_for_visitors(cast: Cast, client: Client) -> None:
    for name in ("home", "content:articles"):
        assert "no-store" not in _directives(client.get(reverse(name)))


def test_a_download_is_not_stored_whoever_asks(rf) -> None:
    from django.http import HttpResponse

    from kapclinic.accounts.middleware import PrivateResponsesMiddleware

    def download(request):
        response = HttpResponse("a,b\n", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="x.csv"'
        return response

    response = PrivateResponsesMiddleware(download)(rf.get("/x.csv"))
    assert {"private", "no-store"} <= _directives(response)
