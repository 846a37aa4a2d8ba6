"""Django admin's app config, pointed at kapclinic's own admin site.

Kept apart from `admin_site.py` because INSTALLED_APPS imports this module before
any model is loaded; the site itself is imported once they are.
"""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class KapAdminConfig(AdminConfig):
    default_site = "kapclinic.admin_site.KapAdminSite"
