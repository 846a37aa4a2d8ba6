"""Where each site-settings threshold comes from, for the settings page.

Plain data with no Django imports: the settings form shows every threshold next to
its default and this note, so a clinic admin changing one sees what the default
rests on. [S] marks a secondary source, [U] an unconfirmed one (CLINICAL.md).
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
)

_PREDOSE = "CLINICAL.md 4: pre-dose BP above 140/90, consider delaying (esketamine label)."
_URGENT_BP = "CLINICAL.md 4: BP at or above 180/110 is urgent, before or during dosing [S]."
_SCREEN_BP = "CLINICAL.md 2: uncontrolled hypertension at rest above 180/100 (Swiss label) [S]."
_RISE = "CLINICAL.md 4: rise of 40 systolic or 25 diastolic from baseline (label trial criterion)."

SOURCES: dict[str, str] = {
    "predose_bp_warn_systolic": _PREDOSE,
    "predose_bp_warn_diastolic": _PREDOSE,
    "bp_urgent_systolic": _URGENT_BP,
    "bp_urgent_diastolic": _URGENT_BP,
    "screening_bp_absolute_systolic": _SCREEN_BP,
    "screening_bp_absolute_diastolic": _SCREEN_BP,
    "bp_rise_warn_systolic": _RISE,
    "bp_rise_warn_diastolic": _RISE,
    "spo2_warn_below": "CLINICAL.md 4: SpO2 below 94% warns [U].",
    "spo2_urgent_below": "CLINICAL.md 4: SpO2 below 90% is urgent.",
    "resp_rate_warn_below": "CLINICAL.md 4: respiratory rate below 10/min warns [U].",
    "resp_rate_urgent_below": "CLINICAL.md 4: respiratory rate below 8/min is urgent [U].",
    "heart_rate_warn_above": "CLINICAL.md 4: heart rate above 120 warns [U].",
    "heart_rate_warn_below": "CLINICAL.md 4: heart rate below 50 warns [U].",
    "heart_rate_urgent_above": "CLINICAL.md 4: heart rate above 140 is urgent [U].",
    "heart_rate_urgent_below": "CLINICAL.md 4: heart rate below 40 is urgent [U].",
    "moaas_warn_at_or_below": "CLINICAL.md 4: MOAA/S 3 or less warns.",
    "moaas_urgent_at_or_below": "CLINICAL.md 4: MOAA/S 1 or less is urgent (0 = unconscious).",
    "min_observation_minutes": (
        "CLINICAL.md 4: Spravato REMS (FDA) floor of 2 hours after the dose; cannot go lower."
    ),
    "min_discharge_score": "CLINICAL.md 4: modified Aldrete or PADSS of 9 or more.",
    "pcl5_probable_ptsd_cutoff": "CLINICAL.md 5: PCL-5 cut-point 31-33, default 33.",
    "madrs_remission_at_or_below": (
        "CLINICAL.md 5: MADRS 10 or less (IV ketamine trials); esketamine trials use 12."
    ),
    "risk_alert_ack_hours": (
        "CLINICAL.md 5: a risk alert unacknowledged this long escalates to the on-call prescriber."
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
}
