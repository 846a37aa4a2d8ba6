from django.urls import path

from kapclinic.clinics import views

app_name = "clinics"
urlpatterns = [
    path("sites/", views.site_list, name="sites"),
]
