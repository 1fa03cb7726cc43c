"""Outbox of e-mails (and later webhooks): written in the caller's transaction, delivered by the worker."""
