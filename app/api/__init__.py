"""The read-only JSON API under /api/v1 (issue 16, items 2–3), documented by an OpenAPI 3
document that flask-smorest builds from the marshmallow schemas."""
