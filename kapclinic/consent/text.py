"""The exact text a patient reads and signs: the document plus the notices that apply.

The notices depend on the patient (their indication: `notices.is_off_label`), so
they are added when the form is opened, and the whole is rendered once with the
content pages' sanitiser. The SHA-256 of that HTML is what the patient signs: the
signing page sends it back, and a form whose text changed meanwhile (a new version
published) is refused rather than signed unseen.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from django.utils.safestring import SafeString

from kapclinic.consent import notices
from kapclinic.consent.models import ConsentDocument
from kapclinic.content.markdown import render_markdown
from kapclinic.patients.models import Patient
from kapclinic.screening.models import ScreeningRecord

OFF_LABEL_NOTICE = """
## Off-label use

The medicine used in this treatment is not licensed for the condition you are being
treated for. Doctors may prescribe a medicine "off-label" when they judge it may help
and have explained why. This means the manufacturer has not asked the regulator to
approve it for this use, and the evidence for it, although growing, is less than for
licensed uses. Your prescriber has explained the reasons, what is known about benefits
and risks, and the alternatives.
"""

REMS_NOTICE = """
## Esketamine safety programme (REMS)

Esketamine is only given under a safety programme (in the United States, the
esketamine REMS). Before your first treatment you are enrolled in it. It means:

- you take each dose here at the clinic, under the eye of our staff;
- you stay with us for at least 2 hours after each dose, until the clinic team says
  it is safe for you to leave;
- the clinic reports information about each session to the programme;
- you do not drive or operate machinery until the next day, after a restful sleep.
"""

BASE_ACKNOWLEDGEMENTS: tuple[tuple[str, str], ...] = (
    ("read", "I have read this consent form and understood it."),
    ("questions", "I was able to ask questions, and they were answered."),
    ("no_driving", "I will not drive home after a session; someone will take me home."),
    ("withdraw", "I know I can withdraw my consent at any time."),
)
OFF_LABEL_ACKNOWLEDGEMENT = (
    "off_label",
    "I understand the medicine is used off-label for my condition.",
)
REMS_ACKNOWLEDGEMENT = (
    "rems",
    "I agree to be enrolled in the esketamine safety programme (REMS) and to stay at "
    "least 2 hours after each dose.",
)


@dataclass(frozen=True)
class RenderedConsent:
    """What one patient is shown for one document, and the hash they sign."""

    document: ConsentDocument
    html: SafeString
    sha256: str
    off_label: bool
    rems: bool
    acknowledgements: tuple[tuple[str, str], ...]


def patient_indication(patient: Patient) -> str | None:
    """The indication on the patient's latest signed screening (None if none yet)."""
    facts = (
        ScreeningRecord.objects.filter(patient=patient, status=ScreeningRecord.Status.SIGNED)
        .order_by("-signed_at", "-id")
        .values_list("facts", flat=True)
        .first()
    )
    indication = facts.get("indication") if isinstance(facts, dict) else None
    return indication if isinstance(indication, str) else None


def render_for(document: ConsentDocument, indication: str | None) -> RenderedConsent:
    off_label = notices.is_off_label(document.route, indication)
    rems = notices.needs_rems(document.route)
    # The title is a second-level heading: the page around the text has its own h1.
    markdown = f"## {document.title}\n\n{document.body.strip()}\n"
    acknowledgements = list(BASE_ACKNOWLEDGEMENTS)
    if off_label:
        markdown += OFF_LABEL_NOTICE
        acknowledgements.append(OFF_LABEL_ACKNOWLEDGEMENT)
    if rems:
        markdown += REMS_NOTICE
        acknowledgements.append(REMS_ACKNOWLEDGEMENT)
    markdown += f"\n*{document.get_route_display()} consent, version {document.version}.*\n"
    html = render_markdown(markdown)
    return RenderedConsent(
        document=document,
        html=html,
        sha256=hashlib.sha256(str(html).encode("utf-8")).hexdigest(),
        off_label=off_label,
        rems=rems,
        acknowledgements=tuple(acknowledgements),
    )


def render_document(document: ConsentDocument, patient: Patient) -> RenderedConsent:
    """The form as `patient` sees it, with the notices their indication needs."""
    return render_for(document, patient_indication(patient))


def normalise_name(name: str) -> str:
    """A name compared forgivingly: same letters, any case, any spacing."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_matches(typed: str, patient: Patient) -> bool:
    """Whether `typed` is the patient's full name on the record (given then family)."""
    expected = normalise_name(f"{patient.given_name} {patient.family_name}")
    return bool(expected) and normalise_name(typed) == expected
