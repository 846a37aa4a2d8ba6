from django.urls import path

from kapclinic.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("export.csv", views.audit_export, name="export"),
    path("grants/<id:pk>/", views.grant_detail, name="grant"),
    path("grants/<id:pk>/review/", views.grant_review, name="grant_review"),
]
