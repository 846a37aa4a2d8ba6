"""Dosing sessions: vital-sign alerts and discharge criteria (pure modules so far)."""
