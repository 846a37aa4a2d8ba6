"""Who may read which article, and who may use the staff editor.

Published articles are public. Drafts exist only for clinic staff: anyone else gets
the same 404 as for a slug that does not exist, so a draft's existence never leaks.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from kapclinic.accounts.access import verified_staff
from kapclinic.content.models import Article


def is_editor(request: HttpRequest) -> bool:
    """Clinic staff past their second factor: the article pages are public, so the
    two-factor middleware does not stop a half-signed-in staff member reaching them."""
    return verified_staff(request) is not None


def require_editor(request: HttpRequest) -> None:
    """404 for anyone who is not clinic staff (the editor is not advertised)."""
    if not is_editor(request):
        raise Http404("No such page")


def published_articles() -> QuerySet[Article]:
    return Article.objects.filter(status=Article.Status.PUBLISHED, published_at__isnull=False)


def articles_for_editor(request: HttpRequest) -> QuerySet[Article]:
    """Every article, drafts first, for the staff list; 404 for anyone but staff."""
    require_editor(request)
    return Article.objects.select_related("author").order_by("status", "-updated_at")


def get_article_for_viewer(request: HttpRequest, slug: str) -> Article:
    """A published article for anyone, or a draft for staff; otherwise 404."""
    articles = Article.objects.all() if is_editor(request) else published_articles()
    article = articles.filter(slug=slug).first()
    if article is None:
        raise Http404("No such article")
    return article


def get_article_for_editor(request: HttpRequest, pk: int) -> Article:
    require_editor(request)
    article = Article.objects.filter(pk=pk).first()
    if article is None:
        raise Http404("No such article")
    return article
