from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "kapclinic.clinics"
    label = "clinics"

    def ready(self) -> None:
        # The audit log shows clinic configuration by name and thresholds by label.
        from kapclinic.audit import labels
        from kapclinic.clinics.thresholds import LABELS

        labels.name_records("clinics.organisation", "name")
        labels.name_records("clinics.site", "name")
        labels.name_records("clinics.sitesettings", "site__name")
        labels.name_records("clinics.room", "name")
        labels.name_records("clinics.chair", "name")
        labels.label_fields("clinics.sitesettings", LABELS)
