"""Signed outgoing webhooks: endpoints configured by admins, deliveries as rows (issue 6)."""
