"""seed_demo's score histories: true courses that every chart and the analytics show."""

from __future__ import annotations

from django.core.management import call_command

from kapclinic.outcomes import analytics, trajectory_chart, trajectory_queries
from kapclinic.outcomes.analytics_demo import build_demo_histories
from kapclinic.outcomes.instruments import INSTRUMENTS
from kapclinic.outcomes.models import QuestionnaireResponse, RiskAlert
from kapclinic.patients.models import Patient


def test_demo_histories_hold_every_kind_of_course(db):
    call_command("seed_demo", patients=40, quiet=True)
    treated = Patient.objects.filter(responses__isnull=False).distinct()
    assert treated.count() >= 8
    kinds = set()
    for patient in treated:
        chart = trajectory_chart.build(
            INSTRUMENTS["phq9"],
            trajectory_queries.scores(patient, "phq9"),
            trajectory_queries.dose_times(patient),
        )
        assert chart.baseline is not None and len(chart.doses) >= 6
        if chart.relapse is not None:
            kinds.add("relapse")
        elif chart.response_on is not None:
            kinds.add("response")
        else:
            kinds.add("no response")
    assert kinds == {"relapse", "response", "no response"}
    assert RiskAlert.objects.filter(acknowledged_at__isnull=True).count() == 1
    (everyone,) = analytics.cohorts("phq9", "all")
    assert everyone.patients == treated.count() and 0 < everyone.responders < everyone.patients
    routes = {c.label for c in analytics.cohorts("phq9", "route")}
    assert "Not recorded" not in routes  # the route of the dosing visits stands in

    before = QuestionnaireResponse.objects.count()
    assert build_demo_histories(seed=1).scores == 0  # idempotent
    assert QuestionnaireResponse.objects.count() == before
