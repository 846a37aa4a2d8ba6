"""Forms for the clinic admin pages. They validate; actions in `actions.py` write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from kapclinic.accounts.models import STAFF_ROLES, Role, StaffCredential, User
from kapclinic.clinics.actions import CHAIR_FIELDS, ROOM_FIELDS, SITE_FIELDS, concrete_field
from kapclinic.clinics.models import Chair, Organisation, Room, Site, SiteSettings
from kapclinic.clinics.staff_actions import CREDENTIAL_FIELDS
from kapclinic.clinics.thresholds import GROUPS, LABELS, SOURCES, THRESHOLD_FIELDS
from kapclinic.form_fields import ModelMultipleIdChoiceField
from kapclinic.widgets import COMMON_LABELS, DateInput

STAFF_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in STAFF_ROLES]


class SiteForm(forms.ModelForm[Site]):
    class Meta:
        model = Site
        fields = list(SITE_FIELDS)
        help_texts = {"time_zone": "An IANA name such as America/New_York or Europe/London."}
        labels = COMMON_LABELS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prescriber = self.fields["on_call_prescriber"]
        assert isinstance(prescriber, forms.ModelChoiceField)
        prescriber.queryset = User.objects.filter(role=Role.PRESCRIBER, is_active=True)


class NewSiteForm(SiteForm):
    """Adding a site also names its organisation (one per installation, usually)."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("pk"),
        empty_label=None,
        help_text="Add the organisation in Django admin if the list is empty.",
    )

    class Meta(SiteForm.Meta):
        fields = ["organisation", *SITE_FIELDS]


class RoomForm(forms.ModelForm[Room]):
    class Meta:
        model = Room
        fields = list(ROOM_FIELDS)
        labels = COMMON_LABELS

    def clean_name(self) -> str:
        # The site is not a form field, so Django skips the (site, name) constraint.
        name: str = self.cleaned_data["name"]
        clash = Room.objects.filter(site_id=self.instance.site_id, name=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This site already has a room with this name.")
        return name


class ChairForm(forms.ModelForm[Chair]):
    class Meta:
        model = Chair
        fields = list(CHAIR_FIELDS)
        labels = {
            **COMMON_LABELS,
            "monitored": "Monitored (pulse oximeter and blood-pressure monitor)",
        }

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        clash = Chair.objects.filter(room_id=self.instance.room_id, name=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This room already has a chair with this name.")
        return name


@dataclass(frozen=True)
class ThresholdRow:
    field: forms.BoundField
    default: Any
    source: str


class SiteSettingsForm(forms.ModelForm[SiteSettings]):
    """Every threshold, validated by the fields and by `SiteSettings.clean()`."""

    class Meta:
        model = SiteSettings
        fields = list(THRESHOLD_FIELDS)
        labels = LABELS

    def grouped_rows(self) -> list[tuple[str, list[ThresholdRow]]]:
        groups = []
        for group in GROUPS:
            rows = [
                ThresholdRow(
                    field=self[name],
                    default=concrete_field(SiteSettings, name).default,
                    source=SOURCES[name],
                )
                for name in group.fields
            ]
            groups.append((group.title, rows))
        return groups


class StaffForm(forms.Form):
    """A new staff account; the person chooses their own password by e-mail link."""

    email = forms.EmailField(max_length=254)
    full_name = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES)
    sites = ModelMultipleIdChoiceField(
        queryset=Site.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every role except clinic admin works at one site at least.",
    )

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, sites = data.get("role"), data.get("sites")
        if role and role != Role.CLINIC_ADMIN and sites is not None and not sites:
            self.add_error("sites", "Choose at least one site for this role.")
        return data


class StaffEditForm(StaffForm):
    """Change a staff member's name, role and sites (not their e-mail address)."""

    def __init__(self, *args: Any, member: User, editor: User, **kwargs: Any) -> None:
        self.member = member
        self.editor = editor
        kwargs.setdefault(
            "initial",
            {"full_name": member.full_name, "role": member.role, "sites": member.sites.all()},
        )
        super().__init__(*args, **kwargs)
        del self.fields["email"]

    def clean_role(self) -> str:
        role: str = self.cleaned_data["role"]
        if self.member.pk == self.editor.pk and role != Role.CLINIC_ADMIN:
            raise forms.ValidationError("You cannot remove your own clinic-admin role.")
        return role


class CredentialForm(forms.ModelForm[StaffCredential]):
    class Meta:
        model = StaffCredential
        fields = list(CREDENTIAL_FIELDS)
        widgets = {"expires_on": DateInput(), "kap_training_completed_on": DateInput()}
        labels = {"kind": "Licence kind", "kap_training_completed_on": "KAP training completed"}

    def clean_kap_training_completed_on(self) -> Any:
        value = self.cleaned_data.get("kap_training_completed_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError("Training cannot end in the future.")
        return value
