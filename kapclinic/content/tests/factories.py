"""Small helpers for article tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kapclinic.content.models import Article


def make_article(
    slug: str = "about-kap",
    *,
    title: str = "About KAP",
    status: str = Article.Status.PUBLISHED,
    body: str = "Some **general** information.",
    days_ago: int = 1,
) -> Article:
    published_at = None
    if status == Article.Status.PUBLISHED:
        published_at = timezone.now() - dt.timedelta(days=days_ago)
    return Article.objects.create(
        title=title,
        slug=slug,
        summary=f"Summary of {title}",
        body=body,
        status=status,
        published_at=published_at,
    )
