"""Articles in the Django admin are read-only: edits go through the audited editor."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from kapclinic.audit.django_admin import AuditedAdmin
from kapclinic.content.models import Article


@admin.register(Article)
class ArticleAdmin(AuditedAdmin, admin.ModelAdmin[Article]):
    list_display = ["title", "slug", "status", "published_at", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "summary"]

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False
