"""The public site (home page, education articles) and the staff article editor."""

from __future__ import annotations

import copy
from typing import cast

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kapclinic.accounts.models import User
from kapclinic.clinics.models import Site
from kapclinic.content import actions
from kapclinic.content.access import (
    articles_for_editor,
    get_article_for_editor,
    get_article_for_viewer,
    is_editor,
    published_articles,
    require_editor,
)
from kapclinic.content.forms import SLUG_TAKEN, ArticleForm
from kapclinic.content.markdown import render_markdown
from kapclinic.content.models import Article

ARTICLES_PER_PAGE = 20


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.filter(is_active=True).order_by("name")
    latest = published_articles().order_by("-published_at")[:3]
    return render(request, "home.html", {"sites": sites, "latest": latest})


@login_not_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    articles = published_articles().order_by("-published_at", "title")
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "content/article_list.html", {"page": page})


@login_not_required
@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_article_for_viewer(request, slug)
    context = {
        "article": article,
        "body_html": render_markdown(article.body),
        "can_edit": is_editor(request),
    }
    return render(request, "content/article_detail.html", context)


@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    articles = articles_for_editor(request)
    return render(request, "content/manage_list.html", {"articles": articles})


@require_http_methods(["GET", "POST"])
def manage_new(request: HttpRequest) -> HttpResponse:
    require_editor(request)
    return _edit(request, Article())


@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_article_for_editor(request, pk)
    return _edit(request, article)


def _edit(request: HttpRequest, article: Article) -> HttpResponse:
    """The create/edit form; "preview" shows the rendered body without saving."""
    editor = cast(User, request.user)
    # The form fills its instance while validating; give it a copy so the action
    # can still see which fields really changed.
    form = ArticleForm(request.POST or None, instance=copy.copy(article))
    preview_html = None
    if request.method == "POST" and "preview" in request.POST:
        preview_html = render_markdown(request.POST.get("body", ""))
        form.is_valid()  # show field errors next to the preview; nothing is saved
    elif request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in actions.EDITABLE_FIELDS}
        try:
            if article.pk is None:
                article = actions.create_article(actor=editor, **fields)
            else:
                actions.update_article(article, actor=editor, **fields)
        except IntegrityError:
            # Another editor took the slug between validation and save.
            form.add_error("slug", SLUG_TAKEN)
        else:
            return redirect("content:manage_edit", pk=article.pk)
    context = {"form": form, "article": article, "preview_html": preview_html}
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "content/manage_form.html", context, status=status)
