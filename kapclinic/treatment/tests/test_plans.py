import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kapclinic.audit.models import AuditEvent
from kapclinic.patients.models import PathwayStage
from kapclinic.screening.models import ScreeningRecord
from kapclinic.test import Cast, login
from kapclinic.treatment.models import PathwayTransition, PlanStatus, Route, TreatmentPlan
from kapclinic.treatment.plan_actions import PlanError, local_today, save_draft, sign_plan
from kapclinic.treatment.tests.helpers import make_eligible, plan_data, protocol, weigh
from kapclinic.treatment.walk import walk_to


@pytest.fixture
def eligible(cast: Cast) -> Cast:
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "71.3")
    return cast


def draft(cast: Cast, route: str = Route.IV, **data: object) -> TreatmentPlan:
    return save_draft(
        cast.patient,
        actor=cast.prescriber,
        protocol=protocol(cast.patient, route),
        data=plan_data(**data),
    )


def test_dose_is_computed_from_the_latest_weight(eligible: Cast) -> None:
    weigh(eligible.patient, "80", days_ago=10)  # older, so not the latest
    plan = draft(eligible)
    assert plan.dose_mg == Decimal("35.6")  # 0.5 x 71.3 = 35.65, rounded down
    assert plan.weight_kg == Decimal("71.3") and plan.status == PlanStatus.DRAFT
    assert plan.infusion_minutes == 40 and plan.max_doses_per_week == 3


def test_dose_above_the_cap_is_capped_and_marked(eligible: Cast) -> None:
    weigh(eligible.patient, "150")
    plan = draft(eligible, Route.IM)
    assert plan.dose_mg == 60 and plan.dose_capped


def test_fixed_order_above_the_cap_is_refused(eligible: Cast) -> None:
    with pytest.raises(PlanError, match="maximum of 400") as error:
        draft(eligible, Route.ORAL, amount=Decimal(450))
    assert error.value.field == "amount"
    assert not TreatmentPlan.objects.exists()


def test_missing_weight_is_refused_for_mg_per_kg(cast: Cast) -> None:
    make_eligible(cast.patient, cast.prescriber)
    with pytest.raises(PlanError, match="no weight is recorded"):
        draft(cast)


def test_plan_needs_an_eligibility_decision(cast: Cast) -> None:
    walk_to(cast.patient, PathwayStage.SCREENING, actor=cast.prescriber)
    weigh(cast.patient, "70")
    with pytest.raises(PlanError, match="found the patient eligible"):
        draft(cast)
    assert not TreatmentPlan.objects.exists()


def test_plan_needs_an_approved_screening(cast: Cast) -> None:
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70")
    ScreeningRecord.objects.create(
        patient=cast.patient,
        status=ScreeningRecord.Status.SIGNED,
        decision=ScreeningRecord.Decision.INELIGIBLE,
        decision_reason="Pregnancy reported at amendment.",
        signed_by=cast.prescriber,
        signed_at=timezone.now() + dt.timedelta(seconds=1),
    )
    with pytest.raises(PlanError, match="does not find the patient eligible"):
        draft(cast)


@pytest.mark.parametrize("who", ["nurse", "therapist", "outsider"])
def test_only_a_care_team_prescriber_writes_a_plan(eligible: Cast, who: str) -> None:
    with pytest.raises(PermissionDenied):
        save_draft(
            eligible.patient,
            actor=getattr(eligible, who),
            protocol=protocol(eligible.patient),
            data=plan_data(),
        )
    assert not TreatmentPlan.objects.exists()


def test_signing_moves_the_pathway_and_is_audited(eligible: Cast) -> None:
    plan = sign_plan(draft(eligible), actor=eligible.prescriber)
    assert plan.status == PlanStatus.SIGNED and plan.signed_by == eligible.prescriber
    eligible.patient.refresh_from_db()
    assert eligible.patient.stage == PathwayStage.TREATMENT_PLAN
    assert PathwayTransition.objects.filter(name="sign_plan").count() == 1
    event = AuditEvent.objects.filter(object_type="treatment.treatmentplan").latest("id")
    assert event.detail["step"] == "sign" and event.detail["version"] == 1


