"""Long-term safety of repeated ketamine (CLINICAL.md section 7): cumulative dose,
dosing frequency, blood pressure across sessions, a monthly bladder check and
misuse signals, on one panel for the prescriber."""
