from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "kapclinic.journal"
    label = "journal"
    verbose_name = "Integration journal and therapy notes"
