"""The Celery app. Start a worker with `celery -A smerank worker -l info` and the beat
with `celery -A smerank beat -l info` (see README)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smerank.settings")

app = Celery("smerank")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="smerank.ping", ignore_result=False)
def ping(value: str) -> str:
    """A trivial task used to check that a worker answers."""
    return f"pong:{value}"
