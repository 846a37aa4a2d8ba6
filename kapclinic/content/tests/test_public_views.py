import pytest
from django.urls import reverse

from kapclinic.content.models import Article
from kapclinic.content.tests.factories import make_article

DISCLAIMER = "General education, not medical advice."


@pytest.fixture
def published(db):
    return make_article("what-is-kap", title="What is KAP?")


@pytest.fixture
def draft(db):
    return make_article("secret-draft", title="Unfinished draft", status=Article.Status.DRAFT)


# Home page


def test_home_is_public(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200


def test_home_explains_the_course_and_safety(client, db):
    text = client.get(reverse("home")).content.decode()
    for step in ("Consultation", "Screening", "Preparation", "Dosing sessions", "Integration"):
        assert step in text
    assert "at least 2 hours" in text
    assert "must not drive" in text


def test_home_carries_disclaimer_and_crisis_line(client, db):
    text = client.get(reverse("home")).content.decode()
    assert DISCLAIMER in text
    assert "988" in text


def test_home_lists_sites_with_address_and_phone(client, cast):
    cast.site.phone = "+1 555 0123"
    cast.site.save()
    text = client.get(reverse("home")).content.decode()
    assert "Site A" in text
    assert cast.site.address in text
    assert "+1 555 0123" in text


def test_home_hides_inactive_sites(client, cast):
    cast.other_site.is_active = False
    cast.other_site.save()
    assert "Site B" not in client.get(reverse("home")).content.decode()


def test_home_lists_latest_published_articles_only(client, published, draft):
    text = client.get(reverse("home")).content.decode()
    assert "What is KAP?" in text
    assert "Unfinished draft" not in text


def test_home_shows_no_patient_information(client, cast):
    text = client.get(reverse("home")).content.decode()
    assert cast.patient.family_name not in text
    assert cast.patient.mrn not in text


def test_home_query_count_is_constant(client, db, django_assert_max_num_queries):
    for n in range(6):
        make_article(f"article-{n}", title=f"Article {n}")
    with django_assert_max_num_queries(3):
        client.get(reverse("home"))


def test_home_rejects_post(client, db):
    assert client.post(reverse("home")).status_code == 405


# Article list


def test_article_list_shows_published_only(client, published, draft):
    response = client.get(reverse("content:articles"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "What is KAP?" in text
    assert "Unfinished draft" not in text
    assert DISCLAIMER in text


def test_article_list_hides_drafts_from_staff_too(as_user, cast, published, draft):
    client = as_user(cast.prescriber)
    assert "Unfinished draft" not in client.get(reverse("content:articles")).content.decode()


def test_article_list_query_count_is_constant(client, db, django_assert_max_num_queries):
    for n in range(25):
        make_article(f"article-{n}", title=f"Article {n}")
    with django_assert_max_num_queries(3):
        client.get(reverse("content:articles"))


def test_article_list_rejects_post(client, db):
    assert client.post(reverse("content:articles")).status_code == 405


# Article detail


def test_published_article_is_public_with_disclaimer(client, published):
    response = client.get(published.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "<strong>general</strong>" in text
    assert DISCLAIMER in text


def test_draft_is_404_for_anonymous(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_draft_is_404_for_patient(as_user, cast, draft):
    assert as_user(cast.patient_user).get(draft.get_absolute_url()).status_code == 404


def test_draft_is_visible_to_staff_and_marked(as_user, cast, draft):
    response = as_user(cast.front_desk).get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft: only clinic staff" in response.content.decode()


def test_missing_article_is_404(client, db):
    assert client.get(reverse("content:article", args=["nope"])).status_code == 404


def test_article_body_is_sanitised(client, db):
    article = make_article(
        "xss",
        body="<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))",
    )
    text = client.get(article.get_absolute_url()).content.decode()
    assert "alert(" not in text
    assert "onerror" not in text
    assert "javascript:" not in text


def test_article_detail_rejects_post(client, published):
    assert client.post(published.get_absolute_url()).status_code == 405


def test_article_page_does_not_offer_edit_link_to_public(client, published):
    text = client.get(published.get_absolute_url()).content.decode()
    assert reverse("content:manage_edit", args=[published.pk]) not in text


def test_home_leads_to_booking_on_the_page_itself(client, db):
    # On a phone the header links hide behind "Menu": the page body must offer the way in.
    text = client.get(reverse("home")).content.decode()
    main = text[text.index("<main") :]
    assert f'href="{reverse("book:book")}" role="button">Book a first consultation' in main
