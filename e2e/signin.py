"""Signing in through the browser, as a person would: e-mail, password, then a code."""

from __future__ import annotations

import re

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from kapclinic.accounts.models import User
from kapclinic.test import PASSWORD


def current_code(device: TOTPDevice) -> str:
    """The six digits an authenticator app shows right now for `device`."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def enter_password(page: Page, base_url: str, user: User, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/account/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in_staff(page: Page, base_url: str, user: User) -> None:
    """Password, then the current TOTP code on the verify page; ends on the landing page."""
    enter_password(page, base_url, user)
    expect(page).to_have_url(re.compile(r"/account/two-factor/verify/"))
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/account/"))
