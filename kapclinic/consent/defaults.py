"""A first version of the consent form for each route, in plain language.

Our own words, written for the demo clinic and as a starting point a clinic adapts
(its clinicians and lawyers review it before real use). `ensure_documents` publishes
version 1 for every route that has no document yet; the demo data and test walks
use it. Nothing here is a claim of legal sufficiency.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kapclinic.consent.models import ConsentDocument
from kapclinic.treatment.models import Route

_COMMON_RISKS = """
## Possible effects and risks

- During the session you may feel detached from your body or surroundings, see
  colours or shapes, or feel time pass differently. This usually fades within an
  hour or two.
- Blood pressure and heart rate usually rise for a while. We check them before,
  during and after the dose, and we may delay or stop treatment if they are too high.
- Nausea, dizziness, headache, drowsiness and blurred vision are common and pass.
- Some people feel anxious or upset during the session. Staff are with you and can help.
- Used often or for a long time, ketamine can harm the bladder and can be misused.
  Tell us about any pain when passing urine, and about any urge to take more.
- Rarely, breathing can slow down. Staff watch for this and are trained to respond.

## Your part

- Tell us about every medicine, supplement and drug you take, and any change.
- Follow the eating and drinking instructions we give you for the day of treatment.
- Do not drive, cycle or operate machinery until the next day after a restful sleep.
- Someone you trust takes you home.
- Tell us straight away if you feel worse, have thoughts of harming yourself, or
  notice new symptoms.

## Your choices

Taking part is your decision. You can ask questions at any time, and you can stop
treatment and withdraw your consent at any time without affecting the rest of your
care. Other treatments are available, and your prescriber has talked them through
with you.
"""

_INTRO = {
    Route.IV: (
        "Consent to ketamine-assisted therapy by intravenous infusion",
        "A nurse places a small tube in a vein in your arm, and a pump gives ketamine "
        "slowly, usually over about 40 minutes. A course is usually several infusions over "
        "two to three weeks. You stay in a monitored chair with staff nearby, and you meet "
        "your therapist before and after to prepare and to make sense of the experience.",
    ),
    Route.IM: (
        "Consent to ketamine-assisted therapy by injection into a muscle",
        "A nurse injects ketamine into the muscle of your upper arm or thigh. The effects "
        "start within minutes and last about an hour. You stay in a monitored chair with "
        "staff nearby, and you meet your therapist before and after each session.",
    ),
    Route.ORAL: (
        "Consent to ketamine-assisted therapy with a lozenge",
        "You hold a ketamine lozenge under your tongue or in your cheek for the time we "
        "tell you, then spit out what is left. The effects come on more slowly than by "
        "injection. Sessions are at most twice a week, with an integration session with "
        "your therapist between doses.",
    ),
    Route.INTRANASAL: (
        "Consent to esketamine nasal spray treatment",
        "You use the nasal spray devices yourself, here at the clinic, with a few minutes "
        "between devices, while a member of staff watches. Treatment is usually twice a "
        "week for the first four weeks, then less often. Esketamine is a form of ketamine.",
    ),
}


def default_body(route: str) -> tuple[str, str]:
    """The title and Markdown body of the first version for `route`."""
    title, intro = _INTRO[Route(route)]
    body = (
        "## What the treatment is\n\n"
        "Ketamine-assisted therapy combines a medicine, given here at the clinic, with "
        "talking sessions before and after. " + intro + "\n" + _COMMON_RISKS
    )
    return title, body


@transaction.atomic
def ensure_documents() -> int:
    """Publish version 1 of every route's form that has no document yet; how many."""
    existing = set(ConsentDocument.objects.values_list("route", flat=True))
    now = timezone.now()
    created = 0
    for route in Route.values:
        if route in existing:
            continue
        title, body = default_body(route)
        ConsentDocument.objects.create(
            route=route,
            version=1,
            title=title,
            body=body,
            status=ConsentDocument.Status.PUBLISHED,
            published_at=now,
        )
        created += 1
    return created
