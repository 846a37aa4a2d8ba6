"""Fill the outcome summary for the scores already recorded.

The statement is frozen here as `outcomes/summary.py` computed it when the summary
table was introduced: a migration runs once per database, at whatever later version
is installed, so it must not call live code that will change (an edit there would
silently change what this migration does, or break it). Only the historical models'
table names come from `apps`; the definitions (CLINICAL.md 5) are spelled out below.
A database with no scores (a new clinic, the test database) has nothing to fill;
`manage.py rebuild_outcome_summaries` recomputes every row with the current
definitions at any later time.
"""

from typing import Any

from django.db import migrations

# The scales the summary reports on, and their response criterion: a later score
# responds when score * 100 <= baseline * KEEP (50% fall; Y-BOCS 35%), or, for the
# PCL-5, when it is at least 10 points under the baseline.
SCALES = ("phq9", "gad7", "qids_sr16", "madrs", "ybocs", "pcl5")
KEEP_PERCENT = {"gad7": 50, "madrs": 50, "phq9": 50, "qids_sr16": 50, "ybocs": 65}
PCL5_RESPONSE_POINTS = 10
# The dosing visit types and the route each gives, for patients without a plan.
VISIT_ROUTES = {
    "dosing_esketamine": "intranasal",
    "dosing_im": "im",
    "dosing_iv": "iv",
    "dosing_oral": "oral",
}
COLUMNS = (
    "patient_id",
    "instrument",
    "first_dose_at",
    "doses",
    "sessions_planned",
    "indication",
    "route",
    "protocol_id",
    "baseline",
    "baseline_at",
    "latest",
    "latest_at",
    "best_since_dose",
    "responded_at",
    "sessions_to_response",
    "later_4",
    "later_12",
)


def _after(vendor: str, column: str, days: int) -> str:
    """SQL for `column` plus `days` days (datetimes are text in SQLite)."""
    if vendor == "postgresql":
        return f"{column} + INTERVAL '{days} days'"
    return f"datetime({column}, '+{days} days')"


def _indication(vendor: str, facts: str) -> str:
    """SQL for the text of the `indication` key of a JSON column, as Django's
    KeyTextTransform wrote it on each database."""
    if vendor == "postgresql":
        return f"({facts} ->> 'indication')"
    path = """'$."indication"'"""
    return (
        f"(CASE WHEN JSON_TYPE({facts}, {path}) IN ('true', 'null', 'false') "
        f"THEN JSON_TYPE({facts}, {path}) ELSE JSON_EXTRACT({facts}, {path}) END)"
    )


