from decimal import Decimal

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from kapclinic.audit.models import AuditEvent
from kapclinic.test import Cast, login
from kapclinic.treatment.models import Protocol, Route
from kapclinic.treatment.plan_actions import save_draft, sign_plan
from kapclinic.treatment.protocols import ProtocolError, seed_default_protocols, update_protocol
from kapclinic.treatment.tests.helpers import make_eligible, plan_data, protocol, weigh


def test_defaults_follow_clinical_section_3(cast: Cast) -> None:
    made = {p.route: p for p in seed_default_protocols(cast.site, actor=cast.admin)}
    iv, im = made[Route.IV], made[Route.IM]
    oral, nasal = made[Route.ORAL], made[Route.INTRANASAL]
    assert (iv.usual_dose, iv.infusion_minutes, iv.sessions_in_course) == (Decimal("0.5"), 40, 6)
    assert iv.max_doses_per_week == 3
    assert (im.dose_basis, im.usual_dose, im.max_dose_mg) == ("per_kg", Decimal("0.5"), Decimal(60))
    assert (oral.dose_basis, oral.usual_dose, oral.max_dose_mg) == (
        "fixed",
        Decimal(200),
        Decimal(400),
    )
    assert oral.max_doses_per_week == 2 and oral.integration_after_each_dose
    assert (nasal.drug, nasal.usual_dose, nasal.max_dose_mg) == (
        "esketamine",
        Decimal(56),
        Decimal(84),
    )
    assert nasal.max_doses_per_week == 2 and nasal.sessions_in_course == 8
    assert AuditEvent.objects.filter(object_type="treatment.protocol").count() == 4


def test_seeding_twice_adds_nothing(cast: Cast) -> None:
    seed_default_protocols(cast.site, actor=None)
    assert seed_default_protocols(cast.site, actor=None) == []
    assert Protocol.objects.filter(site=cast.site).count() == 4


def test_edit_is_audited_with_the_fields_changed(cast: Cast) -> None:
    iv = protocol(cast.patient)
    changed = update_protocol(iv, actor=cast.prescriber, data={"max_dose_mg": Decimal(80)})
    assert changed == ["max_dose_mg"]
    event = AuditEvent.objects.filter(object_type="treatment.protocol", action="update").get()
    assert event.detail["fields"] == ["max_dose_mg"]


def test_editing_a_protocol_never_changes_a_signed_plan(cast: Cast) -> None:
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70")
    iv = protocol(cast.patient)
    plan = sign_plan(
        save_draft(cast.patient, actor=cast.prescriber, protocol=iv, data=plan_data()),
        actor=cast.prescriber,
    )
    update_protocol(iv, actor=cast.admin, data={"max_dose_mg": Decimal(20), "usual_dose": 1})
    plan.refresh_from_db()
    assert (plan.dose_mg, plan.max_dose_mg, plan.dose_per_kg) == (
        Decimal(35),
        Decimal(100),
        Decimal("0.5"),
    )


def test_prescriber_at_another_site_cannot_edit(cast: Cast) -> None:
    other = seed_default_protocols(cast.other_site, actor=None)[0]
    with pytest.raises(Http404):
        update_protocol(other, actor=cast.prescriber, data={"max_dose_mg": Decimal(1)})
    other.refresh_from_db()
    assert other.max_dose_mg != 1


def test_rules_across_fields_are_refused(cast: Cast) -> None:
    iv = protocol(cast.patient)
    with pytest.raises(ProtocolError, match="cannot all be"):
        update_protocol(
            iv, actor=cast.admin, data={"max_doses_per_week": 4, "min_days_between_doses": 3}
        )
    nasal = protocol(cast.patient, Route.INTRANASAL)
    with pytest.raises(ProtocolError, match="fixed dose"):
        update_protocol(nasal, actor=cast.admin, data={"dose_basis": "per_kg"})


def test_protocol_page_lists_the_sites_protocols(cast: Cast, client: Client) -> None:
    protocol(cast.patient)
    login(client, cast.prescriber)
    response = client.get(reverse("treatment:protocols"))
    assert response.status_code == 200
    assert "IV ketamine infusion" in response.content.decode()


def test_protocol_form_saves_and_refuses_bad_input(cast: Cast, client: Client) -> None:
    oral = protocol(cast.patient, Route.ORAL)
    login(client, cast.admin)
    url = reverse("treatment:protocol_edit", kwargs={"pk": oral.pk})
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "is_active"}
    data.update({"integration_after_each_dose": "on", "is_active": "on", "usual_dose": "500"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "usual dose is above the maximum" in response.content.decode()
    oral.refresh_from_db()
    assert oral.usual_dose == 200
    data["usual_dose"] = "150"
    assert client.post(url, data).status_code == 302
    oral.refresh_from_db()
    assert oral.usual_dose == 150


def test_nurse_gets_404_on_protocol_pages(cast: Cast, client: Client) -> None:
    iv = protocol(cast.patient)
    login(client, cast.nurse)
    assert client.get(reverse("treatment:protocols")).status_code == 404
    url = reverse("treatment:protocol_edit", kwargs={"pk": iv.pk})
    assert client.post(url, {"max_dose_mg": "1"}).status_code == 404
    iv.refresh_from_db()
    assert iv.max_dose_mg == 100


def test_seed_button_adds_missing_protocols(cast: Cast, client: Client) -> None:
    login(client, cast.admin)
    url = reverse("treatment:protocols_seed", kwargs={"pk": cast.other_site.pk})
    assert client.post(url).status_code == 302
    assert Protocol.objects.filter(site=cast.other_site).count() == 4
