from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "kapclinic.treatment"
    label = "treatment"
    verbose_name = "Treatment pathway"

    def ready(self) -> None:
        from kapclinic.audit.labels import name_records

        # A protocol is the clinic's template, not patient data: show it by name.
        name_records("treatment.protocol", "name")
