import pytest
from django.urls import reverse

from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.content.models import Article
from kapclinic.content.tests.factories import make_article

STAFF = ["admin", "prescriber", "nurse", "therapist", "front_desk"]


def form_data(**overrides):
    data = {
        "title": "Preparing for your first session",
        "slug": "",
        "summary": "What to expect.",
        "body": "## Before\n\nSleep well.",
        "status": "draft",
        "save": "1",
    }
    data.update(overrides)
    return data


# Article list for staff


@pytest.mark.parametrize("who", STAFF)
def test_every_staff_role_sees_all_articles(as_user, cast, who):
    make_article("public-one", title="Public one")
    make_article("draft-one", title="Draft one", status=Article.Status.DRAFT)
    response = as_user(getattr(cast, who)).get(reverse("content:manage"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Public one" in text
    assert "Draft one" in text


def test_manage_redirects_anonymous_to_login(client, db):
    response = client.get(reverse("content:manage"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_manage_is_404_for_patient(as_user, cast):
    assert as_user(cast.patient_user).get(reverse("content:manage")).status_code == 404


def test_manage_rejects_post(as_user, cast):
    assert as_user(cast.nurse).post(reverse("content:manage")).status_code == 405


# Create


def test_staff_creates_article_with_slug_from_title(as_user, cast):
    response = as_user(cast.therapist).post(reverse("content:manage_new"), form_data())
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("content:manage_edit", args=[article.pk])
    assert article.slug == "preparing-for-your-first-session"
    assert article.author == cast.therapist
    assert article.published_at is None


def test_create_writes_one_audit_row(as_user, cast):
    as_user(cast.therapist).post(reverse("content:manage_new"), form_data())
    article = Article.objects.get()
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CREATE
    assert event.actor == cast.therapist
    assert event.object_type == "content.article"
    assert event.object_id == str(article.pk)
    assert set(event.detail["fields"]) >= {"title", "body", "status"}


def test_publishing_on_create_sets_published_at(as_user, cast):
    as_user(cast.prescriber).post(reverse("content:manage_new"), form_data(status="published"))
    assert Article.objects.get().published_at is not None


def test_auto_slug_is_made_unique(as_user, cast):
    make_article("preparing-for-your-first-session")
    as_user(cast.nurse).post(reverse("content:manage_new"), form_data())
    assert Article.objects.filter(slug="preparing-for-your-first-session-2").exists()


def test_missing_title_shows_error_keeps_input_and_saves_nothing(as_user, cast):
    response = as_user(cast.nurse).post(
        reverse("content:manage_new"), form_data(title="", body="My typed body text")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["title"]
    text = response.content.decode()
    assert 'id="id_title_errors"' in text
    assert "My typed body text" in text
    assert not Article.objects.exists()
    assert not AuditEvent.objects.exists()


def test_duplicate_slug_is_a_form_error(as_user, cast):
    make_article("taken")
    response = as_user(cast.nurse).post(reverse("content:manage_new"), form_data(slug="taken"))
    assert response.status_code == 400
    assert "already uses this address" in response.content.decode()
    assert Article.objects.count() == 1


def test_bad_slug_characters_are_a_form_error(as_user, cast):
    response = as_user(cast.nurse).post(reverse("content:manage_new"), form_data(slug="no spaces!"))
    assert response.status_code == 400
    assert response.context["form"].errors["slug"]
    assert not Article.objects.exists()


def test_reserved_slug_is_refused(as_user, cast):
    response = as_user(cast.nurse).post(reverse("content:manage_new"), form_data(slug="manage"))
    assert response.status_code == 400
    assert not Article.objects.exists()


def test_unknown_status_is_refused(as_user, cast):
    response = as_user(cast.nurse).post(reverse("content:manage_new"), form_data(status="live"))
    assert response.status_code == 400
    assert not Article.objects.exists()


def test_patient_cannot_create(as_user, cast):
    response = as_user(cast.patient_user).post(reverse("content:manage_new"), form_data())
    assert response.status_code == 404
    assert not Article.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_anonymous_cannot_create(client, db):
    response = client.post(reverse("content:manage_new"), form_data())
    assert response.status_code == 302
    assert not Article.objects.exists()


def test_new_article_form_rejects_put(as_user, cast):
    assert as_user(cast.nurse).put(reverse("content:manage_new")).status_code == 405


# Preview


def test_preview_renders_sanitised_body_and_saves_nothing(as_user, cast):
    body = "**Bold** <script>alert(1)</script>"
    data = form_data(body=body)
    del data["save"]
    data["preview"] = "1"
    response = as_user(cast.nurse).post(reverse("content:manage_new"), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Preview (not saved)" in text
    assert "<strong>Bold</strong>" in text
    assert "<script>alert(1)</script>" not in text
    assert not Article.objects.exists()
    assert not AuditEvent.objects.exists()


def test_preview_of_existing_article_changes_nothing(as_user, cast):
    article = make_article(title="Original")
    data = form_data(title="Changed", slug=article.slug)
    del data["save"]
    data["preview"] = "1"
    as_user(cast.nurse).post(reverse("content:manage_edit", args=[article.pk]), data)
    article.refresh_from_db()
    assert article.title == "Original"


# Edit


def test_edit_form_shows_current_values(as_user, cast):
    article = make_article(title="Original title")
    response = as_user(cast.therapist).get(reverse("content:manage_edit", args=[article.pk]))
    assert response.status_code == 200
    assert "Original title" in response.content.decode()


def test_edit_saves_changes_and_audits_changed_fields_only(as_user, cast):
    article = make_article(
        "kept-slug", title="Old", status=Article.Status.DRAFT, body="Some **general** information."
    )
    data = form_data(
        title="New", slug="kept-slug", summary=article.summary, body=article.body, status="draft"
    )
    response = as_user(cast.nurse).post(reverse("content:manage_edit", args=[article.pk]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "New"
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.UPDATE
    assert event.detail == {"fields": ["title"]}


def test_publishing_a_draft_sets_published_at(as_user, cast):
    article = make_article(status=Article.Status.DRAFT)
    data = form_data(
        title=article.title, slug=article.slug, summary=article.summary, body=article.body
    )
    data["status"] = "published"
    as_user(cast.nurse).post(reverse("content:manage_edit", args=[article.pk]), data)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None


def test_edit_keeps_own_slug_without_duplicate_error(as_user, cast):
    article = make_article("mine")
    data = form_data(slug="mine", summary="New summary")
    response = as_user(cast.nurse).post(reverse("content:manage_edit", args=[article.pk]), data)
    assert response.status_code == 302


def test_edit_to_another_articles_slug_is_refused(as_user, cast):
    make_article("taken")
    article = make_article("mine", title="Mine")
    data = form_data(title="Mine", slug="taken")
    response = as_user(cast.nurse).post(reverse("content:manage_edit", args=[article.pk]), data)
    assert response.status_code == 400
    article.refresh_from_db()
    assert article.slug == "mine"
    assert not AuditEvent.objects.exists()


def test_edit_is_404_for_patient_and_changes_nothing(as_user, cast):
    article = make_article(title="Original")
    url = reverse("content:manage_edit", args=[article.pk])
    response = as_user(cast.patient_user).post(url, form_data(slug=article.slug))
    assert response.status_code == 404
    article.refresh_from_db()
    assert article.title == "Original"


def test_edit_missing_article_is_404(as_user, cast):
    assert as_user(cast.nurse).get(reverse("content:manage_edit", args=[999])).status_code == 404


def test_edit_rejects_delete(as_user, cast):
    article = make_article()
    url = reverse("content:manage_edit", args=[article.pk])
    assert as_user(cast.nurse).delete(url).status_code == 405
    assert Article.objects.filter(pk=article.pk).exists()


def test_slug_taken_during_save_is_a_form_error_not_500(as_user, cast, monkeypatch):
    from django.db import IntegrityError

    from kapclinic.content import actions

    def racing_create(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: content_article.slug")

    monkeypatch.setattr(actions, "create_article", racing_create)
    response = as_user(cast.nurse).post(reverse("content:manage_new"), form_data(slug="fresh"))
    assert response.status_code == 400
    assert "already uses this address" in response.content.decode()


def test_manage_list_query_count_is_constant(as_user, cast, django_assert_max_num_queries):
    client = as_user(cast.nurse)
    for n in range(3):
        make_article(f"a-{n}")
    client.get(reverse("content:manage"))  # warm the session
    for n in range(3, 20):
        make_article(f"a-{n}")
    with django_assert_max_num_queries(8):
        client.get(reverse("content:manage"))
