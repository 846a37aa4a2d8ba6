from django.urls import path

from kapclinic.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("me/", views.portal, name="portal"),
    path("<int:pk>/", views.chart, name="chart"),
]
