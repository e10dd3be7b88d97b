"""`celery -A workers.celery_app worker` / `beat`: the app is built once per process."""

from app import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
