"""The device feed: `POST /api/v1/sessions/{id}/vitals`, a monitor's readings.

A monitor sends one reading, or `{"readings": [...]}`, with its device token (scoped
to one site and to this endpoint: `device_tokens.py`). A person may send the same
with their API token or browser session, under their own access. Either way the
readings go through `readings.record_readings`, the one path that checks, stores,
raises alerts and audits; so a batch with one impossible value is a 400 naming the
field (`readings[2].spo2`) and nothing of it is stored.

Answers: 201 with the stored readings' ids and the alerts raised; 400 an impossible
or malformed value; 401 no valid token or session; 403 a person who may see the
patient but not record for them (or a session without its CSRF token); 404 a
session that does not exist, or that the caller may not see (a monitor sees only its
site's); 409 a session not in a state that takes readings; 429 a monitor sending
more often than its limit (`DeviceRateLimit`), with `Retry-After`.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Path, Router, Schema, Status
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from pydantic import AwareDatetime, BaseModel

from kapclinic.accounts.api_tokens import DEVICE_TOKEN_PREFIX
from kapclinic.accounts.models import User
from kapclinic.dosing import device_tokens
from kapclinic.dosing.device_tokens import DeviceToken
from kapclinic.dosing.models import DosingSession, VitalReading
from kapclinic.dosing.readings import MAX_BATCH, ReadingRefused, record_readings
from kapclinic.patients.access import access_basis
from kapclinic.patients.schemas import DatabaseId, ErrorOut

router = Router(tags=["dosing"])

# Operations a device token may call; their views are reachable without a signed-in
# person (kapclinic/api.py marks them), and authenticate here instead.
DEVICE_URL_NAMES = frozenset({"session_vitals"})


class DeviceTokenAuth(HttpBearer):
    """A monitor's token (`kapdev_...`); any other bearer token is left to the next auth."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> DeviceToken | None:
        if not token.startswith(DEVICE_TOKEN_PREFIX):
            return None
        return device_tokens.find_active(token)


class DeviceRateLimit(BaseThrottle):
    """A token bucket per monitor token: `DEVICE_FEED_BURST` requests at once, refilled
    at `DEVICE_FEED_REQUESTS_PER_MINUTE`. People (API token, session) are not limited
    here: they type readings in.

    Not ninja's SimpleRateThrottle: that one keys on the client's address or on
    str(auth), keeps one request's state on the shared instance (threads of one
    process would mix it up), and has no burst separate from the rate. The bucket
    lives in Django's cache under the token's hash, so each token is counted apart,
    and a test's token never meets another's count. Read-then-write, not atomic:
    two requests of one token at the same instant may both pass, which a monitor
    posting one request at a time never does.
    """

    clock = staticmethod(time.time)  # wall time: every process must agree on it

    def __init__(self) -> None:
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.wait = None
        token = getattr(request, "auth", None)
        if not isinstance(token, DeviceToken):
            return True
        per_second = settings.DEVICE_FEED_REQUESTS_PER_MINUTE / 60
        burst = settings.DEVICE_FEED_BURST
        key = f"device-feed:{token.token_hash}"
        now = self.clock()
        level, at = cache.get(key, (float(burst), now))
        level = min(float(burst), level + max(0.0, now - at) * per_second)
        if level < 1:
            self._local.wait = (1 - level) / per_second
            return False
        # Kept until the bucket would be full again; after that no entry means full.
        cache.set(key, (level - 1, now), timeout=math.ceil(burst / per_second) + 1)
        return True

    def wait(self) -> float | None:
        """Seconds until the refused token may send again (ninja's Retry-After)."""
        wait: float | None = getattr(self._local, "wait", None)
        return wait


class ReadingIn(BaseModel):
    """One set of vital signs; any subset may be measured.

    A plain pydantic model, not a ninja Schema: a Schema wraps every item of a batch
    to read Django objects' attributes, which cost more than the rest of its
    validation (profiled: the largest per-reading cost of a 200-reading batch)."""

    taken_at: AwareDatetime = Field(
        ..., description="When it was measured: ISO 8601 with its offset."
    )
    systolic: int | None = Field(None, description="mmHg (50-300)")
    diastolic: int | None = Field(None, description="mmHg (20-200, below systolic)")
    heart_rate: int | None = Field(None, description="beats per minute (20-250)")
    spo2: int | None = Field(None, description="% (50-100)")
    resp_rate: int | None = Field(None, description="breaths per minute (0-80)")
    moaas: int | None = Field(None, description="MOAA/S sedation rating (0-5)")
    symptoms: list[str] = Field(
        default_factory=list,
        description=(
            "Any of chest_pain, shortness_of_breath, severe_headache, visual_change, "
            "seizure, reduced_consciousness, focal_deficit."
        ),
    )


