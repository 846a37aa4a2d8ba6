"""Where each site-settings threshold comes from, for the settings page.

Plain data with no Django imports: the settings form shows every threshold next to
its default and this note, so a clinic admin changing one sees what the default
rests on, in plain words with its citation (docs/clinical-rules.md lists them all).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThresholdGroup:
    title: str
    fields: tuple[str, ...]


GROUPS: tuple[ThresholdGroup, ...] = (
    ThresholdGroup(
        "Pre-dose blood pressure",
        (
            "predose_bp_warn_systolic",
            "predose_bp_warn_diastolic",
            "bp_urgent_systolic",
            "bp_urgent_diastolic",
        ),
    ),
    ThresholdGroup(
        "During the session",
        (
            "bp_rise_warn_systolic",
            "bp_rise_warn_diastolic",
            "spo2_warn_below",
            "spo2_urgent_below",
            "resp_rate_warn_below",
            "resp_rate_urgent_below",
            "heart_rate_warn_above",
            "heart_rate_warn_below",
            "heart_rate_urgent_above",
            "heart_rate_urgent_below",
            "moaas_warn_at_or_below",
            "moaas_urgent_at_or_below",
        ),
    ),
    ThresholdGroup("Discharge", ("min_observation_minutes", "min_discharge_score")),
    ThresholdGroup(
        "Screening", ("screening_bp_absolute_systolic", "screening_bp_absolute_diastolic")
    ),
    ThresholdGroup(
        "Outcomes and alerts",
        ("pcl5_probable_ptsd_cutoff", "madrs_remission_at_or_below", "risk_alert_ack_hours"),
    ),
    ThresholdGroup("Treatment plans", ("max_weight_age_days",)),
    ThresholdGroup(
        "Long-term safety",
        (
            "safety_recent_weeks",
            "safety_sustained_sessions",
            "safety_dose_rise_percent",
            "safety_bladder_check_days",
            "safety_request_pattern_count",
            "safety_request_pattern_days",
            "safety_dosing_window_days",
        ),
    ),
)

# Each source in plain words, with its citation. Two kinds of default are marked:
# "secondary source" rests on a review or another country's label rather than the
# primary label, and "clinic setting" has no published source, so the default only
# gives the clinic somewhere to start.
_SECONDARY = " (secondary source: review it for your clinic)"
_CLINIC_SETTING = " No published source: a clinic setting, not a standard."

_PREDOSE = (
    "Esketamine (Spravato) label, FDA: blood pressure above 140/90 before the dose; "
    "consider delaying the session."
)
_URGENT_BP = "Blood pressure at or above 180/110 before or during dosing is urgent" + _SECONDARY
_SCREEN_BP = (
    "Ketamine label, Swissmedic: uncontrolled hypertension at rest above 180/100 "
    "excludes treatment" + _SECONDARY
)
_RISE = (
    "Esketamine (Spravato) label trials, FDA: a rise of 40 systolic or 25 diastolic "
    "from the pre-dose reading."
)

SOURCES: dict[str, str] = {
    "predose_bp_warn_systolic": _PREDOSE,
    "predose_bp_warn_diastolic": _PREDOSE,
    "bp_urgent_systolic": _URGENT_BP,
    "bp_urgent_diastolic": _URGENT_BP,
    "screening_bp_absolute_systolic": _SCREEN_BP,
    "screening_bp_absolute_diastolic": _SCREEN_BP,
    "bp_rise_warn_systolic": _RISE,
    "bp_rise_warn_diastolic": _RISE,
    "spo2_warn_below": "Oxygen saturation below 94% warns." + _CLINIC_SETTING,
    "spo2_urgent_below": "Sedation-monitoring practice: oxygen saturation below 90% is urgent.",
    "resp_rate_warn_below": "Breathing rate below 10 a minute warns." + _CLINIC_SETTING,
    "resp_rate_urgent_below": "Breathing rate below 8 a minute is urgent." + _CLINIC_SETTING,
    "heart_rate_warn_above": "Heart rate above 120 warns." + _CLINIC_SETTING,
    "heart_rate_warn_below": "Heart rate below 50 warns." + _CLINIC_SETTING,
    "heart_rate_urgent_above": "Heart rate above 140 is urgent." + _CLINIC_SETTING,
    "heart_rate_urgent_below": "Heart rate below 40 is urgent." + _CLINIC_SETTING,
    "moaas_warn_at_or_below": (
        "MOAA/S sedation scale (5 alert to 0 no response): 3 or less warns."
    ),
    "moaas_urgent_at_or_below": (
        "MOAA/S sedation scale: 1 or less is urgent (0 is loss of consciousness)."
    ),
    "min_observation_minutes": (
        "Spravato REMS (FDA): at least 2 hours after the dose, and until sedation, "
        "dissociation and breathing have recovered; cannot be set lower."
    ),
    "min_discharge_score": (
        "Modified Aldrete score or PADSS (post-anaesthesia discharge scores): 9 or more."
    ),
    "pcl5_probable_ptsd_cutoff": (
        "PCL-5 (National Center for PTSD): a total of 31 to 33 suggests probable PTSD; "
        "the default is 33."
    ),
    "madrs_remission_at_or_below": (
        "MADRS remission: 10 or less in IV ketamine trials; esketamine trials used 12."
    ),
    "risk_alert_ack_hours": (
        "A risk alert not acknowledged within this many hours goes to the on-call "
        "prescriber." + _CLINIC_SETTING
    ),
    "max_weight_age_days": (
        "Weight-based (mg/kg) doses use the latest weight; a weight older than this is "
        "flagged for the prescriber to confirm. Monthly re-weighing is a common "
        "practice." + _CLINIC_SETTING
    ),
    "safety_recent_weeks": (
        "Doses in this many recent weeks are compared with the same span before; more "
        "doses now flags escalation." + _CLINIC_SETTING
    ),
    "safety_sustained_sessions": (
        "Resting blood pressure above the pre-dose warning before this many sessions in "
        "a row is flagged for a hypertension review." + _CLINIC_SETTING
    ),
    "safety_dose_rise_percent": (
        "A dose per session this much above the course's first dose is flagged as "
        "escalation (between 1 and 99)." + _CLINIC_SETTING
    ),
    "safety_bladder_check_days": (
        "Ketamine can inflame the bladder (ketamine cystitis); a symptom check is asked "
        "monthly while a patient is dosed, due after this many days." + _CLINIC_SETTING
    ),
    "safety_request_pattern_count": (
        "This many requests for early or extra doses within the window below is shown as "
        "a misuse pattern." + _CLINIC_SETTING
    ),
    "safety_request_pattern_days": (
        "The window, in days, for counting requests for early or extra doses." + _CLINIC_SETTING
    ),
    "safety_dosing_window_days": (
        "A patient dosed within this many days counts as being dosed, so the monthly "
        "bladder check is asked of them (at least 28, as maintenance doses can be a "
        "month apart)." + _CLINIC_SETTING
    ),
}

THRESHOLD_FIELDS: tuple[str, ...] = tuple(name for group in GROUPS for name in group.fields)

# What each number means, with its unit and comparison, as the form labels it.
LABELS: dict[str, str] = {
    "predose_bp_warn_systolic": "Pre-dose warning: systolic above (mmHg)",
    "predose_bp_warn_diastolic": "Pre-dose warning: diastolic above (mmHg)",
    "bp_urgent_systolic": "Urgent: systolic at or above (mmHg)",
    "bp_urgent_diastolic": "Urgent: diastolic at or above (mmHg)",
    "screening_bp_absolute_systolic": "Screening exclusion: systolic above (mmHg)",
    "screening_bp_absolute_diastolic": "Screening exclusion: diastolic above (mmHg)",
    "bp_rise_warn_systolic": "Warning: systolic rise from baseline of (mmHg)",
    "bp_rise_warn_diastolic": "Warning: diastolic rise from baseline of (mmHg)",
    "spo2_warn_below": "Warning: SpO2 below (%)",
    "spo2_urgent_below": "Urgent: SpO2 below (%)",
    "resp_rate_warn_below": "Warning: respiratory rate below (/min)",
    "resp_rate_urgent_below": "Urgent: respiratory rate below (/min)",
    "heart_rate_warn_above": "Warning: heart rate above (/min)",
    "heart_rate_warn_below": "Warning: heart rate below (/min)",
    "heart_rate_urgent_above": "Urgent: heart rate above (/min)",
    "heart_rate_urgent_below": "Urgent: heart rate below (/min)",
    "moaas_warn_at_or_below": "Warning: MOAA/S at or below",
    "moaas_urgent_at_or_below": "Urgent: MOAA/S at or below",
    "min_observation_minutes": "Minimum observation after first dose (minutes)",
    "min_discharge_score": "Minimum Aldrete or PADSS score to discharge",
    "pcl5_probable_ptsd_cutoff": "PCL-5 total for probable PTSD",
    "madrs_remission_at_or_below": "MADRS remission at or below",
    "risk_alert_ack_hours": "Risk alert acknowledgement window (hours)",
    "max_weight_age_days": "Flag a weight older than (days)",
    "safety_recent_weeks": "Compare dose frequency over the last (weeks)",
    "safety_sustained_sessions": "Raised resting pressure is sustained after (sessions)",
    "safety_dose_rise_percent": "Flag a dose rise from the first dose of (%)",
    "safety_bladder_check_days": "Bladder check due after (days)",
    "safety_request_pattern_count": "Early or extra dose requests for a pattern",
    "safety_request_pattern_days": "Count early or extra dose requests over (days)",
    "safety_dosing_window_days": "Being dosed: a dose within the last (days)",
}
