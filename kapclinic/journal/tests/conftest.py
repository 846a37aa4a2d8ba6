from kapclinic.outcomes.tests.conftest import _sms_outbox

__all__ = ["_sms_outbox"]
