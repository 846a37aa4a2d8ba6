from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "kapclinic.intake"
    label = "intake"
    verbose_name = "Patient intake"

    def ready(self) -> None:
        # The audit log names the questions a save changed (never the answers).
        from kapclinic.audit import labels
        from kapclinic.intake.sections import SECTIONS

        for section in SECTIONS:
            labels.label_fields("intake.intake", section.question_labels())