def test_a_change_after_signing_is_a_new_version_keeping_the_old(eligible: Cast) -> None:
    first = sign_plan(draft(eligible), actor=eligible.prescriber)
    second = draft(eligible, amount=Decimal("0.4"))
    assert (second.version, second.supersedes_id) == (2, first.pk)
    first.refresh_from_db()
    assert first.status == PlanStatus.SIGNED  # in force until the new one is signed
    sign_plan(second, actor=eligible.prescriber)
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED and first.dose_mg == Decimal("35.6")
    # The pathway moved once, at the first signature.
    assert PathwayTransition.objects.filter(name="sign_plan").count() == 1


def test_saving_again_rewrites_the_one_draft(eligible: Cast) -> None:
    draft(eligible)
    again = draft(eligible, amount=Decimal("0.4"))
    assert TreatmentPlan.objects.count() == 1 and again.dose_mg == Decimal("28.5")


def test_a_signed_plan_cannot_be_signed_again(eligible: Cast) -> None:
    plan = sign_plan(draft(eligible), actor=eligible.prescriber)
    with pytest.raises(PlanError, match="already signed"):
        sign_plan(plan, actor=eligible.prescriber)


def test_stale_weight_must_be_acknowledged_to_sign(cast: Cast) -> None:
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70", days_ago=45)
    plan = draft(cast)
    with pytest.raises(PlanError, match="older than the clinic's limit") as error:
        sign_plan(plan, actor=cast.prescriber)
    assert error.value.field == "acknowledge_stale_weight"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    signed = sign_plan(plan, actor=cast.prescriber, acknowledge_stale_weight=True)
    assert signed.stale_weight_acknowledged


def test_stale_limit_is_the_sites_setting(cast: Cast) -> None:
    cast.site.settings.max_weight_age_days = 60
    cast.site.settings.save()
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70", days_ago=45)
    assert not sign_plan(draft(cast), actor=cast.prescriber).stale_weight_acknowledged


def test_a_newer_weight_after_the_draft_blocks_signing(eligible: Cast) -> None:
    plan = draft(eligible)
    weigh(eligible.patient, "90")
    with pytest.raises(PlanError, match="newer weight"):
        sign_plan(plan, actor=eligible.prescriber)


def test_reevaluation_date_must_be_ahead(eligible: Cast) -> None:
    with pytest.raises(PlanError) as error:
        # Today on the clinic's clock, not in UTC (they differ for hours every evening).
        draft(eligible, reevaluate_on=local_today(eligible.patient))
    assert error.value.field == "reevaluate_on"


def test_esketamine_plan_is_a_fixed_dose_without_weight(cast: Cast) -> None:
    make_eligible(cast.patient, cast.prescriber)
    plan = draft(cast, Route.INTRANASAL, amount=Decimal(56), sessions_planned=8)
    assert (plan.dose_mg, plan.dose_per_kg, plan.weight_kg) == (Decimal(56), None, None)
    with pytest.raises(PlanError, match="56 mg"):
        draft(cast, Route.INTRANASAL, amount=Decimal(70))


# Pages.


def test_care_team_nurse_reads_the_plan_but_cannot_write(eligible: Cast, client: Client) -> None:
    sign_plan(draft(eligible), actor=eligible.prescriber)
    login(client, eligible.nurse)
    page = client.get(reverse("treatment:plan", kwargs={"pk": eligible.patient.pk}))
    assert page.status_code == 200 and "35.6 mg" in page.content.decode()
    assert "Write a new version" not in page.content.decode()
    edit = reverse("treatment:plan_edit", kwargs={"pk": eligible.patient.pk})
    assert client.post(edit, {"phase": "induction"}).status_code == 404
    assert TreatmentPlan.objects.count() == 1


