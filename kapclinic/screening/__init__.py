"""Screening: the eligibility rules (pure, ``rules.py``); the Django parts come later."""