def fill_sql(vendor: str, tables: dict[str, str]) -> str:
    """INSERT ... SELECT of every patient's summary rows, into an emptied table.
    Only these constants and table names are formatted in; there are no values."""
    t = tables
    codes = ", ".join(f"'{code}'" for code in VISIT_ROUTES)
    # Dose events: dosing records with a first dose, or completed dosing visits
    # without a record, at the first dose's time or else the visit's start.
    dose_from = (
        f"FROM {t['appointment']} a "
        f"LEFT JOIN {t['session']} s ON s.appointment_id = a.id "
        f"JOIN {t['kind']} k ON k.id = a.appointment_type_id "
        f"WHERE a.patient_id = p.id AND (s.first_dose_at IS NOT NULL "
        f"OR (k.code IN ({codes}) AND s.id IS NULL AND a.status = 'completed'))"
    )
    first_plan = (
        f"FROM {t['plan']} tp WHERE tp.patient_id = p.id ORDER BY tp.version, tp.id LIMIT 1"
    )
    visit_route = " ".join(f"WHEN '{code}' THEN '{route}'" for code, route in VISIT_ROUTES.items())
    courses = f"""
      SELECT p.id AS id,
        (SELECT COALESCE(s.first_dose_at, a.start) {dose_from}
         ORDER BY COALESCE(s.first_dose_at, a.start) LIMIT 1) AS first_dose,
        (SELECT COUNT(*) {dose_from}) AS dose_count,
        (SELECT tp.sessions_planned {first_plan}) AS planned,
        COALESCE((SELECT {_indication(vendor, "sr.facts")} FROM {t["screening"]} sr
                  WHERE sr.patient_id = p.id AND sr.status = 'signed'
                  ORDER BY sr.signed_at DESC, sr.id DESC LIMIT 1), '') AS indication_key,
        COALESCE((SELECT tp.route {first_plan}),
                 (SELECT CASE k.code {visit_route} ELSE NULL END {dose_from}
                  ORDER BY COALESCE(s.first_dose_at, a.start) LIMIT 1),
                 '') AS route_key,
        (SELECT tp.protocol_id {first_plan}) AS protocol_key
      FROM {t["patient"]} p
    """
    responses = t["response"]
    current = (
        f"r.total IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {responses} c WHERE c.replaces_id = r.id)"
    )
    score = (
        f"FROM {responses} r WHERE r.patient_id = t.id "
        f"AND r.instrument = t.instrument AND {current}"
    )
    keep = " ".join(f"WHEN '{code}' THEN {percent}" for code, percent in KEEP_PERCENT.items())
    responding = (
        f"((t.instrument = 'pcl5' AND r.total <= t.baseline - {PCL5_RESPONSE_POINTS}) "
        f"OR (t.instrument <> 'pcl5' AND r.total * 100 <= t.baseline * "
        f"(CASE t.instrument {keep} END)))"
    )
    later = {
        weeks: (
            f"(SELECT r.total {score} AND r.completed_at >= "
            f"{_after(vendor, 't.responded_at', 7 * weeks)} "
            f"ORDER BY r.completed_at, r.id LIMIT 1)"
        )
        for weeks in (4, 12)
    }
    last_before = (
        f"{score} AND r.completed_at < t.first_dose ORDER BY r.completed_at DESC, r.id DESC LIMIT 1"
    )
    last = f"{score} ORDER BY r.completed_at DESC, r.id DESC LIMIT 1"
    scales = ", ".join(f"'{code}'" for code in SCALES)
    return f"""
    INSERT INTO {t["summary"]} ({", ".join(COLUMNS)})
    WITH courses AS MATERIALIZED ({courses}),
    scales AS MATERIALIZED (
      SELECT DISTINCT r.patient_id, r.instrument FROM {responses} r
      WHERE r.patient_id IN (SELECT id FROM courses) AND r.instrument IN ({scales})
        AND {current}
    ),
    with_baseline AS MATERIALIZED (
      SELECT t.*,
        (SELECT r.total {last_before}) AS baseline,
        (SELECT r.completed_at {last_before}) AS baseline_at,
        (SELECT r.total {last}) AS latest,
        (SELECT r.completed_at {last}) AS latest_at,
        (SELECT MIN(r.total) {score} AND r.completed_at >= t.first_dose) AS best_since_dose
      FROM (SELECT c.*, s.instrument FROM courses c JOIN scales s ON s.patient_id = c.id) t
    ),
    with_response AS MATERIALIZED (
      SELECT t.*,
        CASE WHEN t.baseline IS NULL THEN NULL ELSE
          (SELECT MIN(r.completed_at) {score} AND r.completed_at >= t.first_dose
             AND {responding})
        END AS responded_at
      FROM with_baseline t
    )
    SELECT t.id, t.instrument, t.first_dose, t.dose_count, t.planned,
      SUBSTR(t.indication_key, 1, 100), t.route_key, t.protocol_key, t.baseline,
      t.baseline_at, t.latest, t.latest_at, t.best_since_dose, t.responded_at,
      CASE WHEN t.responded_at IS NULL THEN NULL ELSE
        (SELECT COUNT(*) FROM {t["appointment"]} a
           LEFT JOIN {t["session"]} s ON s.appointment_id = a.id
           JOIN {t["kind"]} k ON k.id = a.appointment_type_id
         WHERE a.patient_id = t.id
           AND (s.first_dose_at IS NOT NULL
                OR (s.id IS NULL AND k.code IN ({codes}) AND a.status = 'completed'))
           AND COALESCE(s.first_dose_at, a.start) <= t.responded_at)
      END,
      CASE WHEN t.responded_at IS NULL THEN NULL ELSE {later[4]} END,
      CASE WHEN t.responded_at IS NULL THEN NULL ELSE {later[12]} END
    FROM with_response t
    """


MODELS = {
    "appointment": ("scheduling", "Appointment"),
    "kind": ("scheduling", "AppointmentType"),
    "patient": ("patients", "Patient"),
    "plan": ("treatment", "TreatmentPlan"),
    "response": ("outcomes", "QuestionnaireResponse"),
    "screening": ("screening", "ScreeningRecord"),
    "session": ("dosing", "DosingSession"),
    "summary": ("outcomes", "OutcomeSummary"),
}


def fill(apps: Any, schema_editor: Any) -> None:
    if not apps.get_model("outcomes", "QuestionnaireResponse").objects.exists():
        return
    tables = {
        key: apps.get_model(app, model)._meta.db_table for key, (app, model) in MODELS.items()
    }
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tables['summary']}")
        cursor.execute(fill_sql(connection.vendor, tables))


class Migration(migrations.Migration):
    # The tables the statement reads, besides this app's own.
    dependencies = [
        ("outcomes", "0003_outcome_summary"),
        ("dosing", "0001_dosing_sessions_readings_administrations"),
        ("scheduling", "0001_initial"),
        ("screening", "0001_screening_records"),
        ("treatment", "0002_protocols_and_treatment_plans"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
