"""Each site's protocols: the cited defaults of CLINICAL.md section 3, seeding and edits.

A protocol is a template; a plan copies the numbers it uses when it is written, so
editing a protocol never changes a plan, signed or not (see `plan_actions`).

Who: prescribers at the protocol's site and clinic admins (the clinic's own
templates, no patient data). Every edit is audited with the names of the fields
that changed, and seeding the defaults is audited too.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from kapclinic.accounts.models import Role, User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Site
from kapclinic.treatment.models import DoseBasis, Drug, Protocol, Route

# The editable numbers and texts of a protocol (the site and route never change: a
# different route is a different protocol).
PROTOCOL_FIELDS = (
    "name",
    "dose_basis",
    "usual_dose",
    "max_dose_mg",
    "infusion_minutes",
    "sessions_in_course",
    "min_days_between_doses",
    "max_doses_per_week",
    "integration_after_each_dose",
    "review_after_sessions",
    "notes",
    "is_active",
)

# CLINICAL.md section 3 defaults. Each is a starting point the site reviews.
DEFAULT_PROTOCOLS: tuple[dict[str, Any], ...] = (
    # IV racemic ketamine 0.5 mg/kg over 40 min, 6 infusions 2-3 times a week over
    # 2-3 weeks (Murrough 2013; Singh 2016; Fava 2018 tested 0.1-1.0 mg/kg). The
    # 100 mg maximum is 1.0 mg/kg, the top tested dose, at 100 kg: a clinic setting.
    {
        "name": "IV ketamine infusion",
        "route": Route.IV,
        "drug": Drug.KETAMINE,
        "dose_basis": DoseBasis.PER_KG,
        "usual_dose": Decimal("0.5"),
        "max_dose_mg": Decimal(100),
        "infusion_minutes": 40,
        "sessions_in_course": 6,
        "min_days_between_doses": 2,
        "max_doses_per_week": 3,
        "integration_after_each_dose": True,
        "review_after_sessions": 6,
        "notes": "Murrough 2013; Singh 2016; Fava 2018 (0.5 mg/kg over 40 minutes).",
    },
    # IM racemic ketamine 0.25-0.75 mg/kg (Chilukuri 2014); one protocol caps a dose
    # at 60 mg (NCT05468047). Twice a week is a clinic setting.
    {
        "name": "IM ketamine injection",
        "route": Route.IM,
        "drug": Drug.KETAMINE,
        "dose_basis": DoseBasis.PER_KG,
        "usual_dose": Decimal("0.5"),
        "max_dose_mg": Decimal(60),
        "infusion_minutes": None,
        "sessions_in_course": 6,
        "min_days_between_doses": 2,
        "max_doses_per_week": 2,
        "integration_after_each_dose": True,
        "review_after_sessions": 6,
        "notes": "Chilukuri 2014 (0.25-0.75 mg/kg); NCT05468047 (at most 60 mg).",
    },
    # Sublingual/oral lozenge 100-400 mg, practice range (CTP lozenge method and
    # Journey Clinical protocol, secondary sources): 6-8 sessions, at most twice a
    # week, an integration session between doses.
    {
        "name": "Ketamine lozenge",
        "route": Route.ORAL,
        "drug": Drug.KETAMINE,
        "dose_basis": DoseBasis.FIXED,
        "usual_dose": Decimal(200),
        "max_dose_mg": Decimal(400),
        "infusion_minutes": None,
        "sessions_in_course": 6,
        "min_days_between_doses": 3,
        "max_doses_per_week": 2,
        "integration_after_each_dose": True,
        "review_after_sessions": 6,
        "notes": (
            "Practice range 100-400 mg, 6-8 sessions, at most twice a week with "
            "integration between doses (CTP lozenge method; Journey Clinical protocol: "
            "secondary sources, review for your clinic)."
        ),
    },
    # Intranasal esketamine (Spravato label): 28 mg devices, 56 or 84 mg (day 1
    # 56 mg), weeks 1-4 twice weekly = 8 induction sessions; then weekly (weeks
    # 5-8), then weekly or every two weeks, written as the plan's maintenance phase.
    {
        "name": "Intranasal esketamine",
        "route": Route.INTRANASAL,
        "drug": Drug.ESKETAMINE,
        "dose_basis": DoseBasis.FIXED,
        "usual_dose": Decimal(56),
        "max_dose_mg": Decimal(84),
        "infusion_minutes": None,
        "sessions_in_course": 8,
        "min_days_between_doses": 2,
        "max_doses_per_week": 2,
        "integration_after_each_dose": True,
        "review_after_sessions": 8,
        "notes": (
            "Spravato label: 56 or 84 mg (28 mg devices, 5 minutes between devices); "
            "weeks 1-4 twice weekly, weeks 5-8 weekly, then weekly or every 2 weeks. "
            "No food 2 hours and no liquids 30 minutes before."
        ),
    },
)


class ProtocolError(ValueError):
    """A protocol edit the rules refuse; the message says why."""


def may_edit_protocols(user: User, site_id: int) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role == Role.CLINIC_ADMIN:
        return True
    return user.role == Role.PRESCRIBER and user.sites.filter(pk=site_id).exists()


def protocol_sites(user: User) -> QuerySet[Site]:
    """The sites whose protocols `user` may see and edit (none for other roles)."""
    if not (user.is_authenticated and user.is_active):
        return Site.objects.none()
    if user.role == Role.CLINIC_ADMIN:
        return Site.objects.filter(is_active=True).order_by("name")
    if user.role == Role.PRESCRIBER:
        return user.sites.filter(is_active=True).order_by("name")
    return Site.objects.none()


def get_protocol_to_edit(user: User, pk: int) -> Protocol:
    protocol = Protocol.objects.select_related("site").filter(pk=pk).first()
    if protocol is None or not may_edit_protocols(user, protocol.site_id):
        raise Http404("No such protocol")
    return protocol


def check_protocol(values: Mapping[str, Any], route: str) -> None:
    """Rules across fields, shared by the form and the action."""
    basis, usual, cap = (
        values.get("dose_basis"),
        values.get("usual_dose"),
        values.get("max_dose_mg"),
    )
    if basis == DoseBasis.FIXED and usual is not None and cap is not None and usual > cap:
        raise ProtocolError("The usual dose is above the maximum dose.")
    if route == Route.INTRANASAL and basis != DoseBasis.FIXED:
        raise ProtocolError("Intranasal esketamine is a fixed dose, not per kilogram.")
    if route == Route.IV and not values.get("infusion_minutes"):
        raise ProtocolError("An IV protocol needs the infusion time in minutes.")
    per_week, gap = values.get("max_doses_per_week"), values.get("min_days_between_doses")
    if per_week is not None and gap is not None and gap * (per_week - 1) > 6:
        raise ProtocolError(
            f"{per_week} doses a week cannot all be {gap} days apart; lower one of the two numbers."
        )


def missing_defaults(site: Site) -> list[Protocol]:
    """The default protocols `site` has no protocol for yet (by route), unsaved."""
    have = set(Protocol.objects.filter(site=site).values_list("route", flat=True))
    return [
        Protocol(site=site, **values) for values in DEFAULT_PROTOCOLS if values["route"] not in have
    ]


@transaction.atomic
def seed_default_protocols(site: Site, *, actor: User | None) -> list[Protocol]:
    """Give `site` the default protocols it does not have yet (by route), audited."""
    made = missing_defaults(site)
    for protocol in made:
        protocol.save()
    for protocol in made:
        record(actor=actor, action=AuditAction.CREATE, obj=protocol, detail={"seeded": True})
    return made


@transaction.atomic
def update_protocol(protocol: Protocol, *, actor: User, data: Mapping[str, Any]) -> list[str]:
    """Save the changed fields of `protocol`; plans already written keep their copy."""
    if not may_edit_protocols(actor, protocol.site_id):
        raise Http404("No such protocol")
    locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
    merged = {name: data.get(name, getattr(locked, name)) for name in PROTOCOL_FIELDS}
    check_protocol(merged, locked.route)
    changed = [name for name in PROTOCOL_FIELDS if merged[name] != getattr(locked, name)]
    if not changed:
        return []
    for name in changed:
        setattr(locked, name, merged[name])
    locked.full_clean(exclude=["site"])
    locked.save(update_fields=changed)
    record(actor=actor, action=AuditAction.UPDATE, obj=locked, detail={"fields": changed})
    for name in changed:
        setattr(protocol, name, merged[name])
    return changed
