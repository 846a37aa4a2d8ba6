"""`manage.py create_device_token SITE LABEL`: a monitor's token, alone on the last line."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from kapclinic.clinics.models import Site
from kapclinic.dosing.device_tokens import create_device_token


class Command(BaseCommand):
    help = (
        "Create a token for a vital-signs monitor at SITE (the site's name or number), "
        "labelled LABEL. It sends readings for that site's dosing sessions only, through "
        "POST /api/v1/sessions/{id}/vitals; it is printed once (alone on the last line), "
        "stored only as a hash, and revoked in Django admin under Monitor tokens."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("site", help="The site's name, or its number.")
        parser.add_argument("label", help="Which monitor, e.g. 'Chair 2 monitor'.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(options["site"]).strip()
        label = str(options["label"]).strip()
        if not label:
            raise CommandError("Give the monitor a label, e.g. 'Chair 2 monitor'.")
        by_number = Q(pk=int(name)) if name.isdigit() and len(name) < 18 else Q(pk__in=[])
        sites = list(Site.objects.filter(by_number | Q(name__iexact=name), is_active=True)[:2])
        if len(sites) != 1:
            problem = "No active site" if not sites else "More than one site"
            raise CommandError(f"{problem} matches {name!r}; give its exact name or number.")
        token, text = create_device_token(actor=None, site_id=sites[0].pk, label=label)
        self.stdout.write(
            f"Monitor token {token.prefix}… for {label} at {sites[0].name}; "
            "keep it secret, it is not shown again:"
        )
        self.stdout.write(text)
