"""seed_demo's dosing extras: a monitor token, a finished esketamine session with its
REMS form, and a stock log whose doses come from that session."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from kapclinic.controlled.ledger import balance_of, site_flags
from kapclinic.controlled.models import StockEntry
from kapclinic.dosing.device_tokens import DeviceToken
from kapclinic.dosing.rems_demo import DEMO_LOT
from kapclinic.dosing.rems_models import RemsForm

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_monitor_rems_form_and_stock_log_once():
    out = StringIO()
    call_command("seed_demo", "--patients", "10", "--quiet", stdout=out)
    assert "kapdev_" not in out.getvalue()  # the monitor's secret is never printed
    form = RemsForm.objects.get()
    assert form.status == RemsForm.Status.COMPLETED and form.facts["dose_choice"] == "56"
    site_id = form.session.site_id
    assert DeviceToken.objects.filter(site_id=site_id).count() == 1
    waste = StockEntry.objects.get(kind="waste")
    assert waste.witness_id not in (None, waste.recorded_by_id)
    assert balance_of(site_id, "esketamine", DEMO_LOT) == Decimal("784.00")
    count = StockEntry.objects.get(kind="count")
    assert count.discrepancy_mg == 0
    # The demo's ketamine doses come from a lot the log received: nothing to review.
    assert site_flags(site_id) == []
    call_command("seed_demo", "--patients", "0", "--quiet", stdout=StringIO())
    assert (RemsForm.objects.count(), StockEntry.objects.count()) == (1, 4)
