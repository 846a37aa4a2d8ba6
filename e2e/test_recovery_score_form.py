"""The discharge assessment on a phone: the chosen recovery score's items only, answers
in words, the page no wider than the screen, and nothing serious for axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, expect

from e2e.signin import sign_in_staff
from kapclinic.dosing import actions
from kapclinic.dosing.models import DischargeAssessment
from kapclinic.dosing.tests.helpers import dosing_session, give

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"


def test_recovery_score_items_on_a_phone(browser: Browser, live_server, cast) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    session = dosing_session(cast)
    give(cast, session, "35", minutes_ago=130)
    actions.finish_dose(actor=cast.nurse, session=session)
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    sign_in_staff(page, live_server.url, cast.nurse)
    page.goto(f"{live_server.url}/dosing/sessions/{session.pk}/")
    form = page.locator("form.recovery-form")
    activity = form.get_by_role("group", name="Activity")
    walking = form.get_by_role("group", name="Walking")
    expect(activity).to_be_visible()
    expect(walking).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    form.get_by_label("PADSS").check()
    expect(walking).to_be_visible()
    expect(activity).to_be_hidden()
    # No procedure at a ketamine session: bleeding already answered 2.
    expect(
        form.get_by_label("None or minimal (no procedure, as after a ketamine dose) (2)")
    ).to_be_checked()
    # A tablet-sized target for each answer.
    box = form.get_by_text("Steady on their feet, not dizzy (2)").bounding_box()
    assert box is not None and box["height"] >= 40
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

    # Saving without the pain item names it, and nothing is stored.
    for answer in (
        "Blood pressure and pulse within 20% of the pre-dose values (2)",
        "Steady on their feet, not dizzy (2)",
        "Minimal: settled by tablets (2)",
    ):
        form.get_by_label(answer).check()
    page.get_by_role("button", name="Save assessment").click()
    expect(page.locator("#error-summary")).to_contain_text("Pain: choose an answer.")
    assert not DischargeAssessment.objects.filter(session=session).exists()
    context.close()
