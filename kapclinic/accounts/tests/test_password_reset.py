import re

from django.core import mail
from django.urls import reverse

from kapclinic.accounts.tests.helpers import code_for, events, post_login, totp_device
from kapclinic.audit.models import AuditAction

NEW = "a brand new long passphrase 7"


def _reset_link(client, email):
    client.post(reverse("accounts:password_reset"), {"email": email})
    [message] = mail.outbox
    match = re.search(r"https?://[^/]+(/\S+)", str(message.body))
    assert match is not None
    return match.group(1)


def _set_password(client, link):
    form_url = client.get(link).url  # Django swaps the token for a session marker
    return client.post(form_url, {"new_password1": NEW, "new_password2": NEW})


def test_request_page_is_public(client, db):
    response = client.get(reverse("accounts:password_reset"))
    assert response.status_code == 200
    assert b'<label for="id_email">' in response.content


def test_reset_sends_an_email_with_a_link(client, cast):
    response = client.post(reverse("accounts:password_reset"), {"email": cast.nurse.email})
    assert response.url == reverse("accounts:password_reset_done")
    [message] = mail.outbox
    assert message.to == [cast.nurse.email]
    assert "/account/password-reset/" in message.body


def test_unknown_email_sends_nothing_but_looks_the_same(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "who@test.example"})
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_reset_sets_password_without_signing_in(client, cast):
    response = _set_password(client, _reset_link(client, cast.nurse.email))
    assert response.url == reverse("accounts:password_reset_complete")
    assert "_auth_user_id" not in client.session
    cast.nurse.refresh_from_db()
    assert cast.nurse.check_password(NEW)
    [event] = events(AuditAction.UPDATE)
    assert event.detail == {"fields": ["password"], "via": "reset"}


def test_staff_still_need_second_factor_after_reset(client, cast):
    _set_password(client, _reset_link(client, cast.nurse.email))
    post_login(client, cast.nurse.email, NEW)
    response = client.get(reverse("patients:list"))
    assert response.url.startswith(reverse("accounts:verify"))
    client.post(reverse("accounts:verify"), {"code": code_for(totp_device(cast.nurse))})
    assert client.get(reverse("patients:list")).status_code == 200


def test_link_works_once(client, cast):
    link = _reset_link(client, cast.nurse.email)
    _set_password(client, link)
    response = client.get(link, follow=True)
    assert response.context["validlink"] is False


def test_complete_page_is_public(client, db):
    assert client.get(reverse("accounts:password_reset_complete")).status_code == 200
