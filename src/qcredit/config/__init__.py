"""Configuration: settings, URLs, WSGI, and the Celery app (loaded with the project, so that
``shared_task`` binds to it)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
