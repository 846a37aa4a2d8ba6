from __future__ import annotations

import pytest

from kapclinic.scheduling import sms


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.SMS_BACKEND = "kapclinic.scheduling.sms.LocmemBackend"
    settings.PUBLIC_BASE_URL = "https://clinic.test"
    sms.outbox.clear()
    yield
    sms.outbox.clear()
