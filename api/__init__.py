"""JSON API under /api/v1 with its OpenAPI 3 document."""
