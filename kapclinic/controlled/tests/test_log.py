"""The controlled-substance log: receipts, doses from the dosing records, witnessed
waste, counts flagged when they disagree, corrections, append-only, access, CSV."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from kapclinic.accounts.models import Role
from kapclinic.audit.models import AuditEvent
from kapclinic.controlled import actions
from kapclinic.controlled.ledger import balance_of, balances
from kapclinic.controlled.models import StockEntry
from kapclinic.controlled.tests.helpers import LOT, count_stock, give_dose, receive_stock
from kapclinic.test import login, make_staff

pytestmark = pytest.mark.django_db


def test_balance_is_received_minus_doses_given_and_waste(cast):
    receive_stock(cast)
    give_dose(cast, "35")
    give_dose(cast, "40")
    actions.record_waste(
        actor=cast.nurse,
        site=cast.site,
        drug="ketamine",
        lot_number=LOT,
        quantity_mg=Decimal("5"),
        witness=cast.prescriber,
        reason="Drawn up, not given",
    )
    [row] = list(balances(cast.site.pk))
    assert (row["received"], row["given"], row["wasted"]) == (500, 75, 5)
    assert row["balance"] == Decimal("420.00")


def test_doses_at_another_site_do_not_count(cast):
    receive_stock(cast)
    dose = give_dose(cast, "35")
    assert balance_of(cast.site.pk, "ketamine", LOT) == Decimal("465.00")
    assert balance_of(cast.other_site.pk, "ketamine", LOT) == Decimal("0.00")
    assert dose.session.site == cast.site


def test_waste_needs_a_second_person_as_witness(cast):
    receive_stock(cast)
    with pytest.raises(actions.LogRefused, match="second member of staff"):
        actions.record_waste(
            actor=cast.nurse,
            site=cast.site,
            drug="ketamine",
            lot_number=LOT,
            quantity_mg=Decimal("5"),
            witness=cast.nurse,
            reason="Spilled",
        )
    assert not StockEntry.objects.filter(kind="waste").exists()


def test_the_database_refuses_a_self_witnessed_waste(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockEntry.objects.create(
            site=cast.site,
            kind="waste",
            drug="ketamine",
            lot_number=LOT,
            quantity_mg=Decimal("1"),
            witness=cast.nurse,
            recorded_by=cast.nurse,
        )


def test_waste_above_the_balance_is_refused(cast):
    receive_stock(cast, "10")
    with pytest.raises(actions.LogRefused, match="more than the log holds"):
        actions.record_waste(
            actor=cast.nurse,
            site=cast.site,
            drug="ketamine",
            lot_number=LOT,
            quantity_mg=Decimal("11"),
            witness=cast.prescriber,
            reason="Expired",
        )


def test_entries_are_never_changed(cast):
    entry = receive_stock(cast)
    entry.quantity_mg = Decimal("1")
    with pytest.raises(ValueError, match="never changed"):
        entry.save()


def test_a_count_that_disagrees_is_flagged_and_emails_the_sites_admins(
    cast, client, django_capture_on_commit_callbacks
):
    receive_stock(cast)
    give_dose(cast, "35")
    with django_capture_on_commit_callbacks(execute=True):
        count = count_stock(cast, "460")
    assert count.expected_mg == Decimal("465.00") and count.discrepancy_mg == Decimal("-5.00")
    assert [m.to for m in mail.outbox] == [[cast.admin.email]]
    assert "differs" in mail.outbox[0].subject
    login(client, cast.admin)
    page = client.get(reverse("controlled:site", args=[cast.site.pk])).content.decode()
    assert "Needs review" in page and "differed from the log by -5.00 mg" in page


def test_a_matching_count_sends_nothing(cast, django_capture_on_commit_callbacks):
    receive_stock(cast)
    with django_capture_on_commit_callbacks(execute=True):
        count_stock(cast, "500")
    assert mail.outbox == []


def test_a_correction_changes_the_balance_and_keeps_the_original(cast):
    entry = receive_stock(cast, "50")
    actions.record_correction(
        actor=cast.prescriber,
        site=cast.site,
        drug="ketamine",
        lot_number=LOT,
        change_mg=Decimal("-5"),
        reason="Receipt entered as 50 mg; the invoice says 45 mg.",
    )
    entry.refresh_from_db()
    assert entry.quantity_mg == Decimal("50.00")
    assert balance_of(cast.site.pk, "ketamine", LOT) == Decimal("45.00")


def test_every_entry_is_audited(cast):
    entry = receive_stock(cast)
    event = AuditEvent.objects.get(object_type="controlled.stockentry", object_id=str(entry.pk))
    assert event.actor == cast.nurse and event.detail["kind"] == "receipt"


def test_a_nurse_records_a_receipt_through_the_page(cast, client):
    login(client, cast.nurse)
    response = client.post(
        reverse("controlled:receive", args=[cast.site.pk]),
        {
            "drug": "ketamine",
            "lot_number": LOT,
            "strength": "50 mg/mL",
            "quantity_mg": "500",
            "supplier": "Example Pharma Supply",
        },
    )
    assert response.status_code == 302
    assert StockEntry.objects.get().recorded_by == cast.nurse


def test_each_lots_balance_is_the_column_beside_it(cast, client):
    # On a tablet the table scrolls sideways; the balance was its sixth column, out of view.
    receive_stock(cast)
    give_dose(cast, "35")
    login(client, cast.nurse)
    page = client.get(reverse("controlled:site", args=[cast.site.pk])).content.decode()
    assert "<th>Drug, lot</th><th>Balance</th>" in page
    assert (
        f'<td data-label="Drug, lot">Ketamine, {LOT}</td>\n'
        '    <td data-label="Balance"><strong>465.00 mg</strong></td>'
    ) in page


def test_a_self_witness_cannot_be_chosen_on_the_page(cast, client):
    receive_stock(cast)
    login(client, cast.nurse)
    response = client.post(
        reverse("controlled:waste", args=[cast.site.pk]),
        {
            "drug": "ketamine",
            "lot_number": LOT,
            "quantity_mg": "5",
            "witness": cast.nurse.pk,
            "reason": "Spilled",
        },
    )
    assert response.status_code == 400
    assert not StockEntry.objects.filter(kind="waste").exists()


@pytest.mark.parametrize("who", ["therapist", "front_desk", "outsider", "patient_user"])
def test_others_cannot_open_or_write_the_log(cast, client, who):
    login(client, getattr(cast, who))
    assert client.get(reverse("controlled:site", args=[cast.site.pk])).status_code == 404
    url = reverse("controlled:receive", args=[cast.site.pk])
    body = {
        "drug": "ketamine",
        "lot_number": LOT,
        "strength": "x",
        "quantity_mg": "5",
        "supplier": "x",
    }
    assert client.post(url, body).status_code == 404
    assert not StockEntry.objects.exists()


def test_an_admin_reviews_but_does_not_record(cast, client):
    login(client, cast.admin)
    assert client.get(reverse("controlled:site", args=[cast.site.pk])).status_code == 200
    assert client.get(reverse("controlled:receive", args=[cast.site.pk])).status_code == 404


def test_the_csv_is_formula_safe_and_lists_doses(cast, client):
    actions.record_receipt(
        actor=cast.nurse,
        site=cast.site,
        drug="ketamine",
        strength="50 mg/mL",
        lot_number=LOT,
        quantity_mg=Decimal("500"),
        supplier='=HYPERLINK("http://example.invalid")',
    )
    give_dose(cast, "35")
    login(client, cast.admin)
    response = client.get(reverse("controlled:export", args=[cast.site.pk]))
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in text and "Dose given" in text and "35.00" in text


def test_the_log_page_query_count_is_constant(cast, client, django_assert_num_queries):
    receive_stock(cast)
    give_dose(cast, "35")
    login(client, cast.nurse)
    url = reverse("controlled:site", args=[cast.site.pk])
    client.get(url)
    with django_assert_num_queries(15) as first:
        client.get(url)
    for n in range(3):
        receive_stock(cast, lot=f"LOT-{n}")
        give_dose(cast, "10", lot=f"LOT-{n}")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_only_site_staff_may_witness(cast):
    receive_stock(cast)
    stranger = make_staff("far@test.example", "Far Away", Role.NURSE, cast.other_site)
    with pytest.raises(actions.LogRefused, match="at this site"):
        actions.record_waste(
            actor=cast.nurse,
            site=cast.site,
            drug="ketamine",
            lot_number=LOT,
            quantity_mg=Decimal("1"),
            witness=stranger,
            reason="Spilled",
        )
