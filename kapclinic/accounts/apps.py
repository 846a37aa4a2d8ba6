from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kapclinic.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Registers the project's system checks.
        from kapclinic import checks  # noqa: F401
