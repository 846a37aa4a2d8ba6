from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "kapclinic.intake"
    label = "intake"
    verbose_name = "Patient intake"
