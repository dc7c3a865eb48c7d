"""`manage.py setup_periodic_tasks`: register the beat schedule in the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_celery_beat.models import IntervalSchedule, PeriodicTask


class Command(BaseCommand):
    help = "Create or update the periodic tasks run by celery beat."

    def handle(self, *args: Any, **opts: Any) -> None:
        every_minute, _ = IntervalSchedule.objects.get_or_create(
            every=60, period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.update_or_create(
            name="Catch up rankings behind their data",
            defaults={"task": "rankings.sweep", "interval": every_minute, "enabled": True},
        )
        self.stdout.write("Periodic tasks are set up.")
