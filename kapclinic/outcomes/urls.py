from django.urls import path

from kapclinic.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<id:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("me/questionnaires/<id:pk>/", views.answer, name="answer"),
    path("me/results/<id:pk>/", views.result, name="result"),
    path("patients/<id:pk>/send/", views.assign, name="assign"),
    path("patients/<id:pk>/enter/<slug:code>/", views.enter, name="enter"),
]
