"""Audit log of staff actions: who, what, when, from where (issue 6)."""
