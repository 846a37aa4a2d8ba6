"""Walk every Django admin URL as a clinic admin, aimed at another person's account.

For a patient's portal account and for a colleague's staff account, every admin
page (GET) and every admin form or action (POST, with a payload that tries to set a
password, reset two-factor, deactivate, promote or delete) must leave the account,
its password and its two-factor devices exactly as they were, show nothing of the
person, and write an audit row. New admin pages join the walk automatically: it
reads the admin's URL patterns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts import actions, two_factor
from kapclinic.accounts.models import Role, User
from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import Patient
from kapclinic.test import PASSWORD, Cast, login
from kapclinic.tests.urlwalk import iter_patterns

pytestmark = pytest.mark.django_db

# Ids no clinic row in the cast has, so an object URL can only reach the account.
ACCOUNT_PK = 987_654
PATIENT_PK = 987_655
NEW_PASSWORD = "taken over passphrase 31"

# What an attacker would post to any admin form or action.
TAKEOVER: dict[str, Any] = {
    "password1": NEW_PASSWORD,
    "password2": NEW_PASSWORD,
    "usable_password": "true",
    "email": "taken@test.example",
    "full_name": "Taken Over",
    "role": Role.CLINIC_ADMIN,
    "is_active": "",
    "is_staff": "on",
    "is_superuser": "on",
    "user": ACCOUNT_PK,
    "on_call_prescriber": ACCOUNT_PK,
    "_selected_action": [ACCOUNT_PK, PATIENT_PK],
    "post": "yes",
    "credentials-TOTAL_FORMS": "0",
    "credentials-INITIAL_FORMS": "0",
}
ACTIONS = ("delete_selected", "reset_two_factor")

# Django admin pages that existed for accounts, devices and sign-in attempts; each
# must now be not found.
RETIRED = (
    "accounts/user/",
    "accounts/user/add/",
    "accounts/user/{pk}/change/",
    "accounts/user/{pk}/password/",
    "accounts/user/{pk}/delete/",
    "accounts/user/{pk}/history/",
    "accounts/staffcredential/",
    "auth/group/",
    "otp_totp/totpdevice/",
    "otp_totp/totpdevice/{pk}/config/",
    "otp_static/staticdevice/",
    "axes/accessattempt/",
    "axes/accesslog/",
    "django_tasks_database/dbtaskresult/",
)


def _target(kind: str, cast: Cast) -> User:
    if kind == "patient":
        user = User.objects.create_user(
            "walter@test.example",
            PASSWORD,
            full_name="Walter Walkpatient",
            role=Role.PATIENT,
            pk=ACCOUNT_PK,
        )
        Patient.objects.create(
            pk=PATIENT_PK,
            site=cast.site,
            mrn="MRN-9876",
            user=user,
            given_name="Walter",
            family_name="Walkpatient",
            birth_date=dt.date(1980, 1, 2),
            email=user.email,
        )
    else:
        user = User.objects.create_user(
            "wanda@test.example",
            PASSWORD,
            full_name="Wanda Walknurse",
            role=Role.NURSE,
            pk=ACCOUNT_PK,
        )
        user.sites.set([cast.site])
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    actions.regenerate_backup_codes(actor=user)
    return user


def _account_state(user: User) -> tuple[Any, ...]:
    fresh = User.objects.get(pk=user.pk)
    return (
        fresh.password,
        fresh.email,
        fresh.full_name,
        fresh.role,
        fresh.is_active,
        fresh.is_staff,
        fresh.is_superuser,
        sorted(TOTPDevice.objects.filter(user=fresh).values_list("key", "confirmed")),
        two_factor.backup_codes_left(fresh),
    )


def _row_counts() -> dict[str, int]:
    models = [*admin.site._registry, User, Patient, TOTPDevice]
    return {model._meta.label: model._default_manager.count() for model in models}


def _admin_urls() -> Iterator[str]:
    labels = sorted({model._meta.app_label for model in admin.site._registry})
    for pattern in iter_patterns():
        route = pattern.route
        if not route.startswith("django-admin/") or pattern.name == "admin:logout":
            continue  # sign-out has its own test; it would end the walk's session
        if "(?P<url>" in route:
            continue  # the catch-all: the retired pages below go through it
        if "app_label" in route:
            for label in labels:
                yield reverse(pattern.name, kwargs={"app_label": label})
        elif "object_id" in route:
            # Some object URLs are unnamed (the bare "<id>/" redirect): fill the route.
            for pk in (ACCOUNT_PK, PATIENT_PK):
                yield "/" + route.replace("<path:object_id>", str(pk))
        else:
            yield reverse(pattern.name)
    for path in RETIRED:
        yield "/django-admin/" + path.format(pk=ACCOUNT_PK)
    for model in (User, Patient):
        content_type = ContentType.objects.get_for_model(model)
        yield f"/django-admin/r/{content_type.pk}/{ACCOUNT_PK}/"
    for model_name, field in (("staffcredential", "user"), ("site", "on_call_prescriber")):
        app = "accounts" if model_name == "staffcredential" else "clinics"
        yield (
            f"/django-admin/autocomplete/?app_label={app}&model_name={model_name}"
            f"&field_name={field}&term=Walk"
        )


def _requests() -> Iterator[tuple[str, str, dict[str, Any]]]:
    changelists = {f"/django-admin/{path}" for path in RETIRED if path.count("/") == 2}
    changelists |= {
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    }
    for url in _admin_urls():
        yield "get", url, {}
        yield "post", url, TAKEOVER
        if url in changelists:
            for name in ACTIONS:
                yield "post", url, {**TAKEOVER, "action": name}


@pytest.mark.parametrize("kind", ["patient", "staff"])
def test_no_admin_page_or_action_touches_another_persons_account(client: Client, cast, kind):
    target = _target(kind, cast)
    login(client, cast.admin)
    account_before, counts_before = _account_state(target), _row_counts()
    walked = 0
    for method, url, data in _requests():
        rows_before = AuditEvent.objects.count()
        response = getattr(client, method)(url, data)
        walked += 1
        where = f"{method.upper()} {url} {data.get('action', '')}"
        if url.startswith(("/django-admin/jsi18n/", "/django-admin/login/")):
            # The translation catalogue (no data) and the redirect to the app's own
            # sign-in (which audits the sign-in itself) record nothing.
            assert response.status_code in (200, 302, 405), where
            continue
        assert response.status_code in (200, 302, 403, 404, 405), where
        if response.status_code == 302:
            # Only the admin's own redirects (a form's "saved" page, the app's
            # password page); never a sign-in as someone else.
            target_url = response["Location"]
            assert target_url.startswith(("/django-admin/", "/account/security/")), where
        body = response.content.decode(errors="replace")
        # A staff member's name may appear where the clinic admin assigns staff
        # (working hours, time off); their account (e-mail) and a patient never do.
        names = (target.full_name,) if kind == "patient" else ()
        for shown in (target.email, *names, "Walkpatient", "MRN-9876"):
            assert shown not in body, f"{where} shows the person ({shown})"
        assert AuditEvent.objects.count() > rows_before, f"{where} wrote no audit row"
        # Still the clinic admin's own session: no page signed in as the target.
        assert client.session["_auth_user_id"] == str(cast.admin.pk), where
    assert walked > 100
    assert _account_state(target) == account_before
    assert _row_counts() == counts_before
    assert User.objects.get(pk=target.pk).check_password(PASSWORD)


@pytest.mark.parametrize(
    "path", ["change/", "password/", "delete/", "history/"], ids=lambda p: p.strip("/")
)
def test_the_account_pages_are_not_found(client, cast, path):
    login(client, cast.admin)
    for user in (cast.patient_user, cast.nurse):
        response = client.get(f"/django-admin/accounts/user/{user.pk}/{path}")
        assert response.status_code == 404


def test_apps_in_the_walk_are_installed():
    # Guards the retired list: these are the apps whose admin pages the site drops.
    for label in ("auth", "otp_totp", "otp_static", "axes", "django_tasks_database"):
        assert apps.is_installed(apps.get_app_config(label).name)
