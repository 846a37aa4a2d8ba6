from django.urls import path

from kapclinic.journal import views

app_name = "journal"
urlpatterns = [
    path("me/", views.mine, name="mine"),
    path("me/new/", views.start, name="start"),
    path("me/<id:pk>/", views.entry, name="entry"),
    path("patients/<id:pk>/", views.patient_journal, name="patient"),
    path("patients/<id:pk>/psychotherapy/", views.psychotherapy, name="psychotherapy"),
]