def test_prescriber_writes_and_signs_through_the_pages(eligible: Cast, client: Client) -> None:
    iv = protocol(eligible.patient)
    login(client, eligible.prescriber)
    pk = eligible.patient.pk
    reevaluate = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    form = {"protocol": iv.pk, "amount": "", "phase": "induction", "reevaluate_on": reevaluate}
    response = client.post(reverse("treatment:plan_edit", kwargs={"pk": pk}), form)
    assert response.status_code == 302
    plan = TreatmentPlan.objects.get()
    assert plan.dose_per_kg == Decimal("0.5") and plan.sessions_planned == 6
    page = client.get(reverse("treatment:plan", kwargs={"pk": pk})).content.decode()
    assert "Draft awaiting signature" in page and "35.6 mg" in page
    assert client.post(reverse("treatment:plan_sign", kwargs={"pk": pk})).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SIGNED


def test_plan_form_shows_refusal_and_saves_nothing(eligible: Cast, client: Client) -> None:
    oral = protocol(eligible.patient, Route.ORAL)
    login(client, eligible.prescriber)
    reevaluate = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    form = {"protocol": oral.pk, "amount": "450", "phase": "induction", "reevaluate_on": reevaluate}
    response = client.post(reverse("treatment:plan_edit", kwargs={"pk": eligible.patient.pk}), form)
    assert response.status_code == 200
    assert "above this protocol&#x27;s maximum of 400" in response.content.decode()
    assert not TreatmentPlan.objects.exists()


def test_stale_weight_page_asks_for_acknowledgement(cast: Cast, client: Client) -> None:
    make_eligible(cast.patient, cast.prescriber)
    weigh(cast.patient, "70", days_ago=45)
    draft(cast)
    login(client, cast.prescriber)
    page = client.get(reverse("treatment:plan", kwargs={"pk": cast.patient.pk}))
    assert "45 days old" in page.content.decode()
    refused = client.post(reverse("treatment:plan_sign", kwargs={"pk": cast.patient.pk}))
    assert refused.status_code == 200
    assert TreatmentPlan.objects.get().status == PlanStatus.DRAFT
    signed = client.post(
        reverse("treatment:plan_sign", kwargs={"pk": cast.patient.pk}),
        {"acknowledge_stale_weight": "on"},
    )
    assert signed.status_code == 302
    assert TreatmentPlan.objects.get().stale_weight_acknowledged


def test_old_versions_stay_viewable(eligible: Cast, client: Client) -> None:
    first = sign_plan(draft(eligible), actor=eligible.prescriber)
    sign_plan(draft(eligible, amount=Decimal("0.4")), actor=eligible.prescriber)
    login(client, eligible.prescriber)
    url = reverse(
        "treatment:plan_version", kwargs={"pk": eligible.patient.pk, "version_pk": first.pk}
    )
    page = client.get(url).content.decode()
    assert "Replaced by a newer version" in page and "35.6 mg" in page


def test_plan_of_another_patient_is_not_found(eligible: Cast, client: Client) -> None:
    first = sign_plan(draft(eligible), actor=eligible.prescriber)
    login(client, eligible.prescriber)
    url = reverse(
        "treatment:plan_version",
        kwargs={"pk": eligible.other_patient.pk, "version_pk": first.pk},
    )
    assert client.get(url).status_code == 404


PLAN_PAGE_QUERIES = 14


def test_plan_page_query_count_is_pinned(eligible: Cast, client: Client) -> None:
    """The same number of queries whatever the number of versions."""
    url = reverse("treatment:plan", kwargs={"pk": eligible.patient.pk})
    login(client, eligible.prescriber)
    client.get(url)  # the first request of a session also records the sign-in's activity
    counts = []
    for amount in ("0.5", "0.4", "0.45"):
        sign_plan(draft(eligible, amount=Decimal(amount)), actor=eligible.prescriber)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts == [PLAN_PAGE_QUERIES] * 3


def test_plan_form_says_when_the_site_has_no_protocols(cast: Cast, client: Client) -> None:
    make_eligible(cast.patient, cast.prescriber)
    login(client, cast.prescriber)
    page = client.get(reverse("treatment:plan_edit", kwargs={"pk": cast.patient.pk}))
    assert "offers no protocols yet" in page.content.decode()
