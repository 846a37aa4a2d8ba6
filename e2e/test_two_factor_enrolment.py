"""A staff member without an authenticator app sets one up on first sign-in."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from e2e.signin import enter_password
from kapclinic.accounts.models import Role
from kapclinic.accounts.tests.helpers import holds_exactly
from kapclinic.test import make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def code_from_shown_secret(secret: str) -> str:
    """What an authenticator app shows after the user typed `secret` into it."""
    raw = secret.replace(" ", "").upper()
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def test_new_staff_member_scans_qr_confirms_code_and_gets_ten_backup_codes(
    page: Page, live_server, cast
):
    newcomer = make_staff("new@test.example", "Nia Newcomer", Role.NURSE, cast.site, totp=False)
    enter_password(page, live_server.url, newcomer)

    expect(page).to_have_url(re.compile(r"/account/two-factor/setup/"))
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.locator("article code").first.inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret), secret
    # The shown secret is the key of the pending device, not some other value.
    pending = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    assert base64.b32encode(pending.bin_key).decode().rstrip("=") == secret.replace(" ", "")

    page.get_by_label("Six-digit code").fill(code_from_shown_secret(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Two-factor sign-in is on.")
    codes = page.locator("ul.backup-codes li code")
    expect(codes).to_have_count(10)
    shown = set(codes.all_inner_texts())
    assert len(shown) == 10
    assert holds_exactly(newcomer, shown)
    assert TOTPDevice.objects.get(user=newcomer).confirmed

    page.get_by_role("button", name="I have saved them, continue").click()
    expect(page).to_have_url(f"{live_server.url}/schedule/")  # a nurse lands on Today
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()


def test_wrong_first_code_keeps_the_device_unconfirmed_and_the_same_secret(
    page: Page, live_server, cast
):
    newcomer = make_staff("new@test.example", "Nia Newcomer", Role.NURSE, cast.site, totp=False)
    enter_password(page, live_server.url, newcomer)
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup/"))
    secret = page.locator("article code").first.inner_text().strip()
    right = code_from_shown_secret(secret)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"

    page.get_by_label("Six-digit code").fill(wrong)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_text("That code is not right.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup/"))
    assert page.locator("article code").first.inner_text().strip() == secret
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()
    page.goto(f"{live_server.url}/patients/")
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup/"))
