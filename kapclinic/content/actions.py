"""Every write to articles: atomic, by a named staff member, with one audit row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction
from kapclinic.content.models import Article

if TYPE_CHECKING:
    from kapclinic.accounts.models import User

EDITABLE_FIELDS = ("title", "slug", "summary", "body", "status")


def _stamp_publication(article: Article) -> list[str]:
    """Set published_at the first time an article is published; return fields touched."""
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
        return ["published_at"]
    return []


@transaction.atomic
def create_article(
    *, actor: User, title: str, slug: str, summary: str, body: str, status: str
) -> Article:
    article = Article(
        title=title, slug=slug, summary=summary, body=body, status=status, author=actor
    )
    _stamp_publication(article)
    article.updated_at = timezone.now()
    article.save()
    record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=article,
        detail={"fields": list(EDITABLE_FIELDS)},
    )
    return article


@transaction.atomic
def update_article(article: Article, *, actor: User, **changes: Any) -> list[str]:
    """Apply `changes` (editable fields only); save and audit only what changed.

    Returns the names of the fields that changed (empty: nothing was written).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    changed = [name for name, value in changes.items() if getattr(article, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(article, name, changes[name])
    touched = changed + _stamp_publication(article)
    article.updated_at = timezone.now()
    article.save(update_fields=[*touched, "updated_at"])
    record(actor=actor, action=AuditAction.UPDATE, obj=article, detail={"fields": changed})
    return changed
