"""The Celery worker and beat processes. No business logic lives here."""
