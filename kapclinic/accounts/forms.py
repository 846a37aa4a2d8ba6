"""Sign-in and two-factor forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """E-mail and password. The field keeps the name `username`, which django-axes reads."""

    username = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That e-mail address and password do not match an account. "
            "Check both and try again; the password is case-sensitive."
        ),
    }

    def clean_username(self) -> str:
        email: str = self.cleaned_data["username"]
        return email.strip().lower()

    @property
    def attempted_email(self) -> str | None:
        """The e-mail an authentication attempt was made for, if one was made."""
        data = getattr(self, "cleaned_data", {})
        if data.get("username") and data.get("password"):
            return str(data["username"])
        return None


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "text"}
        ),
        help_text="The six-digit code from your authenticator app, or a backup code.",
    )


class SetupCodeForm(forms.Form):
    code = forms.RegexField(
        label="Six-digit code",
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": "Enter the six digits your app shows."},
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
        help_text="The code your authenticator app shows for this account.",
    )


class DisableTwoFactorForm(forms.Form):
    """A current code, asked before a patient turns two-factor sign-in off."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        # No autofocus: this form sits low on the security page.
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
        help_text="The six-digit code your authenticator app shows now, or a backup code.",
    )
