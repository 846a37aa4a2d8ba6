from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "kapclinic.clinics"
    label = "clinics"
