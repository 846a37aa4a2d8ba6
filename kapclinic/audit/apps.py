from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kapclinic.audit"
    label = "audit"

    def ready(self) -> None:
        # Accounts sit below the audit trail (every event has an actor), so their
        # names are registered here: staff by name, never a patient's account.
        from kapclinic.accounts.models import STAFF_ROLES
        from kapclinic.audit import labels

        labels.name_records("accounts.user", "full_name", role__in=STAFF_ROLES)
        labels.name_records("accounts.staffcredential", "user__full_name")
