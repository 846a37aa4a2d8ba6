"""The clinic's own name, for the header, page titles, e-mails and authenticator apps.

An installation serves one organisation (`Organisation`); until one is configured the
`KAPCLINIC_SITE_NAME` setting stands in, so a fresh checkout still shows a name.
"""

from __future__ import annotations

from django.conf import settings

from kapclinic.clinics.models import Organisation


def clinic_name() -> str:
    """The organisation's name (the first configured), else the site-name setting."""
    name = Organisation.objects.order_by("pk").values_list("name", flat=True).first()
    return name or settings.SITE_NAME


def totp_issuer(device: object) -> str:
    """Issuer shown in authenticator apps: the clinic's name, so staff can find the code."""
    return clinic_name()
