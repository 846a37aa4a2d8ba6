from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "kapclinic.content"
    label = "content"

    def ready(self) -> None:
        # The audit log names articles by their title.
        from kapclinic.audit import labels

        labels.name_records("content.article", "title")
