"""The staff article form: validation only; writes go through content.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify

from kapclinic.content.actions import EDITABLE_FIELDS
from kapclinic.content.models import Article

# Paths under /learn/ that an article slug must not shadow.
RESERVED_SLUGS = frozenset({"manage", "new", "preview"})
SLUG_TAKEN = "Another article already uses this address; choose another."
_SLUG_ROOM = 190  # leaves space for a "-NN" suffix within max_length=200


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A slug from `title` that no other article uses: "title", "title-2", ..."""
    base = slugify(title)[:_SLUG_ROOM].strip("-") or "article"
    others = Article.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


class ArticleForm(forms.ModelForm[Article]):
    slug = forms.SlugField(
        max_length=200,
        required=False,
        help_text="The web address: lower-case letters, digits and hyphens. "
        "Leave blank to make one from the title.",
        error_messages={"unique": SLUG_TAKEN},
    )

    class Meta:
        model = Article
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 18}),
        }
        help_texts = {
            "summary": "One or two sentences shown in lists and search results.",
            "body": "Markdown: # headings, **bold**, *italic*, - lists, [links](https://…). "
            "Raw HTML is removed.",
        }

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data.get("slug", "").strip().lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is reserved; choose another address.")
        return slug

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        title = cleaned.get("title")
        if not cleaned.get("slug") and title and "slug" not in self.errors:
            cleaned["slug"] = unique_slug(title, exclude_pk=self.instance.pk)
        return cleaned
