"""Dates are shown the way the site's country writes them, with the month named."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse

from kapclinic.lib.local_dates import format_local_date, local_date_pattern, read_local_date
from kapclinic.test import login

DAY = dt.date(1985, 4, 12)


@pytest.mark.parametrize(
    ("country", "shown"), [("US", "Apr 12, 1985"), ("us", "Apr 12, 1985"), ("GB", "12 Apr 1985")]
)
def test_a_date_is_shown_in_the_countrys_order_with_the_month_named(country, shown):
    assert format_local_date(DAY, country) == shown


def test_what_is_shown_reads_back_as_the_same_day_when_typed_the_local_way():
    for country in ("US", "DE"):
        pattern = local_date_pattern(country)
        typed = DAY.strftime("%m/%d/%Y" if pattern.startswith("MM") else "%d/%m/%Y")
        assert read_local_date(typed, country) == DAY


def test_the_filter_takes_dates_datetimes_and_nothing():
    template = Template(
        "{% load local_dates %}[{{ a|local_date:'US' }}|{{ b|local_date:'FR' }}|{{ c|local_date }}]"
    )
    rendered = template.render(
        Context({"a": DAY, "b": dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC), "c": None})
    )
    assert rendered == "[Apr 12, 1985|1 Mar 2026|]"


def test_the_chart_and_list_show_the_birth_date_the_sites_way(client, cast):
    login(client, cast.prescriber)
    chart = client.get(reverse("patients:chart", args=[cast.patient.pk])).content.decode()
    assert "born Jun 15, 1985" in chart
    listing = client.get(reverse("patients:list")).content.decode()
    assert "Jun 15, 1985" in listing
    cast.site.country = "GB"
    cast.site.save(update_fields=["country"])
    chart = client.get(reverse("patients:chart", args=[cast.patient.pk])).content.decode()
    assert "born 15 Jun 1985" in chart


def test_the_portal_shows_the_birth_date_the_sites_way(client, cast):
    login(client, cast.patient_user)
    assert "Jun 15, 1985" in client.get(reverse("patients:portal")).content.decode()
