"""Public views must not trust a staff role before the second factor is passed.

The two-factor middleware holds back every protected view from a staff member who
signed in with a password only, but public views (home, articles, sign-in, password
reset) still run for them. Each public view is listed here after a review that it
shows such a person nothing more than an anonymous visitor sees; a new public view
fails `test_every_public_view_was_reviewed` until it is added.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kapclinic.content.models import Article
from kapclinic.content.tests.factories import make_article
from kapclinic.test import Cast, login

DRAFT_TITLE = "Unfinished draft on dosing"

# Public view name -> URL keyword arguments. Reviewed: none shows staff-only content.
PUBLIC_VIEWS: dict[str, dict[str, str]] = {
    "home": {},
    "content:articles": {},
    "content:article": {"slug": "draft-on-dosing"},
    "accounts:login": {},
    "accounts:password_reset": {},
    "accounts:password_reset_done": {},
    "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
    "accounts:password_reset_complete": {},
    # Health checks for load balancers: process and database status, no records.
    "healthz": {},
    "readyz": {},
    # A redirect to the icon among the static files.
    "favicon": {},
    # Reminder, waitlist-offer and calendar-feed links: the signed or secret token in
    # the URL decides what is shown, never who is signed in.
    "reminders:respond": {"token": "forged"},
    "reminders:claim": {"token": "forged"},
    "reminders:calendar_feed": {"token": "forged"},
    # A questionnaire link: the signed token opens one questionnaire, nothing else.
    "questionnaire_link:answer": {"token": "forged"},
    # Public booking: only a signed-in *patient* is treated differently (no details
    # asked); staff get the visitor's page. The manage pages answer to the signed
    # token alone, whoever holds it.
    "book:book": {},
    "book:sent": {},
    "book:manage": {"token": "not-a-link"},
    "book:manage_ics": {"token": "not-a-link"},
    "book:reschedule": {"token": "not-a-link"},
    "book:cancel": {"token": "not-a-link"},
    # The device feed (POST only): a monitor's token, an API token or a session past
    # the second factor is checked by the operation itself; GET is 405 for everyone.
    "api:session_vitals": {"session_id": "1"},
}


def _public_names(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = ""
) -> Iterator[str]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns == "admin":
                continue  # Django admin has its own staff check and sign-in page
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _public_names(entry.url_patterns, full)
        elif not getattr(entry.callback, "login_required", True):
            yield f"{namespace}:{entry.name}" if namespace else str(entry.name)


def test_every_public_view_was_reviewed() -> None:
    assert sorted(_public_names()) == sorted(PUBLIC_VIEWS)


@pytest.fixture
def draft(db) -> Article:
    return make_article("draft-on-dosing", title=DRAFT_TITLE, status=Article.Status.DRAFT)


def _password_only(client: Client, cast: Cast) -> Client:
    """A staff member who typed the password but not yet the authenticator code."""
    client.force_login(cast.prescriber)
    return client


@pytest.mark.parametrize("name", sorted(PUBLIC_VIEWS))
def test_password_only_staff_see_what_a_visitor_sees(cast, draft, name, settings):
    settings.DEMO_MODE = False
    url = reverse(name, kwargs=PUBLIC_VIEWS[name])
    anonymous = Client().get(url)
    half_signed_in = _password_only(Client(), cast).get(url)
    assert half_signed_in.status_code in (anonymous.status_code, 302)
    assert DRAFT_TITLE not in half_signed_in.content.decode()


def test_draft_is_404_before_the_second_factor(cast, draft, client, settings):
    settings.DEMO_MODE = False
    response = _password_only(client, cast).get(reverse("content:article", args=[draft.slug]))
    assert response.status_code == 404
    assert DRAFT_TITLE not in response.content.decode()


def test_draft_is_shown_once_the_second_factor_is_passed(cast, draft, client, settings):
    settings.DEMO_MODE = False
    response = login(client, cast.prescriber).get(reverse("content:article", args=[draft.slug]))
    assert response.status_code == 200
    assert DRAFT_TITLE in response.content.decode()


def test_demo_mode_needs_no_second_factor_for_drafts(cast, draft, client, settings):
    settings.DEMO_MODE = True
    response = _password_only(client, cast).get(reverse("content:article", args=[draft.slug]))
    assert response.status_code == 200
