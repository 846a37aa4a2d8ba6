import markdown as md
import pytest
from django.utils.safestring import mark_safe

from e2e.test_public_pages import test_article_renders_markdown_with_disclaimer_and_no_script_runs as t

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_mutant(page, live_server, db, monkeypatch):
    monkeypatch.setattr(
        "kapclinic.content.views.render_markdown", lambda text: mark_safe(md.markdown(text))
    )
    t(page, live_server, db)
