import pytest

from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.content import actions
from kapclinic.content.models import Article
from kapclinic.content.tests.factories import make_article

FIELDS = {"title": "T", "slug": "t", "summary": "S", "body": "B", "status": "draft"}


def test_create_article_records_author_and_one_audit_row(cast):
    article = actions.create_article(actor=cast.therapist, **FIELDS)
    assert article.author == cast.therapist
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == (AuditAction.CREATE, str(article.pk))


def test_create_published_article_sets_published_at(cast):
    article = actions.create_article(actor=cast.therapist, **{**FIELDS, "status": "published"})
    assert article.published_at is not None


def test_actor_is_keyword_only(cast):
    with pytest.raises(TypeError):
        actions.create_article(cast.therapist, **FIELDS)  # type: ignore[misc]


def test_update_without_changes_writes_nothing(cast):
    article = make_article()
    changed = actions.update_article(article, actor=cast.nurse, title=article.title)
    assert changed == []
    assert not AuditEvent.objects.exists()


def test_update_audits_field_names_not_values(cast):
    article = make_article(body="old words")
    actions.update_article(article, actor=cast.nurse, body="new secret words")
    event = AuditEvent.objects.get()
    assert event.detail == {"fields": ["body"]}
    assert "secret" not in str(event.detail)


def test_republishing_keeps_first_published_at(cast):
    article = make_article()
    first = article.published_at
    actions.update_article(article, actor=cast.nurse, status=Article.Status.DRAFT)
    actions.update_article(article, actor=cast.nurse, status=Article.Status.PUBLISHED)
    article.refresh_from_db()
    assert article.published_at == first


def test_update_refuses_fields_outside_the_editor(cast):
    article = make_article()
    with pytest.raises(ValueError):
        actions.update_article(article, actor=cast.nurse, author=cast.nurse)
    assert not AuditEvent.objects.exists()
