"""Errors that service functions raise; views turn them into flashes, the API into 4xx JSON."""
from __future__ import annotations


class ServiceError(Exception):
    """Input the use case refuses. `fields` maps a field name to messages (may be empty)."""

    status_code = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(ServiceError):
    status_code = 404


class PermissionDenied(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    status_code = 409
