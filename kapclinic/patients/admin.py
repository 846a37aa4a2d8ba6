"""Nothing from the patient record is registered with the Django admin.

The admin would show PHI to clinic admins, who see no patient records, and it
bypasses the access layer and the audit trail.
"""
