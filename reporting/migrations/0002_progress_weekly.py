"""Slot for the progress snapshot moved from handover and the weekly progress table (filled in by that work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_monthly_snapshot"), ("handover", "0008_progress_snapshot")]

    operations: list = []
