"""The public questionnaire link, under /q/ (a signed token; no sign-in)."""

from django.urls import path

from kapclinic.outcomes import link_views

app_name = "questionnaire_link"
urlpatterns = [path("<str:token>/", link_views.answer, name="answer")]
