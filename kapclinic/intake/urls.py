from django.urls import path

from kapclinic.intake import views

app_name = "intake"
urlpatterns = [
    path("me/intake/", views.overview, name="overview"),
    path("me/intake/submit/", views.submit, name="submit"),
    path("me/intake/questionnaires/<slug:code>/", views.questionnaire, name="questionnaire"),
    path("me/intake/<slug:code>/", views.section, name="section"),
    path("<id:pk>/intake/", views.staff_intake, name="staff"),
]
