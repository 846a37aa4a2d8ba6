"""The public site: the disclaimer is on every education page, and article HTML is inert."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kapclinic.content.models import Article

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOSTILE_BODY = """\
## Before your first session

Eat lightly and bring someone to take you home.

<script>window.__pwned = 1</script>

<img src="x" onerror="window.__pwned_img = 1">

[click me](javascript:window.__pwned_link=1)
"""


def disclaimer(page: Page):
    return page.get_by_role("note", name="Medical disclaimer")


def test_home_page_shows_the_disclaimer(page: Page, live_server, db):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ketamine-assisted psychotherapy")
    expect(disclaimer(page)).to_contain_text("General education, not medical advice.")


def test_article_renders_markdown_with_disclaimer_and_no_script_runs(page: Page, live_server, db):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    article = Article.objects.create(
        title="Preparing for a session",
        slug="preparing",
        summary="What to do the day before.",
        body=HOSTILE_BODY,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )

    page.goto(f"{live_server.url}{article.get_absolute_url()}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Preparing for a session")
    expect(page.get_by_role("heading", name="Before your first session")).to_be_visible()
    expect(page.get_by_text("Eat lightly and bring someone")).to_be_visible()
    expect(disclaimer(page).first).to_contain_text("not medical advice")
    body = page.locator(".article-body")
    expect(body.locator("script, img, [onerror]")).to_have_count(0)
    expect(body.locator("a[href^='javascript']")).to_have_count(0)
    page.get_by_text("click me").click()
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__pwned_img") is None
    assert page.evaluate("window.__pwned_link") is None
    assert errors == []


def test_published_article_is_linked_from_the_home_page(page: Page, live_server, db):
    Article.objects.create(
        title="What is KAP?",
        slug="what-is-kap",
        summary="An introduction.",
        body="Hello.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    Article.objects.create(
        title="Unfinished draft", slug="draft", summary="Not yet.", body="Draft."
    )
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="What is KAP?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What is KAP?")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Unfinished draft")).to_have_count(0)
