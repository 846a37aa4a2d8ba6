"""Key pages have no serious or critical accessibility problems, as axe-core finds them.

axe-core (npm, dev dependency) is injected into each page; the browser context
bypasses the site's Content Security Policy for that injection only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page

from e2e.signin import enter_password, sign_in_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def problems_on(page: Page, base_url: str, paths: list[str]) -> dict[str, list[str]]:
    """Each path with serious findings, mapped to them; empty when all pages pass."""
    found = {}
    for path in paths:
        page.goto(f"{base_url}{path}")
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    return found


def test_public_pages(axe_page: Page, live_server, cast):
    assert (
        problems_on(
            axe_page,
            live_server.url,
            [
                "/",
                "/learn/",
                "/account/login/",
                "/account/password-reset/",
                "/book/",
                "/book/sent/",
            ],
        )
        == {}
    )


def test_staff_pages(axe_page: Page, live_server, cast):
    sign_in_staff(axe_page, live_server.url, cast.prescriber)
    assert (
        problems_on(
            axe_page,
            live_server.url,
            [
                "/patients/",
                f"/patients/{cast.patient.pk}/",
                f"/patients/{cast.patient.pk}/medications/new/",
                "/patients/new/",
                "/account/security/",
                "/book/possible-matches/",
            ],
        )
        == {}
    )


def test_admin_pages(axe_page: Page, live_server, cast):
    sign_in_staff(axe_page, live_server.url, cast.admin)
    assert (
        problems_on(
            axe_page,
            live_server.url,
            ["/clinic/sites/", f"/clinic/sites/{cast.site.pk}/settings/", "/audit/"],
        )
        == {}
    )


def test_portal_pages(axe_page: Page, live_server, cast):
    enter_password(axe_page, live_server.url, cast.patient_user)
    assert problems_on(axe_page, live_server.url, ["/patients/me/", "/patients/me/details/"]) == {}


def test_booking_pages(axe_page: Page, live_server, cast):
    from kapclinic.scheduling.tests.conftest import build_schedule
    from kapclinic.tests.test_url_access import _url_kwargs

    schedule = build_schedule(cast)
    token = _url_kwargs(cast)["book:manage"]()["token"]
    paths = [
        f"/book/?service={schedule.consultation.pk}",
        f"/book/manage/{token}/",
        f"/book/manage/{token}/reschedule/",
        f"/book/manage/{token}/cancel/",
        "/book/manage/not-a-real-link/",
    ]
    assert problems_on(axe_page, live_server.url, paths) == {}
