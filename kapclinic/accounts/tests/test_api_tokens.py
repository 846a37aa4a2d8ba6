"""API tokens: made by the command, stored hashed, accepted as Bearer, revoked by an admin."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from kapclinic.accounts.actions import create_api_token
from kapclinic.accounts.models import ApiToken
from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.test import Cast, login

ROSTER = "/api/v1/patients/"


def make_token(email: str) -> str:
    out = io.StringIO()
    call_command("create_api_token", email, "--name", "Practice software", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_command_prints_the_token_alone_and_stores_only_its_hash(cast: Cast) -> None:
    text = make_token(cast.front_desk.email)
    assert text.startswith("kap_") and " " not in text and len(text) > 40
    token = ApiToken.objects.get()
    assert token.user == cast.front_desk and token.name == "Practice software"
    assert token.token_hash == hashlib.sha256(text.encode()).hexdigest()
    assert text not in {token.token_hash, token.prefix, token.name}
    event = AuditEvent.objects.get(object_type="accounts.apitoken")
    assert event.action == AuditAction.CREATE and event.actor is None


def test_command_refuses_an_unknown_account(cast: Cast) -> None:
    with pytest.raises(CommandError, match="No active account"):
        make_token("nobody@test.example")
    assert not ApiToken.objects.exists()


def test_bearer_token_acts_as_its_user_past_two_factor(client: Client, cast: Cast) -> None:
    text = make_token(cast.front_desk.email)
    response = client.get(ROSTER, headers={"Authorization": f"Bearer {text}"})
    assert response.status_code == 200
    assert response.json()["count"] == 2  # front desk sees site A's patients
    event = AuditEvent.objects.filter(action=AuditAction.LIST).latest("id")
    assert event.actor == cast.front_desk
    # No session is started for a token request.
    assert "sessionid" not in response.cookies
    assert ApiToken.objects.get().last_used_at is not None


def test_token_carries_the_users_access(client: Client, cast: Cast) -> None:
    text = make_token(cast.patient_user.email)
    headers = {"Authorization": f"Bearer {text}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    detail = client.get(f"/api/v1/patients/{cast.patient.pk}", headers=headers)
    assert detail.status_code == 404


@pytest.mark.parametrize("text", ["kap_wrong", "wrong", "", "kap_" + "x" * 500])
def test_a_bad_token_is_401(client: Client, cast: Cast, text: str) -> None:
    make_token(cast.front_desk.email)
    response = client.get(ROSTER, headers={"Authorization": f"Bearer {text}"})
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


def test_revoked_token_and_closed_account_are_401(client: Client, cast: Cast) -> None:
    token, text = create_api_token(actor=None, user=cast.nurse, name="x")
    headers = {"Authorization": f"Bearer {text}"}
    assert client.get(ROSTER, headers=headers).status_code == 200
    cast.nurse.is_active = False
    cast.nurse.save()
    assert client.get(ROSTER, headers=headers).status_code == 401
    cast.nurse.is_active = True
    cast.nurse.save()
    token.revoked_at = token.created_at
    token.save()
    assert client.get(ROSTER, headers=headers).status_code == 401


def test_token_is_ignored_outside_the_api(client: Client, cast: Cast) -> None:
    text = make_token(cast.front_desk.email)
    response = client.get(reverse("patients:list"), headers={"Authorization": f"Bearer {text}"})
    assert response.status_code == 302  # pages still need a signed-in browser


def test_admin_lists_and_revokes_tokens_audited(client: Client, cast: Cast) -> None:
    token, text = create_api_token(actor=None, user=cast.nurse, name="Lab link")
    login(client, cast.admin)
    url = reverse("admin:accounts_apitoken_changelist")
    listing = client.get(url)
    assert listing.status_code == 200 and "Lab link" in listing.content.decode()
    assert text not in listing.content.decode()
    response = client.post(url, {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.filter(
        object_type="accounts.apitoken", action=AuditAction.UPDATE
    ).latest("id")
    assert event.actor == cast.admin and event.detail["fields"] == ["revoked_at"]
    client.logout()
    assert client.get(ROSTER, headers={"Authorization": f"Bearer {text}"}).status_code == 401


def test_only_clinic_admins_reach_token_admin(client: Client, cast: Cast) -> None:
    login(client, cast.prescriber)
    response = client.get(reverse("admin:accounts_apitoken_changelist"))
    assert response.status_code == 302
