"""The dosing board tells screen readers about an urgent alert once, when it appears,
not again on every poll; the red banner stays on screen; axe finds nothing serious."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from e2e.board_polls import wait_for_polls, watch_polls
from e2e.signin import sign_in_staff
from kapclinic.dosing import actions
from kapclinic.dosing.readings import record_readings
from kapclinic.dosing.tests.helpers import NORMAL, dosing_session, give

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"

# Counts every change to the live region's text.
WATCH_REGION = """() => {
  window.__changes = [];
  const region = document.getElementById("board-announcer");
  new MutationObserver(() => window.__changes.push(region.textContent)).observe(
    region, {childList: true, characterData: true, subtree: true});
}"""


def _watch(page: Page) -> None:
    page.evaluate(WATCH_REGION)
    watch_polls(page)


def test_an_urgent_alert_is_announced_once_and_not_on_later_polls(
    browser: Browser, live_server, cast
) -> None:
    session = dosing_session(cast)
    give(cast, session, "35", minutes_ago=20)
    actions.finish_dose(actor=cast.nurse, session=session)
    context = browser.new_context()
    page = context.new_page()
    sign_in_staff(page, live_server.url, cast.nurse)
    page.goto(f"{live_server.url}/dosing/")
    region = page.locator("#board-announcer")
    expect(page.get_by_text("Pat Ient")).to_be_visible()
    _watch(page)
    wait_for_polls(page, 1)
    assert page.evaluate("window.__changes") == []
    assert region.text_content() == ""

    record_readings(session=session, readings=[{**NORMAL, "spo2": 85}], actor=cast.nurse)
    expect(region).to_contain_text("Oxygen saturation 85%", timeout=15_000)
    expect(region).to_contain_text("Urgent")
    changes = page.evaluate("window.__changes")
    assert len(changes) == 1, changes
    # Seen by everyone: the red banner, with the alert in words.
    banner = page.locator(".urgent-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Oxygen saturation 85%")

    # Two more polls; the region does not change.
    wait_for_polls(page, 2)
    assert page.evaluate("window.__changes") == changes
    expect(banner).to_be_visible()

    # A reload in the same tab (as after acknowledging another alert) does not repeat
    # the alert still open.
    page.reload()
    _watch(page)
    wait_for_polls(page, 1)
    assert page.evaluate("window.__changes") == []
    assert region.text_content() == ""
    expect(page.locator(".urgent-banner")).to_be_visible()

    # A second alert is announced, alone.
    record_readings(session=session, readings=[{**NORMAL, "resp_rate": 6}], actor=cast.nurse)
    expect(region).to_contain_text("Breathing 6/min", timeout=15_000)
    assert len(page.evaluate("window.__changes")) == 1
    assert "Oxygen saturation" not in (region.text_content() or "")
    context.close()


def test_the_board_with_an_urgent_alert_passes_axe(browser: Browser, live_server, cast) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    session = dosing_session(cast)
    give(cast, session, "35", minutes_ago=20)
    actions.finish_dose(actor=cast.nurse, session=session)
    record_readings(session=session, readings=[{**NORMAL, "spo2": 85}], actor=cast.nurse)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in_staff(page, live_server.url, cast.nurse)
    page.goto(f"{live_server.url}/dosing/")
    expect(page.locator("#board-announcer")).to_contain_text("Oxygen saturation 85%")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]], v["nodes"][0]["failureSummary"])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    context.close()
