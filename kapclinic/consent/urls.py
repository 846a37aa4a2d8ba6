from django.urls import path

from kapclinic.consent import views

app_name = "consent"
urlpatterns = [
    path("forms/", views.documents, name="documents"),
    path("forms/new/", views.document_new, name="document_new"),
    path("forms/<id:pk>/", views.document, name="document"),
    path("forms/<id:pk>/publish/", views.document_publish, name="document_publish"),
    path("me/", views.portal, name="portal"),
    path("me/sign/<slug:route>/", views.portal_sign, name="portal_sign"),
    path("me/<id:pk>/withdraw/", views.portal_withdraw, name="portal_withdraw"),
    path("patients/<id:pk>/", views.patient_consents, name="patient"),
    path("signed/<id:pk>/", views.signature, name="signature"),
    path("signed/<id:pk>/countersign/", views.countersign, name="countersign"),
    path("signed/<id:pk>/withdraw/", views.staff_withdraw, name="staff_withdraw"),
]
