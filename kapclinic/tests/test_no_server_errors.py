"""No URL answers a 500 to bad input, whoever sends it.

Every URL pattern gets, from every role, a POST with an empty body, a POST with junk
in every field the page's forms could have, and a GET with junk query parameters.
Each must come back as a page, a redirect, a 4xx with a reason, never a server error.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kapclinic.test import Cast, login
from kapclinic.tests.test_url_access import ROLES, _project_patterns, _url_kwargs

JUNK_VALUES = [
    "",
    " ",
    "x" * 5000,
    "-1",
    "0",
    "9" * 30,
    "1e309",
    "NaN",
    "2026-02-30",
    "\x00",
    "<b>",
]
JUNK_FIELDS = [
    "q", "page", "site", "stage", "mine", "email", "username", "password", "token", "otp_token",
    "given_name", "family_name", "birth_date", "phone", "weight_kg", "height_cm", "measured_at",
    "name", "relationship", "role", "user", "category", "status", "drug_class", "started_on",
    "stopped_on", "severity", "substance", "mrn", "reason", "title", "slug", "body", "summary",
    "time_zone", "sites", "kind", "number", "expires_on", "date_from", "date_to", "actor",
    "patient", "action", "outcome", "flagged", "grant", "note", "next", "new_password1",
    "new_password2", "old_password", "monitored", "predose_bp_warn_systolic", "spo2_warn_below",
    "service", "clinician", "date", "slot", "website", "q_pregnant",
]  # fmt: skip


def _junk(seed: int) -> dict[str, str]:
    return {f: JUNK_VALUES[(seed + i) % len(JUNK_VALUES)] for i, f in enumerate(JUNK_FIELDS)}


@pytest.mark.parametrize("role", ROLES)
def test_junk_never_causes_a_server_error(role: str, cast: Cast) -> None:
    users = {
        "patient": cast.patient_user,
        "front_desk": cast.front_desk,
        "therapist": cast.therapist,
        "nurse": cast.nurse,
        "prescriber": cast.prescriber,
        "admin": cast.admin,
        "outsider": cast.outsider,
    }
    kwarg_makers = _url_kwargs(cast)
    client = Client(raise_request_exception=False)
    failures = []
    for name in _project_patterns():
        url = reverse(name, kwargs=kwarg_makers.get(name, dict)())
        for seed, (method, data) in enumerate(
            [("post", {}), ("post", _junk(0)), ("post", _junk(5)), ("get", _junk(3))]
        ):
            client.logout()
            if role != "anon":
                login(client, users[role])
            response = getattr(client, method)(url, data)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {name} ({url}) #{seed}: {response.status_code}")
    assert failures == [], "\n".join(failures)
