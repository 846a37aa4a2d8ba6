from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the service: backups and restores, health endpoints."""

    name = "kapclinic.ops"
    label = "ops"
