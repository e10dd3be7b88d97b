"""The JSON API under /api/v1: thin handlers over the domains' services, documented by
an OpenAPI 3 document generated from the code (flask-smorest)."""