class VitalsIn(Schema):
    """One reading (its fields at the top level), or a batch under `readings`."""

    readings: list[ReadingIn] | None = Field(
        None, max_length=MAX_BATCH, description=f"A batch (at most {MAX_BATCH}); all or nothing."
    )
    taken_at: AwareDatetime | None = None
    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    resp_rate: int | None = None
    moaas: int | None = None
    symptoms: list[str] | None = None

    def batch(self) -> list[dict[str, Any]]:
        """The readings to store; raises ReadingRefused for a mixed or empty body."""
        single = self.model_dump(exclude={"readings"}, exclude_none=True)
        if self.readings is not None:
            if single:
                raise ReadingRefused(
                    sorted(single)[0], "send one reading or a batch under readings, not both"
                )
            if not self.readings:
                raise ReadingRefused("readings", "send at least one reading")
            return [r.model_dump() for r in self.readings]
        if self.taken_at is None:
            raise ReadingRefused("taken_at", "is required: when the reading was measured")
        return [single]


class AlertOut(Schema):
    id: int
    reading: int
    level: str = Field(..., description="warn or urgent")
    rule: str
    message: str


class StoredOut(Schema):
    readings: list[int] = Field(..., description="The stored readings' ids, in the order sent.")
    alerts: list[AlertOut]


class RefusedOut(Schema):
    detail: str
    field: str | None = Field(None, description="The value at fault, e.g. readings[2].spo2.")


def _session_for(request: HttpRequest, session_id: int) -> DosingSession:
    """The session the caller may send readings for, or 404."""
    found = DosingSession.objects.select_related("patient").filter(pk=session_id)
    auth = getattr(request, "auth", None)
    if isinstance(auth, DeviceToken):
        # A monitor sees its own site's sessions only; any other is "not found".
        session = found.filter(site_id=auth.site_id).first()
    else:
        session = found.first()
        user = request.user
        if session is not None and (
            not isinstance(user, User) or access_basis(user, session.patient, clinical=True) is None
        ):
            session = None
    if session is None:
        raise Http404("No such session")
    return session


def _name(field: str, *, batched: bool) -> str:
    """The API's name for a refused value: `record_readings` calls a lone reading
    "reading"; here it is the body itself, or `readings[0]` in a batch of one."""
    if field != "reading" and not field.startswith("reading."):
        return field
    rest = field.removeprefix("reading")
    if batched:
        return f"readings[0]{rest}"
    return rest.removeprefix(".") or "reading"


@router.post(
    "/sessions/{session_id}/vitals",
    response={
        201: StoredOut,
        400: RefusedOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        429: ErrorOut,
    },
    throttle=DeviceRateLimit(),
    url_name="session_vitals",
    operation_id="recordVitals",
    summary="Send vital signs for a dosing session (a monitor or a member of staff)",
)
def record_vitals(
    request: HttpRequest, session_id: Path[DatabaseId], payload: VitalsIn
) -> Status[Any]:
    """Store one reading or a batch, all or nothing, and return the alerts raised."""
    session = _session_for(request, session_id)
    auth = request.auth  # type: ignore[attr-defined]
    try:
        batch = payload.batch()
        if isinstance(auth, DeviceToken):
            stored = record_readings(
                session=session,
                readings=batch,
                source=VitalReading.Source.DEVICE,
                actor=None,
                device_label=auth.label,
            )
        else:
            stored = record_readings(session=session, readings=batch, actor=auth)
    except ReadingRefused as refused:
        if refused.field == "session":
            return Status(
                409, {"detail": f"This session takes no readings now: {refused.problem}."}
            )
        field = _name(refused.field, batched=payload.readings is not None)
        return Status(400, {"detail": f"{field}: {refused.problem}", "field": field})
    except PermissionDenied as denied:
        return Status(403, {"detail": str(denied)})
    return Status(
        201,
        {
            "readings": [r.pk for r in stored.readings],
            "alerts": [
                {
                    "id": a.pk,
                    "reading": a.reading_id,
                    "level": a.level,
                    "rule": a.rule,
                    "message": a.message,
                }
                for a in stored.alerts
            ],
        },
    )
