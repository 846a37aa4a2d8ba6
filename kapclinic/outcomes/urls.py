from django.urls import path

from kapclinic.outcomes import analytics_views, schedule_views, trajectory_views, views
from kapclinic.outcomes.safety import views as safety_views

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
    path("me/progress/", trajectory_views.my_progress, name="my_progress"),
    path(
        "patients/<id:pk>/trajectory/<slug:code>/",
        trajectory_views.trajectory,
        name="trajectory",
    ),
    path("analytics/", analytics_views.clinic_analytics, name="analytics"),
    path("analytics/export.csv", analytics_views.analytics_export, name="analytics_export"),
    path("patients/<id:pk>/safety/", safety_views.panel, name="safety"),
    path("patients/<id:pk>/safety/bladder/", safety_views.bladder_check, name="bladder_check"),
    path("patients/<id:pk>/safety/misuse/", safety_views.misuse_signal, name="misuse_signal"),
]
