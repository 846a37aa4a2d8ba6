from django.urls import path

from kapclinic.outcomes import trajectory_views, views

app_name = "outcomes"
urlpatterns = [
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<id:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("me/questionnaires/<id:pk>/", views.answer, name="answer"),
    path("me/results/<id:pk>/", views.result, name="result"),
    path("patients/<id:pk>/send/", views.assign, name="assign"),
    path("patients/<id:pk>/enter/<slug:code>/", views.enter, name="enter"),
    path("me/progress/", trajectory_views.my_progress, name="my_progress"),
    path(
        "patients/<id:pk>/trajectory/<slug:code>/",
        trajectory_views.trajectory,
        name="trajectory",
    ),
]
