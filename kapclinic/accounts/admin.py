"""People and their credentials are deliberately not in the Django admin.

Staff accounts are managed in one place, the clinic staff pages (`/clinic/staff/`,
`kapclinic/clinics/staff_views.py`): invite (the new account has an unusable password
and its owner chooses one through a one-time link), role and site changes,
deactivation, two-factor reset and professional credentials, each through an audited
action that refuses to remove the last active clinic admin. Those pages never show
patients' portal accounts.

Django's user admin would be a second, weaker door: it lists every account,
patients' included, sets passwords through its `<id>/password/` page (after which
an admin could sign in as that person), and bypasses the rules above. The smallest
safe surface is none at all, so nothing is registered here; `KapAdminSite` also
drops the admin pages django-otp and django-axes would add for devices and sign-in
attempts.
"""
