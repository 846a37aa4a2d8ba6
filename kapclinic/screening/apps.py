from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "kapclinic.screening"
    label = "screening"
    verbose_name = "Screening"
