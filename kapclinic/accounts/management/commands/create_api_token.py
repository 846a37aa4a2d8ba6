"""`manage.py create_api_token EMAIL`: make an API token; the token is the last line printed."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kapclinic.accounts.actions import create_api_token
from kapclinic.accounts.models import User


class Command(BaseCommand):
    help = (
        "Create an API token for the active account with this e-mail. The token acts "
        "with that person's role and access, is printed once (alone on the last line) "
        "and is stored only as a hash; revoke it in Django admin under API tokens."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="Command line", help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = str(options["email"]).strip().lower()
        user = User.objects.filter(email=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account has the e-mail {email}.")
        token, text = create_api_token(actor=None, user=user, name=options["name"])
        self.stdout.write(
            f"API token {token.prefix}… for {user.email} ({user.get_role_display()}); "
            "keep it secret, it is not shown again:"
        )
        self.stdout.write(text)
