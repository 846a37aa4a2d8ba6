"""Measurement-based care: instruments, scoring and change over time (pure modules so far)."""
