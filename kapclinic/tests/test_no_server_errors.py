"""No URL answers a 500 to bad input, whoever sends it.

Every URL pattern (the pages and every API operation) gets, from every role:

- a POST with an empty body, POSTs with junk in every field the page's forms could
  have, and a GET with junk query parameters (mixed junk: every field a different
  kind of bad value);
- for each class of input no database column can hold (a NUL byte, integers past
  64 bits, the first and last day of the calendar), a GET and a POST with that value
  in every field, so each field meets each class; only from the roles whose
  request reaches the view (EXPECTED in test_url_access), as a refused role's
  request is turned away before any field is read;
- where the URL takes an id or a name in its path, the same URL with that part
  replaced by the largest id the database holds (which reaches the view and its
  access check), by ids past it, and by an over-long name.

Each must come back as a page, a redirect or a 4xx with a reason, never a server
error. The suite runs on SQLite and on PostgreSQL, which disagree on several of
these (PostgreSQL refuses NUL in text; SQLite's driver overflows past 2^63).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from django.test import Client

from kapclinic.lib.limits import MAX_DB_ID
from kapclinic.test import Cast, login
from kapclinic.tests.test_url_access import EXPECTED, ROLES, _project_patterns, _url_kwargs
from kapclinic.tests.urlwalk import iter_patterns

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
    "<b>",
    str(-(2**63) - 1),
    "2026-13-01T25:61",
]
# One request per class per method, the value in every field at once.
EDGE_CLASSES = {
    "NUL byte": "Pat\x00",
    "2^63": str(MAX_DB_ID + 1),
    "41 digits": "9" * 41,
    "first day": "0001-01-01",
    "last day": "9999-12-31",
}
JUNK_FIELDS = [
    "q", "page", "page_size", "site", "stage", "mine", "email", "username", "password", "token",
    "otp_token", "given_name", "family_name", "birth_date", "phone", "weight_kg", "height_cm",
    "measured_at", "name", "relationship", "role", "user", "category", "status", "drug_class",
    "started_on", "stopped_on", "severity", "substance", "mrn", "reason", "title", "slug", "body",
    "summary", "time_zone", "sites", "kind", "number", "expires_on", "date_from", "date_to",
    "actor", "patient", "action", "outcome", "flagged", "grant", "note", "next", "new_password1",
    "new_password2", "old_password", "monitored", "predose_bp_warn_systolic", "spo2_warn_below",
    "service", "clinician", "date", "slot", "website", "q_pregnant", "decision",
    "protocol", "amount", "phase", "frequency", "sessions_planned", "reevaluate_on", "notes",
    "acknowledge_stale_weight", "start_on", "usual_dose", "max_dose_mg", "dose_basis",
    "infusion_minutes", "max_doses_per_week", "min_days_between_doses",
    "typed_name",
    "acknowledgements", "shown_sha256", "intentions", "checklist", "ticked", "contact1_phone",
    "escort_phone", "escort_name", "warning_signs",
    "systolic", "spo2", "moaas", "symptoms", "dose_mg", "lot_number", "started", "ended",
    "rate_mg_per_hour", "minutes", "step", "score", "score_kind", "last_food_time", "item1",
    "text", "prescriber", "transport_phone", "action_taken", "aldrete_activity", "padss_pain",
]  # fmt: skip
# What replaces an id in a URL path: the largest the database holds (it reaches the
# view and its access check, so it is also POSTed), and ids no row can have.
PATH_IDS = [str(MAX_DB_ID), str(MAX_DB_ID + 1), "9" * 41, "0"]
# What replaces a name (slug, token) in a URL path.
PATH_NAMES = ["a" * 300, "a\x00b"]
# Outcomes (test_url_access) of a role whose request gets past the access checks.
REACHES_THE_VIEW = {"ok", "405", "away", "portal"}
_PATH_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_ID_CONVERTERS = {"id", "int"}


def _junk(seed: int) -> dict[str, str]:
    return {f: JUNK_VALUES[(seed + i) % len(JUNK_VALUES)] for i, f in enumerate(JUNK_FIELDS)}


def _every_field(value: str) -> dict[str, str]:
    return dict.fromkeys(JUNK_FIELDS, value)


def _fill(route: str, kwargs: dict[str, object], replace: str = "", value: str = "") -> str:
    def part(match: re.Match[str]) -> str:
        name = match["name"]
        # The characters Django's reverse() leaves as they are in a path segment
        # (signed tokens carry ":"); "/" is always encoded.
        return quote(value if name == replace else str(kwargs[name]), safe=":@!$&'()*+,;=~")

    return "/" + _PATH_PARAM.sub(part, route)


def _path_variants(route: str, kwargs: dict[str, object]) -> Iterator[tuple[str, bool]]:
    """The URL with each path parameter in turn replaced by each bad value, and
    whether that URL can reach the view (so is worth a POST too)."""
    for match in _PATH_PARAM.finditer(route):
        # Ninja's API routes carry no converter; their ids are typed in the operation.
        is_id = match["converter"] in _ID_CONVERTERS or isinstance(kwargs[match["name"]], int)
        for value in PATH_IDS if is_id else PATH_NAMES:
            yield _fill(route, kwargs, match["name"], value), value in (str(MAX_DB_ID), "a" * 300)


def _requests(
    url: str, variants: list[tuple[str, bool]], *, sweep: bool
) -> Iterator[tuple[str, str, dict[str, str]]]:
    yield "post", url, {}
    yield "post", url, _junk(0)
    yield "post", url, _junk(5)
    yield "get", url, _junk(3)
    if sweep:
        for value in EDGE_CLASSES.values():
            data = _every_field(value)
            yield "get", url, data
            # The query string too: a POST view may read both.
            yield "post", f"{url}?{urlencode(data)}", data
    for variant, reaches_view in variants:
        yield "get", variant, {}
        if reaches_view:
            yield "post", variant, _junk(1)


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
    routes = {p.name: p.route for p in iter_patterns()}
    client = Client(raise_request_exception=False)
    failures = []
    for name in _project_patterns():
        kwargs = kwarg_makers.get(name, dict)()
        url = _fill(routes[name], kwargs)
        variants = list(_path_variants(routes[name], kwargs))
        # Signed in afresh for each URL: a junk POST may have signed the user out.
        client.logout()
        if role != "anon":
            login(client, users[role])
        sweep = EXPECTED[name][role] in REACHES_THE_VIEW
        for number, (method, target, data) in enumerate(_requests(url, variants, sweep=sweep)):
            response = getattr(client, method)(target, data)
            if response.status_code >= 500:
                failures.append(
                    f"{method.upper()} {name} #{number} ({target[:120]!r}): {response.status_code}"
                )
    assert failures == [], "\n".join(failures)


def test_the_battery_reaches_every_path_parameter(cast: Cast) -> None:
    """The URL filling above must agree with Django's own reversing."""
    from django.urls import reverse

    routes = {p.name: p.route for p in iter_patterns()}
    kwarg_makers = _url_kwargs(cast)
    for name in _project_patterns():
        kwargs = kwarg_makers.get(name, dict)()
        assert _fill(routes[name], kwargs) == reverse(name, kwargs=kwargs), name
    chart = routes["patients:chart"]
    variants = [url for url, _ in _path_variants(chart, {"pk": 7})]
    assert variants == [f"/patients/{v}/" for v in PATH_IDS]
    api = routes["api:patient_detail"]
    variants = [url for url, _ in _path_variants(api, {"patient_id": 7})]
    assert f"/api/v1/patients/{'9' * 41}" in variants
