"""The browser warns before the idle sign-out, and staying signed in works.

The idle limit is shortened to a few seconds for these tests; the page reads it
from the server, so the browser and the server agree on it.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.signin import enter_password

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IDLE = timedelta(seconds=6)  # the warning shows with 2 s left (a third of the limit)


def test_warning_then_stay_signed_in_keeps_the_session(page: Page, live_server, cast, settings):
    settings.SESSION_IDLE_TIMEOUT = IDLE
    enter_password(page, live_server.url, cast.patient_user)
    expect(page).to_have_url(re.compile(r"/patients/me/$"))
    dialog = page.locator("#session-warning")
    expect(dialog).to_be_visible(timeout=8000)
    expect(dialog).to_contain_text("seconds")
    page.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    # Past the first deadline, the session the button renewed is still alive.
    time.sleep(2.5)
    page.reload()
    expect(page).to_have_url(re.compile(r"/patients/me/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pat")


def test_typing_counts_as_activity(page: Page, live_server, cast, settings):
    settings.SESSION_IDLE_TIMEOUT = IDLE
    enter_password(page, live_server.url, cast.patient_user)
    page.goto(f"{live_server.url}/patients/me/details/")
    field = page.get_by_label("Phone")
    for _ in range(5):  # keep typing for longer than the limit
        field.press("End")
        field.type("1")
        time.sleep(1.6)
    expect(page.locator("#session-warning")).to_be_hidden()
    page.reload()
    expect(page).to_have_url(re.compile(r"/patients/me/details/$"))


def test_no_answer_takes_the_page_to_sign_in(page: Page, live_server, cast, settings):
    settings.SESSION_IDLE_TIMEOUT = IDLE
    enter_password(page, live_server.url, cast.patient_user)
    expect(page).to_have_url(re.compile(r"/patients/me/$"))
    expect(page).to_have_url(
        re.compile(r"/account/login/\?next=%2Fpatients%2Fme%2F"), timeout=12000
    )
    expect(page.get_by_text("signed out")).to_be_visible()
