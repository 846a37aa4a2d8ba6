"""Forms of the consent pages: writing a form version, signing, countersigning, withdrawing."""

from __future__ import annotations

from django import forms

from kapclinic.consent.text import RenderedConsent


class DocumentForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Text of the form",
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=(
            "Markdown: ## for a heading, - for a list item, **bold**. The off-label and "
            "esketamine programme notices are added for each patient where they apply."
        ),
    )


class SignForm(forms.Form):
    """The patient's signature: every statement ticked and their full name typed."""

    acknowledgements = forms.MultipleChoiceField(
        label="Please confirm",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick every statement to sign the form."},
    )
    typed_name = forms.CharField(
        label="Your full name",
        max_length=200,
        help_text="Typing your name here is your signature.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    shown_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: object, rendered: RenderedConsent, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["acknowledgements"].choices = list(rendered.acknowledgements)  # type: ignore[attr-defined]
        self.fields["shown_sha256"].initial = rendered.sha256

    def clean_acknowledgements(self) -> list[str]:
        ticked: list[str] = self.cleaned_data["acknowledgements"]
        field = self.fields["acknowledgements"]
        if len(set(ticked)) < len(field.choices):  # type: ignore[attr-defined]
            raise forms.ValidationError("Tick every statement to sign the form.")
        return ticked


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is consent withdrawn?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
