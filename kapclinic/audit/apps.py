from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kapclinic.audit"
    label = "audit"
