"""The audit trail is deliberately not in Django admin.

Reading it goes through the audit log browser (`audit:log`), which records every
page viewed; an admin change list would show the same rows unaudited. Rows are never
edited or deleted, so there is nothing else for Django admin to do with them.
"""
