"""Celery discovers `reporting.tasks`: each part of the app keeps its tasks in its own sub-package and is imported
here."""
