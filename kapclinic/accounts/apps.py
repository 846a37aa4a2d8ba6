from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kapclinic.accounts"
    label = "accounts"
