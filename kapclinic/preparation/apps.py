from django.apps import AppConfig


class PreparationConfig(AppConfig):
    name = "kapclinic.preparation"
    label = "preparation"
    verbose_name = "Preparation"
