from django.apps import AppConfig


class ControlledConfig(AppConfig):
    name = "kapclinic.controlled"
    label = "controlled"
    verbose_name = "Controlled-substance log"
