from django.urls import path

from kapclinic.preparation import views

app_name = "preparation"
urlpatterns = [
    path("me/", views.portal, name="portal"),
    path("me/autosave/", views.portal_autosave, name="portal_autosave"),
    path("patients/<id:pk>/", views.patient_preparation, name="patient"),
    path("patients/<id:pk>/checklist/", views.staff_checklist, name="staff_checklist"),
    path("patients/<id:pk>/complete/", views.complete, name="complete"),
]
