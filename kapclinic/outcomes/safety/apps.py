from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "kapclinic.outcomes.safety"
    # Its own app (and migrations) so its tables never wait on another app's migrations.
    label = "safety"
    verbose_name = "Long-term safety"
