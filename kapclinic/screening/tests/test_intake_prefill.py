"""The screening page prefills from the patient's submitted intake, marked as such,
only where the record and the prescriber left a fact open."""

from __future__ import annotations

from django.test import Client

from kapclinic.intake import actions as intake_actions
from kapclinic.intake.sections import BY_CODE
from kapclinic.intake.tests.helpers import as_query, at_consultation, filled_intake
from kapclinic.patients.models import Condition
from kapclinic.screening import actions
from kapclinic.screening.forms import INTAKE_NOTE
from kapclinic.screening.intake_facts import facts_from_answers
from kapclinic.test import Cast, login


def url(cast: Cast) -> str:
    return f"/patients/{cast.patient.pk}/screening/"


def test_answers_map_to_facts_and_not_sure_stays_missing() -> None:
    facts = facts_from_answers(
        {
            "medical": {"aneurysm": "yes", "heart_disease": "no", "cystitis": "unsure"},
            "mental": {"bipolar": "yes", "psychosis_now": "no"},
            "substances": {"dissociatives": "past"},
            "pregnancy": {"applies": "no"},
            "antidepressants": {"trial_1_drug": "Citalopram", "trial_1_weeks": 8},
        }
    )
    assert facts["aneurysm_or_avm"] is True
    assert facts["ischaemic_heart_disease"] is False
    assert "cystitis" not in facts
    assert facts["bipolar_disorder"] is True and facts["current_psychosis"] is False
    assert facts["ketamine_or_pcp_misuse_history"] is True
    assert facts["pregnant"] is False and facts["breastfeeding"] is False
    # The patient gives the weeks; adequacy and improvement are the prescriber's.
    assert facts["antidepressant_trials"] == [
        {"adequate_dose": None, "weeks": 8, "improvement_percent": None}
    ]
    assert "medication_classes" not in facts and "hepatic_impairment" not in facts


def test_pregnancy_that_might_apply_uses_the_answers() -> None:
    facts = facts_from_answers(
        {"pregnancy": {"applies": "yes", "pregnant": "unsure", "breastfeeding": "yes"}}
    )
    assert "pregnant" not in facts and facts["breastfeeding"] is True
    assert facts_from_answers({"antidepressants": {"no_trials": True}}) == {
        "antidepressant_trials": []
    }


def test_no_medicines_in_the_intake_answers_the_list_as_empty() -> None:
    assert facts_from_answers({"medicines": {"no_medicines": True}}) == {"medication_classes": []}
    # A listed medicine wins over a stray tick: its class is the prescriber's to give.
    listed = {"no_medicines": True, "med_1_name": "Sertraline", "med_1_dose": "50 mg"}
    assert "medication_classes" not in facts_from_answers({"medicines": listed})


def test_an_empty_medicine_list_on_the_record_is_not_asked_none(client: Client, cast: Cast) -> None:
    # No intake and no medicines recorded: nobody has asked, so the question is open.
    at_consultation(cast.patient, cast.prescriber)
    form = login(client, cast.prescriber).get(url(cast)).context["facts_form"]
    assert form.initial["medicines_asked"] == ""
    # The patient's intake says "I take no medicines": answered, and marked as theirs.
    intake = filled_intake(cast.patient)
    section = BY_CODE["medicines"](as_query({"no_medicines": "on"}))
    assert section.is_valid(), section.errors
    intake_actions.save_section(
        intake, "medicines", section.valid_values(), actor=cast.patient_user
    )
    intake_actions.submit_intake(intake, actor=cast.patient_user)
    form = client.get(url(cast)).context["facts_form"]
    assert form.initial["medicines_asked"] == "asked"
    assert form.initial["medication_classes"] == []
    assert form.fields["medicines_asked"].help_text == INTAKE_NOTE


def test_the_page_prefills_and_marks_what_came_from_the_intake(client: Client, cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient, submit=True)
    response = login(client, cast.prescriber).get(url(cast))
    body = response.content.decode()
    form = response.context["facts_form"]
    # The intake said yes to raised eye pressure and breastfeeding: prefilled, marked.
    assert form.initial["raised_intraocular_pressure"] == "yes"
    assert form.initial["breastfeeding"] == "yes"
    assert form.initial["ischaemic_heart_disease"] == "no"
    assert form.fields["breastfeeding"].help_text == INTAKE_NOTE
    assert form.fields["trials_asked"].help_text == INTAKE_NOTE
    assert form.initial["trial_1_weeks"] == 8 and form.initial["trial_1_adequate"] == ""
    assert body.count("intake: confirm it with the patient.") >= 10
    # The medicines are listed for the prescriber to classify, never classified here.
    assert "Medicines the patient listed" in body and "Lorazepam" in body
    assert 'value="benzodiazepine" id="id_medication_classes_3" checked' not in body
    assert "Citalopram · 20 mg · 8 weeks · It helped a little" in body


def test_an_unsent_intake_is_not_used(client: Client, cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient)
    body = login(client, cast.prescriber).get(url(cast)).content.decode()
    assert "From the patient&#x27;s intake" not in body
    assert "Medicines the patient listed" not in body


def test_the_record_and_the_prescriber_win_over_the_intake(client: Client, cast: Cast) -> None:
    at_consultation(cast.patient, cast.prescriber)
    Condition.objects.create(
        patient=cast.patient, category="medical", name="Atrial fibrillation", code="I48.0"
    )
    intake = intake_actions.start_intake(cast.patient, actor=cast.patient_user)
    filled = filled_intake(cast.patient)
    assert filled.pk == intake.pk
    intake_actions.submit_intake(intake, actor=cast.patient_user)
    # The prescriber already recorded "no" for raised eye pressure in a draft.
    screening = actions.start_screening(
        cast.patient, actor=cast.prescriber, facts={"raised_intraocular_pressure": False}
    )
    assert screening.facts["raised_intraocular_pressure"] is False
    form = login(client, cast.prescriber).get(url(cast)).context["facts_form"]
    assert form.initial["raised_intraocular_pressure"] == "no"
    assert form.fields["raised_intraocular_pressure"].help_text != INTAKE_NOTE
    # The intake said "no" to an irregular heartbeat; the record's coded condition wins.
    assert form.initial["significant_arrhythmia"] == "yes"
    assert form.fields["significant_arrhythmia"].help_text != INTAKE_NOTE
    # Facts the draft left open are prefilled from the intake.
    assert form.initial["breastfeeding"] == "yes"
    # Nothing is saved until the prescriber saves the form.
    screening.refresh_from_db()
    assert screening.facts.get("breastfeeding") is None


def test_listed_medicines_leave_the_classes_open_until_classified(
    client: Client, cast: Cast
) -> None:
    at_consultation(cast.patient, cast.prescriber)
    filled_intake(cast.patient, submit=True)
    login(client, cast.prescriber)
    form = client.get(url(cast)).context["facts_form"]
    # Not "asked, none": the patient listed medicines nobody has classified yet.
    assert form.initial["medicines_asked"] == ""
    assert form.initial["medication_classes"] == []
    # Once the prescriber saves a classification, that answer stands.
    actions.start_screening(
        cast.patient, actor=cast.prescriber, facts={"medication_classes": ["benzodiazepine"]}
    )
    form = client.get(url(cast)).context["facts_form"]
    assert form.initial["medicines_asked"] == "asked"
    assert form.initial["medication_classes"] == ["benzodiazepine"]
