from django.urls import path

from kapclinic.outcomes import schedule_views, views

app_name = "outcomes"
urlpatterns = [
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<id:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("me/questionnaires/<id:pk>/", views.answer, name="answer"),
    path("me/results/<id:pk>/", views.result, name="result"),
    path("patients/<id:pk>/send/", views.assign, name="assign"),
    path("patients/<id:pk>/enter/<slug:code>/", views.enter, name="enter"),
    path("patients/<id:pk>/schedule/", schedule_views.patient_schedule, name="patient_schedule"),
    path("sites/<id:pk>/schedule/", schedule_views.site_schedule, name="site_schedule"),
]
