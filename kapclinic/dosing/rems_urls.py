from django.urls import path

from kapclinic.dosing import rems_views

app_name = "rems"

urlpatterns = [
    path("", rems_views.due, name="due"),
    path("<id:pk>/", rems_views.form, name="form"),
    path("<id:pk>/submitted", rems_views.submit, name="submit"),
    path("<id:pk>/pdf", rems_views.pdf, name="pdf"),
]
