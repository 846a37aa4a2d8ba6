from django.urls import path

from kapclinic.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("me/questionnaires/<int:pk>/", views.answer, name="answer"),
    path("me/results/<int:pk>/", views.result, name="result"),
    path("patients/<int:pk>/send/", views.assign, name="assign"),
    path("patients/<int:pk>/enter/<slug:code>/", views.enter, name="enter"),
]
