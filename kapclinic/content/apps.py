from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "kapclinic.content"
    label = "content"
