"""The dosing board in a real browser: it checks for changes twice a second, leaves the
copy on screen alone while nothing changed (so a nurse choosing from a menu on it is
not interrupted), shows an urgent alert without a reload, and says plainly when it has
lost touch with the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route, expect

from e2e.board_polls import wait_for_polls, watch_polls
from e2e.signin import sign_in_staff
from kapclinic.dosing import actions
from kapclinic.dosing.models import SessionAlert
from kapclinic.dosing.readings import record_readings
from kapclinic.dosing.tests.helpers import NORMAL, dosing_session, give

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_unchanged_board_is_left_alone_and_a_change_arrives_at_once(
    browser: Browser, live_server, cast
) -> None:
    session = dosing_session(cast)
    give(cast, session, "35", minutes_ago=20)
    actions.finish_dose(actor=cast.nurse, session=session)
    record_readings(session=session, readings=[{**NORMAL, "spo2": 86}], actor=cast.nurse)
    first = SessionAlert.objects.get(session=session, rule="spo2")
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    sign_in_staff(page, live_server.url, cast.nurse)
    page.goto(f"{live_server.url}/dosing/")
    expect(page.locator("#board-status")).to_contain_text("Up to date at")
    watch_polls(page)

    # The nurse has moved the keyboard to an alert's Acknowledge button.
    button = page.locator(f"#acknowledge-{first.pk}")
    button.focus()
    button.evaluate("(element) => { element.dataset.touched = 'yes'; }")
    wait_for_polls(page, 4, seconds=10)
    assert page.evaluate("window.__swaps") == 0
    # The very same element, still focused: nothing replaced it.
    assert button.evaluate("(element) => element.dataset.touched") == "yes"
    assert page.evaluate("document.activeElement.id") == f"acknowledge-{first.pk}"

    # A monitor's second urgent reading is on screen without a reload, well inside the
    # bench's target (bench/device_feed.py measures the time; this proves the path).
    record_readings(session=session, readings=[{**NORMAL, "spo2": 83}], actor=cast.nurse)
    banner = page.locator(".urgent-banner")
    expect(banner).to_contain_text("Oxygen saturation 83%", timeout=5_000)
    assert page.evaluate("window.__swaps") >= 1
    context.close()


def test_the_board_says_when_it_stops_updating_and_when_it_recovers(
    browser: Browser, live_server, cast
) -> None:
    dosing_session(cast)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_staff(page, live_server.url, cast.nurse)
    page.goto(f"{live_server.url}/dosing/")
    status = page.locator("#board-status")
    expect(status).to_contain_text("Up to date at")

    def cut(route: Route) -> None:
        route.abort("internetdisconnected")

    page.route("**/dosing/live/**", cut)
    expect(status).to_contain_text("Not updating since", timeout=15_000)
    expect(status).to_have_class("board-status muted board-stale")
    expect(page.locator("#board-announcer")).to_contain_text("stopped updating")

    page.unroute("**/dosing/live/**", cut)
    expect(status).to_contain_text("Up to date at", timeout=5_000)
    expect(page.locator("#board-announcer")).to_contain_text("updating again")
    # Nothing on a phone scrolls sideways, the warning included.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_an_urgent_alert_reaches_a_nurse_on_another_page(
    browser: Browser, live_server, cast
) -> None:
    session = dosing_session(cast)
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    sign_in_staff(page, live_server.url, cast.nurse)
    page.goto(f"{live_server.url}/patients/")
    expect(page.locator("#urgent-strip")).to_be_attached()
    expect(page.locator(".urgent-strip")).to_have_count(0)

    record_readings(session=session, readings=[{**NORMAL, "spo2": 83}], actor=cast.nurse)
    strip = page.locator(".urgent-strip")
    expect(strip).to_contain_text("Oxygen saturation 83%", timeout=5_000)
    # Inside the page's one live region for it, and a link to act on it.
    assert page.locator("[role=alert] .urgent-strip").count() == 1
    strip.get_by_role("link", name="Open the session").click()
    expect(page).to_have_url(f"{live_server.url}/dosing/sessions/{session.pk}/#alerts")
    context.close()
