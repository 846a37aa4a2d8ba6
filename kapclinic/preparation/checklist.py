"""The set-and-setting checklist and what a finished preparation needs.

Pure (no Django): items are codes with the words people read; the fasting item's
wording depends on the route (CLINICAL.md 3: esketamine, no food for 2 hours and no
liquids for 30 minutes before; for the other routes the clinic gives its own
instructions, which the software does not invent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Ticked by the patient in the portal.
PATIENT_ITEMS: tuple[tuple[str, str], ...] = (
    ("music", "I have chosen music for the session, or I will use the clinic's."),
    ("eye_mask", "I will bring an eye mask, or use one from the clinic."),
    ("clothes", "I will wear comfortable, layered clothes."),
    ("support_person", "Someone I trust knows the date of my session and can be reached."),
    ("fasting", "I understand the eating and drinking rules before a session."),
    ("no_driving", "I will not drive, cycle or operate machinery until the next day."),
)
# Ticked by the care team on the staff page.
STAFF_ITEMS: tuple[tuple[str, str], ...] = (
    ("setting_discussed", "Set and setting discussed: the room, the music, what to expect."),
    ("fasting_given", "Eating and drinking instructions for the route given."),
    ("safety_plan_reviewed", "Safety plan reviewed with the patient."),
    ("transport_confirmed", "Transport home confirmed: the patient will not drive."),
)

ESKETAMINE_FASTING = "No food for 2 hours and no drinks for 30 minutes before the dose."
OTHER_FASTING = "Your care team tells you when to stop eating and drinking before the session."


def fasting_rule(route: str | None) -> str:
    """The eating and drinking rule the patient reads for `route` (None: not planned)."""
    return ESKETAMINE_FASTING if route == "intranasal" else OTHER_FASTING


def missing_for_completion(prep: Mapping[str, Any]) -> list[str]:
    """What stops a preparation from being marked complete, in words for the care team.

    `prep` has the Preparation fields: intentions, patient_checklist, staff_checklist,
    warning_signs, coping_steps, contact1_name/phone, contact2_name/phone,
    escort_name, escort_phone.
    """
    missing: list[str] = []
    if not str(prep.get("intentions") or "").strip():
        missing.append("the patient's intentions")
    ticked = prep.get("patient_checklist") or {}
    if not all(ticked.get(code) for code, _ in PATIENT_ITEMS):
        missing.append("the patient's checklist")
    staff = prep.get("staff_checklist") or {}
    if not all(staff.get(code) for code, _ in STAFF_ITEMS):
        missing.append("the care team's checklist")
    if not str(prep.get("warning_signs") or "").strip():
        missing.append("warning signs in the safety plan")
    if not str(prep.get("coping_steps") or "").strip():
        missing.append("coping steps in the safety plan")
    people = [(prep.get(f"contact{n}_name"), prep.get(f"contact{n}_phone")) for n in (1, 2)]
    if not any(name and phone for name, phone in people):
        missing.append("someone to call, with a phone number, in the safety plan")
    if not (prep.get("escort_name") and prep.get("escort_phone")):
        missing.append("who takes the patient home, with a phone number")
    return missing
