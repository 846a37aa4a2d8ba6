"""Turn an article's Markdown into HTML that is safe to show on the public site.

Python-Markdown passes raw HTML straight through, so its output is never trusted:
nh3 (the Rust `ammonia` sanitiser) keeps only the tags Markdown itself produces,
drops event-handler and style attributes, removes <script>/<style> with their
content, and allows links only to http, https, mailto and tel. Images are not
allowed: an education page needs none, and remote images would leak visitors'
addresses to third parties.
"""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "strong",
        "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Removed together with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})

EXTENSIONS = ["extra", "sane_lists", "smarty"]


def render_markdown(text: str) -> SafeString:
    """Markdown to sanitised HTML, ready to drop into a template unescaped."""
    html = md.markdown(text, extensions=EXTENSIONS, output_format="html")
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above
