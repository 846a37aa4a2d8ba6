"""Clinic admins mark flags of the controlled-substance log reviewed: only the site's
own admins, a note required, append-only, audited; a reviewed flag leaves "needs
review" but stays in the history, and a new discrepancy on the lot is a new flag."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from kapclinic.accounts.models import Role
from kapclinic.audit.models import AuditEvent
from kapclinic.controlled import actions
from kapclinic.controlled.ledger import site_flags, unreviewed
from kapclinic.controlled.models import FlagReview
from kapclinic.controlled.tests.helpers import LOT, count_stock, give_dose, receive_stock
from kapclinic.test import Cast, login, make_staff

pytestmark = pytest.mark.django_db

NOTE = "Recounted with the pharmacist: one vial was in the fridge. Log amended."


def _log(client: Client, cast: Cast) -> str:
    return client.get(reverse("controlled:site", args=[cast.site.pk])).content.decode()


def _needs_review(page: str) -> str:
    """The "needs review" section of the log page ('' when there is none)."""
    start = page.find('id="log-flags"')
    return "" if start < 0 else page[start : page.find("</section>", start)]


def _review_url(cast: Cast) -> str:
    return reverse("controlled:review", args=[cast.site.pk])


def test_the_admin_marks_a_differing_count_reviewed(cast: Cast, client: Client) -> None:
    receive_stock(cast)
    count = count_stock(cast, "490")
    [flag] = site_flags(cast.site.pk)
    assert flag.key == f"count:{count.pk}"
    login(client, cast.admin)
    assert "differed from the log by -10.00 mg" in _needs_review(_log(client, cast))
    form = client.get(_review_url(cast), {"flag": flag.key})
    assert form.status_code == 200 and "differed from the log" in form.content.decode()
    response = client.post(_review_url(cast), {"flag": flag.key, "note": f"  {NOTE}  "})
    assert response.status_code == 302
    review = FlagReview.objects.get()
    assert (review.reviewed_by, review.note, review.kind) == (cast.admin, NOTE, "count_differs")
    assert review.flag_message == flag.message and review.lot_number == LOT
    page = _log(client, cast)
    assert _needs_review(page) == ""
    assert 'id="log-reviews"' in page and NOTE in page
    event = AuditEvent.objects.get(object_type="controlled.flagreview", action="create")
    assert event.actor == cast.admin and event.detail["flag"] == flag.key


def test_a_new_discrepancy_on_the_lot_after_review_shows_again(cast: Cast) -> None:
    receive_stock(cast)
    count_stock(cast, "490")
    [first] = site_flags(cast.site.pk)
    actions.review_flag(actor=cast.admin, site=cast.site, flag_key=first.key, note=NOTE)
    assert unreviewed(cast.site.pk, site_flags(cast.site.pk)) == []
    later = count_stock(cast, "480")
    [again] = unreviewed(cast.site.pk, site_flags(cast.site.pk))
    assert again.key == f"count:{later.pk}" and again.lot_number == LOT


def test_a_negative_balance_flags_again_after_anothergive_dose(cast: Cast) -> None:
    receive_stock(cast, "30")
    give_dose(cast, "35")
    [negative] = site_flags(cast.site.pk)
    assert negative.kind == "negative_balance"
    actions.review_flag(actor=cast.admin, site=cast.site, flag_key=negative.key, note=NOTE)
    assert unreviewed(cast.site.pk, site_flags(cast.site.pk)) == []
    give_dose(cast, "5")
    [again] = unreviewed(cast.site.pk, site_flags(cast.site.pk))
    assert again.kind == "negative_balance" and again.key != negative.key


def test_a_lot_never_received_flags_again_after_anothergive_dose(cast: Cast) -> None:
    give_dose(cast, "35", lot="NOWHERE-1")
    [flag] = site_flags(cast.site.pk)
    assert flag.kind == "never_received"
    actions.review_flag(actor=cast.admin, site=cast.site, flag_key=flag.key, note=NOTE)
    assert unreviewed(cast.site.pk, site_flags(cast.site.pk)) == []
    give_dose(cast, "35", lot="NOWHERE-1")
    assert len(unreviewed(cast.site.pk, site_flags(cast.site.pk))) == 1


def test_an_empty_note_is_refused_and_the_form_keeps_the_choice(cast: Cast, client: Client) -> None:
    receive_stock(cast)
    count_stock(cast, "490")
    [flag] = site_flags(cast.site.pk)
    login(client, cast.admin)
    response = client.post(_review_url(cast), {"flag": flag.key, "note": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write what you found" in page
    assert f'value="{flag.key}"' in page and "checked" in page
    assert not FlagReview.objects.exists()
    assert not AuditEvent.objects.filter(object_type="controlled.flagreview", action="create")


def test_a_note_is_kept_when_the_flag_is_missing(cast: Cast, client: Client) -> None:
    receive_stock(cast)
    count_stock(cast, "490")
    login(client, cast.admin)
    response = client.post(_review_url(cast), {"flag": "count:999999", "note": NOTE})
    assert response.status_code == 400
    assert NOTE in response.content.decode() and "no longer open" in response.content.decode()
    assert not FlagReview.objects.exists()


@pytest.mark.parametrize("who", ["nurse", "prescriber", "therapist", "front_desk", "outsider"])
def test_others_cannot_review(cast: Cast, client: Client, who: str) -> None:
    receive_stock(cast)
    count_stock(cast, "490")
    [flag] = site_flags(cast.site.pk)
    login(client, getattr(cast, who))
    assert client.get(_review_url(cast)).status_code == 404
    assert client.post(_review_url(cast), {"flag": flag.key, "note": NOTE}).status_code == 404
    with pytest.raises(actions.LogRefused, match="clinic admins"):
        actions.review_flag(actor=getattr(cast, who), site=cast.site, flag_key=flag.key, note=NOTE)
    assert not FlagReview.objects.exists()


def test_an_admin_of_another_site_cannot_review(cast: Cast, client: Client) -> None:
    receive_stock(cast)
    count_stock(cast, "490")
    [flag] = site_flags(cast.site.pk)
    far = make_staff("far-admin@test.example", "Fay Faraway", Role.CLINIC_ADMIN, cast.other_site)
    login(client, far)
    assert client.get(_review_url(cast)).status_code == 404
    assert client.post(_review_url(cast), {"flag": flag.key, "note": NOTE}).status_code == 404
    with pytest.raises(actions.LogRefused):
        actions.review_flag(actor=far, site=cast.site, flag_key=flag.key, note=NOTE)
    assert not FlagReview.objects.exists()


def test_nurses_see_the_history_but_no_review_link(cast: Cast, client: Client) -> None:
    receive_stock(cast)
    count_stock(cast, "490")
    [flag] = site_flags(cast.site.pk)
    login(client, cast.nurse)
    assert "Needs review" in _log(client, cast) and "Mark reviewed" not in _log(client, cast)
    actions.review_flag(actor=cast.admin, site=cast.site, flag_key=flag.key, note=NOTE)
    page = _log(client, cast)
    assert _needs_review(page) == "" and NOTE in page


def test_a_flag_is_reviewed_once_and_reviews_are_never_changed(cast: Cast) -> None:
    receive_stock(cast)
    count_stock(cast, "490")
    [flag] = site_flags(cast.site.pk)
    review = actions.review_flag(actor=cast.admin, site=cast.site, flag_key=flag.key, note=NOTE)
    with pytest.raises(actions.LogRefused, match="already been reviewed"):
        actions.review_flag(actor=cast.admin, site=cast.site, flag_key=flag.key, note="again")
    review.note = "changed"
    with pytest.raises(ValueError, match="never changed"):
        review.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        FlagReview.objects.create(
            site=cast.site,
            kind=flag.kind,
            drug=flag.drug,
            lot_number=flag.lot_number,
            flag_key=flag.key,
            flag_message=flag.message,
            note="a second one",
            reviewed_by=cast.admin,
        )
    assert FlagReview.objects.get().note == NOTE


def test_the_review_page_says_when_nothing_needs_review(cast: Cast, client: Client) -> None:
    login(client, cast.admin)
    response = client.get(_review_url(cast))
    assert response.status_code == 200 and "Nothing in this log needs review" in (
        response.content.decode()
    )


def test_the_log_page_query_count_is_constant_with_flags_and_reviews(
    cast: Cast, client: Client, django_assert_num_queries
) -> None:
    receive_stock(cast)
    count_stock(cast, "490")
    [flag] = site_flags(cast.site.pk)
    actions.review_flag(actor=cast.admin, site=cast.site, flag_key=flag.key, note=NOTE)
    count_stock(cast, "480")
    login(client, cast.admin)
    url = reverse("controlled:site", args=[cast.site.pk])
    client.get(url)
    with django_assert_num_queries(17) as first:
        client.get(url)
    for n in range(3):
        lot = f"LOT-{n}"
        receive_stock(cast, lot=lot)
        give_dose(cast, "10", lot=lot)
        count_stock(cast, "1", lot=lot)
        [new] = [f for f in site_flags(cast.site.pk) if f.lot_number == lot]
        actions.review_flag(actor=cast.admin, site=cast.site, flag_key=new.key, note=NOTE)
        give_dose(cast, "600", lot=lot)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)
